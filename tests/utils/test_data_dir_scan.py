"""validate_data_dir reads line by line: a file out of order is reported by file and line as before,
the cross-file rules still hold for it, and memory does not grow with the number of utterances."""
from __future__ import annotations

import random
import tracemalloc
from pathlib import Path

import pytest

from tests.utils.data_dir_fixtures import replace_line, swap_first_lines, write_sample_dir
from utils.data_dir import validate_data_dir

SORT_RULE = "keys must be in byte order (LC_ALL=C sort)"


def test_wrong_order_and_missing_key_are_reported_with_file_and_line(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    swap_first_lines("utt2dur")(data_dir)
    replace_line("text", "spk9-0001", None)(data_dir)
    assert validate_data_dir(data_dir) == [
        f"utt2dur line 2: not sorted: 'Aoife-0001' comes after 'Aoife-0002' (line 1); {SORT_RULE}",
        "utt2spk has 1 utterance(s) that text lacks, e.g. 'spk9-0001'",
    ]


def test_a_shuffled_file_with_a_distant_duplicate_is_judged_whole(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    (data_dir / "text").write_text("spk9-0001 cá bhfuil tú\nAoife-0001 tá an t-uisce fuar\néamon-0001 slán abhaile\n"
                                   "Aoife-0001 arís\naoife-0001 go raibh maith agat\nAoife-0002 dia duit\n",
                                   encoding="utf-8")
    assert validate_data_dir(data_dir) == [
        f"text line 2: not sorted: 'Aoife-0001' comes after 'spk9-0001' (line 1); {SORT_RULE} "
        "[2 more line(s) out of order]",
        "text line 4: duplicate key 'Aoife-0001' (first on line 2)",
        "utt2spk has 1 utterance(s) that text lacks, e.g. 'spk10-0001'",
    ]


def test_spk2utt_out_of_order_is_still_matched_against_utt2spk(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    (data_dir / "spk2utt").write_text("spk9 spk9-0001\nAoife Aoife-0001 Aoife-0002 spk10-0001\néamon éamon-0001\n"
                                      "aoife aoife-0001 aoife-0001\n", encoding="utf-8")
    assert validate_data_dir(data_dir) == [
        f"spk2utt line 2: not sorted: 'Aoife' comes after 'spk9' (line 1); {SORT_RULE} [1 more line(s) out of order]",
        "spk2utt does not match utt2spk: 1 utterance(s) listed more than once in spk2utt, e.g. 'aoife-0001' "
        "(regenerate it: fix_data_dir)",
        "spk2utt does not match utt2spk: 1 utterance(s) under another speaker in spk2utt than in utt2spk, "
        "e.g. 'spk10-0001' (regenerate it: fix_data_dir)",
    ]


def _big_dir(root: Path, count: int, shuffled: bool) -> Path:
    """A valid data dir of `count` utterances by 97 speakers, all naming one wav (Kaldi's format,
    written here); with `shuffled`, its text file in random order."""
    root.mkdir()
    wav = root / "a.wav"
    wav.write_bytes(b"RIFF")
    ids = sorted((f"s{n % 97:02d}-{n:07d}", f"s{n % 97:02d}") for n in range(count))
    files = {"wav.scp": [f"{u} {wav}" for u, _ in ids], "utt2spk": [f"{u} {s}" for u, s in ids],
             "utt2dur": [f"{u} 1.250" for u, _ in ids], "text": [f"{u} focal {n}" for n, (u, _) in enumerate(ids)]}
    files["spk2utt"] = [f"{s} " + " ".join(u for u, of in ids if of == s) for s in sorted({s for _, s in ids})]
    if shuffled:
        random.Random(0).shuffle(files["text"])
    for name, lines in files.items():
        (root / name).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return root


def _peak(data_dir: Path) -> tuple[int, list[str]]:
    tracemalloc.start()
    try:
        problems = validate_data_dir(data_dir)
        return tracemalloc.get_traced_memory()[1], problems
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("shuffled", [False, True], ids=["sorted", "shuffled"])
def test_memory_does_not_grow_with_the_utterances(tmp_path: Path, monkeypatch, shuffled: bool) -> None:
    # a shuffled file is sorted through runs of 200 lines, merged 4 at a time (each open run costs a read buffer)
    monkeypatch.setattr("utils.data_dir_scan.RUN_LINES", 200)
    monkeypatch.setattr("utils.sorted_spool.FAN_IN", 4)
    small, problems_small = _peak(_big_dir(tmp_path / "small", 500, shuffled))
    large, problems_large = _peak(_big_dir(tmp_path / "large", 4000, shuffled))
    assert len(problems_small) == len(problems_large) == shuffled  # only the text file out of order
    # holding the files whole took ~1 KB per utterance (3.5 MB more here)
    assert large - small < 300_000, (small, large)

"""utils.data_dir: round trip, one fixture per validation failure, and fix_data_dir."""
from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.utils.data_dir_fixtures import (
    SAMPLES,
    append_bytes,
    delete_wav,
    replace_line,
    rewrite_bytes,
    sample_utterances,
    swap_first_lines,
    write_sample_dir,
)
from utils.data_dir import (
    Utterance,
    fix_data_dir,
    read_data_dir,
    read_kv,
    validate_data_dir,
    write_data_dir,
)
from utils.errors import DataDirError, InputError

FILES = ["spk2utt", "text", "text.raw", "utt2dur", "utt2spk", "wav.scp"]


def test_round_trip(tmp_path: Path) -> None:
    utts = sample_utterances(tmp_path / "audio")
    write_data_dir(tmp_path / "train", utts)
    assert sorted(p.name for p in (tmp_path / "train").iterdir()) == FILES
    assert read_data_dir(tmp_path / "train") == sorted(utts, key=lambda u: u.utt_id.encode("utf-8"))
    assert validate_data_dir(tmp_path / "train") == []


def test_written_files_follow_kaldi_layout(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    keys = [line.split(" ")[0] for line in (data_dir / "text").read_text(encoding="utf-8").splitlines()]
    assert keys == ["Aoife-0001", "Aoife-0002", "aoife-0001", "spk10-0001", "spk9-0001", "éamon-0001"]
    assert (data_dir / "spk2utt").read_text(encoding="utf-8").splitlines()[0] == "Aoife Aoife-0001 Aoife-0002"
    assert read_kv(data_dir / "utt2dur")["spk10-0001"] == "0.500"
    assert read_kv(data_dir / "text")["Aoife-0001"] == "tá an t-uisce fuar"


def test_text_raw_only_when_given_and_stale_one_removed(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path, with_raw=True)
    write_data_dir(data_dir, sample_utterances(tmp_path / "audio", with_raw=False))
    assert not (data_dir / "text.raw").exists()
    assert all(utt.text_raw is None for utt in read_data_dir(data_dir))


def test_write_refuses_duplicate_ids(tmp_path: Path) -> None:
    utts = sample_utterances(tmp_path / "audio")
    with pytest.raises(InputError, match="duplicate utterance id 'spk9-0001'"):
        write_data_dir(tmp_path / "train", [*utts, utts[0]])
    assert not (tmp_path / "train").exists()


def test_write_raises_on_invalid_result(tmp_path: Path) -> None:
    utts = sample_utterances(tmp_path / "audio")
    bad = Utterance("x-1", "nobody", utts[0].wav, "focal", 1.0, "focal")
    with pytest.raises(DataDirError, match="not a prefix"):
        write_data_dir(tmp_path / "train", [*utts, bad])


def test_write_raises_when_utt2spk_cannot_be_sorted_by_speaker(tmp_path: Path) -> None:
    wav = sample_utterances(tmp_path / "audio")[0].wav
    utts = [Utterance("a-b-1", "a-b", wav, "aon", 1.0), Utterance("a-c", "a", wav, "dó", 1.0)]
    with pytest.raises(DataDirError, match="sorted by speaker"):
        write_data_dir(tmp_path / "train", utts)


def test_read_names_missing_file(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    (data_dir / "utt2dur").unlink()
    with pytest.raises(InputError, match="missing utt2dur"):
        read_data_dir(data_dir)


CORRUPTIONS: dict[str, tuple[Callable[[Path], None], str]] = {
    "unsorted": (swap_first_lines("text"), "text line 2: not sorted: 'Aoife-0001' comes after 'Aoife-0002'"),
    "duplicate": (append_bytes("utt2dur", b"Aoife-0001 2.000\n"), "utt2dur line 7: duplicate key 'Aoife-0001'"),
    "mismatched-sets": (replace_line("text", "spk9-0001", None),
                        "utt2spk has 1 utterance(s) that text lacks, e.g. 'spk9-0001'"),
    "extra-utterance": (append_bytes("utt2dur", b"\xc3\xa9amon-0002 1.000\n"),
                        "utt2dur has 1 utterance(s) that utt2spk lacks, e.g. 'éamon-0002'"),
    "bad-speaker-prefix": (replace_line("utt2spk", "spk9-0001", b"spk9-0001 spk1"),
                           "speaker id 'spk1' is not a prefix of utterance id 'spk9-0001'"),
    "spk2utt-inconsistent": (replace_line("spk2utt", "Aoife", b"Aoife Aoife-0001"),
                             "spk2utt does not match utt2spk: 1 utterance(s) in utt2spk but not in spk2utt"),
    "spk2utt-unsorted": (replace_line("spk2utt", "Aoife", b"Aoife Aoife-0002 Aoife-0001"),
                         "utterances of speaker 'Aoife' are not in byte order"),
    "non-utf8": (replace_line("text", "aoife-0001", b"aoife-0001 go raibh maith ag\xe1t"),
                 "text line 3: value is not valid UTF-8"),
    "empty-text": (replace_line("text", "aoife-0001", b"aoife-0001 "), "text line 3: empty text"),
    "text-without-value": (replace_line("text", "aoife-0001", b"aoife-0001"), "text line 3: empty text"),
    "crlf": (rewrite_bytes("text", lambda data: data.replace(b"\n", b"\r\n")), "text line 1: CR character"),
    "tab-in-text": (replace_line("text", "aoife-0001", b"aoife-0001 go raibh\tmaith agat"),
                    "text line 3: tab character"),
    "tab-separator": (replace_line("utt2spk", "aoife-0001", b"aoife-0001\taoife"), "utt2spk line 3: tab character"),
    "nbsp-in-text": (replace_line("text", "aoife-0001", "aoife-0001 go raibh\u00a0maith".encode()),
                     "whitespace character U+00A0"),
    "reserved-symbol": (replace_line("text", "aoife-0001", b"aoife-0001 <s> go raibh"), "reserved symbol '<s>'"),
    "negative-duration": (replace_line("utt2dur", "spk9-0001", b"spk9-0001 -1.5"),
                          "utt2dur line 5: duration '-1.5' is not a positive number"),
    "zero-duration": (replace_line("utt2dur", "spk9-0001", b"spk9-0001 0"), "duration '0' is not a positive"),
    "nan-duration": (replace_line("utt2dur", "spk9-0001", b"spk9-0001 nan"), "duration 'nan' is not a positive"),
    "non-numeric-duration": (replace_line("utt2dur", "spk9-0001", b"spk9-0001 1.5s"),
                             "duration '1.5s' is not a number"),
    "missing-wav": (delete_wav, "wav.scp line 2: audio file"),
    "pipe-in-wav-scp": (replace_line("wav.scp", "spk9-0001", b"spk9-0001 sox in.flac -t wav - |"),
                        "wav.scp line 5: wav.scp entry is a command pipe"),
    "relative-wav": (replace_line("wav.scp", "spk9-0001", b"spk9-0001 audio/spk9-0001.wav"), "audio/spk9-0001.wav does not exist"),  # relative to the data dir
    "missing-file": (lambda data_dir: (data_dir / "utt2dur").unlink(), "utt2dur: missing required file"),
    "no-final-newline": (rewrite_bytes("utt2spk", lambda data: data[:-1]), "utt2spk line 6: last line does not end"),
    "empty-dir": (lambda data_dir: [(data_dir / name).write_bytes(b"") for name in FILES], "no utterances"),
}


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_validate_reports(tmp_path: Path, name: str) -> None:
    data_dir = write_sample_dir(tmp_path)
    assert validate_data_dir(data_dir) == []
    corrupt, expected = CORRUPTIONS[name]
    corrupt(data_dir)
    problems = validate_data_dir(data_dir)
    assert any(expected in problem for problem in problems), problems
    with pytest.raises((DataDirError, InputError)):
        read_data_dir(data_dir)


def _report(data_dir: Path) -> dict[str, tuple[str, str, str]]:
    with open(data_dir / "fix_data_dir.report.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    assert rows[0] == ["utt_id", "file", "line", "reason"]
    return {utt_id: (file, line, reason) for utt_id, file, line, reason in rows[1:]}


def test_fix_drops_and_reports(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    delete_wav(data_dir)
    swap_first_lines("utt2spk")(data_dir)
    rewrite_bytes("wav.scp", lambda data: data.replace(b"\n", b"\r\n"))(data_dir)
    replace_line("text", "aoife-0001", b"aoife-0001 ")(data_dir)
    replace_line("utt2dur", "spk9-0001", b"spk9-0001 -1")(data_dir)
    replace_line("text.raw", "spk10-0001", None)(data_dir)
    replace_line("spk2utt", "Aoife", b"Aoife Aoife-0001")(data_dir)
    before = (data_dir / "text").read_bytes()

    result = fix_data_dir(data_dir)

    assert (result.kept, result.dropped, result.repaired_line_endings) == (2, 4, 6)
    assert result.rewritten
    assert validate_data_dir(data_dir) == []
    assert [u.utt_id for u in read_data_dir(data_dir)] == ["Aoife-0001", "éamon-0001"]
    assert (data_dir / "spk2utt").read_text(encoding="utf-8") == "Aoife Aoife-0001\néamon éamon-0001\n"
    assert (data_dir / ".backup" / "text").read_bytes() == before
    assert _report(data_dir) == {
        "Aoife-0002": ("wav.scp", "2", f"audio file {tmp_path / 'audio' / 'Aoife-0002.wav'} does not exist"),
        "aoife-0001": ("text", "3", "empty text"),
        "spk10-0001": ("wav.scp", "4", "no entry in text.raw"),
        "spk9-0001": ("utt2dur", "5", "duration '-1' is not a positive number of seconds"),
    }


def test_fix_on_valid_dir_changes_nothing(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    before = {name: (data_dir / name).read_bytes() for name in FILES}
    result = fix_data_dir(data_dir)
    assert (result.kept, result.dropped, result.rewritten) == (len(SAMPLES), 0, False)
    assert {name: (data_dir / name).read_bytes() for name in FILES} == before
    assert not (data_dir / ".backup").exists()
    assert _report(data_dir) == {}


def test_fix_regenerates_missing_spk2utt_and_reports_unreadable_lines(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    expected = (data_dir / "spk2utt").read_bytes()
    (data_dir / "spk2utt").unlink()
    append_bytes("text", b"\xffbad-key hello\n")(data_dir)
    result = fix_data_dir(data_dir)
    assert (result.kept, result.dropped) == (len(SAMPLES), 0)
    assert (data_dir / "spk2utt").read_bytes() == expected
    assert _report(data_dir)[""] == ("text", "7", "key '\\xffbad-key' is not valid UTF-8")


def test_fix_keeps_identical_duplicates_and_drops_conflicting_ones(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    append_bytes("utt2dur", b"Aoife-0001 2.000\nspk9-0001 9.000\n")(data_dir)
    result = fix_data_dir(data_dir)
    assert (result.kept, result.dropped) == (len(SAMPLES) - 1, 1)
    assert _report(data_dir)["spk9-0001"] == ("utt2dur", "8", "conflicting duplicate entries (lines 5, 8)")


def test_fix_that_would_drop_everything_leaves_dir_unchanged(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    (data_dir / "utt2dur").write_bytes(b"")
    before = {name: (data_dir / name).read_bytes() for name in FILES}
    with pytest.raises(InputError, match="no utterance has a valid entry"):
        fix_data_dir(data_dir)
    assert {name: (data_dir / name).read_bytes() for name in FILES} == before
    assert len(_report(data_dir)) == len(SAMPLES)


def test_fix_needs_per_utterance_files(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    (data_dir / "wav.scp").unlink()
    with pytest.raises(InputError, match="missing wav.scp"):
        fix_data_dir(data_dir)


def test_audio_beside_the_data_dir_is_stored_relative_and_read_back_absolute(tmp_path: Path) -> None:
    """data/wavs/x.wav is written as ../wavs/x.wav in data/train/wav.scp: the folder can move."""
    from utils.data_dir import Utterance, read_data_dir, write_data_dir

    wav = tmp_path / "data/wavs/spk1-a.wav"
    wav.parent.mkdir(parents=True)
    wav.write_bytes(b"RIFF")
    write_data_dir(tmp_path / "data/train", [Utterance("spk1-a", "spk1", str(wav), "a b", 1.0)])
    assert (tmp_path / "data/train/wav.scp").read_text() == "spk1-a ../wavs/spk1-a.wav\n"
    moved = tmp_path.rename(tmp_path.with_name(tmp_path.name + "_moved"))
    assert read_data_dir(moved / "data/train")[0].wav == str(moved / "data/wavs/spk1-a.wav")

"""NSC Part 3: TextGrid conversations -> segmented data dirs, split by conversation, bad input reported."""
from __future__ import annotations

from pathlib import Path

import pytest

from local.nsc_part3 import check_part3, prepare_part3, split_conversations
from tests.local.nsc_part3_fixture import NEEDS_ESPEAK, write_part3
from tests.local.textgrid_spec import write_textgrid
from utils.data_dir import read_data_dir, read_kv, validate_data_dir
from utils.errors import InputError

pytestmark = NEEDS_ESPEAK
SHARES = {"train": 0.8, "dev": 0.1, "test": 0.1}


def _prepare(corpus: Path, root: Path, **kwargs) -> dict[str, Path]:
    return {split: prepare_part3(corpus, split, root / "data" / split, root / "wavs" / split, SHARES, **kwargs)
            for split in SHARES}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("part3")
    return _prepare(write_part3(root / "corpus", seconds=40.0), root)


def test_layout_is_described(prepared):
    info = check_part3(prepared["train"].parents[1] / "corpus")
    assert info["mics"] == ["boundarymic", "closemic", "ivr", "standingmic"]
    assert (info["textgrids"], info["conversations"]) == (6, 3)


def test_splits_are_by_conversation_and_share_nothing(prepared):
    seen: dict[str, set[str]] = {"conversations": set(), "speakers": set(), "utterances": set(), "recordings": set()}
    for data in prepared.values():
        assert validate_data_dir(data) == []
        utts = read_data_dir(data)
        assert utts and all(utt.segment is not None for utt in utts)
        mine = {"conversations": {line for line in (data / "conversations").read_text().splitlines()
                                  if not line.startswith("#")},
                "speakers": {utt.speaker for utt in utts}, "utterances": {utt.utt_id for utt in utts},
                "recordings": set(read_kv(data / "wav.scp"))}
        assert len(mine["conversations"]) == 1
        for kind, ids in mine.items():
            assert not ids & seen[kind], (kind, ids & seen[kind])
            seen[kind] |= ids
    assert seen["conversations"] == {"3000", "conf_2500_2500", "conf_2501_2501"}


def test_segments_intervals_and_skips(prepared):
    data = next(d for d in prepared.values() if "3000" in (d / "conversations").read_text())
    segments = read_kv(data / "segments")
    assert set(read_kv(data / "wav.scp")) == {"boundarymic-3000", "closemic-3000-1", "closemic-3000-2"}
    ones = sorted(u for u in segments if u.startswith("3000-1-closemic"))
    assert len(ones) == 3 and len([u for u in segments if u.startswith("3000-2-boundarymic")]) == 3
    # speaker 2's first turn and speaker 1's second overlap on the boundary recording: both kept
    first_2 = [v for u, v in sorted(segments.items()) if u.startswith("3000-2-boundarymic")][0].split()
    second_1 = segments[ones[1].replace("closemic", "boundarymic")].split()
    assert first_2[0] == second_1[0] == "boundarymic-3000"
    assert float(second_1[1]) < float(first_2[2]) and float(first_2[1]) < float(second_1[2])
    skipped = dict(line.split("\t") for line in (data / "skipped.tsv").read_text().splitlines()[1:])
    # per channel: 3 <S> and one <FIL/>; speaker 1 has a zero-length interval, speaker 2 an empty one;
    # counted per microphone read (close and boundary)
    assert skipped == {"silence <S>/<Z>": "12", "empty": "2", "zero or negative length": "2",
                       "annotation only (nothing left after normalisation)": "4"}
    raw = read_kv(data / "text.raw")
    assert all("<S>" not in text and text for text in raw.values())


def test_folder_names_without_spaces_give_the_same_dirs(prepared, tmp_path):
    root = tmp_path / "nospace"
    other = _prepare(write_part3(root / "corpus", seconds=40.0, spaces=False), root)
    for split, data in prepared.items():
        assert (other[split] / "segments").read_text() == (data / "segments").read_text()
        assert (other[split] / "text.raw").read_text() == (data / "text.raw").read_text()


def test_split_is_seeded(prepared):
    convs = [f"c{i}" for i in range(20)]
    first, again, other = (split_conversations(convs, SHARES, seed) for seed in (0, 0, 1))
    assert first == again and first != other
    assert [len(first[s]) for s in SHARES] == [16, 2, 2]
    reordered = split_conversations(convs, {"test": 0.1, "dev": 0.1, "train": 0.8}, 0)
    assert reordered == first  # the order of the shares' keys (YAML may sort them) does not matter
    assert set().union(*first.values()) == set(convs)


def test_bad_textgrid_and_short_recording_are_reported_alone(tmp_path):
    corpus = write_part3(tmp_path / "corpus", seconds=40.0)
    scripts = corpus / "PART3" / "Scripts Separate"
    (scripts / "conf_2500_2500_00862025.TextGrid").write_bytes(b"\xff\xfeg\x00a\x00r\x00b\x00")
    # the standing-mic recording of the other speaker is cut to 25 s: its later intervals do not fit
    wav = corpus / "PART3" / "Audio Separate StandingMic" / "conf_2500_2500_00862177.wav"
    import soundfile
    samples, rate = soundfile.read(wav)
    soundfile.write(wav, samples[:25 * rate], rate)
    dirs = _prepare(corpus, tmp_path, max_drop_share=0.5)
    data = next(d for d in dirs.values() if "conf_2500_2500" in (d / "conversations").read_text())
    report = (data / "prep_report.tsv").read_text()
    assert "conf_2500_2500_00862025.TextGrid\t0\t\tdropped\t" in report and "not a Praat TextGrid" in report
    assert "ends after the recording" in report and "conf_2500_2500_00862177.wav (25.000 s)" in report
    assert "ivr-conf_2500_2500_00862177\trepaired" in report
    speakers = {utt.speaker for utt in read_data_dir(data)}
    assert speakers == {"conf_2500_2500_00862177"}  # the other speaker's grid is lost, nothing else
    segments = read_kv(data / "segments")
    assert [u for u in segments if u.startswith("conf_2500_2500_00862177-ivr")]  # telephone: whole recording
    assert all(float(v.split()[2]) <= 25.0 for u, v in segments.items() if "-standingmic-" in u)


def test_no_part3_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no PART3 TextGrid with a recording"):
        check_part3(tmp_path)
    with pytest.raises(InputError, match="unknown NSC Part 3 microphone"):
        check_part3(tmp_path, ("headset",))


def test_kaldi_and_lhotse_accept_the_dirs(prepared, tmp_path):
    import os
    import subprocess
    lhotse_kaldi = pytest.importorskip("lhotse.kaldi", reason="lhotse is a test-only dependency")
    for data in prepared.values():
        _, supervisions, _ = lhotse_kaldi.load_kaldi_data_dir(data, sampling_rate=16000)
        utt2dur = read_kv(data / "utt2dur")
        assert len(supervisions) == len(utt2dur)
        assert sum(s.duration for s in supervisions) == pytest.approx(sum(map(float, utt2dur.values())), abs=1e-6)
    utils = os.environ.get("KALDI_UTILS")
    if not utils:
        return
    root = tmp_path / "kaldi"
    (root / "bin").mkdir(parents=True)
    (root / "utils").symlink_to(Path(utils).resolve(), target_is_directory=True)
    (root / "bin" / "locale").write_text("#!/bin/sh\necho C.UTF-8\n")  # see tests/utils/test_data_dir_kaldi.py
    (root / "bin" / "locale").chmod(0o755)
    env = {**os.environ, "PATH": f"{root / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    for data in prepared.values():
        result = subprocess.run(["bash", "utils/validate_data_dir.sh", "--no-feats", str(data)], cwd=root, env=env,
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_intervals_past_the_end_are_trimmed_or_dropped(tmp_path):
    import numpy as np
    import soundfile
    part3 = tmp_path / "PART3"
    (part3 / "Audio Same CloseMic").mkdir(parents=True)
    noise = 0.1 * np.random.default_rng(0).standard_normal(32000)
    soundfile.write(part3 / "Audio Same CloseMic" / "9000-1.wav", noise, 16000)  # 2.0 s
    write_textgrid(part3 / "Scripts Same" / "9000-1.TextGrid", {"9000-1": [
        (0.2, 1.0, "hello there"), (1.0, 2.005, "good day"), (1.1, 2.3, "trim me"), (2.0, 2.4, "too late")]}, 2.4)
    data = prepare_part3(tmp_path, "train", tmp_path / "train", tmp_path / "wavs", {"train": 1.0}, max_drop_share=0.5)
    assert read_kv(data / "segments") == {"9000-1-closemic-00001": "closemic-9000-1 0.200 1.000",
                                          "9000-1-closemic-00002": "closemic-9000-1 1.000 2.000",
                                          "9000-1-closemic-00003": "closemic-9000-1 1.100 2.000"}
    rows = (data / "prep_report.tsv").read_text().splitlines()[1:]
    assert [row.split("\t")[2:4] for row in rows] == [["9000-1-closemic-00003", "repaired"],
                                                       ["9000-1-closemic-00004", "dropped"]]

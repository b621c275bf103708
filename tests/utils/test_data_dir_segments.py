"""utils.data_dir on segmented dirs (Kaldi segments + reco2dur, wav.scp keyed by recording)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.utils.data_dir_fixtures import (
    SEGMENTS,
    append_bytes,
    replace_line,
    segmented_utterances,
    write_segmented_dir,
)
from utils.data_dir import Segment, Utterance, fix_data_dir, read_data_dir, read_kv, validate_data_dir, write_data_dir
from utils.errors import DataDirError, InputError

FILES = ["reco2dur", "segments", "spk2utt", "text", "utt2dur", "utt2spk", "wav.scp"]


def test_round_trip_and_layout(tmp_path: Path) -> None:
    utts = segmented_utterances(tmp_path / "audio")
    write_data_dir(tmp_path / "conv", utts)
    data_dir = tmp_path / "conv"
    assert sorted(p.name for p in data_dir.iterdir()) == FILES
    assert read_data_dir(data_dir) == sorted(utts, key=lambda u: u.utt_id.encode("utf-8"))
    # keyed by recording, stored relative to the data dir (utils/audio_paths.py)
    assert read_kv(data_dir / "wav.scp") == {"r1": "../audio/r1.wav", "r2": "../audio/r2.wav"}
    assert read_kv(data_dir / "segments")["B02-r1-0001"] == "r1 1.500 3.250"
    assert read_kv(data_dir / "reco2dur") == {"r1": "4.000", "r2": "3.500"}
    assert read_kv(data_dir / "utt2dur")["B02-r2-0001"] == "2.250"


def test_times_are_written_to_the_millisecond_and_utt2dur_agrees(tmp_path: Path) -> None:
    wav = segmented_utterances(tmp_path / "audio")[0].wav
    utt = Utterance("A01-r1-0001", "A01", wav, "dia duit", 1.00049, segment=Segment("r1", 0.12345, 4.0))
    write_data_dir(tmp_path / "conv", [utt])
    assert read_kv(tmp_path / "conv" / "segments")["A01-r1-0001"] == "r1 0.123 1.124"
    assert read_kv(tmp_path / "conv" / "utt2dur")["A01-r1-0001"] == "1.001"


def test_rewriting_unsegmented_removes_stale_segment_files(tmp_path: Path) -> None:
    data_dir = write_segmented_dir(tmp_path)
    utts = [Utterance(u.utt_id, u.speaker, u.wav, u.text, u.duration) for u in read_data_dir(data_dir)]
    write_data_dir(data_dir, utts)
    assert not (data_dir / "segments").exists() and not (data_dir / "reco2dur").exists()
    assert len(read_kv(data_dir / "wav.scp")) == len(SEGMENTS)


def test_write_refuses_mixed_and_conflicting_recordings(tmp_path: Path) -> None:
    utts = segmented_utterances(tmp_path / "audio")
    plain = Utterance("A01-x", "A01", utts[0].wav, "focal", 1.0)
    with pytest.raises(InputError, match="either segmented or not"):
        write_data_dir(tmp_path / "conv", [*utts, plain])
    other = Utterance("A01-y", "A01", utts[2].wav, "focal", 1.0, segment=Segment("r1", 0.0, 4.0))
    with pytest.raises(InputError, match="recording 'r1' is given two audio files"):
        write_data_dir(tmp_path / "conv", [*utts, other])
    longer = Utterance("A01-y", "A01", utts[0].wav, "focal", 1.0, segment=Segment("r1", 0.0, 5.0))
    with pytest.raises(InputError, match="recording 'r1' is given two lengths"):
        write_data_dir(tmp_path / "conv", [*utts, longer])
    assert not (tmp_path / "conv").exists()


def test_write_raises_for_a_segment_past_its_recording(tmp_path: Path) -> None:
    utts = segmented_utterances(tmp_path / "audio")
    late = Utterance("A01-r2-0002", "A01", utts[2].wav, "focal", 1.0, segment=Segment("r2", 3.0, 3.5))
    with pytest.raises(DataDirError, match="ends at 4.000 s, after the end of recording 'r2'"):
        write_data_dir(tmp_path / "conv", [*utts, late])


CORRUPTIONS: dict[str, tuple[Callable[[Path], None], str]] = {
    "end-before-start": (replace_line("segments", "A01-r1-0001", b"A01-r1-0001 r1 2.0 0.5"), "needs 0 <= start < end"),
    "three-fields": (replace_line("segments", "A01-r1-0001", b"A01-r1-0001 r1 0.5"), "not `reco_id start end`"),
    "non-numeric": (replace_line("segments", "A01-r1-0001", b"A01-r1-0001 r1 0.5 two"), "must be numbers"),
    "unknown-recording": (replace_line("segments", "A01-r1-0001", b"A01-r1-0001 r9 0.5 2.0"),
                          "segments name 1 recording(s) that wav.scp lacks, e.g. 'r9'"),
    "unused-recording": (append_bytes("wav.scp", b"r3 /dev/null\n"), "wav.scp has 1 recording(s) that no segment"),
    "reco2dur-lacks": (replace_line("reco2dur", "r2", None), "segments name 1 recording(s) that reco2dur lacks"),
    "no-reco2dur": (lambda data_dir: (data_dir / "reco2dur").unlink(), "reco2dur: missing required file"),
    "past-the-end": (replace_line("reco2dur", "r1", b"r1 3.000"), "'B02-r1-0001' ends at 3.250 s, after the end"),
    "utt2dur-differs": (replace_line("utt2dur", "A01-r2-0001", b"A01-r2-0001 2.000"),
                        "'A01-r2-0001' lasts 2.000 s but its segment"),
    "segments-lacks": (replace_line("segments", "B02-r2-0001", None),
                       "utt2spk has 1 utterance(s) that segments lacks, e.g. 'B02-r2-0001'"),
    "bad-reco2dur": (replace_line("reco2dur", "r2", b"r2 -3"), "reco2dur line 2: duration '-3' is not a positive"),
}


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_validate_reports(tmp_path: Path, name: str) -> None:
    data_dir = write_segmented_dir(tmp_path)
    assert validate_data_dir(data_dir) == []
    corrupt, expected = CORRUPTIONS[name]
    corrupt(data_dir)
    problems = validate_data_dir(data_dir)
    assert any(expected in problem for problem in problems), problems
    with pytest.raises((DataDirError, InputError)):
        read_data_dir(data_dir)


def test_fix_drops_segments_that_do_not_fit_and_unused_recordings(tmp_path: Path) -> None:
    data_dir = write_segmented_dir(tmp_path)
    replace_line("reco2dur", "r1", b"r1 3.000")(data_dir)  # B02-r1-0001 (to 3.25 s) no longer fits
    replace_line("segments", "A01-r1-0001", b"A01-r1-0001 r1 1.0 0.5")(data_dir)
    result = fix_data_dir(data_dir)
    assert (result.kept, result.dropped, result.rewritten) == (2, 2, True)
    assert validate_data_dir(data_dir) == []
    assert [u.utt_id for u in read_data_dir(data_dir)] == ["A01-r2-0001", "B02-r2-0001"]
    assert list(read_kv(data_dir / "wav.scp")) == ["r2"] and list(read_kv(data_dir / "reco2dur")) == ["r2"]
    report = (data_dir / "fix_data_dir.report.tsv").read_text(encoding="utf-8")
    assert "B02-r1-0001\tsegments\t3\tends at 3.250 s, past the end of 'r1' (3.000 s)" in report
    assert "A01-r1-0001\tsegments\t1\tsegment 'r1 1.0 0.5': needs 0 <= start < end" in report
    assert (data_dir / ".backup" / "reco2dur").read_text(encoding="utf-8") == "r1 3.000\nr2 3.500\n"


def test_fix_drops_segments_of_a_recording_without_audio(tmp_path: Path) -> None:
    data_dir = write_segmented_dir(tmp_path)
    Path(read_kv(data_dir / "wav.scp")["r2"]).unlink()
    result = fix_data_dir(data_dir)
    assert (result.kept, result.dropped) == (2, 2)
    report = (data_dir / "fix_data_dir.report.tsv").read_text(encoding="utf-8")
    assert "A01-r2-0001\tsegments\t2\trecording 'r2': wav.scp line 2: audio file" in report
    assert validate_data_dir(data_dir) == []

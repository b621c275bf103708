"""transcribe on a wav.scp with Kaldi segments beside it: one transcript per segment, as if cut."""
from __future__ import annotations

from typer.testing import CliRunner

from steps.__main__ import app
from steps.transcribe import transcribe
from tests.utils.segment_audio import SPANS, write_segment_sets


def test_segments_transcribe_like_the_cut_files(model_dir, tmp_path):
    sets = write_segment_sets(tmp_path / "sets")
    data = tmp_path / "data"
    data.mkdir()
    (data / "wav.scp").write_text(f"reco {sets['recording']}\n", encoding="utf-8")
    (data / "segments").write_text("".join(f"{utt} reco {start:.3f} {end:.3f}\n" for utt, start, end in SPANS))
    ours = transcribe(model_dir, [data / "wav.scp"], tmp_path / "out", fmt="json", device="cpu")
    cut = transcribe(model_dir, [sets["cut"].parent / "cut"], tmp_path / "out_cut", fmt="json", device="cpu")
    assert [t.file_id for t in ours.transcripts] == [utt for utt, _, _ in SPANS]
    assert not ours.failures
    for mine, theirs in zip(ours.transcripts, cut.transcripts):
        assert (mine.file_id, mine.text, mine.duration) == (theirs.file_id, theirs.text, theirs.duration)
        assert mine.words == theirs.words  # times count from the segment's start


def test_a_segment_of_an_unknown_or_too_short_recording_fails_alone(model_dir, tmp_path):
    sets = write_segment_sets(tmp_path / "sets")
    data = tmp_path / "data"
    data.mkdir()
    (data / "wav.scp").write_text(f"reco {sets['recording']}\n", encoding="utf-8")
    (data / "segments").write_text("a-1 reco 0.0 1.0\na-2 other 0.0 1.0\na-3 reco 3.5 5.0\n")
    result = CliRunner().invoke(app, ["transcribe", str(model_dir), str(data / "wav.scp"), "--device", "cpu"])
    assert result.exit_code == 1
    assert result.stdout.split()[0] == "a-1"
    assert "recording 'other' is not in wav.scp" in result.output
    assert "segment 3.500-5.000 s ends after the recording (4.000 s)" in result.output


def test_a_malformed_segments_line_names_file_and_line(model_dir, tmp_path):
    sets = write_segment_sets(tmp_path / "sets")
    (tmp_path / "wav.scp").write_text(f"reco {sets['recording']}\n", encoding="utf-8")
    (tmp_path / "segments").write_text("a-1 reco 0.0 1.0\na-2 reco 2.0 1.0\n")
    result = CliRunner().invoke(app, ["transcribe", str(model_dir), str(tmp_path / "wav.scp")])
    assert result.exit_code == 1
    assert "segments line 2: expected `utt-id reco-id start end`" in result.output

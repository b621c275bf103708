"""make_manifest through the CLI: NeMo-style lines, duration limits, drop report, drop share."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from steps.__main__ import app
from utils.audio import write_wav
from utils.data_dir import Utterance, write_data_dir
from utils.text_files import read_manifest

runner = CliRunner()


def make_dir(tmp_path: Path, durations: list[float]) -> Path:
    import numpy as np

    utts = []
    for i, seconds in enumerate(durations):
        wav = tmp_path / f"spk-{i}.wav"
        write_wav(wav, 0.1 * np.ones(max(1, int(seconds * 16000)), dtype=np.float32))
        utts.append(Utterance(f"spk-{i}", "spk", str(wav), f"focal {i}", seconds))
    write_data_dir(tmp_path / "data", utts)
    return tmp_path / "data"


def test_manifest_lines_and_limits(tmp_path: Path) -> None:
    data = make_dir(tmp_path, [1.0] * 19 + [30.0])
    args = ["make_manifest", str(data), str(tmp_path / "m.jsonl"), str(tmp_path / "dropped.tsv")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in (tmp_path / "m.jsonl").read_text().splitlines()]
    assert len(lines) == 19
    assert set(lines[0]) == {"audio_filepath", "duration", "text", "utt_id", "speaker"}
    assert lines[0]["duration"] == 1.0 and (tmp_path / lines[0]["audio_filepath"]).is_file()  # relative to the manifest
    assert "spk-19\t30.000\toutside" in (tmp_path / "dropped.tsv").read_text()


def test_too_many_dropped_is_an_error_and_writes_no_manifest(tmp_path: Path) -> None:
    data = make_dir(tmp_path, [1.0, 1.0, 30.0])
    args = ["make_manifest", str(data), str(tmp_path / "m.jsonl"), str(tmp_path / "dropped.tsv")]
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and "drop 1/3" in result.output
    assert not (tmp_path / "m.jsonl").exists()


def test_segmented_dir_gives_offset_and_duration(tmp_path: Path) -> None:
    from tests.utils.data_dir_fixtures import SEGMENTS, write_segmented_dir

    data = write_segmented_dir(tmp_path)
    args = ["make_manifest", str(data), str(tmp_path / "m.jsonl"), str(tmp_path / "dropped.tsv")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = {r["utt_id"]: r for r in map(json.loads, (tmp_path / "m.jsonl").read_text().splitlines())}
    assert set(lines) == {utt_id for utt_id, *_ in SEGMENTS}
    for utt_id, _, reco, start, end, _ in SEGMENTS:
        assert (lines[utt_id]["offset"], lines[utt_id]["duration"]) == (start, end - start)
        assert lines[utt_id]["audio_filepath"] == f"audio/{reco}.wav"  # the recording, relative to the manifest
    read = {r["utt_id"]: r for r in read_manifest(tmp_path / "m.jsonl")}
    for utt_id, _, reco, *_ in SEGMENTS:
        assert read[utt_id]["audio_filepath"] == str(tmp_path / "audio" / f"{reco}.wav")

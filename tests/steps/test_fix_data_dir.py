"""`python -m steps fix_data_dir` through the root Typer app."""
from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from steps.__main__ import app
from tests.utils.data_dir_fixtures import SAMPLES, delete_wav, replace_line, write_sample_dir
from utils.data_dir import validate_data_dir

runner = CliRunner()


def test_fix_drops_reports_and_leaves_a_valid_dir(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    delete_wav(data_dir)
    replace_line("text", "aoife-0001", b"aoife-0001 ")(data_dir)
    result = runner.invoke(app, ["fix_data_dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert f"kept {len(SAMPLES) - 2}, dropped 2" in result.output
    assert validate_data_dir(data_dir) == []
    report = (data_dir / "fix_data_dir.report.tsv").read_text(encoding="utf-8").splitlines()
    assert report[0] == "utt_id\tfile\tline\treason"
    assert "aoife-0001\ttext\t3\tempty text" in report
    assert runner.invoke(app, ["validate_data_dir", str(data_dir)]).exit_code == 0


def test_fix_on_valid_dir_leaves_it(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    result = runner.invoke(app, ["fix_data_dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "dir already valid, left as is" in result.output


def test_fix_that_keeps_nothing_exits_1(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    (data_dir / "text").write_bytes(b"")
    result = runner.invoke(app, ["fix_data_dir", str(data_dir)])
    assert result.exit_code == 1
    assert "no utterance has a valid entry" in result.output


def test_fix_missing_file_exits_1(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    (data_dir / "utt2spk").unlink()
    result = runner.invoke(app, ["fix_data_dir", str(data_dir)])
    assert result.exit_code == 1
    assert "missing utt2spk" in result.output


def test_help_shows_example() -> None:
    result = runner.invoke(app, ["fix_data_dir", "--help"])
    assert result.exit_code == 0
    assert "python -m steps fix_data_dir recipes/ga_ie/data/train" in result.output

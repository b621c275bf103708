"""`python -m steps validate_data_dir` through the root Typer app."""
from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from steps.__main__ import app
from tests.utils.data_dir_fixtures import SAMPLES, replace_line, write_sample_dir

runner = CliRunner()


def test_valid_dir_exits_0(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    result = runner.invoke(app, ["validate_data_dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert f"valid ({len(SAMPLES)} utterances)" in result.output


def test_invalid_dir_exits_1_listing_problems(tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    replace_line("text", "aoife-0001", b"aoife-0001 ")(data_dir)
    replace_line("utt2dur", "spk9-0001", b"spk9-0001 -2")(data_dir)
    result = runner.invoke(app, ["validate_data_dir", str(data_dir)])
    assert result.exit_code == 1
    assert "2 problem(s)" in result.output
    assert "text line 3: empty text" in result.output
    assert "utt2dur line 5: duration '-2' is not a positive number of seconds" in result.output
    assert "fix_data_dir" in result.output


def test_missing_dir_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate_data_dir", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "no such directory" in result.output


def test_help_shows_example() -> None:
    result = runner.invoke(app, ["validate_data_dir", "--help"])
    assert result.exit_code == 0
    assert "python -m steps validate_data_dir recipes/ga_ie/data/train" in result.output


def test_segmented_dir(tmp_path: Path) -> None:
    from tests.utils.data_dir_fixtures import SEGMENTS, write_segmented_dir

    data_dir = write_segmented_dir(tmp_path)
    result = runner.invoke(app, ["validate_data_dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert f"valid ({len(SEGMENTS)} utterances)" in result.output
    replace_line("reco2dur", "r2", b"r2 3.000")(data_dir)
    result = runner.invoke(app, ["validate_data_dir", str(data_dir)])
    assert result.exit_code == 1
    assert "'B02-r2-0001' ends at 3.500 s, after the end of recording 'r2' (3.000 s in reco2dur)" in result.output

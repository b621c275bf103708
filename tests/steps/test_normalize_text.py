"""normalize_text through the CLI: text.raw -> text with the Irish normaliser; errors name the line."""
from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from steps.__main__ import app

runner = CliRunner()


def test_normalises_each_line(tmp_path: Path) -> None:
    raw = tmp_path / "text.raw"
    raw.write_text("spk-1 Tá an tUachtarán i nÉirinn.\nspk-2 D’ól sé “tae”!\n", encoding="utf-8")
    result = runner.invoke(app, ["normalize_text", str(raw), str(tmp_path / "text"),
                                 "--normalizer", "local.normalizers.ga"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "text").read_text(encoding="utf-8") == (
        "spk-1 tá an t-uachtarán i n-éirinn\nspk-2 d'ól sé tae\n")


def test_a_transcript_the_normaliser_empties_is_an_error_naming_the_line(tmp_path: Path) -> None:
    raw = tmp_path / "text.raw"
    raw.write_text("spk-1 Tá sé go maith.\nspk-2 ?!\n", encoding="utf-8")
    result = runner.invoke(app, ["normalize_text", str(raw), str(tmp_path / "text")])
    assert result.exit_code == 1
    assert "line 2 (spk-2)" in result.output and not (tmp_path / "text").exists()


def test_unknown_normaliser_module(tmp_path: Path) -> None:
    raw = tmp_path / "text.raw"
    raw.write_text("spk-1 a\n", encoding="utf-8")
    result = runner.invoke(app, ["normalize_text", str(raw), str(tmp_path / "text"), "--normalizer", "local.nope"])
    assert result.exit_code == 1 and "cannot be imported" in result.output

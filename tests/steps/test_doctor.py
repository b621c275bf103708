"""doctor: a healthy machine passes; each simulated failure is a FAIL row with its fix and exit 1."""
from __future__ import annotations

import importlib.machinery
import shutil
from collections import namedtuple
from pathlib import Path

import pytest
from typer.testing import CliRunner

from steps.__main__ import app
from steps.doctor import doctor
from utils import doctor_checks
from utils.doctor_checks import FAIL, OK, WARN, check_python

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str):
    return CliRunner().invoke(app, ["doctor", *args])


def _row(output: str, name: str) -> str:
    """The table line whose first cell is `name`."""
    return next(line for line in output.splitlines() if line.startswith(f"│ {name} "))


def _path_with(tmp_path: Path, *tools: str) -> str:
    """A PATH folder holding only links to `tools`."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for tool in tools:
        (folder / tool).symlink_to(shutil.which(tool))
    return str(folder)


def test_a_healthy_machine_is_ready() -> None:
    result = _run("--lang", "cy")
    assert result.exit_code == 0, result.output
    for name in ("python", "torch", "torchaudio absent", "transformers", "KenLM lmplz, build_binary",
                 "KenLM builds an LM", "espeak-ng", "espeak-ng voice cy", "sox with mp3"):
        assert " ok " in _row(result.output, name), name
    assert " info " in _row(result.output, "GPU") and "0 FAIL — ready" in result.output


def test_a_recipe_reports_its_folders_normaliser_sentences_and_voice(tmp_path: Path) -> None:
    (tmp_path / "local").symlink_to(REPO / "local")
    recipe = tmp_path / "recipes/ga_ie"
    shutil.copytree(REPO / "recipes/ga_ie/conf", recipe / "conf")
    shutil.copy(REPO / "recipes/ga_ie/run.py", recipe / "run.py")
    checks = {c.name: c for c in doctor(recipe)}
    for name in ("data/ writable", "exp/ writable", "normaliser", "sentences", "espeak-ng voice ga"):
        assert checks[name].status == OK, checks[name]


def test_missing_lmplz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURRACH_KENLM_BIN", str(tmp_path))
    result = _run()
    assert result.exit_code == 1
    row = _row(result.output, "KenLM lmplz, build_binary")
    assert " FAIL " in row and "CURRACH_KENLM_BIN" in row and "make setup" in row
    assert "not ready" in result.output


def test_a_broken_lmplz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for tool in ("lmplz", "build_binary"):
        (tmp_path / tool).write_text("#!/bin/sh\necho 'std::bad_alloc' >&2\nexit 134\n")
        (tmp_path / tool).chmod(0o755)
    monkeypatch.setenv("CURRACH_KENLM_BIN", str(tmp_path))
    result = _run()
    assert result.exit_code == 1
    assert " ok " in _row(result.output, "KenLM lmplz, build_binary")
    row = _row(result.output, "KenLM builds an LM")
    assert " FAIL " in row and "lmplz exit 134" in row and "point CURRACH_KENLM_BIN at working" in row


def test_missing_espeak_ng(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _path_with(tmp_path, "sox"))
    result = _run("--lang", "cy")
    assert result.exit_code == 1
    row = _row(result.output, "espeak-ng")
    assert " FAIL " in row and "not found on PATH" in row and "apt-get install espeak-ng" in row
    assert " ok " in _row(result.output, "sox with mp3")


def test_an_unknown_voice() -> None:
    result = _run("--lang", "xx")
    assert result.exit_code == 1
    row = _row(result.output, "espeak-ng voice xx")
    assert " FAIL " in row and "no voice for language 'xx'" in row


def test_sox_without_mp3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _path_with(tmp_path, "espeak-ng")
    (Path(path) / "sox").write_text("#!/bin/sh\necho 'AUDIO FILE FORMATS: aiff flac wav'\n")
    (Path(path) / "sox").chmod(0o755)
    monkeypatch.setenv("PATH", path)
    result = _run()
    assert result.exit_code == 1
    row = _row(result.output, "sox with mp3")
    assert " FAIL " in row and "libsox-fmt-mp3" in row


def test_torchaudio_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = doctor_checks.find_spec

    def find_spec(name: str, *args):
        if name == "torchaudio":
            return importlib.machinery.ModuleSpec("torchaudio", None, origin="/venv/site-packages/torchaudio")
        return real(name, *args)

    monkeypatch.setattr(doctor_checks, "find_spec", find_spec)
    result = _run()
    assert result.exit_code == 1
    row = _row(result.output, "torchaudio absent")
    assert " FAIL " in row and "pip uninstall -y torchaudio" in row


def test_little_disk_warns_then_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(doctor_checks.shutil, "disk_usage", lambda path: usage(10 * 2**30, 0, 3 * 2**30))
    result = _run()
    assert result.exit_code == 0 and " warn " in _row(result.output, "free disk")
    monkeypatch.setattr(doctor_checks.shutil, "disk_usage", lambda path: usage(10 * 2**30, 0, 2**28))
    result = _run()
    assert result.exit_code == 1 and " FAIL " in _row(result.output, "free disk")


def test_an_unwritable_recipe_and_a_missing_normaliser(tmp_path: Path) -> None:
    recipe = tmp_path / "recipes/xx"
    (recipe / "conf").mkdir(parents=True)
    (recipe / "run.py").write_text("")
    (recipe / "data").write_text("a file where the data folder should be")
    (recipe / "conf/tiny.yaml").write_text("text: {normalizer: local.normalizers.nope}\n"
                                           "corpus: {lang: cy, sentences: few.txt}\n")
    (recipe / "few.txt").write_text("Bore da.\nNos da.\n")
    checks = {c.name: c for c in doctor(recipe)}
    assert checks["data/ writable"].status == FAIL and checks["exp/ writable"].status == OK
    assert checks["normaliser"].status == FAIL and "local.normalizers.nope" in checks["normaliser"].detail
    assert checks["sentences"].status == FAIL and "2 distinct sentences" in checks["sentences"].detail
    assert checks["espeak-ng voice cy"].status == OK  # the voice comes from the recipe's config


@pytest.mark.parametrize(("version", "status"), [((3, 11, 7), OK), ((3, 12, 1), WARN), ((3, 10, 12), FAIL)])
def test_python_version(version: tuple[int, int, int], status: str) -> None:
    assert check_python(version).status == status


def test_a_crashing_check_is_a_fail_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom():
        raise RuntimeError("boom")

    monkeypatch.setattr(doctor_checks, "check_gpu", boom)
    checks = {c.name: c for c in doctor()}
    assert checks["GPU"].status == FAIL and "RuntimeError: boom" in checks["GPU"].detail

"""The checks `python -m steps doctor` runs: each says ok, warn, FAIL or info, and how to fix it.

A FAIL is something a recipe needs and will die without (KenLM, espeak-ng and its voice, sox
with mp3, torch and transformers that import, a writable recipe folder); a warn is something
that works but differs from the tested set-up (python, torch version, little free disk); info
is only information (the GPU). The tested set-up is /work/shared/ENVIRONMENT.md's: Python
3.11, torch 2.13.0 CPU, no torchaudio.
"""
from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import yaml

from utils.errors import CurrachError, InputError
from utils.espeak_voices import check_espeak_voice
from utils.kenlm_tools import ENV_VAR, kenlm_binary

OK, WARN, FAIL, INFO = "ok", "warn", "FAIL", "info"
SETUP = "run `make setup`"
TORCH_VERSION = "2.13.0"


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # OK, WARN, FAIL or INFO
    detail: str
    fix: str = ""


def check_python(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> Check:
    """Python 3.11 is what the pinned set was tested on; older fails, newer warns."""
    shown = ".".join(map(str, version))
    fix = f"use the project's Python 3.11 venv: {SETUP}, then .venv/bin/python"
    if version[:2] == (3, 11):
        return Check("python", OK, f"{shown} ({sys.executable})")
    if version[:2] < (3, 11):
        return Check("python", FAIL, f"{shown}: currach needs 3.11", fix)
    return Check("python", WARN, f"{shown}: the pinned set was tested on 3.11", fix)


def check_torch() -> Check:
    """torch imports and is 2.13.0, the CPU build."""
    fix = f'{SETUP} (it installs "torch=={TORCH_VERSION}" CPU before requirements.txt)'
    try:
        torch = importlib.import_module("torch")
    except Exception as err:  # noqa: BLE001 - any import failure is the finding
        return Check("torch", FAIL, f"import torch failed: {_last_line(err)}", fix)
    version = torch.__version__
    if not version.startswith(TORCH_VERSION):
        return Check("torch", WARN, f"{version}: the pinned set was tested with {TORCH_VERSION} CPU", fix)
    if "+cpu" not in version:
        return Check("torch", WARN, f"{version}: not the CPU wheel the pinned set uses", fix)
    return Check("torch", OK, version)


def check_torchaudio() -> Check:
    """torchaudio must be absent: on torch 2.13 it breaks `import transformers`."""
    spec = find_spec("torchaudio")
    if spec is None:
        return Check("torchaudio absent", OK, "not installed")
    return Check("torchaudio absent", FAIL,
                 f"torchaudio is installed ({spec.origin}); on torch {TORCH_VERSION} it breaks `import transformers`",
                 ".venv/bin/pip uninstall -y torchaudio")


def check_transformers() -> Check:
    """transformers imports (it is what trains, loads and decodes every model)."""
    try:
        transformers = importlib.import_module("transformers")
        importlib.import_module("transformers.models.wav2vec2")
    except Exception as err:  # noqa: BLE001
        return Check("transformers", FAIL, f"import failed: {_last_line(err)}",
                     "uninstall torchaudio if present, then .venv/bin/pip install -r requirements.txt")
    return Check("transformers", OK, transformers.__version__)


def check_kenlm() -> list[Check]:
    """lmplz and build_binary are found (as utils.kenlm_tools finds them) and build a tiny LM."""
    name = "KenLM lmplz, build_binary"
    try:
        lmplz, build_binary = kenlm_binary("lmplz"), kenlm_binary("build_binary")
    except CurrachError as err:
        return [Check(name, FAIL, str(err), f"{SETUP} (compiles them into tools/kenlm/bin), or set {ENV_VAR} "
                                            f"to a folder holding both")]
    found = Check(name, OK, str(lmplz.parent))
    with tempfile.TemporaryDirectory(prefix="currach-doctor-") as tmp:
        text, arpa = Path(tmp) / "text.txt", Path(tmp) / "lm.arpa"
        text.write_text("dia duit\nconas atá tú\n", encoding="utf-8")
        for command in ([str(lmplz), "-o", "2", "-S", "10%", "-T", f"{tmp}/", "--text", str(text),
                         "--arpa", str(arpa), "--discount_fallback"],
                        [str(build_binary), str(arpa), str(Path(tmp) / "lm.bin")]):
            proc = _run(command)
            if proc.returncode != 0:
                fix = (f"point {ENV_VAR} at working binaries, or unset it" if os.environ.get(ENV_VAR)
                       else f"rebuild: rm -r tools/kenlm/bin && {SETUP}")
                return [found, Check("KenLM builds an LM", FAIL, f"{Path(command[0]).name} exit {proc.returncode}: "
                                     f"{_tail(proc)}", fix)]
    return [found, Check("KenLM builds an LM", OK, "a 2-line text -> ARPA -> binary")]


def check_espeak(lang: str | None) -> list[Check]:
    """espeak-ng is on PATH and, given `lang`, has a voice for it (the synthetic corpus needs both)."""
    path = shutil.which("espeak-ng")
    if path is None:
        return [Check("espeak-ng", FAIL, "not found on PATH (stage 0 speaks the synthetic corpus with it)",
                      f"{SETUP}, or `apt-get install espeak-ng`")]
    checks = [Check("espeak-ng", OK, path)]
    if lang:
        try:
            voice = check_espeak_voice(lang)
            checks.append(Check(f"espeak-ng voice {lang}", OK, voice.name))
        except CurrachError as err:
            checks.append(Check(f"espeak-ng voice {lang}", FAIL, str(err),
                                "set corpus.lang in the recipe's conf/*.yaml to a code `espeak-ng --voices` lists"))
    return checks


def check_sox() -> Check:
    """sox is on PATH and lists mp3 among its formats (Common Voice clips are mp3)."""
    fix = f"{SETUP}, or `apt-get install sox libsox-fmt-mp3`"
    if shutil.which("sox") is None:
        return Check("sox with mp3", FAIL, "sox not found on PATH", fix)
    proc = _run(["sox", "-h"])
    formats = next((line.split(":", 1)[1].split() for line in proc.stdout.splitlines()
                    if line.startswith("AUDIO FILE FORMATS:")), [])
    if "mp3" not in formats:
        return Check("sox with mp3", FAIL, "`sox -h` does not list mp3 among its formats", fix)
    return Check("sox with mp3", OK, shutil.which("sox") or "sox")


def check_disk(path: Path, warn_gib: float = 5.0, fail_gib: float = 1.0) -> Check:
    """Free space where the recipe writes: below `fail_gib` GiB fails, below `warn_gib` warns."""
    free = shutil.disk_usage(path).free / 2**30
    detail = f"{free:.1f} GiB free at {path}"
    fix = "free some space (old exp/*/work checkpoints and corpus/ copies are the big ones)"
    if free < fail_gib:
        return Check("free disk", FAIL, detail + f" (under {fail_gib:g} GiB)", fix)
    if free < warn_gib:
        return Check("free disk", WARN, detail + f" (under {warn_gib:g} GiB: enough for the demo only)", fix)
    return Check("free disk", OK, detail)


def check_gpu() -> Check:
    """Whether torch sees a CUDA GPU: information only (the tiny configs train on CPU)."""
    try:
        torch = importlib.import_module("torch")
        if torch.cuda.is_available():
            return Check("GPU", INFO, f"{torch.cuda.device_count()} x {torch.cuda.get_device_name(0)}")
    except Exception as err:  # noqa: BLE001
        return Check("GPU", INFO, f"unknown ({_last_line(err)})")
    return Check("GPU", INFO, "none visible: training runs on CPU (fine for conf/tiny.yaml)")


def recipe_settings(recipe: Path) -> dict:
    """The recipe's conf/tiny.yaml as a dict; InputError when it is missing or not YAML."""
    config = recipe / "conf/tiny.yaml"
    try:
        return yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise InputError(f"{config}: cannot read it ({_last_line(err)})") from err


def check_recipe(recipe: Path) -> list[Check]:
    """The recipe folder has run.py, its data/ and exp/ are writable, its normaliser and sentences exist."""
    if not (recipe / "run.py").is_file():
        return [Check("recipe", FAIL, f"{recipe} has no run.py", "give --recipe recipes/<id>")]
    checks = [_check_writable(recipe / name) for name in ("data", "exp")]
    try:
        config = recipe_settings(recipe)
    except InputError as err:
        return checks + [Check("recipe config", FAIL, str(err), "python -m steps new_recipe writes one")]
    module = str(config.get("text", {}).get("normalizer", ""))
    source = recipe.absolute().parents[1] / (module.replace(".", "/") + ".py")
    checks.append(Check("normaliser", OK, str(source)) if module and source.is_file() else
                  Check("normaliser", FAIL, f"text.normalizer {module!r}: no {source}",
                        "write local/normalizers/<id>.py (python -m steps new_recipe makes one)"))
    sentences = config.get("corpus", {}).get("sentences")
    if sentences:
        checks.append(_check_sentences(Path(os.path.normpath(recipe / sentences))))
    return checks


def _check_sentences(path: Path) -> Check:
    fix = "write at least 10 distinct sentences, one per line (stage 0 speaks them without --corpus-dir)"
    try:
        lines = {line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines() if line.strip()}
    except (OSError, UnicodeDecodeError) as err:
        return Check("sentences", FAIL, f"corpus.sentences {path}: {_last_line(err)}", fix)
    if len(lines) < 10:
        return Check("sentences", FAIL, f"{path}: {len(lines)} distinct sentences, stage 0 needs 10", fix)
    return Check("sentences", OK, f"{path} ({len(lines)} sentences)")


def _check_writable(folder: Path) -> Check:
    probe_in = folder if folder.exists() else folder.parent
    try:
        handle, probe = tempfile.mkstemp(prefix=".doctor-", dir=probe_in)
    except OSError as err:
        return Check(f"{folder.name}/ writable", FAIL, f"cannot write in {probe_in}: {err.strerror or err}",
                     f"make {folder} a folder you can write (chown/chmod), or run from a copy you own")
    os.close(handle)
    Path(probe).unlink()
    return Check(f"{folder.name}/ writable", OK, str(folder))


def _run(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False,
                          stdin=subprocess.DEVNULL)


def _tail(proc: subprocess.CompletedProcess) -> str:
    lines = (proc.stderr or proc.stdout).strip().splitlines()
    return lines[-1] if lines else "(no output)"


def _last_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return f"{type(err).__name__}: {lines[-1] if lines else ''}"

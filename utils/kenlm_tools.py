"""Find and run KenLM's command-line tools (`lmplz`, `build_binary`).

Search order: $CURRACH_KENLM_BIN, then <repo>/tools/kenlm/bin (compiled by `make setup`),
then the PATH. The Python `kenlm` module can only read models; building needs these binaries.
"""
from __future__ import annotations

import logging
import os
import shlex
import shutil
import subprocess
from pathlib import Path

from utils.errors import CurrachError

ENV_VAR = "CURRACH_KENLM_BIN"
REPO_BIN = Path(__file__).resolve().parents[1] / "tools" / "kenlm" / "bin"

logger = logging.getLogger(__name__)


def kenlm_binary(name: str) -> Path:
    """Path of the KenLM tool `name` ("lmplz" or "build_binary").

    Raises CurrachError saying where it looked and to run `make setup` when it is missing.
    """
    override = os.environ.get(ENV_VAR)
    if override:
        candidate = Path(override) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
        raise CurrachError(f"{ENV_VAR}={override} has no executable {name!r}; "
                           f"unset it or point it at a folder holding lmplz and build_binary")
    candidate = REPO_BIN / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which(name)
    if found:
        return Path(found)
    raise CurrachError(f"KenLM tool {name!r} not found in {REPO_BIN} nor on PATH: "
                       f"run `make setup` (tools/setup.sh compiles it), or set {ENV_VAR}")


def run_kenlm(name: str, args: list[str]) -> str:
    """Run a KenLM tool with `args` (no shell); return its stderr (where it reports progress).

    Raises CurrachError with the command line and the tail of its stderr when it fails.
    """
    command = [str(kenlm_binary(name)), *args]
    logger.info("running: %s", shlex.join(command))
    result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise CurrachError(f"{name} failed (exit {result.returncode}): {shlex.join(command)}\n{tail}")
    return result.stderr

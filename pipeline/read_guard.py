"""While a stage runs, touching an undeclared path inside the recipe folder is an error.

An audit hook (PEP 578) sees every `open` (reads and writes, Python's and `os.open`) and every
`os.listdir` / `os.scandir` (so `Path.glob`, `os.walk`, `Path.iterdir`) of this process and of
the worker processes it forks (they inherit the hook and the active guard). Inside the recipe
folder a path is allowed when it lies in, or is, a declared input, output (its staging path),
in-place folder, the config file or exp/log/; anything else raises `UndeclaredPathError` naming
the path and the stage. Paths outside the recipe folder (the repository's code and sentence
lists, site-packages, /tmp) are not checked: a file outside it that decides a result must be
declared to be tracked, which the guard cannot enforce. Subprocesses that exec another program
(lmplz, torchrun's workers) are not watched either. Audit hooks cannot be removed; between stages
the hook returns at once.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from utils.errors import CurrachError

EVENTS = {"open", "os.listdir", "os.scandir"}


class UndeclaredPathError(CurrachError, PermissionError):
    """A stage opened or listed a path in its recipe folder that it did not declare."""


class _Guard:
    def __init__(self, stage: str, recipe_dir: Path, allowed: Iterable[Path]):
        self.stage = stage
        self.roots = tuple({os.path.abspath(recipe_dir), os.path.realpath(recipe_dir)})
        allowed = [os.path.abspath(p) for p in allowed]
        self.allowed = tuple(sorted(set(allowed + [os.path.realpath(p) for p in allowed])))

    def check(self, event: str, path: object) -> None:
        if isinstance(path, int) or path is None and event == "open":
            return
        text = os.fsdecode(path) if path is not None else "."
        full = os.path.abspath(text)
        if not any(full == r or full.startswith(r + os.sep) for r in self.roots):
            return
        if any(full == a or full.startswith(a + os.sep) for a in self.allowed):
            return
        what = "opened" if event == "open" else "listed"
        raise UndeclaredPathError(f"stage {self.stage} {what} {text}, which it does not declare "
                                  "(add it to the stage's inputs, outputs or in_place)")


_active: _Guard | None = None
_installed = False


def _hook(event: str, args: tuple) -> None:
    guard = _active
    if guard is None or event not in EVENTS:
        return
    guard.check(event, args[0] if args else None)


@contextmanager
def guarded(stage: str, recipe_dir: Path, allowed: Iterable[Path]) -> Iterator[None]:
    """Within the block, undeclared paths under `recipe_dir` raise UndeclaredPathError."""
    global _active, _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
    previous, _active = _active, _Guard(stage, recipe_dir, allowed)
    try:
        yield
    finally:
        _active = previous

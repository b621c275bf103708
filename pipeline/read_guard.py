"""While a stage runs, touching an undeclared path inside the recipe folder is an error.

An audit hook (PEP 578) sees every `open` (reads and writes, Python's and `os.open`) and every
`os.listdir` / `os.scandir` (so `Path.glob`, `os.walk`, `Path.iterdir`) of this process and of
the worker processes it forks (they inherit the hook and the active guard). Inside the recipe
folder a path is allowed when it lies in, or is, a declared (or optional) input, output (its staging path),
in-place folder, the config file or exp/log/ (or is an atomic writer's `.NAME.tmp-PID`
sibling of one); reading Python source (tracebacks, warnings: code is fingerprinted apart) and
probing for a file that does not exist, and the import system listing a sys.path folder (the
script's own) are allowed too (CURRACH_GUARD_TRACE=1 prints the stack
of a refused access); anything else raises `UndeclaredPathError` naming
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


class UndeclaredPathError(CurrachError):
    """A stage opened or listed a path in its recipe folder that it did not declare."""


class _Guard:
    def __init__(self, stage: str, recipe_dir: Path, allowed: Iterable[Path]):
        self.stage = stage
        self.roots = tuple({os.path.abspath(recipe_dir), os.path.realpath(recipe_dir)})
        allowed = [os.path.abspath(p) for p in allowed]
        self.allowed = tuple(sorted(set(allowed + [os.path.realpath(p) for p in allowed])))

    def _in_temporary_sibling(self, full: str) -> bool:
        """Inside an atomic writer's temporary file or folder (.NAME.tmp, .NAME.tmp-PID/) of an allowed path."""
        path = full
        while any(path.startswith(r + os.sep) for r in self.roots):
            target = _temporary_sibling_of(path)
            if target is not None and target in self.allowed:
                return True
            path = os.path.dirname(path)
        return False

    def check(self, event: str, path: object, mode: object = None, flags: object = 0) -> None:
        if isinstance(path, int) or path is None and event == "open":
            return
        text = os.fsdecode(path) if path is not None else "."
        full = os.path.abspath(text)
        if not any(full == r or full.startswith(r + os.sep) for r in self.roots):
            return
        if any(full == a or full.startswith(a + os.sep) for a in self.allowed):
            return
        if event == "open" and not _writes(mode, flags) and (full.endswith(".py") or not os.path.exists(full)):
            return  # source read for a traceback or warning (code has its own fingerprint), or a probe for nothing
        if self._in_temporary_sibling(full):
            return
        if event != "open" and full in {os.path.abspath(p or ".") for p in sys.path}:
            return  # the import system listing a folder on sys.path (the script's own folder)
        if os.environ.get("CURRACH_GUARD_TRACE"):
            import traceback
            traceback.print_stack()
        what = "opened" if event == "open" else "listed"
        raise UndeclaredPathError(f"stage {self.stage} {what} {text}, which it does not declare "
                                  "(add it to the stage's inputs, optional inputs, outputs or in_place)")


def _temporary_sibling_of(path: str) -> str | None:
    """`dir/.NAME.tmp-PID` -> `dir/NAME`: the name an atomic writer stages NAME under."""
    head, tail = os.path.split(path)
    if tail.startswith(".") and ".tmp" in tail:
        return os.path.join(head, tail[1:].rsplit(".tmp", 1)[0])
    return None


def _writes(mode: object, flags: object) -> bool:
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return isinstance(flags, int) and bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))


_active: _Guard | None = None
_installed = False


def _hook(event: str, args: tuple) -> None:
    global _active
    guard = _active
    if guard is None or event not in EVENTS:
        return
    _active = None  # what the check itself opens (a traceback's source lines) is not the stage's
    try:
        guard.check(event, *args[:3]) if args else guard.check(event, None)
    finally:
        _active = guard


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

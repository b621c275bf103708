"""Exceptions that carry a message meant for the user (file, line, which stage makes what)."""
from __future__ import annotations


class CurrachError(Exception):
    """Base class: the CLI layer prints the message and exits non-zero, without a traceback."""


class InputError(CurrachError):
    """Bad or missing input: the message names the file (and line) and, if known, its producer."""


class DataDirError(InputError):
    """A Kaldi data dir that fails validation; `problems` lists every finding."""

    def __init__(self, data_dir: str, problems: list[str]):
        self.data_dir = data_dir
        self.problems = problems
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{data_dir}: {len(problems)} problem(s)\n  {shown}{more}")

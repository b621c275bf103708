"""Logging set-up, done once per process by the CLI layer (steps root or a recipe's run.py).

In a multi-process run (torchrun, `accelerate launch`) every line carries the process's rank,
and only rank 0 logs at the asked level and to the log file; the other ranks log warnings and
errors only, unless CURRACH_REPLICA_LOG_LEVEL names another level (e.g. INFO, to see every
rank's steps; like transformers' `log_level_replica`).
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from utils.distributed import is_main_process, rank, world_size

FORMAT = "%(asctime)s %(levelname)s %(filename)s:%(lineno)d %(message)s"
DATEFMT = "%Y-%m-%d %H:%M:%S"
REPLICA_LEVEL_ENV = "CURRACH_REPLICA_LOG_LEVEL"


def setup_logging(level: int = logging.INFO, log_file: Path | None = None) -> None:
    """Send log records to stderr and, if given, append them to `log_file` (parents created)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_currach", False):
            root.removeHandler(handler)
    line_format = FORMAT
    if world_size() > 1:
        line_format = FORMAT.replace("%(levelname)s", f"[rank {rank()}] %(levelname)s")
        if not is_main_process():
            level, log_file = _replica_level(), None
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(logging.Formatter(line_format, DATEFMT))
        handler._currach = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("urllib3", "filelock", "numba", "matplotlib", "fsspec", "datasets", "h5py"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _replica_level() -> int:
    name = os.environ.get(REPLICA_LEVEL_ENV, "WARNING").upper()
    return logging.getLevelNamesMapping().get(name, logging.WARNING)

"""Logging set-up, done once per process by the CLI layer (steps root or a recipe's run.py)."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(filename)s:%(lineno)d %(message)s"
DATEFMT = "%Y-%m-%d %H:%M:%S"


def setup_logging(level: int = logging.INFO, log_file: Path | None = None) -> None:
    """Send log records to stderr and, if given, append them to `log_file` (parents created)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_currach", False):
            root.removeHandler(handler)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT, DATEFMT))
        handler._currach = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("urllib3", "filelock", "numba", "matplotlib", "fsspec", "datasets", "h5py"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

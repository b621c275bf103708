"""One run at a time per recipe folder: a locked file that names its holder.

The kernel drops the lock when its process dies, so a lock left by a SIGKILLed run is
free again; the holder line it left behind tells us we are taking over a stale lock. It is a
POSIX record lock (lockf), not an flock: an flock is shared with forked children, so the
worker processes of a killed run (pipeline.jobs) would hold it until they too had gone.
"""
from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import socket
import sys
import time
from pathlib import Path

from utils.errors import CurrachError

log = logging.getLogger(__name__)


class LockHeld(CurrachError):
    """Another live process holds the recipe lock."""


class RecipeLock:
    """Context manager: exclusive, non-blocking lock on `lock_file`."""

    def __init__(self, lock_file: Path):
        self.lock_file = lock_file
        self._fd: int | None = None

    def __enter__(self) -> "RecipeLock":
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno not in (errno.EAGAIN, errno.EACCES):  # those two: held by another process
                os.close(fd)
                raise
            holder = _describe(_read_holder(fd))
            os.close(fd)
            raise LockHeld(
                f"{self.lock_file.parent} is already being run by {holder}; "
                f"wait for it to finish or stop it (lock file: {self.lock_file})"
            ) from None
        previous = _read_holder(fd)
        if previous:
            log.warning("taking over a stale lock left by %s (that process is gone)", _describe(previous))
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": time.strftime("%Y-%m-%d %H:%M:%S"), "argv": sys.argv}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)  # an empty file means "released cleanly"
            fcntl.lockf(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _read_holder(fd: int) -> dict:
    raw = os.pread(fd, 65536, 0)
    try:
        return json.loads(raw) if raw.strip() else {}
    except ValueError:
        return {"pid": "?", "started": "?", "argv": [raw[:80].decode(errors="replace")]}


def _describe(holder: dict) -> str:
    if not holder:
        return "another process"
    cmd = " ".join(holder.get("argv") or [])
    return f"pid {holder.get('pid')} on {holder.get('host', '?')} (started {holder.get('started')}: {cmd})"

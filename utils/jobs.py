"""Run a function over many items with N worker processes, streaming, with a progress bar."""
from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import sys
from typing import Callable, Iterable, Iterator, TypeVar

from tqdm import tqdm

from utils.kill_points import kill_point

T = TypeVar("T")
R = TypeVar("R")


def parallel_map(func: Callable[[T], R], items: Iterable[T], nj: int, desc: str,
                 total: int | None = None) -> Iterator[R]:
    """Yield func(item) in input order. `nj` 1 runs in-process (easy to debug and profile).

    Results are consumed as they come, so memory holds only what is in flight, not the corpus.
    `func` must be a module-level function (it is pickled to the workers).
    """
    bar = tqdm(total=total, desc=desc, unit="utt", mininterval=2.0, disable=not sys.stderr.isatty())
    try:
        if nj <= 1:
            for item in items:
                yield func(item)
                kill_point("parallel_map")
                bar.update()
            return
        ctx = mp.get_context("fork" if sys.platform == "linux" else "spawn")
        with ctx.Pool(nj, initializer=init_worker, initargs=(os.getpid(),)) as pool:
            for result in pool.imap(func, items, chunksize=8):
                yield result
                kill_point("parallel_map")
                bar.update()
    finally:
        bar.close()


def init_worker(parent: int) -> None:
    """Pool initializer: leave Ctrl-C to the parent, and end with the parent (Linux).

    Ctrl-C reaches every process of the terminal's group: the parent stops the pool and says
    how to resume; workers would each print a KeyboardInterrupt traceback. A parent killed
    outright (SIGKILL, the OOM killer) cannot stop its pool, and a worker blocked on the task
    queue would otherwise live on as an orphan.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os.kill(os.getpid(), signal.SIGKILL)

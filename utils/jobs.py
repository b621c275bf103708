"""Run a function over many items with N worker processes, streaming, with a progress bar."""
from __future__ import annotations

import multiprocessing as mp
import sys
from typing import Callable, Iterable, Iterator, TypeVar

from tqdm import tqdm

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
                bar.update()
            return
        ctx = mp.get_context("fork" if sys.platform == "linux" else "spawn")
        with ctx.Pool(nj) as pool:
            for result in pool.imap(func, items, chunksize=8):
                yield result
                bar.update()
    finally:
        bar.close()

"""Work on the next items of a sequence in a background thread while the caller uses the current one.

Worth it when the function spends its time outside the GIL (numpy on large arrays, file reads)
and the caller does other heavy work meanwhile: decoding computes the filterbanks of the next
batches this way while the model loads and runs (utils.ctc_forward).
"""
from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@contextmanager
def prefetched(func: Callable[[T], R], items: Iterable[T], ahead: int = 2) -> Iterator[Iterator[R]]:
    """An iterator of func(item) for `items`, in order, computed by one background thread that
    starts when the block is entered and runs at most `ahead` results ahead of the consumer.

    An exception raised by `func` is raised where its result is taken. Leaving the block early
    drops the items not yet started and waits for the one in progress.
    """
    if ahead < 1:
        raise ValueError(f"ahead must be at least 1, got {ahead}")
    source = iter(items)
    pending: deque[Future] = deque()
    executor = ThreadPoolExecutor(1, thread_name_prefix="prefetch")

    def fill() -> None:
        while len(pending) < ahead:
            for item in source:
                pending.append(executor.submit(func, item))
                break
            else:
                return

    def results() -> Iterator[R]:
        while pending:
            future = pending.popleft()
            fill()  # queue the next item before waiting, so the thread never idles
            yield future.result()

    try:
        fill()
        yield results()
    finally:
        for future in pending:
            future.cancel()
        executor.shutdown(wait=True)

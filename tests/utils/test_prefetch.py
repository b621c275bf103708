"""utils.prefetch: results in order, computed ahead in another thread, errors where taken."""
from __future__ import annotations

import threading
import time

import pytest

from utils.prefetch import prefetched


def _wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_results_come_in_order_from_another_thread():
    threads = set()

    def square(x: int) -> int:
        threads.add(threading.get_ident())
        time.sleep(0.01 * (x % 3))  # uneven work must not reorder anything
        return x * x

    with prefetched(square, range(10), ahead=3) as results:
        assert list(results) == [x * x for x in range(10)]
    assert threads and threading.get_ident() not in threads


def test_work_starts_on_entry_and_stays_within_ahead():
    started = []

    def record(x: int) -> int:
        started.append(x)
        return x

    with prefetched(record, range(100), ahead=4) as results:
        _wait_for(lambda: len(started) == 4)
        time.sleep(0.1)  # nothing taken yet: the thread must not run further ahead
        assert started == [0, 1, 2, 3]
        assert next(results) == 0
        _wait_for(lambda: len(started) == 5)
        time.sleep(0.1)
        assert started == [0, 1, 2, 3, 4]


def test_an_error_is_raised_where_its_result_is_taken():
    def fail_on_two(x: int) -> int:
        if x == 2:
            raise ValueError("bad item 2")
        return x

    with prefetched(fail_on_two, range(5)) as results:
        assert next(results) == 0 and next(results) == 1
        with pytest.raises(ValueError, match="bad item 2"):
            next(results)


def test_leaving_early_drops_the_items_not_started():
    started = []

    def slow(x: int) -> int:
        started.append(x)
        time.sleep(0.2)
        return x

    with prefetched(slow, range(1000), ahead=3) as results:
        assert next(results) == 0  # 1 is running now, 2 and 3 are queued
    assert started == [0, 1]  # the block waited for 1 and dropped 2 and 3


def test_ahead_must_be_positive():
    with pytest.raises(ValueError, match="ahead must be at least 1"):
        with prefetched(str, [1], ahead=0):
            pass

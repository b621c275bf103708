"""utils.ctc_search.search_batches: a timed probe here, then a pool only for a long search."""
from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np

from tests.steps.decode_golden import FIXTURE, decode_all
from utils import ctc_search


def _recording_search(calls: list, seconds_per_item: float = 0.0):
    def search(pool, arrays):
        calls.append((None if pool is None else pool._processes, len(arrays)))
        time.sleep(seconds_per_item * len(arrays))
        return [float(array[0, 0]) for array in arrays]
    return search


def _arrays(count: int) -> list[np.ndarray]:
    return [np.full((3, 2), index, dtype=np.float32) for index in range(count)]


def test_a_fast_search_stays_in_this_process():
    calls = []
    out = ctc_search.search_batches(_recording_search(calls), _arrays(40), nj=2)
    assert out == list(range(40))
    assert calls == [(None, ctc_search.PROBE_UTTS), (None, 40 - ctc_search.PROBE_UTTS)]


def test_a_slow_search_sends_the_rest_to_a_pool(monkeypatch):
    monkeypatch.setattr(ctc_search, "POOL_MIN_SECONDS", 0.1)  # the rest: 24 x 0.01 s at the probe's pace
    calls = []
    out = ctc_search.search_batches(_recording_search(calls, 0.01), _arrays(40), nj=2)
    assert out == list(range(40))
    assert calls == [(None, ctc_search.PROBE_UTTS), (2, 40 - ctc_search.PROBE_UTTS)]


def test_one_job_or_a_small_set_never_forks(monkeypatch):
    monkeypatch.setattr(ctc_search, "POOL_MIN_SECONDS", 0.0)
    calls = []
    ctc_search.search_batches(_recording_search(calls), _arrays(40), nj=1)
    ctc_search.search_batches(_recording_search(calls), _arrays(ctc_search.PROBE_UTTS), nj=2)
    assert calls == [(None, ctc_search.PROBE_UTTS), (None, 40 - ctc_search.PROBE_UTTS),
                     (None, ctc_search.PROBE_UTTS)]


def test_the_pool_gives_the_frozen_hypotheses(monkeypatch):
    """What the golden test's nj=2 run checked before the probe kept its 20 utterances here."""
    pools = []
    real_pool = ctc_search.worker_pool

    @contextmanager
    def counting_pool(nj, jobs):
        with real_pool(nj, jobs) as pool:
            pools.append(pool is not None)
            yield pool

    monkeypatch.setattr(ctc_search, "POOL_MIN_SECONDS", 0.0)
    monkeypatch.setattr(ctc_search, "PROBE_UTTS", 4)
    monkeypatch.setattr(ctc_search, "worker_pool", counting_pool)
    assert decode_all(nj=2) == (FIXTURE / "expected.tsv").read_text(encoding="utf-8")
    assert pools and all(pools)  # every beam setting's search went through a pool of workers

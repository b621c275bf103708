"""Dynamic batches: every utterance once per epoch, padded seconds capped, reproducible per epoch."""
from __future__ import annotations

import numpy as np
import pytest

from utils.batching import DurationBatchSampler, padding_share

DURATIONS = np.random.default_rng(0).uniform(0.8, 6.0, size=500).tolist()


def test_each_utterance_once_per_epoch_within_the_cap():
    sampler = DurationBatchSampler(DURATIONS, max_seconds=30.0, seed=1)
    for epoch in range(3):
        sampler.set_epoch(epoch)
        batches = list(sampler)
        assert sorted(i for batch in batches for i in batch) == list(range(len(DURATIONS)))
        for batch in batches:
            assert len(batch) * max(DURATIONS[i] for i in batch) <= 30.0
        assert len(sampler) == len(batches)


def test_an_utterance_longer_than_the_cap_travels_alone():
    sampler = DurationBatchSampler([1.0, 1.0, 12.0, 1.0], max_seconds=5.0)
    batches = list(sampler)
    assert [2] in batches and sorted(i for b in batches for i in b) == [0, 1, 2, 3]


def test_order_depends_only_on_seed_and_epoch():
    first, again = DurationBatchSampler(DURATIONS, 30.0, seed=3), DurationBatchSampler(DURATIONS, 30.0, seed=3)
    first.set_epoch(2)
    again.set_epoch(1)
    again.set_epoch(2)
    assert list(first) == list(again)
    again.set_epoch(3)
    assert list(again) != list(first)


def test_less_padding_than_fixed_random_batches():
    order = np.random.default_rng(5).permutation(len(DURATIONS)).tolist()
    fixed = [order[i:i + 16] for i in range(0, len(order), 16)]
    dynamic = list(DurationBatchSampler(DURATIONS, max_seconds=16 * 3.4))
    assert padding_share(DURATIONS, dynamic) < 0.1 < padding_share(DURATIONS, fixed)
    assert len(dynamic) == pytest.approx(len(fixed), rel=0.35)  # about as many utterances per batch


def test_refuses_a_cap_that_is_not_positive():
    with pytest.raises(ValueError, match="max_seconds must be positive"):
        DurationBatchSampler(DURATIONS, 0)

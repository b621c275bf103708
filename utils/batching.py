"""Dynamic batching for training: batches of similar-length utterances, capped in padded seconds.

The idea of icefall's `max_duration` and ESPnet's `numel` batches: instead of a fixed number
of utterances, a batch holds as many as fit `max_seconds` of padded audio (count x longest).
Utterances are shuffled, taken in pools of `pool_batches` batches' worth, sorted by length
inside a pool and cut into batches; the batches are then shuffled. Short utterances travel
in large batches, long ones in small, and little of any batch is padding.

The order depends only on (seed, epoch), so a resumed run that skips the batches of the
current epoch it already trained on (the Trainer does) sees the same batches as before.
"""
from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np
from torch.utils.data import Sampler


class DurationBatchSampler(Sampler[list[int]]):
    """Batches of dataset indices whose padded length (count x longest) stays within `max_seconds`.

    An utterance longer than `max_seconds` gets a batch of its own. `durations` are seconds,
    in dataset order. Call `set_epoch` before each epoch for a new shuffle.
    """

    def __init__(self, durations: Sequence[float], max_seconds: float, seed: int = 0, pool_batches: int = 50):
        if max_seconds <= 0:
            raise ValueError(f"max_seconds must be positive, got {max_seconds}")
        self.durations = np.asarray(durations, dtype=np.float64)
        self.max_seconds = float(max_seconds)
        self.seed = seed
        self.pool_size = max(1, int(pool_batches * max_seconds / max(float(self.durations.mean()), 1e-3)))
        self.epoch = 0
        self._batches: list[list[int]] | None = None

    def set_epoch(self, epoch: int) -> None:
        """Shuffle for `epoch` (the Trainer calls this at the start of every epoch)."""
        if epoch != self.epoch:
            self.epoch = epoch
            self._batches = None

    def __iter__(self) -> Iterator[list[int]]:
        yield from self._plan()

    def __len__(self) -> int:
        return len(self._plan())

    def _plan(self) -> list[list[int]]:
        if self._batches is None:
            rng = np.random.default_rng((self.seed, self.epoch))
            order = rng.permutation(len(self.durations))
            batches = []
            for start in range(0, len(order), self.pool_size):
                pool = order[start:start + self.pool_size]
                pool = pool[np.argsort(self.durations[pool], kind="stable")]
                batches.extend(cut_sorted(pool.tolist(), self.durations, self.max_seconds))
            self._batches = [batches[i] for i in rng.permutation(len(batches))]
        return self._batches

def cut_sorted(order: Sequence[int], durations: Sequence[float], max_seconds: float,
               max_size: int = 0) -> list[list[int]]:
    """Cut indices in ascending-duration order into batches whose count x longest fits
    `max_seconds` and, if `max_size` > 0, that hold at most `max_size` items."""
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        longest = durations[index]  # ascending order: the newcomer is the longest so far
        if current and ((max_size and len(current) >= max_size) or longest * (len(current) + 1) > max_seconds):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


def padding_share(durations: Sequence[float], batches: Sequence[Sequence[int]]) -> float:
    """The share of the audio seconds in padded batches that is padding (0 = none)."""
    lengths = np.asarray(durations, dtype=np.float64)
    padded = sum(len(batch) * lengths[list(batch)].max() for batch in batches)
    real = sum(lengths[list(batch)].sum() for batch in batches)
    return float(1.0 - real / padded) if padded else 0.0

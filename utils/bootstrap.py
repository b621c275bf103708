"""Bootstrap statistics over utterances: a confidence interval for WER and a paired comparison.

Utterances are resampled with replacement (numpy's default_rng with a fixed seed, so the same
inputs and seed give the same numbers). Each resample's WER is sum(errors) / sum(ref words),
the corpus-level rate, not a mean of per-utterance rates. The paired test (Koehn 2004;
Bisani and Ney 2004) draws the same utterances for both systems and counts how often each
one has fewer errors.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

_CHUNK_CELLS = 2_000_000  # resampled utterance indices held in memory at once


def bootstrap_ci(
    errors: np.ndarray, ref_words: np.ndarray, n_boot: int = 1000, seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval for WER in percent; None with no utterances or no words.

    `errors` and `ref_words` hold one count per utterance. Resamples whose reference holds
    no words are left out of the percentiles.
    """
    errors = np.asarray(errors, dtype=np.int64)
    ref_words = np.asarray(ref_words, dtype=np.int64)
    if errors.size == 0 or ref_words.sum() == 0:
        return None
    rates = []
    for idx in _resamples(errors.size, n_boot, seed):
        err_sum = errors[idx].sum(axis=1)
        ref_sum = ref_words[idx].sum(axis=1)
        keep = ref_sum > 0
        rates.append(100.0 * err_sum[keep] / ref_sum[keep])
    values = np.concatenate(rates)
    tail = 100.0 * (1.0 - level) / 2.0
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return float(low), float(high)


def paired_bootstrap(
    errors_a: np.ndarray, errors_b: np.ndarray, n_boot: int = 1000, seed: int = 0
) -> dict:
    """How often system A has fewer errors than B on the same resampled utterances.

    Both arrays hold per-utterance error counts on the same utterances in the same order (the
    reference word counts are shared, so comparing error sums compares WERs). Returns
    {prob_a_better, prob_b_better, p_value, n_boot, seed}: p_value is the share of resamples
    in which the system that is better on the full set is not better (1.0 when they tie).
    """
    errors_a = np.asarray(errors_a, dtype=np.int64)
    errors_b = np.asarray(errors_b, dtype=np.int64)
    if errors_a.shape != errors_b.shape:
        raise ValueError(f"paired bootstrap needs equal lengths, got {errors_a.size} and {errors_b.size}")
    a_better = b_better = 0
    if errors_a.size:
        for idx in _resamples(errors_a.size, n_boot, seed):
            diff = errors_a[idx].sum(axis=1) - errors_b[idx].sum(axis=1)
            a_better += int((diff < 0).sum())
            b_better += int((diff > 0).sum())
    prob_a, prob_b = a_better / n_boot, b_better / n_boot
    total_a, total_b = int(errors_a.sum()), int(errors_b.sum())
    if total_a == total_b:
        p_value = 1.0
    else:
        p_value = 1.0 - (prob_a if total_a < total_b else prob_b)
    return {"prob_a_better": prob_a, "prob_b_better": prob_b, "p_value": p_value,
            "n_boot": n_boot, "seed": seed}


def _resamples(n: int, n_boot: int, seed: int) -> Iterator[np.ndarray]:
    """Yield (rows, n) arrays of utterance indices, n_boot rows in all, from one seeded stream."""
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    rng = np.random.default_rng(seed)
    rows = max(1, _CHUNK_CELLS // max(n, 1))
    done = 0
    while done < n_boot:
        size = min(rows, n_boot - done)
        yield rng.integers(0, n, size=(size, n))
        done += size

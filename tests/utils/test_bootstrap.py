"""Bootstrap CI and paired bootstrap: coverage of the point estimate, seeds, clear winners."""
from __future__ import annotations

import numpy as np
import pytest

from utils.bootstrap import bootstrap_ci, paired_bootstrap


def _system(seed: int, n: int = 200, error_share: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ref_words = rng.integers(3, 20, size=n)
    errors = rng.binomial(ref_words, error_share)
    return errors, ref_words


def test_ci_contains_point_estimate_and_is_reproducible():
    errors, ref_words = _system(1)
    wer = 100 * errors.sum() / ref_words.sum()
    low, high = bootstrap_ci(errors, ref_words, n_boot=500, seed=4)
    assert low < wer < high
    assert high - low < 10
    assert bootstrap_ci(errors, ref_words, n_boot=500, seed=4) == (low, high)
    assert bootstrap_ci(errors, ref_words, n_boot=500, seed=5) != (low, high)


def test_ci_does_not_depend_on_chunking(monkeypatch):
    errors, ref_words = _system(2, n=50)
    whole = bootstrap_ci(errors, ref_words, n_boot=300, seed=0)
    monkeypatch.setattr("utils.bootstrap._CHUNK_CELLS", 7 * 50)
    assert bootstrap_ci(errors, ref_words, n_boot=300, seed=0) == pytest.approx(whole)


def test_ci_degenerate_inputs():
    assert bootstrap_ci(np.array([]), np.array([])) is None
    assert bootstrap_ci(np.array([2]), np.array([0])) is None  # no reference words at all
    assert bootstrap_ci(np.array([0, 0]), np.array([3, 4]), n_boot=50) == (0.0, 0.0)


def test_paired_bootstrap_clear_winner():
    errors_good, ref_words = _system(3, error_share=0.10)
    rng = np.random.default_rng(9)
    errors_bad = np.minimum(ref_words, errors_good + rng.integers(0, 4, size=errors_good.size))
    result = paired_bootstrap(errors_good, errors_bad, n_boot=1000, seed=0)
    assert result["prob_a_better"] > 0.99
    assert result["prob_b_better"] < 0.01
    assert result["p_value"] == pytest.approx(1 - result["prob_a_better"])
    swapped = paired_bootstrap(errors_bad, errors_good, n_boot=1000, seed=0)
    assert swapped["prob_b_better"] == result["prob_a_better"]
    assert paired_bootstrap(errors_good, errors_bad, n_boot=1000, seed=0) == result


def test_paired_bootstrap_identical_systems():
    errors, _ = _system(4)
    result = paired_bootstrap(errors, errors, n_boot=100)
    assert result["prob_a_better"] == result["prob_b_better"] == 0.0
    assert result["p_value"] == 1.0


def test_paired_bootstrap_needs_equal_lengths():
    with pytest.raises(ValueError, match="equal lengths"):
        paired_bootstrap(np.array([1, 2]), np.array([1]))

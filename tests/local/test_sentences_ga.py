"""Checks that the Irish sentence list suits a tiny held-out-word-free demo corpus."""

from collections import Counter
from pathlib import Path

import pytest

from local.normalizers.ga import normalize

SENTENCES = Path(__file__).resolve().parents[2] / "local" / "sentences" / "ga.txt"


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return SENTENCES.read_text(encoding="utf-8").splitlines()


def test_enough_sentences(lines):
    assert len(lines) >= 400


def test_every_line_has_words(lines):
    empty = [n for n, line in enumerate(lines, 1) if not normalize(line)]
    assert empty == [], f"empty lines (1-based): {empty}"


def test_no_duplicates_after_normalisation(lines):
    counts = Counter(normalize(line) for line in lines)
    assert [text for text, n in counts.items() if n > 1] == []


def test_sentence_lengths(lines):
    bad = [line for line in lines if not 3 <= len(normalize(line).split()) <= 9]
    assert bad == []


def test_word_forms_are_reused(lines):
    """At least 95% of tokens belong to word forms found in 3 or more sentences."""
    sentence_freq: Counter[str] = Counter()
    token_freq: Counter[str] = Counter()
    for line in lines:
        words = normalize(line).split()
        token_freq.update(words)
        sentence_freq.update(set(words))
    covered = sum(n for word, n in token_freq.items() if sentence_freq[word] >= 3)
    coverage = covered / sum(token_freq.values())
    rare = sorted(word for word in sentence_freq if sentence_freq[word] < 3)
    assert coverage >= 0.95, f"coverage {coverage:.3f}; rare forms: {rare}"

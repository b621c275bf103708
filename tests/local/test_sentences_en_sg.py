"""Checks that the Singapore English sentence list suits a tiny synthetic demo corpus."""

import re
from collections import Counter
from pathlib import Path

import pytest

from local.normalizers.en_sg import normalize

SENTENCES = Path(__file__).resolve().parents[2] / "local" / "sentences" / "en_sg.txt"


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return SENTENCES.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def normalised(lines) -> list[str]:
    return [normalize(line) for line in lines]


def test_enough_sentences(lines):
    assert len(lines) >= 400


def test_every_line_has_words(normalised):
    empty = [n for n, text in enumerate(normalised, 1) if not text]
    assert empty == [], f"empty lines (1-based): {empty}"


def test_no_duplicates_after_normalisation(normalised):
    counts = Counter(normalised)
    assert [text for text, n in counts.items() if n > 1] == []


def test_sentence_lengths(lines, normalised):
    bad = [line for line, text in zip(lines, normalised) if not 3 <= len(text.split()) <= 10]
    assert bad == []


def test_word_forms_are_reused(normalised):
    """At least 95% of tokens belong to word forms found in 3 or more sentences."""
    sentence_freq: Counter[str] = Counter()
    token_freq: Counter[str] = Counter()
    for text in normalised:
        words = text.split()
        token_freq.update(words)
        sentence_freq.update(set(words))
    covered = sum(n for word, n in token_freq.items() if sentence_freq[word] >= 3)
    coverage = covered / sum(token_freq.values())
    rare = sorted(word for word in sentence_freq if sentence_freq[word] < 3)
    assert coverage >= 0.95, f"coverage {coverage:.3f}; rare forms: {rare}"


@pytest.mark.parametrize("phrase", ["we commence", "singaporean", "singaporeans", "hawker centre", "can or not",
                                    "lah", "leh", "lor", "meh", "makan", "shiok", "hdb", "mrt", "er", "uh", "um"])
def test_register_words_occur_in_three_sentences(normalised, phrase):
    pattern = re.compile(rf"\b{phrase}\b")
    assert sum(1 for text in normalised if pattern.search(text)) >= 3


@pytest.mark.parametrize("written", [r"\d pm", r"\d\.\d\d am", r"\$\d", r"\d stops", r"\d+th"])
def test_numbers_are_written_with_digits_in_some_lines(lines, written):
    assert any(re.search(written, line) for line in lines)


def test_numbers_are_written_as_words_in_other_lines(lines):
    assert sum(1 for line in lines if re.search(r"\b(two|five|ten|twelve|twenty)\b", line)) >= 5

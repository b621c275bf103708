"""Alignment counts: hand-computed cases, agreement with jiwer, sclite's tie-breaking."""
from __future__ import annotations

import random

import jiwer
import pytest

from utils.align import EditCounts, align, count_edits


def _counts(ref: str, hyp: str, scheme: str = "levenshtein") -> tuple[int, int, int, int]:
    c = count_edits(align(ref.split(), hyp.split(), scheme))
    return c.cor, c.sub, c.dele, c.ins


def _char_counts(ref: str, hyp: str) -> tuple[int, int, int, int]:
    c = count_edits(align(list(ref), list(hyp)))
    return c.cor, c.sub, c.dele, c.ins


# (ref, hyp, words (C, S, D, I), chars (C, S, D, I)), all counted by hand.
CASES = [
    ("the cat sat on the mat", "the cat sit on mat", (4, 1, 1, 0), (17, 1, 4, 0)),
    ("hello world", "hello big wide world", (2, 0, 0, 2), (11, 0, 0, 9)),
    ("a b c", "", (0, 0, 3, 0), (0, 0, 5, 0)),
    ("", "x y", (0, 0, 0, 2), (0, 0, 0, 3)),
    ("", "", (0, 0, 0, 0), (0, 0, 0, 0)),
    ("a b", "b c", (1, 0, 1, 1), (1, 2, 0, 0)),  # sclite's split; jiwer says 2 sub
    ("tá sé", "ta se", (0, 2, 0, 0), (3, 2, 0, 0)),
    ("one two three", "one two three", (3, 0, 0, 0), (13, 0, 0, 0)),
]


@pytest.mark.parametrize("ref, hyp, words, chars", CASES)
def test_hand_counted_cases(ref, hyp, words, chars):
    assert _counts(ref, hyp) == words
    assert _char_counts(ref, hyp) == chars


def test_alignment_marks_gaps_and_ops():
    assert align("a b".split(), "b c".split()) == [("D", "a", None), ("C", "b", "b"), ("I", None, "c")]
    assert align(["x"], ["y"]) == [("S", "x", "y")]


def test_rates_including_empty_reference():
    assert EditCounts(cor=102, sub=15, dele=10, ins=2).rate() == pytest.approx(100 * 27 / 127)
    assert EditCounts(ins=3).rate() is None  # insertions against nothing: undefined, not 0
    assert EditCounts().rate() == 0.0


def test_sclite_scheme_can_cost_one_more_error():
    # Found by comparing with NIST sclite 2.10: its 4/3/3 weights prefer 6 del + 3 ins (cost 27)
    # to 5 sub + 3 del (cost 29), one error more than the edit distance.
    ref = "f a a d d e b a c a b d"
    hyp = "a a a c b d g b g"
    assert _counts(ref, hyp, "sclite") == (6, 0, 6, 3)
    assert _counts(ref, hyp) == (4, 5, 3, 0)
    assert jiwer.process_words(ref, hyp).wer == pytest.approx(8 / 12)


def test_unknown_scheme_is_an_error():
    with pytest.raises(ValueError, match="scheme"):
        align(["a"], ["a"], "kaldi")


def _random_sentence(rng: random.Random, low: int) -> str:
    return " ".join(rng.choice(["a", "b", "c", "dd", "é", "f"]) for _ in range(rng.randint(low, 12)))


def test_word_and_char_errors_agree_with_jiwer_on_random_pairs():
    rng = random.Random(7)
    for _ in range(400):
        ref, hyp = _random_sentence(rng, 1), _random_sentence(rng, 0)
        words = count_edits(align(ref.split(), hyp.split()))
        out = jiwer.process_words(ref, hyp)
        assert words.errors == out.substitutions + out.deletions + out.insertions
        assert words.rate() == pytest.approx(100 * out.wer)
        assert words.sub <= out.substitutions  # fewest substitutions among equal-error alignments
        chars = count_edits(align(list(ref), list(hyp)))
        out = jiwer.process_characters(ref, hyp)
        assert chars.errors == out.substitutions + out.deletions + out.insertions
        assert chars.rate() == pytest.approx(100 * out.cer)


def test_counts_add_up_to_lengths():
    rng = random.Random(3)
    for _ in range(200):
        ref, hyp = _random_sentence(rng, 0).split(), _random_sentence(rng, 0).split()
        for scheme in ("levenshtein", "sclite"):
            counts = count_edits(align(ref, hyp, scheme))
            assert (counts.ref_len, counts.hyp_len) == (len(ref), len(hyp))

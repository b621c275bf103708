"""Word frames from the greedy path and from pyctcdecode agree, and match the decoded text."""
from __future__ import annotations

import numpy as np
import pytest

from tests.steps.tiny_ctc import BLANK, LABELS, peaky_logits
from utils.ctc_search import SearchSettings, build_beam_decoder, greedy_decode, search_labels
from utils.ctc_timestamps import WordTime, beam_word_frames, greedy_word_frames, to_seconds

MAPPED = search_labels(LABELS, BLANK)


@pytest.mark.parametrize("text", ["to be", " dub it ", "oo", "", "a"])
def test_greedy_word_frames_spell_the_greedy_text(text):
    log_probs = peaky_logits(text)
    words = greedy_word_frames(log_probs, MAPPED)
    assert " ".join(word for word, _, _ in words) == greedy_decode(log_probs, MAPPED)
    assert all(first < stop for _, first, stop in words)
    assert all(a[2] <= b[1] for a, b in zip(words, words[1:]))


def test_greedy_and_beam_frames_agree_on_peaky_logits():
    log_probs = peaky_logits("to be it")
    # peaky_logits: a blank frame, then 2 frames + a blank per symbol
    assert greedy_word_frames(log_probs, MAPPED) == [("to", 1, 6), ("be", 10, 15), ("it", 19, 24)]
    search = build_beam_decoder(LABELS, BLANK)
    try:
        assert beam_word_frames(search, log_probs, SearchSettings(beam_width=4)) == ("to be it", greedy_word_frames(log_probs, MAPPED))
    finally:
        search.cleanup()


def test_unknown_symbol_is_part_of_a_word():
    log_probs = np.full((4, len(LABELS)), -9.0, np.float32)
    log_probs[[0, 1, 2, 3], [LABELS.index("t"), LABELS.index("[UNK]"), LABELS.index("|"), LABELS.index("a")]] = 0
    assert greedy_word_frames(log_probs, MAPPED) == [("t⁇", 0, 2), ("a", 3, 4)]


def test_seconds_are_clipped_to_the_audio():
    words = to_seconds([("to", 1, 6), ("be", 10, 15)], frame_seconds=0.02, duration=0.25)
    assert words == [WordTime("to", 0.02, 0.12), WordTime("be", 0.2, 0.25)]

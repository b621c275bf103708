"""Word timings from a CTC alignment: the greedy best path, or pyctcdecode's beam search frames.

A word's frames run from the first frame of its first character to the last frame of its last
character (repeats of a character included; blanks and word-break frames around it excluded);
frame f covers [f, f + 1) x `frame_seconds`. Labels are mapped as in utils.ctc_search (blank ->
"", "|" -> " "), and the words joined by single spaces are exactly the text greedy_decode /
beam_decode return for the same log-probs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from utils.ctc_search import SearchSettings
from utils.errors import InputError

WordFrames = tuple[str, int, int]  # word, first frame, one past the last frame


@dataclass(frozen=True)
class WordTime:
    """A word and its start and end in seconds from the start of the file."""

    word: str
    start: float
    end: float


def greedy_word_frames(log_probs: np.ndarray, labels: Sequence[str]) -> list[WordFrames]:
    """Words of the best path with their frame spans; `labels` mapped by search_labels."""
    if log_probs.ndim != 2 or log_probs.shape[1] != len(labels):
        raise InputError(f"log-probs of shape {log_probs.shape} do not match {len(labels)} labels")
    if len(log_probs) == 0:
        return []
    best = log_probs.argmax(axis=1)
    starts = np.concatenate(([0], np.flatnonzero(best[1:] != best[:-1]) + 1))
    ends = np.append(starts[1:], len(best))
    words: list[WordFrames] = []
    current, first, last = "", 0, 0
    for token, start, end in zip(best[starts].tolist(), starts.tolist(), ends.tolist()):
        for char in labels[token]:
            if char.isspace():
                if current:
                    words.append((current, first, last))
                current = ""
            else:
                if not current:
                    first = start
                current, last = current + char, end
    if current:
        words.append((current, first, last))
    return words


def beam_word_frames(decoder, log_probs: np.ndarray,
                     settings: SearchSettings = SearchSettings()) -> tuple[str, list[WordFrames]]:
    """Best beam's text and its words' frame spans from a pyctcdecode decoder (with or without LM).

    The search is the one utils.ctc_search.beam_decode runs with the same `settings` (history
    pruning on), so the text is the same.
    """
    if settings.beam_width < 1:
        raise InputError(f"beam width must be at least 1, got {settings.beam_width}")
    beams = decoder.decode_beams(log_probs, beam_width=settings.beam_width, prune_history=True,
                                 hotwords=list(settings.hotwords) or None, hotword_weight=settings.hotword_weight)
    text, _, frames = beams[0][:3]
    return " ".join(text.split()), [(word, int(span[0]), int(span[1])) for word, span in frames]


def to_seconds(words: Sequence[WordFrames], frame_seconds: float, duration: float) -> list[WordTime]:
    """Frame spans -> seconds, rounded to ms and kept inside [0, duration]."""
    out = []
    for word, first, stop in words:
        start = min(round(first * frame_seconds, 3), duration)
        out.append(WordTime(word, start, max(start, min(round(stop * frame_seconds, 3), duration))))
    return out

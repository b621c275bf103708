"""Transcript formats: Kaldi text order, CTM columns, SRT cue grouping and times, JSON fields."""
from __future__ import annotations

import io
import json

import pytest

from utils.ctc_timestamps import WordTime
from utils.errors import InputError
from utils.transcript_formats import (Transcript, collected_text, ctm_lines, srt_cues, srt_text,
                                      write_collected, write_file_output)


def _words(n: int, spacing: float = 0.5) -> list[WordTime]:
    return [WordTime(f"w{i}", round(i * spacing, 3), round(i * spacing + 0.3, 3)) for i in range(n)]


def test_srt_cues_hold_at_most_12_words_and_7_seconds():
    assert [len(text.split()) for *_, text in srt_cues(_words(30))] == [12, 12, 6]
    slow = srt_cues(_words(10, spacing=2.0))
    assert all(end - start <= 7.0 for start, end, _ in slow) and len(slow) == 3
    assert srt_cues([]) == []


def test_srt_text_times_and_numbering():
    text = srt_text(Transcript("a", "a.wav", 3725.0, "x y", [WordTime("x", 3661.5, 3662.0), WordTime("y", 3662.1, 3662.25)]))
    assert text == "1\n01:01:01,500 --> 01:01:02,250\nx y\n"


def test_ctm_and_kaldi_text_and_json(tmp_path):
    b = Transcript("b", "b.wav", 1.0, "w0 w1", _words(2))
    a = Transcript("a", "a.wav", 1.0, "", [])
    assert ctm_lines(b) == ["b 1 0.00 0.30 w0", "b 1 0.50 0.30 w1"]
    assert collected_text([b, a], "txt") == "a\nb w0 w1\n"
    assert write_collected([b, a], "ctm", tmp_path).read_text() == "b 1 0.00 0.30 w0\nb 1 0.50 0.30 w1\n"
    record = json.loads(write_file_output(b, "json", tmp_path).read_text())
    assert record == {"file_id": "b", "path": "b.wav", "duration": 1.0, "text": "w0 w1",
                      "words": [{"word": "w0", "start": 0.0, "end": 0.3}, {"word": "w1", "start": 0.5, "end": 0.8}]}
    stream = io.StringIO()
    write_collected([b], "json", None, stream)
    assert json.loads(stream.getvalue())["file_id"] == "b"
    with pytest.raises(InputError, match="--out"):
        collected_text([b], "srt")

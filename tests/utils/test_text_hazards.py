"""Every reader of a user's text file tolerates a UTF-8 byte-order mark; format characters go."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from local.synth_corpus import _read_sentences
from steps.make_vocab import make_vocab
from steps.transcribe import read_hotwords
from utils.audio_inputs import read_wav_scp
from utils.format_chars import format_chars_in, remove_format_chars
from utils.text_files import read_kaldi_text, read_plain_text
from utils.transcripts import read_transcripts

BOM = b"\xef\xbb\xbf"


def _write(path: Path, text: str) -> Path:
    path.write_bytes(BOM + text.encode("utf-8"))
    return path


@pytest.mark.parametrize(("reader", "content", "expected"), [
    (read_plain_text, "first sentence\nsecond\n", ["first sentence", "second"]),
    (read_kaldi_text, "utt1 hello\nutt2 world\n", {"utt1": "hello", "utt2": "world"}),
    (read_transcripts, "utt1 hello\nutt2 world\n", {"utt1": "hello", "utt2": "world"}),
    (read_transcripts, "hello (utt1)\nworld (utt2)\n", {"utt1": "hello", "utt2": "world"}),
    (read_hotwords, "singapore\nkopi o\n", ["singapore", "kopi o"]),
    (lambda p: [item.file_id for item in read_wav_scp(p)], "utt1 /a.wav\n", ["utt1"]),
    (_read_sentences, "".join(f"sentence {n}\n" for n in range(10)), [f"sentence {n}" for n in range(10)]),
])
def test_readers_drop_a_bom(tmp_path: Path, reader, content: str, expected) -> None:
    assert reader(_write(tmp_path / "in.txt", content)) == expected


def test_remove_format_chars() -> None:
    assert remove_format_chars("a\u200bb\u00adc\ufeffd\u200ee\u2060f") == "abcdef"
    assert remove_format_chars("می\u200cخواهم", keep="\u200c") == "می\u200cخواهم"
    assert remove_format_chars("plain ascii") == "plain ascii"
    assert format_chars_in("a\u200bb\u200bc\u00ad") == ["\u200b", "\u00ad"]


def test_make_vocab_warns_of_format_characters(tmp_path: Path, caplog) -> None:
    (tmp_path / "text").write_text("u1 ab\u200bc\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        make_vocab(tmp_path / "text", tmp_path / "lang")
    assert "U+200B" in caplog.text

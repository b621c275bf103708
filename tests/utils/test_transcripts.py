"""Transcript reading (Kaldi and trn) and the normaliser used on both sides of scoring."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from utils.errors import InputError
from utils.transcripts import Normalizer, read_durations, read_transcripts


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_kaldi_text_with_empty_utterance(tmp_path):
    path = _write(tmp_path / "hyp", "u1 hello  world\nu2\nu3 tá\n")
    assert read_transcripts(path) == {"u1": "hello  world", "u2": "", "u3": "tá"}


@pytest.mark.parametrize("name", ["hyp.trn", "hyp.txt"])  # by suffix, or by every line's shape
def test_trn_format(tmp_path, name):
    path = _write(tmp_path / name, "hello world (spk1-u1)\n(spk1-u2)\ntá sé (spk2-u1)\n")
    assert read_transcripts(path) == {"spk1-u1": "hello world", "spk1-u2": "", "spk2-u1": "tá sé"}


@pytest.mark.parametrize("content, message", [
    ("u1 a\nu1 b\n", r"hyp:2: utterance id 'u1' appears twice"),
    (" u1 a\n", r"hyp:1: line starts with whitespace"),
    (b"u1 a\nu2 \xff\n", r"hyp:2: not UTF-8"),
])
def test_bad_files_name_file_and_line(tmp_path, content, message):
    with pytest.raises(InputError, match=message):
        read_transcripts(_write(tmp_path / "hyp", content))


def test_malformed_trn_line(tmp_path):
    with pytest.raises(InputError, match=r"ref.trn:2: expected sclite trn"):
        read_transcripts(_write(tmp_path / "ref.trn", "a b (u1)\nno id here\n"))


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_transcripts(tmp_path / "nope")


def test_durations(tmp_path):
    assert read_durations(_write(tmp_path / "utt2dur", "u1 1.5\nu2 3\n")) == {"u1": 1.5, "u2": 3.0}
    with pytest.raises(InputError, match="not a number"):
        read_durations(_write(tmp_path / "bad", "u1 long\n"))


def test_nfc_and_nfd_fadas_are_equal_after_normalisation():
    nfc = unicodedata.normalize("NFC", "Tá sé ag éirí")
    nfd = unicodedata.normalize("NFD", "Tá sé ag éirí")
    assert nfc != nfd
    norm = Normalizer()
    assert norm(nfd) == norm(nfc) == nfc
    assert norm("  a \t b  ") == "a b"


def test_named_normaliser_is_loaded_by_module_name(tmp_path, monkeypatch):
    # A normaliser that lowercases and decomposes: NFC is applied again after it.
    _write(tmp_path / "lower_nfd_norm.py",
           "import unicodedata\n"
           "def normalize(text):\n"
           "    return unicodedata.normalize('NFD', text.lower())\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    norm = Normalizer("lower_nfd_norm")
    assert norm.name == "lower_nfd_norm"
    assert "lower_nfd_norm" in norm.description
    assert norm("TÁ Sé") == unicodedata.normalize("NFC", "tá sé")


def test_bad_normaliser_modules(tmp_path, monkeypatch):
    with pytest.raises(InputError, match="cannot be imported"):
        Normalizer("no_such_module_for_currach")
    _write(tmp_path / "no_normalize_fn.py", "x = 1\n")
    _write(tmp_path / "returns_list.py", "def normalize(text):\n    return text.split()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(InputError, match="has no function normalize"):
        Normalizer("no_normalize_fn")
    with pytest.raises(InputError, match="returned list"):
        Normalizer("returns_list")("a b")

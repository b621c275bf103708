"""Invisible Unicode format characters (category Cf) and their removal from transcripts.

Zero-width space U+200B, soft hyphen U+00AD, zero-width (non-)joiner U+200C/U+200D, word
joiner U+2060, byte-order mark U+FEFF, the bidirectional marks (U+200E, U+200F, U+202A-U+202E,
U+2066-U+2069) are all category Cf: an editor shows nothing, yet to a character-level CTC model
each one is a symbol of its own, and "ab\\u200bcd" is a different word from "abcd". Text
pasted from web pages, word processors and PDFs carries them. Every normaliser calls
`remove_format_chars` first, so transcripts, LM text, references and hypotheses never hold one.
"""
from __future__ import annotations

import unicodedata

__all__ = ["format_chars_in", "remove_format_chars"]


def remove_format_chars(text: str, keep: str = "") -> str:
    """`text` without its category-Cf characters, except those listed in `keep`.

    Removed, not replaced by a space: a soft hyphen or zero-width space sits inside a word.
    `keep` is for scripts whose spelling needs one (Persian and many Indic scripts write
    ZWNJ "\\u200c" and ZWJ "\\u200d" as part of words): pass them there.
    """
    if text.isascii():  # the common case: no format character can be present
        return text
    return "".join(ch for ch in text if ch in keep or unicodedata.category(ch) != "Cf")


def format_chars_in(text: str) -> list[str]:
    """The distinct category-Cf characters of `text`, in order of first appearance."""
    return [ch for ch in dict.fromkeys(text) if unicodedata.category(ch) == "Cf"]

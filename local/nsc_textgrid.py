"""Read one speaker's intervals from an NSC Part 3 Praat TextGrid (see local/nsc_part3.py for why praatio).

Encoding: UTF-16 by its byte-order mark (as NSC ships them), else UTF-8 with or without a BOM.
The tier read is the one named after the file (NSC's convention), else the file's only
interval tier. Intervals come back as they are written, in file order, including silence,
empty and zero-length ones: the caller decides what an utterance is.
"""
from __future__ import annotations

import codecs
from pathlib import Path
from typing import NamedTuple

from utils.errors import InputError


class Interval(NamedTuple):
    """One TextGrid interval: start and end in seconds, its text (whitespace runs made one space)."""

    start: float
    end: float
    text: str


def decode_textgrid(path: Path) -> str:
    """The text of a TextGrid file; InputError naming the file when it cannot be read or decoded."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-16 with a BOM nor UTF-8 ({err.reason} at byte {err.start})") from None


def read_tier(path: Path) -> list[Interval]:
    """The intervals of the tier named after `path` (or its only interval tier).

    Raises InputError naming the file for undecodable text, a file Praat's text formats do
    not parse, no such tier, or a time that is not a number.
    """
    from praatio.utilities import textgrid_io

    text = decode_textgrid(path)
    try:
        grid = textgrid_io.parseTextgridStr(text, includeEmptyIntervals=True)
    except Exception as err:  # noqa: BLE001 - the parser raises assorted errors on malformed text
        raise InputError(f"{path}: not a Praat TextGrid in text format ({type(err).__name__}: {err})") from None
    tiers = [tier for tier in grid["tiers"] if tier["class"] == "IntervalTier"]
    named = [tier for tier in tiers if tier["name"] == path.stem]
    if not named and len(tiers) != 1:
        names = ", ".join(repr(tier["name"]) for tier in tiers) or "none"
        raise InputError(f"{path}: no interval tier named {path.stem!r} (tiers: {names})")
    tier = (named or tiers)[0]
    try:
        return [Interval(float(entry.start), float(entry.end), " ".join(str(entry.label).split()))
                for entry in tier["entries"]]
    except ValueError as err:
        raise InputError(f"{path}: tier {tier['name']!r} has a time that is not a number ({err})") from None

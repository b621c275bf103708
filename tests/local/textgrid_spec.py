"""Praat TextGrid files written from Praat's documented "long" text format, for NSC Part 3 fixtures.

Written here by hand from the format (Praat manual, "TextGrid file formats"), not by the
library the code under test reads them with: a header (File type = "ooTextFile", Object
class = "TextGrid"), the grid's xmin/xmax, `tiers? <exists>`, `size`, then per tier its
class, name, xmin, xmax and `intervals: size`, then per interval xmin, xmax and text.
Strings are in double quotes, a quote inside doubled. NSC ships these as UTF-16 with a BOM.
"""
from __future__ import annotations

from pathlib import Path

Interval = tuple[float, float, str]


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def textgrid_text(tiers: dict[str, list[Interval]], xmax: float) -> str:
    """The long text format of a TextGrid with interval tiers {name: [(xmin, xmax, text), ...]}."""
    lines = ['File type = "ooTextFile"', 'Object class = "TextGrid"', "", "xmin = 0 ", f"xmax = {xmax} ",
             "tiers? <exists> ", f"size = {len(tiers)} ", "item []: "]
    for number, (name, intervals) in enumerate(tiers.items(), start=1):
        lines += [f"    item [{number}]:", '        class = "IntervalTier" ', f"        name = {_quote(name)} ",
                  "        xmin = 0 ", f"        xmax = {xmax} ", f"        intervals: size = {len(intervals)} "]
        for index, (start, end, text) in enumerate(intervals, start=1):
            lines += [f"        intervals [{index}]:", f"            xmin = {start} ", f"            xmax = {end} ",
                      f"            text = {_quote(text)} "]
    return "\n".join(lines) + "\n"


def write_textgrid(path: Path, tiers: dict[str, list[Interval]], xmax: float, big_endian: bool = False) -> Path:
    """Write the TextGrid as UTF-16 with a byte-order mark (little- or big-endian), as NSC ships it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = textgrid_text(tiers, xmax)
    bom, codec = (b"\xfe\xff", "utf-16-be") if big_endian else (b"\xff\xfe", "utf-16-le")
    path.write_bytes(bom + text.encode(codec))
    return path

"""Reading NSC TextGrids: UTF-16 either byte order or UTF-8, the tier named after the file, errors named."""
from __future__ import annotations

import pytest

from local.nsc_textgrid import Interval, read_tier
from tests.local.textgrid_spec import textgrid_text, write_textgrid
from utils.errors import InputError

TIER = [(0, 1.5, "<S>"), (1.5, 2.25, 'he said "ok"  lah'), (2.25, 2.25, ""), (2.25, 3, "(ppb) <FIL/>")]
EXPECTED = [Interval(0.0, 1.5, "<S>"), Interval(1.5, 2.25, 'he said "ok" lah'), Interval(2.25, 2.25, ""),
            Interval(2.25, 3.0, "(ppb) <FIL/>")]


@pytest.mark.parametrize("big_endian", [False, True])
def test_utf16_with_bom_either_byte_order(tmp_path, big_endian):
    path = write_textgrid(tmp_path / "3000-1.TextGrid", {"other": [(0, 3, "x")], "3000-1": TIER}, 3,
                          big_endian=big_endian)
    assert read_tier(path) == EXPECTED  # the zero-length interval comes back as written


def test_utf8_and_the_only_tier(tmp_path):
    path = tmp_path / "3000-2.TEXTGRID"
    path.write_text(textgrid_text({"speaker": TIER}, 3), encoding="utf-8")
    assert read_tier(path) == EXPECTED


def test_no_tier_named_after_the_file(tmp_path):
    path = write_textgrid(tmp_path / "3000-1.TextGrid", {"a": TIER, "b": TIER}, 3)
    with pytest.raises(InputError, match=r"3000-1.TextGrid: no interval tier named '3000-1' \(tiers: 'a', 'b'\)"):
        read_tier(path)


def test_unparsable_and_undecodable(tmp_path):
    path = tmp_path / "x.TextGrid"
    path.write_bytes(textgrid_text({"x": TIER}, 3).encode("latin-1").replace(b"said", b"s\xe4id"))
    with pytest.raises(InputError, match="x.TextGrid: not UTF-16 with a BOM nor UTF-8"):
        read_tier(path)
    path.write_text(textgrid_text({"x": TIER}, 3)[:300], encoding="utf-8")
    with pytest.raises(InputError, match="x.TextGrid: not a Praat TextGrid in text format"):
        read_tier(path)

"""SortedSpool: byte-order sorting through run files, stable for equal keys, temporary files removed."""
from __future__ import annotations

import random

import pytest

from utils.sorted_spool import SortedSpool


@pytest.mark.parametrize("run_lines", [1, 3, 1000])
def test_sorted_like_lc_all_c_sort_and_stable(tmp_path, run_lines):
    rng = random.Random(0)
    keys = ["b", "a", "B", "é", "z", "a-1", "a_1", "ä", "a", "10", "9"] * 3
    records = [(key, f"value {index}\twith tab") for index, key in enumerate(keys)]
    rng.shuffle(records)
    with SortedSpool(tmp_path, run_lines=run_lines) as spool:
        for key, value in records:
            spool.add(key, value)
        out = list(spool.sorted_records())
    # Python's sort is stable and bytes compare as LC_ALL=C sort does.
    assert out == sorted(records, key=lambda record: record[0].encode("utf-8"))
    assert list(dict.fromkeys(key for key, _ in out))[:4] == ["10", "9", "B", "a"]
    assert list(tmp_path.iterdir()) == []


def test_memory_holds_one_run(tmp_path):
    with SortedSpool(tmp_path, run_lines=10) as spool:
        for index in range(95):
            spool.add(f"k{index:03d}", "v")
            assert len(spool._buffer) < 10
        assert len(spool._runs) == 9
        assert [key for key, _ in spool.sorted_records()] == [f"k{index:03d}" for index in range(95)]


@pytest.mark.parametrize("key, value", [("a\nb", "v"), ("a", "v\nw"), ("a\tb", "v")])
def test_multi_line_records_refused(tmp_path, key, value):
    with SortedSpool(tmp_path) as spool, pytest.raises(ValueError, match="single lines"):
        spool.add(key, value)

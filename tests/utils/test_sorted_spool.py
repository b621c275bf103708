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
    keys = [f"k{index:03d}" for index in range(95)]
    random.Random(1).shuffle(keys)
    with SortedSpool(tmp_path, run_lines=10) as spool:
        for key in keys:
            spool.add(key, "v")
            assert len(spool._buffer) < 10
        assert [key for key, _ in spool.sorted_records()] == [f"k{index:03d}" for index in range(95)]
        assert len(spool._runs) <= 11  # the in-order start, then one run per 10 records


def test_records_in_order_are_not_held_in_memory(tmp_path):
    with SortedSpool(tmp_path, run_lines=10) as spool:
        for index in range(95):
            spool.add(f"k{index:03d}", "v")
            spool.add(f"k{index:03d}", "w")  # equal keys are still in order
            assert spool._buffer == []
        spool.add("a", "late")  # out of order: from here on, buffered runs
        assert len(spool._buffer) == 1
        out = list(spool.sorted_records())
    assert out[0] == ("a", "late") and out[1:5] == [("k000", "v"), ("k000", "w"), ("k001", "v"), ("k001", "w")]
    assert len(out) == 191


def test_runs_are_merged_as_they_pile_up_and_read_again(tmp_path, monkeypatch):
    monkeypatch.setattr("utils.sorted_spool.FAN_IN", 4)
    keys = [f"k{index % 7}" for index in range(200)]  # many equal keys: stability across merged runs
    random.Random(2).shuffle(keys)
    with SortedSpool(tmp_path, run_lines=3) as spool:
        for index, key in enumerate(keys):
            spool.add(key, str(index))
            assert len(spool._runs) <= 3 * 4  # at most FAN_IN - 1 runs per level, and a few levels
        expected = sorted(zip(keys, map(str, range(200))), key=lambda record: record[0].encode("utf-8"))
        assert list(spool.sorted_records()) == expected
        assert list(spool.sorted_records()) == expected
        assert len(list(spool.folder.iterdir())) == len(spool._runs)


@pytest.mark.parametrize("key, value", [("a\nb", "v"), ("a", "v\nw"), ("a\tb", "v")])
def test_multi_line_records_refused(tmp_path, key, value):
    with SortedSpool(tmp_path) as spool, pytest.raises(ValueError, match="single lines"):
        spool.add(key, value)

"""Common Voice data prep writes, byte for byte, what the data prep that kept every clip in memory wrote.

expected.txt was written once by tests/local/cv_prep_golden.py before data prep streamed (see
that module); these tests prepare the same corpus now, with workers or without, with spools
that hold everything in memory or almost nothing, and compare every file.
"""
from __future__ import annotations

import difflib

import pytest

from tests.local.cv_prep_golden import FIXTURE, prepared_now


def _diff(expected: str, got: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(), got.splitlines(), "expected.txt", "prepared now",
                                 lineterm="", n=1)
    return "\n".join(list(lines)[:60])


@pytest.mark.parametrize("nj, run_lines", [(1, 5000), (2, 5000), (1, 3)])
def test_data_dirs_and_report_match_the_frozen_output(nj: int, run_lines: int, monkeypatch) -> None:
    # 3 records per run, merged 4 runs at a time: every sort of data prep goes through files
    monkeypatch.setattr("local.cv_stream.RUN_LINES", run_lines)
    monkeypatch.setattr("utils.sorted_spool.FAN_IN", 4)
    expected = (FIXTURE / "expected.txt").read_text(encoding="utf-8")
    got = prepared_now(nj)
    assert got == expected, _diff(expected, got)

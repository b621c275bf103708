"""Common Voice data prep writes, byte for byte, what the data prep that kept every clip in memory wrote.

expected.txt was written once by tests/local/cv_prep_golden.py before data prep streamed (see
that module); these tests prepare the same corpus now and compare every file.
"""
from __future__ import annotations

import difflib

import pytest

from tests.local.cv_prep_golden import FIXTURE, prepared_now


def _diff(expected: str, got: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(), got.splitlines(), "expected.txt", "prepared now",
                                 lineterm="", n=1)
    return "\n".join(list(lines)[:60])


@pytest.mark.parametrize("nj", [1, 2])
def test_data_dirs_and_report_match_the_frozen_output(nj: int) -> None:
    expected = (FIXTURE / "expected.txt").read_text(encoding="utf-8")
    got = prepared_now(nj)
    assert got == expected, _diff(expected, got)

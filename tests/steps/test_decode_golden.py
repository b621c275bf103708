"""The decoders give byte-identical hypotheses to those frozen under the numpy-1 stack.

expected.tsv was written once by tests/steps/decode_golden.py under numpy 1.26.4 + pyctcdecode
0.5.0 (see that module); this test runs the same decodes on the committed logits and LM under
whatever stack is installed (numpy 2 since requirements.txt moved to it).
"""
from __future__ import annotations

import difflib

from tests.steps.decode_golden import FIXTURE, SETTINGS, decode_all


def _diff(expected: str, got: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(), got.splitlines(), "expected.tsv", "decoded now",
                                 lineterm="", n=0)
    return "\n".join(list(lines)[:40])


def test_hypotheses_match_the_numpy1_stack_byte_for_byte():
    expected = (FIXTURE / "expected.tsv").read_text(encoding="utf-8")
    got = decode_all()
    assert got == expected, _diff(expected, got)


def test_forked_workers_give_the_same_hypotheses():
    expected = (FIXTURE / "expected.tsv").read_text(encoding="utf-8")
    got = decode_all(nj=2)
    assert got == expected, _diff(expected, got)


def test_the_frozen_file_covers_every_setting_and_utterance():
    rows = [line.split("\t") for line in (FIXTURE / "expected.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    assert {row[0] for row in rows} == {setting[0] for setting in SETTINGS}
    assert len({row[1] for row in rows}) == 20
    assert all(len(row) == 5 for row in rows)

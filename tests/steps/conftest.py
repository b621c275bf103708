"""Fixtures shared by the decoding tests: a random tiny CTC model dir and a small bigram LM.

A test module that needs another LM defines its own `lm_dir`, which takes precedence.
"""
from __future__ import annotations

import pytest

from steps.train_lm import train_lm
from tests.steps.tiny_ctc import BE_IT_LM, make_model_dir


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    return make_model_dir(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="session")
def lm_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("lm")
    corpus = root / "corpus.txt"
    corpus.write_text("\n".join(BE_IT_LM) + "\n")
    return train_lm([corpus], root / "lm", order=2)

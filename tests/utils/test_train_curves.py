"""utils.train_curves.dev_summary: every dev line of training says loss, greedy WER and CER the same way;
a WER of exactly 0 is "0.00%", a metric that is missing is "n/a" (never "nan%")."""
from __future__ import annotations

import logging
from types import SimpleNamespace

import numpy as np
import pytest

from tests.steps.test_train_ctc import corpus, run, write_config  # noqa: F401 (fixture)
from utils.train_curves import ProgressLogger, dev_summary


@pytest.mark.parametrize("logs, line", [
    ({"eval_loss": 1.23456, "eval_wer": 0.25, "eval_cer": 0.125}, "dev loss 1.2346 greedy WER 25.00% CER 12.50%"),
    ({"eval_loss": 0.5, "eval_wer": 0.0, "eval_cer": 0.0}, "dev loss 0.5000 greedy WER 0.00% CER 0.00%"),
    ({"eval_loss": 0.5, "eval_wer": 0, "eval_cer": np.float32(0.0)}, "dev loss 0.5000 greedy WER 0.00% CER 0.00%"),
    ({"eval_loss": 0.0, "eval_wer": 1.5}, "dev loss 0.0000 greedy WER 150.00% CER n/a"),
    ({"eval_loss": 0.5}, "dev loss 0.5000 greedy WER n/a CER n/a"),
    ({"eval_loss": 0.5, "eval_wer": None, "eval_cer": float("nan")}, "dev loss 0.5000 greedy WER n/a CER n/a"),
    ({}, "dev loss n/a greedy WER n/a CER n/a"),
])
def test_dev_summary(logs, line):
    assert dev_summary(logs) == line


def test_progress_logger_says_a_zero_wer_as_zero(caplog):
    state = SimpleNamespace(global_step=5, max_steps=10, epoch=1.0)
    with caplog.at_level(logging.INFO, logger="utils.train_curves"):
        ProgressLogger().on_log(None, state, None, logs={"eval_loss": 0.25, "eval_wer": 0.0, "eval_cer": 0.0})
    [record] = caplog.records
    assert record.getMessage().startswith("step 5/10 epoch 1.00 (")
    assert record.getMessage().endswith(" dev loss 0.2500 greedy WER 0.00% CER 0.00%")


def test_train_ctc_closing_line_says_a_zero_wer_as_zero(corpus, monkeypatch, caplog):  # noqa: F811
    import steps.train_ctc

    perfect = lambda tokenizer: lambda prediction: {"wer": 0.0, "cer": 0.0}  # noqa: E731 (a dev set read perfectly)
    monkeypatch.setattr(steps.train_ctc, "greedy_error_rates", perfect)
    with caplog.at_level(logging.INFO, logger="steps.train_ctc"):
        run(corpus, write_config(corpus["root"] / "conf.yaml"), "model", max_steps=1)
    [closing] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("wrote ")]
    assert "(step 1, dev loss " in closing and "greedy WER 0.00% CER 0.00%) and curves in" in closing

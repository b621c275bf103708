"""Training curves from a Trainer log history: numbers to JSON, a plot to PNG, progress to the log."""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any, Mapping

from transformers import TrainerCallback

log = logging.getLogger(__name__)


def split_log_history(history: list[dict[str, Any]]) -> dict[str, list[dict[str, float]]]:
    """{"train": [{step, loss, learning_rate}], "dev": [{step, loss, wer, cer}]} from `state.log_history`."""
    train, dev = [], []
    for entry in history:
        if "loss" in entry:
            train.append({"step": entry["step"], "loss": entry["loss"],
                          "learning_rate": entry.get("learning_rate")})
        if "eval_loss" in entry:
            dev.append({"step": entry["step"], "loss": entry["eval_loss"],
                        "wer": entry.get("eval_wer"), "cer": entry.get("eval_cer")})
    return {"train": train, "dev": dev}


def write_curves(history: list[dict[str, Any]], work_dir: Path) -> dict[str, list[dict[str, float]]]:
    """Write `curves.json` (train loss, dev loss, dev greedy WER/CER by step) and `curves.png`."""
    curves = split_log_history(history)
    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / "curves.json").write_text(json.dumps(curves, indent=1) + "\n", encoding="utf-8")
    _plot(curves, work_dir / "curves.png")
    return curves


def _plot(curves: dict[str, list[dict[str, float]]], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, (loss_ax, wer_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for name, points in curves.items():
        loss_ax.plot([p["step"] for p in points], [p["loss"] for p in points], label=f"{name} loss")
    loss_ax.set_xlabel("step")
    loss_ax.set_ylabel("CTC loss")
    loss_ax.set_yscale("log")
    loss_ax.legend()
    for key in ("wer", "cer"):
        points = [p for p in curves["dev"] if p.get(key) is not None]
        wer_ax.plot([p["step"] for p in points], [100 * p[key] for p in points], marker="o",
                    label=f"dev greedy {key.upper()}")
    wer_ax.set_xlabel("step")
    wer_ax.set_ylabel("%")
    wer_ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    plt.close(fig)


class ProgressLogger(TrainerCallback):
    """Sends the Trainer's periodic logs (loss, lr, dev WER) to `logging`, one line each."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def on_log(self, args, state, control, logs=None, **kwargs):  # noqa: D102 (Trainer hook)
        logs = logs or {}
        elapsed = time.monotonic() - self.started
        where = f"step {state.global_step}/{state.max_steps} epoch {state.epoch or 0:.2f} ({elapsed:.0f} s)"
        if "loss" in logs:
            log.info("%s train loss %.4f lr %.2e", where, logs["loss"], logs.get("learning_rate", 0.0))
        if "eval_loss" in logs:
            log.info("%s %s", where, dev_summary(logs))


def dev_summary(logs: Mapping[str, Any]) -> str:
    """"dev loss 0.4321 greedy WER 12.34% CER 5.67%" from a Trainer evaluation log (eval_loss, eval_wer, eval_cer).

    Every dev line of training says it this way. A WER or CER of 0 is "0.00%"; a metric that is
    absent, None or NaN is "n/a" (never "nan%").
    """
    loss = logs.get("eval_loss")
    return (f"dev loss {'n/a' if _missing(loss) else format(loss, '.4f')} "
            f"greedy WER {_percent(logs.get('eval_wer'))} CER {_percent(logs.get('eval_cer'))}")


def _percent(rate: float | None) -> str:
    return "n/a" if _missing(rate) else f"{100 * rate:.2f}%"


def _missing(value: float | None) -> bool:
    return value is None or value != value  # NaN (of any float type) is the one value unequal to itself

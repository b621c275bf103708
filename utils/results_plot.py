"""results.png: WER per system (with its 95 % bootstrap interval) and WER by utterance length.

Length buckets come from each score.json (seconds when utt2dur was given, else reference
words); systems whose buckets use a different unit than the first system are left out of the
right-hand panel rather than drawn on a misleading shared axis.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never open a window (headless servers, CI)
import matplotlib.pyplot as plt  # noqa: E402

from utils.results_table import System  # noqa: E402
from utils.scoring import bucket_labels  # noqa: E402


def plot_results(systems: list[System], out_png: Path) -> Path:
    """Draw both panels for `systems` into `out_png` (written via a temporary file)."""
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(12, max(3.5, 0.45 * len(systems) + 1.5)), constrained_layout=True)
    try:
        _wer_bars(left, systems)
        _wer_by_length(right, systems)
        out_png.parent.mkdir(parents=True, exist_ok=True)
        tmp = out_png.with_name(f".{out_png.name}.tmp")
        fig.savefig(tmp, dpi=100, format="png", metadata={"Software": None})
        tmp.replace(out_png)
    finally:
        plt.close(fig)
    return out_png


def _wer_bars(ax, systems: list[System]) -> None:
    labels, values, lows, highs = [], [], [], []
    for system in systems:
        wer = system.score["wer"]
        if wer["rate"] is None:
            continue
        ci = wer["ci95"] or [wer["rate"], wer["rate"]]
        labels.append(system.label)
        values.append(wer["rate"])
        lows.append(wer["rate"] - ci[0])
        highs.append(ci[1] - wer["rate"])
    positions = list(range(len(values)))
    ax.barh(positions, values, xerr=[lows, highs], color="tab:blue", capsize=3)
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_xlabel("WER % (bar: 95 % bootstrap interval)")
    ax.set_title("WER by system")
    ax.grid(axis="x", alpha=0.3)


def _wer_by_length(ax, systems: list[System]) -> None:
    unit = systems[0].score["length_buckets"]["unit"] if systems else "words"
    order = bucket_labels(unit)
    used: set[int] = set()
    skipped = 0
    for system in systems:
        lengths = system.score["length_buckets"]
        if lengths["unit"] != unit:
            skipped += 1
            continue
        points = [(order.index(b["label"]), b["wer"]) for b in lengths["buckets"]
                  if b["wer"] is not None]
        if points:
            xs, ys = zip(*points)
            used.update(xs)
            ax.plot(xs, ys, marker="o", label=system.label)
    ticks = sorted(used)
    ax.set_xticks(ticks, [order[k] for k in ticks])
    ax.set_xlabel(f"utterance length ({unit})")
    ax.set_ylabel("WER %")
    other = "durations" if unit == "words" else "word counts"
    ax.set_title("WER by utterance length" + (f" ({skipped} system(s) bucketed by {other} not shown)"
                                              if skipped else ""), fontsize="medium")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small")

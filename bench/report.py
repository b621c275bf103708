"""bench/RESULTS.md and bench/results.png from the measured rows (see bench/__main__.py)."""
from __future__ import annotations

import os
import platform
from pathlib import Path


PARTS_ORDER = ["audio", "decode", "train", "speed", "memory", "explore", "part3", "prep"]
TRAIN_KINDS = {"random": "random, fixed size (the notebook's)",
               "grouped": "length-grouped, fixed size (the recipes' default)",
               "dynamic": "length-grouped, dynamic (`train.max_batch_seconds`)"}
TARGETS = {
    "audio": "stage 1 with --nj 2 >= 5x the notebook's clips/s; peak memory <= 150 MB and flat in N",
    "decode": "beam + LM >= 1.5x one-at-a-time pyctcdecode on 220 utterances and >= 3x on all 1,870 of the demo "
              "(ratios from one run); a 5x5 alpha/beta grid costs no forward pass beyond the first",
    "train": "dynamic batching >= 1.3x the samples/s of fixed-size random batches",
    "speed": "utterances/s of the candidate tiny config >= 1.8x today's tiny config, chunks interleaved in one "
             "process, with dev greedy WER after the same number of utterances no worse (+-1 point)",
    "memory": "peak memory of training flat from 1x to 10x the corpus",
    "explore": "the explorer report of 20,000 utterances loads and first-renders in headless Chromium in a "
               "few seconds, and a filter or a sort over all of them takes well under a second (no freeze)",
    "part3": "stage 1 on a 2-hour NSC Part 3 corpus: peak memory and time per audio hour reported",
    "prep": "stage 1's peak memory at 500, 5,000 and 50,000 clips within 10 % of each other and <= 80 MB, "
            "at >= 6x the notebook's clips/s",
}


def write_report(parts: dict[str, dict], out: Path) -> Path:
    """Write the tables (and a PNG of the throughput ratios) of every measured part.

    `parts` maps a part name to {"date", "commit", "rows"} (bench/results.json).
    """
    lines = ["# Benchmarks", "", f"Machine: {_machine()}.",
             "Written by `python -m bench` (`make bench`); every case ran in its own process. Quote the ratios:",
             "the machine is shared and absolute times move between runs. Memory is the peak of the summed",
             "proportional set size (PSS: shared pages counted once) of the case's process and its workers,",
             "sampled every 100 ms.", ""]
    for part in sorted(parts, key=PARTS_ORDER.index):
        measured = parts[part]
        lines += [f"## {part}", "", f"Target: {TARGETS[part]}.", f"Measured {measured['date']} at {measured['commit']}.",
                  ""] + globals()[f"_{part}"](measured["rows"]) + [""]
    out.write_text("\n".join(lines), encoding="utf-8")
    _plot({part: measured["rows"] for part, measured in parts.items()}, out.with_name("results.png"))
    return out


def _audio(rows: list[dict]) -> list[str]:
    table = ["| clips | method | clips/s | x notebook | audio s/s | peak memory MB |", "|---|---|---|---|---|---|"]
    for row in rows:
        table.append(f"| {row['clips']} | {row['method']} | {_rate(row):.1f} | {_audio_speedup(rows, row):.2f} | "
                     f"{row['audio_seconds'] / row['work_seconds']:.0f} | {row['peak_mb']:.0f} |")
    return table


def _decode(rows: list[dict]) -> list[str]:
    table = ["| utterances | decoder | method | utt/s | real-time factor | x one at a time | x one at a time, "
             "whole process | peak memory MB |", "|---|---|---|---|---|---|---|---|"]
    notes = ["- utt/s, real-time factor and x one at a time count a case's work: loading the model and the LM "
             "counts, importing torch and transformers does not, for either method. The whole-process ratio "
             "is of the cases' wall times from outside: Python's start-up and every import counted."]
    loads = [row["load_1min"] for row in rows if "load_1min" in row]
    if loads:
        notes.append(f"- Load average (1 min) as the cases started: {min(loads):.1f}-{max(loads):.1f} "
                     f"on {len(os.sched_getaffinity(0))} cores.")
    for row in rows:
        if row["decoder"] == "tune 5x5":
            notes.append(f"- Tuning a {row['grid_points']}-point alpha/beta grid on {row['utts']} dev utterances: the "
                         f"first tuning ran the model on {row['first_tuning_forward_utts']} utterances in "
                         f"{row['first_tuning_forward_batches']} batches; the second, {row['second_tuning_forward_utts']}.")
            continue
        if row["decoder"] == "beam_lm search":
            line = (f"- The beam + LM search alone on the same cached log-probs of {row['utts']} utterances: "
                    f"pyctcdecode with --nj 2 (a pool of 2 only for a long search), {row['ours_seconds']:.1f} s "
                    f"(WER {100 * row['ours_wer']:.1f} %); ")
            if "flashlight_seconds" in row:
                line += (f"flashlight-text's lexicon decoder, one thread, {row['flashlight_seconds']:.1f} s "
                         f"(WER {100 * row['flashlight_wer']:.1f} %, words limited to the LM's unigrams).")
            else:
                line += f"flashlight-text {row['flashlight']}."
            notes.append(line)
            continue
        if "cumulative_share" in row:
            shares = ", ".join(f"{k} {100 * v:.0f} %" for k, v in row["cumulative_share"].items())
            notes.append(f"- cProfile of the one-at-a-time beam + LM baseline, share of its wall time: {shares}.")
            continue
        table.append(f"| {row['utts']} | {row['decoder']} | {row['method']} | {row['utts'] / row['work_seconds']:.1f} | "
                     f"{row['work_seconds'] / row['audio_seconds']:.3f} | "
                     f"{_decode_speedup(rows, row):.2f} | {_decode_speedup(rows, row, 'seconds'):.2f} | "
                     f"{row['peak_mb']:.0f} |")
    return table + [""] + notes


def _train(rows: list[dict]) -> list[str]:
    table = ["| batches | utt/s | x random | mean utts per batch | padding share |", "|---|---|---|---|---|"]
    for row in rows:
        table.append(f"| {TRAIN_KINDS.get(row['kind'], row['kind'])} | {row['utts_per_second']:.1f} | "
                     f"{_train_speedup(rows, row):.2f} | "
                     f"{row['mean_batch']:.1f} | {100 * row['padding_share']:.0f} % |")
    return table


def _speed(rows: list[dict]) -> list[str]:
    table = ["| config | utterances | steps | bf16 | threads | utt/s | median chunk utt/s | x today's | "
             "dev greedy WER |", "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        base = row["configs"][0]
        for config in row["configs"]:
            table.append(f"| {config['config']} | {config['utts_trained']} | {config['steps']} | "
                         f"{'yes' if config['bf16'] else 'no'} | {row['threads']} | {config['utts_per_second']:.1f} | "
                         f"{config['median_chunk_utts_per_second']:.1f} | "
                         f"{config['utts_per_second'] / base['utts_per_second']:.2f} | "
                         f"{100 * config['dev_greedy_wer']:.1f} % |")
    return table + ["", "Both configs train in one process, in turns of the same number of utterances (only the "
                    "training steps timed), from the same seed, on length-grouped batches with features cached."]


def _memory(rows: list[dict]) -> list[str]:
    table = ["| corpus | utterances | steps | peak memory MB |", "|---|---|---|---|"]
    for row in rows:
        table.append(f"| {row['copies']}x | {row['utts']} | {row['steps']} | {row['peak_mb']:.0f} |")
    return table


def _explore(rows: list[dict]) -> list[str]:
    table = ["| utterances | decoders | data.js MB | write_report s | load + first render ms (median of runs) | "
             "text filter ms | WER sort ms | peak memory MB |", "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        runs = ", ".join(f"{ms:.0f}" for ms in row["load_ms"])
        table.append(f"| {row['utts']} | {row['systems']} | {row['data_mb']:.1f} | {row['write_seconds']:.1f} | "
                     f"{row['load_ms_median']:.0f} ({runs}) | {row['filter_ms']:.0f} | {row['sort_ms']:.0f} | "
                     f"{row['peak_mb']:.0f} |")
    return table + ["", "Load: navigation start to the end of the first render (data.js parsed, every tab drawn, "
                    "the first page of the table shown), a fresh headless Chromium per run, from file:// with the "
                    "network off. Filter and sort: in the loaded page, over every utterance. Peak memory: the case's "
                    "whole process tree (Python writing the report, chromedriver, Chromium)."]
def _part3(rows: list[dict]) -> list[str]:
    table = ["| method | recordings | audio h | utterances | seconds per audio hour | peak memory MB |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        hours = row["audio_seconds"] / 3600
        table.append(f"| {row['method']} | {row['recordings']} | {hours:.2f} | {row['utterances']} | "
                     f"{row['work_seconds'] / hours:.0f} | {row['peak_mb']:.0f} |")
    return table


def _prep(rows: list[dict]) -> list[str]:
    table = ["| clips | method | clips/s | x notebook | peak RSS MB | workers' peak RSS MB | summed PSS MB |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        speedup = _prep_speedup(rows, row)
        table.append(f"| {row['clips']} | {row['method']} | {_rate(row):.1f} | "
                     f"{'-' if speedup is None else f'{speedup:.2f}'} | {row['rss_mb']:.1f} | "
                     f"{row['workers_rss_mb']:.1f} | {row['peak_mb']:.0f} |")
    return table + ["", "Each clip is the same 1 s mp3 (hard links), so what grows is what is kept per clip, not audio. "
                    "Peak RSS: getrusage of the case's process and of its largest worker; summed PSS: the whole "
                    "process tree, sampled every 100 ms (the other tables' memory)."]


def _prep_speedup(rows: list[dict], row: dict) -> float | None:
    """Clips/s against the notebook approach on the same number of clips; None where it was not run."""
    base = next((r for r in rows if r["clips"] == row["clips"] and r["method"].startswith("notebook")), None)
    return None if base is None else _rate(row) / _rate(base)


def _rate(row: dict) -> float:
    return row["clips"] / row["work_seconds"]


def _audio_speedup(rows: list[dict], row: dict) -> float:
    """Clips/s against the notebook approach on the same number of clips."""
    base = next(r for r in rows if r["clips"] == row["clips"] and r["method"].startswith("notebook"))
    return _rate(row) / _rate(base)


def _decode_speedup(rows: list[dict], row: dict, seconds: str = "work_seconds") -> float:
    """Speed against the one-at-a-time baseline of the same decoder on the same utterances, by the
    cases' `seconds` ("work_seconds", or "seconds": the whole process)."""
    base = next(r for r in rows if r["decoder"] == row["decoder"] and r["utts"] == row["utts"]
                and r["method"].startswith("one at a time"))
    return base[seconds] / row[seconds]


def _train_speedup(rows: list[dict], row: dict) -> float:
    """Utterances/s against fixed-size random batches."""
    return row["utts_per_second"] / next(r for r in rows if r["kind"] == "random")["utts_per_second"]


def _machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        model = names[0] if names else model
    return f"{len(os.sched_getaffinity(0))} cores ({model}), Python {platform.python_version()}"


def _plot(results: dict[str, list[dict]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bars: list[tuple[str, float]] = []
    for row in results.get("audio", []):
        bars.append((f"audio {row['clips']}: {row['method'][:22]}", _audio_speedup(results["audio"], row)))
    for row in results.get("decode", []):
        if row["method"].startswith("ours"):
            bars.append((f"decode {row['utts']} {row['decoder']}: ours", _decode_speedup(results["decode"], row)))
    for row in results.get("train", []):
        bars.append((f"train batches: {row['kind']}", _train_speedup(results["train"], row)))
    for row in results.get("prep", []):
        if row["method"].startswith("ours") and _prep_speedup(results["prep"], row) is not None:
            bars.append((f"prep {row['clips']}: ours", _prep_speedup(results["prep"], row)))
    for row in results.get("speed", []):
        bars.append((f"train speed: {row['configs'][1]['config']}", row["speedup"]))
    if not bars:
        return
    figure, axis = plt.subplots(figsize=(8, 0.35 * len(bars) + 1))
    axis.barh([label for label, _ in bars][::-1], [value for _, value in bars][::-1])
    axis.axvline(1.0, color="black", linewidth=0.8)
    axis.set_xlabel("throughput relative to the baseline of its table")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)

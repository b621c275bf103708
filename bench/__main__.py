"""python -m bench: measure ours against the 2021 notebook's approach, in one run; write bench/RESULTS.md.

    python -m bench [--recipe recipes/ga_ie] [--sizes 500,5000] [--prep-sizes 500,5000,50000]
                    [--only audio,decode,train,speed,memory,explore,part3,prep]

Decoding and training use what `make demo` made in the recipe folder (the trained tiny
model, data/lang, the manifests); run it first. Every case runs in its own process
(bench/measure.py), so its peak memory is its own. Ratios are what to quote: the machine
is shared, absolute times move between runs.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import tempfile
from pathlib import Path

from bench.measure import ROOT, run_case
from bench.report import write_report
from pipeline.stage_cli import code_version

PARTS = ("audio", "decode", "train", "speed", "memory", "explore", "part3", "prep")
NO_MODEL = ("audio", "explore", "speed", "part3", "prep")  # parts that need no trained demo model
PART3_RECORDING_SECONDS = 655.0  # x 11 recordings: 2 hours of audio


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", type=Path, default=ROOT / "recipes/ga_ie")
    parser.add_argument("--sizes", default="500,5000", help="audio benchmark corpus sizes (clips)")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated subset of {PARTS}")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/RESULTS.md")
    parser.add_argument("--train-steps", type=int, default=100)
    parser.add_argument("--speed-utts", type=int, default=8000,
                        help="utterances each config trains on in the speed case (500 steps of 16)")
    parser.add_argument("--explore-utts", type=int, default=20000, help="utterances of the explorer report case")
    parser.add_argument("--prep-sizes", default="500,5000,50000", help="stage-1 memory case corpus sizes (clips)")
    parser.add_argument("--prep-notebook-max", type=int, default=5000,
                        help="largest prep size the notebook's approach is run at (it holds every clip's audio)")
    parser.add_argument("--prep-nj", type=int, default=2, help="worker processes of our stage 1 in the prep case")
    args = parser.parse_args()
    parts = [p for p in args.only.split(",") if p]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"--only: unknown part(s) {unknown}; known: {PARTS}")
    recipe = args.recipe.resolve()
    if any(p not in NO_MODEL for p in parts) and not (recipe / "exp/tiny/model/config.json").is_file():
        parser.error(f"{recipe}/exp/tiny/model: no trained model; run `make demo` first (or --only audio,explore,part3)")
    if "speed" in parts and not (recipe / "data/lang/vocab.json").is_file():
        parser.error(f"{recipe}/data/lang: no vocab; run stages 0-4 first (run.py --stop-stage 4)")
    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="currach-bench-") as scratch:
        work = Path(scratch)
        if "audio" in parts:
            results["audio"] = bench_audio(work / "audio", [int(n) for n in args.sizes.split(",")])
        if "decode" in parts:
            results["decode"] = bench_decode(work / "decode", recipe)
        if "train" in parts:
            results["train"] = bench_train(work / "train", recipe, args.train_steps)
        if "speed" in parts:
            results["speed"] = [bench_speed(work / "speed", recipe, args.speed_utts)]
        if "memory" in parts:
            results["memory"] = bench_memory(work / "memory", recipe)
        if "explore" in parts:
            results["explore"] = bench_explore(work / "explore", args.explore_utts)
        if "part3" in parts:
            results["part3"] = bench_part3(work / "part3")
        if "prep" in parts:
            results["prep"] = bench_prep(work / "prep", [int(n) for n in args.prep_sizes.split(",")],
                                         args.prep_notebook_max, args.prep_nj)
    stamp = {"date": datetime.date.today().isoformat(), "commit": code_version(ROOT)}
    merged_file = args.out.parent / "results.json"
    merged = json.loads(merged_file.read_text(encoding="utf-8")) if merged_file.is_file() else {}
    merged.update({part: {**stamp, "rows": rows} for part, rows in results.items()})  # --only keeps the rest
    merged_file.write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")
    write_report(merged, args.out)
    print(f"wrote {args.out}")


def bench_audio(work: Path, sizes: list[int]) -> list[dict]:
    rows = []
    for size in sizes:
        corpus = work / f"cv_{size}"
        run_case("bench.audio_cases", "make", corpus, size)
        cases = [("notebook: datasets.map decode + librosa map", ("notebook",)),
                 ("plain loop, 1 process", ("loop",)),
                 ("ours: stage 1, --nj 1", ("ours", 1)), ("ours: stage 1, --nj 2", ("ours", 2))]
        for label, (case, *extra) in cases:
            out = work / f"out_{size}_{case}_{'_'.join(map(str, extra))}"
            result = run_case("bench.audio_cases", case, corpus, out, *extra)
            rows.append({"clips": size, "method": label, **result})
            shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(corpus)
    return rows


OURS = ("ours (--nj 2): batched forward, features made alongside, 2 worker processes from 1,200 s of audio, "
        "logits kept and cached, search in a pool of 2 when long")


def bench_decode(work: Path, recipe: Path) -> list[dict]:
    """Every decoder on 220 utterances (fixed costs weigh), beam + LM also on every utterance of the demo."""
    model, lang = recipe / "exp/tiny/model", recipe / "data/lang"
    manifest, every = decode_manifests(recipe, work)
    rows = []
    for set_manifest, decoders in ((manifest, ("greedy", "beam", "beam_lm")), (every, ("beam_lm",))):
        for decoder in decoders:
            load = os.getloadavg()[0]
            base = run_case("bench.decode_cases", "baseline", model, set_manifest, lang, decoder)
            rows.append({"decoder": decoder, "method": "one at a time, 1 process", "load_1min": load, **base})
            load = os.getloadavg()[0]
            ours = run_case("bench.decode_cases", "ours", model, set_manifest, lang,
                            work / f"ours_{set_manifest.stem}_{decoder}", decoder, 2)
            rows.append({"decoder": decoder, "method": OURS, "load_1min": load, **ours})
    tune = run_case("bench.decode_cases", "tune", model, recipe / "data/dev/manifest.jsonl",
                    recipe / "data/dev/text", lang, work / "tune")
    rows.append({"decoder": "tune 5x5", "method": "tune_lm_weights twice", **tune})
    search = run_case("bench.decode_cases", "search", model, manifest, lang, work / "search")
    rows.append({"decoder": "beam_lm search", "method": "cached logits: ours (--nj 2) vs flashlight-text", **search})
    prof = run_case("bench.decode_cases", "profile", model, manifest, lang)
    rows.append({"decoder": "beam_lm", "method": "profile of the one-at-a-time baseline", **prof})
    return rows


def decode_manifests(recipe: Path, work: Path, small: int = 220) -> tuple[Path, Path]:
    """WORK/manifest.jsonl (the first `small` utterances of test, dev, train) and WORK/every.jsonl
    (all of them), with absolute audio paths: the recipe's manifests name audio relative to their
    own folder, which WORK is not."""
    from utils.text_files import read_manifest

    work.mkdir(parents=True)
    lines = []
    for name in ("test", "dev", "train"):
        for record in read_manifest(recipe / f"data/{name}/manifest.jsonl"):
            record.pop("_line")
            lines.append(json.dumps(record, ensure_ascii=False))
    manifest, every = work / "manifest.jsonl", work / "every.jsonl"
    manifest.write_text("\n".join(lines[:small]) + "\n", encoding="utf-8")
    every.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest, every


def bench_train(work: Path, recipe: Path, steps: int) -> list[dict]:
    args = (recipe / "data/train/manifest.jsonl", recipe / "data/lang/vocab.json", recipe / "conf/tiny.yaml",
            work / "features")
    return [run_case("bench.train_cases", "batching", *args, kind, steps) for kind in ("random", "grouped", "dynamic")]


def bench_speed(work: Path, recipe: Path, utts: int) -> dict:
    """bench/tiny_candidate.yaml against the recipe's tiny config: utt/s and dev greedy WER after `utts`."""
    data = recipe / "data"
    return run_case("bench.train_speed", data / "train/manifest.jsonl", data / "dev/manifest.jsonl",
                    data / "lang/vocab.json", recipe / "conf/tiny.yaml", ROOT / "bench/tiny_candidate.yaml",
                    work / "features", utts, max(16, utts // 10), 2)


def bench_memory(work: Path, recipe: Path) -> list[dict]:
    args = (recipe / "data/train/manifest.jsonl", recipe / "data/lang/vocab.json", recipe / "conf/tiny.yaml")
    return [run_case("bench.train_cases", "memory", *args, work / f"x{copies}", copies, 60) for copies in (1, 10)]


def bench_explore(work: Path, utts: int) -> list[dict]:
    """The explorer report of `utts` synthetic scored utterances: written, then loaded in headless Chromium."""
    made = run_case("bench.explore_cases", "make", work / "recipe", utts)
    loaded = run_case("bench.explore_cases", "load", work / "recipe", 3)
    return [{**loaded, "score_seconds": made["score_seconds"], "systems": made["systems"]}]


def bench_part3(work: Path) -> list[dict]:
    """Stage 1 on a 2-hour NSC Part 3 corpus (11 recordings of ~11 min), --nj 1 and 2."""
    corpus = work / "nsc"
    run_case("bench.part3_cases", "make", corpus, PART3_RECORDING_SECONDS, 40)
    rows = []
    for nj in (1, 2):
        out = work / f"out_{nj}"
        rows.append({"method": f"ours: stage 1 --nsc-part 3, --nj {nj}", **run_case("bench.part3_cases", "ours",
                                                                                    corpus, out, nj)})
        shutil.rmtree(out, ignore_errors=True)
    return rows


def bench_prep(work: Path, sizes: list[int], notebook_max: int, nj: int) -> list[dict]:
    """Stage 1 on Common Voice folders of each size of tiny clips, each case in a fresh process: clips/s and
    peak memory; the notebook's approach beside it up to `notebook_max` clips."""
    rows = []
    for size in sizes:
        corpus = work / f"cv_{size}"
        run_case("bench.prep_cases", "make", corpus, size)
        cases = [("notebook: datasets.map decode + librosa map", ("notebook",))] if size <= notebook_max else []
        cases.append((f"ours: stage 1, --nj {nj}", ("ours", nj)))
        for label, (case, *extra) in cases:
            out = work / f"out_{size}_{case}"
            rows.append({"clips": size, "method": label, **run_case("bench.prep_cases", case, corpus, out, *extra)})
            shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(corpus)
    return rows


if __name__ == "__main__":
    main()

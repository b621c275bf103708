"""Training speed of a candidate config against today's, in one process, chunks interleaved.

    python -m bench.train_speed TRAIN_MANIFEST DEV_MANIFEST VOCAB BASE_CONFIG CANDIDATE_CONFIG CACHE UTTS CHUNK THREADS

Each config gets its own model, fused AdamW (the Trainer's default optimiser on torch >= 2.8),
linear warm-up and decay over the run, gradient clipping, length-grouped batches and its own
feature cache, filled before timing (the steady state of training). The two train in turns,
CHUNK utterances each, until each has seen UTTS; only the training steps are timed, so a
machine shared with other jobs slows both alike. Reported per config: utterances/s over the
whole run, the median of its chunks' rates, and dev greedy WER after the UTTS utterances.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import utils  # noqa: F401  -- before torch: sets OpenMP's wait policy (utils/__init__.py)


def _setup(config: Path, manifest: Path, vocab: Path, cache: Path, utts: int) -> dict:
    import torch
    from transformers import get_linear_schedule_with_warmup, set_seed
    from transformers.trainer_pt_utils import LengthGroupedSampler

    from utils.collate import CtcCollator, manifest_dataset
    from utils.ctc_model import build_model, build_processor
    from utils.precision import cpu_bf16_flags, precision_arguments
    from utils.train_config import load_ctc_config

    settings = load_ctc_config(config)
    train = settings.train
    set_seed(train.seed)  # numpy too: SpecAugment draws its masks from it
    processor = build_processor(vocab, "wav2vec2-bert", settings.model.fbank_stride)
    rows = manifest_dataset(manifest)
    steps = max(1, utts // train.batch_size)
    plan: list[list[int]] = []
    epoch = 0
    while len(plan) < steps:
        order = list(LengthGroupedSampler(train.batch_size, lengths=rows["duration"],
                                          generator=torch.Generator().manual_seed(train.seed + epoch)))
        plan += [order[i:i + train.batch_size] for i in range(0, len(order), train.batch_size)]
        epoch += 1
    collate = CtcCollator(processor, cache / f"stride{settings.model.fbank_stride}")
    for index in sorted({i for batch in plan[:steps] for i in batch}):  # fill the cache before timing
        collate([rows[index]])
    model = build_model(settings.model, processor.tokenizer).train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=train.learning_rate, weight_decay=train.weight_decay,
                                  fused=True)
    schedule = get_linear_schedule_with_warmup(optimiser, min(train.warmup_steps, steps // 10), steps)
    bf16 = precision_arguments(train.mixed_precision, cuda=False, cpu_bf16=bool(cpu_bf16_flags())).get("bf16", False)
    forward = torch.compile(model) if train.torch_compile else model
    return {"name": config.stem, "rows": rows, "plan": plan[:steps], "collate": collate, "model": model,
            "forward": forward, "optimiser": optimiser, "schedule": schedule, "bf16": bf16, "settings": settings,
            "processor": processor, "done": 0, "seconds": 0.0, "chunk_rates": [], "clip": train.max_grad_norm}


def _train_chunk(run: dict, chunk_utts: int) -> None:
    """Train on the next batches of `run`'s plan until `chunk_utts` more utterances are seen."""
    import torch

    seen, start = 0, time.perf_counter()
    while seen < chunk_utts and run["done"] < len(run["plan"]):
        batch = run["collate"]([run["rows"][i] for i in run["plan"][run["done"]]])
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=run["bf16"]):
            loss = run["forward"](**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(run["model"].parameters(), run["clip"])
        run["optimiser"].step()
        run["schedule"].step()
        run["optimiser"].zero_grad()
        run["done"] += 1
        seen += len(batch["labels"])
    seconds = time.perf_counter() - start
    run["seconds"] += seconds
    run["chunk_rates"].append(seen / seconds)
    run["utts"] = run.get("utts", 0) + seen


def dev_greedy_wer(run: dict, dev_manifest: Path) -> float:
    """Greedy (best-path) WER of `run`'s model on the dev manifest, padding frames left out."""
    import jiwer
    import torch

    from utils.collate import manifest_dataset

    rows, model = manifest_dataset(dev_manifest), run["model"].eval()
    tokenizer = run["processor"].tokenizer
    refs, hyps = [], []
    with torch.inference_mode():
        for first in range(0, len(rows), 16):
            batch = run["collate"]([rows[i] for i in range(first, min(first + 16, len(rows)))])
            ids = model(**{k: v for k, v in batch.items() if k != "labels"}).logits.argmax(dim=-1)
            frames = model._get_feat_extract_output_lengths(batch["attention_mask"].sum(dim=-1))
            hyps += [tokenizer.decode(ids[i, :frames[i]].tolist()) for i in range(len(ids))]
            refs += [rows[i]["text"] for i in range(first, min(first + 16, len(rows)))]
    model.train()
    return jiwer.wer(refs, hyps)


def compare(train_manifest: Path, dev_manifest: Path, vocab: Path, base: Path, candidate: Path, cache: Path,
            utts: int, chunk: int, threads: int) -> dict:
    """Both configs trained on `utts` utterances in turns of `chunk`; utt/s and dev greedy WER of each."""
    import torch

    torch.set_num_threads(threads)
    runs = [_setup(config, train_manifest, vocab, cache, utts) for config in (base, candidate)]
    while any(run["done"] < len(run["plan"]) for run in runs):
        for run in runs:
            if run["done"] < len(run["plan"]):
                _train_chunk(run, chunk)
    result = {"utts": utts, "chunk": chunk, "threads": threads, "configs": []}
    for run in runs:
        result["configs"].append({
            "config": run["name"], "steps": run["done"], "utts_trained": run["utts"], "bf16": run["bf16"],
            "utts_per_second": run["utts"] / run["seconds"],
            "median_chunk_utts_per_second": statistics.median(run["chunk_rates"]),
            "dev_greedy_wer": dev_greedy_wer(run, dev_manifest), "work_seconds": run["seconds"]})
    base_row, candidate_row = result["configs"]
    result["speedup"] = candidate_row["utts_per_second"] / base_row["utts_per_second"]
    result["wer_points"] = 100 * (candidate_row["dev_greedy_wer"] - base_row["dev_greedy_wer"])
    return result


def main(argv: list[str]) -> None:
    *paths, utts, chunk, threads = argv
    print(json.dumps(compare(*map(Path, paths), int(utts), int(chunk), int(threads))))


if __name__ == "__main__":
    main(sys.argv[1:])

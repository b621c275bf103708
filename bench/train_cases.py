"""Training input cases: samples/s of the tiny model under three batchings, and training memory.

    python -m bench.train_cases batching MANIFEST VOCAB CONFIG CACHE KIND STEPS
        KIND: random (fixed batch_size, padded to the longest; the notebook's default),
              grouped (fixed batch_size, HF length-grouped sampler; the recipes' default until
              now), dynamic (utils.batching, train.max_batch_seconds)
    python -m bench.train_cases memory MANIFEST VOCAB CONFIG WORK COPIES STEPS
        the recipe's training step on the manifest repeated COPIES times

`batching` runs forward + backward + optimiser step on the batches the sampler gives, with
features already in the cache (the steady state of training), and reports utterances/s and
the share of padding in the batches. The dynamic cap is batch_size x the mean duration, so
batches hold as many utterances on average as the fixed ones.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

WARMUP_STEPS = 3


def batching(manifest: Path, vocab: Path, config: Path, cache: Path, kind: str, steps: int) -> dict:
    import numpy as np
    import torch
    from transformers.trainer_pt_utils import LengthGroupedSampler

    from utils.batching import DurationBatchSampler, padding_share
    from utils.collate import CtcCollator, manifest_dataset
    from utils.ctc_model import build_model, build_processor
    from utils.train_config import load_ctc_config

    settings = load_ctc_config(config)
    torch.manual_seed(0)
    processor = build_processor(vocab, "wav2vec2-bert", settings.model.fbank_stride)
    rows = manifest_dataset(manifest)
    durations = rows["duration"]
    size = settings.train.batch_size
    if kind == "dynamic":
        plan = list(DurationBatchSampler(durations, size * float(np.mean(durations)), seed=0))
    else:
        order = (list(LengthGroupedSampler(size, lengths=durations, generator=torch.Generator().manual_seed(0)))
                 if kind == "grouped" else torch.randperm(len(durations)).tolist())
        plan = [order[i:i + size] for i in range(0, len(order), size)]
    plan = (plan * (1 + (steps + WARMUP_STEPS) // len(plan)))[:steps + WARMUP_STEPS]
    collate = CtcCollator(processor, cache)
    for batch in plan:  # fill the feature cache first: measure the steady state, not extraction
        collate([rows[i] for i in batch])
    model = build_model(settings.model, processor.tokenizer).train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-4)
    utts, start = 0, 0.0
    for step, batch in enumerate(plan):
        if step == WARMUP_STEPS:
            utts, start = 0, time.perf_counter()
        model(**collate([rows[i] for i in batch])).loss.backward()
        optimiser.step()
        optimiser.zero_grad()
        utts += len(batch)
    seconds = time.perf_counter() - start
    measured = plan[WARMUP_STEPS:]
    return {"kind": kind, "steps": steps, "utts": utts, "utts_per_second": utts / seconds,
            "mean_batch": utts / len(measured), "padding_share": padding_share(durations, measured),
            "work_seconds": seconds}


def memory(manifest: Path, vocab: Path, config: Path, work: Path, copies: int, steps: int) -> dict:
    """Train `steps` steps on the manifest repeated `copies` times (same audio files, new ids)."""
    from steps.train_ctc import train_ctc
    from utils.text_files import read_manifest

    rows = read_manifest(manifest)
    big = work / f"manifest_x{copies}.jsonl"
    work.mkdir(parents=True, exist_ok=True)
    with big.open("w", encoding="utf-8") as out:
        for copy in range(copies):
            for row in rows:
                row = {key: value for key, value in row.items() if not key.startswith("_")}
                out.write(json.dumps({**row, "utt_id": f"{row['utt_id']}-c{copy}"}, ensure_ascii=False) + "\n")
    start = time.perf_counter()
    dev = manifest.parent.parent / "dev" / manifest.name
    train_ctc(big, dev, vocab, config, work / "model", work / "train", max_steps=steps)
    return {"copies": copies, "utts": len(rows) * copies, "steps": steps, "work_seconds": time.perf_counter() - start}


def main(argv: list[str]) -> None:
    case, manifest, vocab, config, folder, kind, steps = argv
    paths = (Path(manifest), Path(vocab), Path(config), Path(folder))
    if case == "batching":
        result = batching(*paths, kind, int(steps))
    else:
        result = memory(*paths, int(kind), int(steps))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])

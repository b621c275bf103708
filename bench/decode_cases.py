"""Decoding cases on a trained model: ours (batched forward, cached log-probs, beam search in a
process pool) against pyctcdecode called one utterance at a time in one process.

    python -m bench.decode_cases ours MODEL MANIFEST LM_DIR OUT DECODER NJ
    python -m bench.decode_cases baseline MODEL MANIFEST LM_DIR DECODER
    python -m bench.decode_cases tune MODEL MANIFEST TEXT LM_DIR OUT     # 5 x 5 alpha/beta grid
    python -m bench.decode_cases profile MODEL MANIFEST LM_DIR           # cProfile of the baseline
    python -m bench.decode_cases search MODEL MANIFEST LM_DIR OUT        # beam + LM on cached logits:
                                                                         # ours vs flashlight-text

Every case prints one JSON line: utterances, audio seconds, `work_seconds` (model loading
included, imports excluded) and, for `tune`, the acoustic forward passes it made. Imports
excluded means the same for both methods: each imports torch and transformers' AutoModelForCTC
before its clock starts; the model's own transformers module and pyctcdecode are imported
inside the clock by both (by from_pretrained and by building the decoder). `utils` is imported
first, so torch loads under the same OpenMP wait policy in every case (utils/__init__.py).
"""
from __future__ import annotations

import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path

import utils  # noqa: F401  -- before torch: sets OpenMP's wait policy (utils/__init__.py)

ALPHA, BETA, BEAM_WIDTH = 0.5, 1.0, 32
GRID = [0.1, 0.3, 0.5, 1.0, 1.5]


def ours(model: Path, manifest: Path, lm_dir: Path, out: Path, decoder: str, nj: int) -> dict:
    import torch  # noqa: F401  -- what the baseline imports before its clock (see the module doc)
    from transformers import AutoModelForCTC  # noqa: F401

    from steps.decode_ctc import decode_set
    from utils.ctc_search import SearchSettings
    from utils.text_files import read_manifest

    start = time.perf_counter()
    # a logits file of its own: each case pays for its acoustic forward, none reuses another's
    decode_set(model, manifest, out, decoder, lm_dir, SearchSettings(BEAM_WIDTH, ALPHA, BETA), nj=nj,
               logits_file=out / "logits.npz")
    rows = read_manifest(manifest)
    return {"utts": len(rows), "audio_seconds": sum(float(r["duration"]) for r in rows),
            "work_seconds": time.perf_counter() - start}


def baseline(model_dir: Path, manifest: Path, lm_dir: Path, decoder: str) -> dict:
    """The notebook way: for each utterance, features, forward, then the search, in one process."""
    import numpy as np
    import torch
    from transformers import AutoModelForCTC

    from utils.audio import load_audio
    from utils.ctc_forward import load_ctc_frontend
    from utils.ctc_search import build_beam_decoder, greedy_decode, search_labels
    from utils.text_files import read_manifest

    start = time.perf_counter()
    frontend = load_ctc_frontend(model_dir)
    model = AutoModelForCTC.from_pretrained(model_dir).eval()
    search = None if decoder == "greedy" else build_beam_decoder(
        frontend.labels, frontend.blank, lm_dir if decoder == "beam_lm" else None, ALPHA, BETA)
    labels = search_labels(frontend.labels, frontend.blank)
    rows = read_manifest(manifest)
    for row in rows:
        samples = load_audio(Path(row["audio_filepath"]))[0]
        inputs = frontend.feature_extractor(samples, sampling_rate=frontend.sampling_rate, return_tensors="pt")
        with torch.no_grad():
            log_probs = torch.log_softmax(model(**inputs).logits[0], dim=-1).numpy().astype(np.float32)
        if search is None:
            greedy_decode(log_probs, labels)
        else:
            search.decode(log_probs, beam_width=BEAM_WIDTH)
    return {"utts": len(rows), "audio_seconds": sum(float(r["duration"]) for r in rows),
            "work_seconds": time.perf_counter() - start}


def tune(model: Path, manifest: Path, text: Path, lm_dir: Path, out: Path) -> dict:
    """Tune a 5 x 5 grid twice; count the model's forward passes (hooked) and the utterances in them."""
    import torch

    from steps.tune_lm_weights import tune_lm_weights
    from utils.ctc_search import SearchSettings
    from utils.text_files import read_manifest

    passes = {"batches": 0, "utts": 0}

    def count(module, args, kwargs, output):
        if type(module).__name__.endswith("ForCTC"):
            passes["batches"] += 1
            passes["utts"] += int(output.logits.shape[0])

    hook = torch.nn.modules.module.register_module_forward_hook(count, with_kwargs=True)
    start = time.perf_counter()
    tune_lm_weights(model, manifest, text, lm_dir, GRID, GRID, out, SearchSettings(BEAM_WIDTH), nj=2)
    first = dict(passes)
    tune_lm_weights(model, manifest, text, lm_dir, GRID, GRID, out, SearchSettings(BEAM_WIDTH), nj=2)
    hook.remove()
    return {"utts": len(read_manifest(manifest)), "grid_points": len(GRID) ** 2,
            "first_tuning_forward_batches": first["batches"], "first_tuning_forward_utts": first["utts"],
            "second_tuning_forward_utts": passes["utts"] - first["utts"],
            "work_seconds": time.perf_counter() - start}


def profile(model: Path, manifest: Path, lm_dir: Path) -> dict:
    """Where the one-at-a-time beam + LM baseline spends its time: shares of its wall time."""
    profiler = cProfile.Profile()
    profiler.enable()
    result = baseline(model, manifest, lm_dir, "beam_lm")
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    parts = {"audio read": ("utils/audio.py", "load_audio"),
             "feature extraction": ("feature_extraction", "__call__"),
             "model forward": ("torch/nn/modules/module.py", "_wrapped_call_impl"),
             "beam search + LM": ("pyctcdecode/decoder.py", "decode")}
    shares = {}
    for label, (where, name) in parts.items():
        times = [row[3] for (filename, _, function), row in stats.stats.items()
                 if where in filename and function == name]
        shares[label] = round(max(times, default=0.0) / result["work_seconds"], 3)
    result["cumulative_share"] = shares
    return result


def search(model: Path, manifest: Path, lm_dir: Path, out: Path) -> dict:
    """The search alone, on the same cached log-probs: pyctcdecode as decode_ctc --nj 2 runs it (a pool
    of 2 for a long search), and flashlight-text's lexicon decoder (one thread; words limited to the
    LM's unigrams)."""
    import jiwer

    from steps.decode_ctc import decode_logits
    from utils.ctc_logits import compute_logits, load_logits
    from utils.ctc_search import SearchSettings
    from utils.text_files import read_manifest

    ctc = load_logits(compute_logits(model, manifest, out / "logits.npz", nj=2))
    refs = {row["utt_id"]: row["text"] for row in read_manifest(manifest)}
    ids = sorted(ctc.logits)
    start = time.perf_counter()
    ours = decode_logits(ctc, ids, "beam_lm", lm_dir, SearchSettings(BEAM_WIDTH, ALPHA, BETA), nj=2)
    result = {"utts": len(ids), "ours_seconds": time.perf_counter() - start,
              "ours_wer": jiwer.wer([refs[i] for i in ids], ours)}
    try:
        from bench.flashlight_search import flashlight_decode
    except ImportError as err:
        result["flashlight"] = f"not measured: {err} (make bench installs bench/requirements.txt)"
        return result
    start = time.perf_counter()
    theirs = flashlight_decode(ctc, ids, lm_dir, ALPHA, BETA, BEAM_WIDTH)
    result.update(flashlight_seconds=time.perf_counter() - start,
                  flashlight_wer=jiwer.wer([refs[i] for i in ids], theirs))
    return result


def main(argv: list[str]) -> None:
    case, *args = argv
    paths = [Path(a) for a in args]
    if case == "ours":
        result = ours(*paths[:4], args[4], int(args[5]))
    elif case == "baseline":
        result = baseline(*paths[:3], args[3])
    elif case == "tune":
        result = tune(*paths[:5])
    elif case == "search":
        result = search(*paths[:4])
    else:
        result = profile(*paths[:3])
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])

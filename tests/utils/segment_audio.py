"""A long recording with its utterances as segments, and the same utterances cut into files of their own.

Both manifests describe the same audio, so whatever reads them (training batches, logits)
must give the same result: the cut files are the reference, written here with soundfile by
slicing the samples (not by the code under test).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import soundfile

RATE = 16000
# (utt_id, start, end) in seconds within one 4 s recording; the last two overlap (two talkers).
SPANS = [("spk1-a", 0.25, 0.85), ("spk1-b", 1.0, 2.2), ("spk2-a", 1.9, 3.1), ("spk2-b", 3.2, 4.0)]
TEXTS = {"spk1-a": "to be", "spk1-b": "bit", "spk2-a": "dub it", "spk2-b": "be it"}


def write_segment_sets(root: Path, seed: int = 0) -> dict[str, Path]:
    """root/reco.wav with segments.jsonl (offset/duration) and root/cut/*.wav with cut.jsonl."""
    rng = np.random.default_rng(seed)
    samples = (0.1 * rng.standard_normal(4 * RATE)).astype("float32")
    root.mkdir(parents=True, exist_ok=True)
    recording = root / "reco.wav"
    soundfile.write(recording, samples, RATE, subtype="FLOAT")
    segmented, cut = [], []
    for utt_id, start, end in SPANS:
        piece = root / "cut" / f"{utt_id}.wav"
        piece.parent.mkdir(exist_ok=True)
        soundfile.write(piece, samples[round(start * RATE):round(end * RATE)], RATE, subtype="FLOAT")
        common = {"duration": round(end - start, 3), "text": TEXTS[utt_id], "utt_id": utt_id,
                  "speaker": utt_id.split("-")[0]}
        segmented.append({"audio_filepath": str(recording), "offset": start, **common})
        cut.append({"audio_filepath": str(piece), **common})
    paths = {"recording": recording, "segments": root / "segments.jsonl", "cut": root / "cut.jsonl"}
    for name, records in (("segments", segmented), ("cut", cut)):
        paths[name].write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return paths

"""Training data for CTC: manifest rows as a dataset, and a collator that reads audio from disk.

Audio stays on disk: a dataset row holds the path, duration and text; the collator reads
the wavs of one batch (utils.audio), turns them into model inputs with the processor's
feature extractor and pads the character labels with -100 (ignored by the CTC loss).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import datasets
import numpy as np
import soxr
import torch

from utils.audio import SAMPLE_RATE, load_audio
from utils.errors import InputError
from utils.text_files import read_manifest

MANIFEST_KEYS = ("audio_filepath", "duration", "text")
LENGTH_COLUMN = "duration"


def manifest_dataset(path: Path, speeds: tuple[float, ...] = ()) -> datasets.Dataset:
    """The manifest as an in-memory `datasets.Dataset`: audio_filepath, duration, text, speed.

    With `speeds` (speed perturbation) every utterance appears once per factor, its duration
    scaled to match; `duration` doubles as the length column for length-grouped batching.
    """
    rows = read_manifest(path)
    for row in rows:
        missing = [key for key in MANIFEST_KEYS if key not in row]
        if missing:
            raise InputError(f"{path} line {row['_line']}: missing field(s) {', '.join(missing)}")
    factors = [(speed, row) for speed in (speeds or (1.0,)) for row in rows]
    return datasets.Dataset.from_dict(
        {
            "audio_filepath": [str(row["audio_filepath"]) for _, row in factors],
            LENGTH_COLUMN: [float(row["duration"]) / speed for speed, row in factors],
            "text": [str(row["text"]) for _, row in factors],
            "speed": [speed for speed, _ in factors],
        }
    )


@dataclass
class CtcCollator:
    """Batch builder: reads each row's wav, extracts features, pads inputs and labels.

    `processor` is a Wav2Vec2Processor or Wav2Vec2BertProcessor (feature extractor + CTC
    tokenizer). Returns the feature extractor's tensors (input_values or input_features, and
    attention_mask) plus `labels`, padded with -100.
    """

    processor: Any

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        audio = [_read(row["audio_filepath"], row.get("speed", 1.0)) for row in features]
        batch = self.processor.feature_extractor(
            audio,
            sampling_rate=SAMPLE_RATE,
            padding=True,
            return_attention_mask=True,
            return_tensors="pt",
        )
        labels = self.processor.tokenizer(
            [row["text"] for row in features], padding=True, return_tensors="pt"
        )
        batch["labels"] = labels["input_ids"].masked_fill(labels["attention_mask"].ne(1), -100)
        return dict(batch)


def _read(path: str, speed: float) -> np.ndarray:
    """Samples at 16 kHz, played `speed` times faster (Kaldi/sox `speed`: tempo and pitch)."""
    samples = load_audio(Path(path))[0]
    if speed == 1.0:
        return samples
    return soxr.resample(samples, SAMPLE_RATE * speed, SAMPLE_RATE).astype(np.float32)

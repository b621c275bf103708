"""Training data for CTC: manifest rows as a dataset, and a collator that reads audio from disk.

Audio stays on disk: a dataset row holds the path, duration and text (and, for a segment of
a long recording, its offset); the collator reads the wavs of one batch (utils.audio), turns them into model inputs with the processor's
feature extractor and pads the character labels with -100 (ignored by the CTC loss).
With a `cache_dir`, each utterance's inputs are extracted once and read back from disk
afterwards (utils.feature_cache); the batch is the same either way.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import datasets
import numpy as np
import soxr
import torch

from utils.audio import SAMPLE_RATE, load_audio
from utils.errors import InputError
from utils.feature_cache import FEATURE_KEYS, FeatureCache
from utils.features import extract_features
from utils.text_files import read_manifest

MANIFEST_KEYS = ("audio_filepath", "duration", "text")
LENGTH_COLUMN = "duration"


def manifest_dataset(path: Path, speeds: tuple[float, ...] = ()) -> datasets.Dataset:
    """The manifest as an in-memory `datasets.Dataset`: audio_filepath, duration, text, speed.

    With `speeds` (speed perturbation) every utterance appears once per factor, its duration
    scaled to match; `duration` doubles as the length column for length-grouped batching.
    A manifest of segments (records with "offset") also gets `offset` and `seconds` (the
    segment's own, unscaled length); a manifest must be all segments or none.
    """
    rows = read_manifest(path)
    for row in rows:
        missing = [key for key in MANIFEST_KEYS if key not in row]
        if missing:
            raise InputError(f"{path} line {row['_line']}: missing field(s) {', '.join(missing)}")
        if ("offset" in row) != ("offset" in rows[0]):
            raise InputError(f"{path} line {row['_line']}: \"offset\" on some lines only (line 1 "
                             f"{'has' if 'offset' in rows[0] else 'lacks'} it); a manifest is all segments or none")
    factors = [(speed, row) for speed in (speeds or (1.0,)) for row in rows]
    columns = {
        "audio_filepath": [str(row["audio_filepath"]) for _, row in factors],
        LENGTH_COLUMN: [float(row["duration"]) / speed for speed, row in factors],
        "text": [str(row["text"]) for _, row in factors],
        "speed": [speed for speed, _ in factors],
    }
    if "offset" in rows[0]:
        columns["offset"] = [float(row["offset"]) for _, row in factors]
        columns["seconds"] = [float(row["duration"]) for _, row in factors]
    return datasets.Dataset.from_dict(columns)


def training_set(manifests: Sequence[tuple[Path, int]], speeds: tuple[float, ...] = ()) -> datasets.Dataset:
    """Several manifests as one training set, each (path, repeat) repeated `repeat` times per
    epoch (joint training: a little real speech oversampled beside much synthetic speech)."""
    parts = [manifest_dataset(path, speeds) for path, repeat in manifests for _ in range(repeat)]
    if any(set(part.column_names) != set(parts[0].column_names) for part in parts):
        raise InputError(f"{', '.join(str(p) for p, _ in manifests)}: cannot train on segment manifests (with "
                         "\"offset\") and whole-file manifests together")
    return parts[0] if len(parts) == 1 else datasets.concatenate_datasets(parts)


class CtcCollator:
    """Batch builder: reads each row's wav, extracts features, pads inputs and labels.

    `processor` is a Wav2Vec2Processor or Wav2Vec2BertProcessor (feature extractor + CTC
    tokenizer). Returns the feature extractor's tensors (input_values or input_features, and
    attention_mask) plus `labels`, padded with -100. `cache_dir`: keep each utterance's
    extracted inputs there and reuse them (filterbank models: extraction is the slow part).
    """

    def __init__(self, processor: Any, cache_dir: Path | None = None):
        self.processor = processor
        extractor = processor.feature_extractor
        self.cache = FeatureCache(cache_dir, extractor.to_dict()) if cache_dir else None

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        batch = self._inputs(features)
        labels = self.processor.tokenizer(
            [row["text"] for row in features], padding=True, return_tensors="pt"
        )
        batch["labels"] = labels["input_ids"].masked_fill(labels["attention_mask"].ne(1), -100)
        return batch

    def _inputs(self, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        if self.cache is None:
            audio = [_read(row) for row in rows]
            return dict(self._extract(audio))
        single = [self.cache.get(row["audio_filepath"], row.get("speed", 1.0), lambda row=row: self._one(row),
                                 span=_span(row)) for row in rows]
        return _pad(single, self.processor.feature_extractor.padding_value)

    def _one(self, row: dict[str, Any]) -> dict[str, np.ndarray]:
        inputs = self._extract([_read(row)])
        return {name: value[0].numpy() for name, value in inputs.items()}

    def _extract(self, audio: list[np.ndarray]):
        """Inputs for `audio`, each utterance as it is alone (utils.features)."""
        return extract_features(self.processor.feature_extractor, audio, SAMPLE_RATE, return_attention_mask=True)


def _pad(single: list[dict[str, np.ndarray]], padding_value: float) -> dict[str, torch.Tensor]:
    """One utterance's inputs each -> a batch padded the way the feature extractor pads."""
    name = next(key for key in FEATURE_KEYS if key in single[0])
    longest = max(len(inputs[name]) for inputs in single)
    values = torch.full((len(single), longest, *single[0][name].shape[1:]), padding_value, dtype=torch.float32)
    mask = torch.zeros((len(single), longest), dtype=torch.int32)
    for i, inputs in enumerate(single):
        frames = len(inputs[name])
        values[i, :frames] = torch.from_numpy(inputs[name])
        mask[i, :frames] = torch.from_numpy(inputs["attention_mask"])
    return {name: values, "attention_mask": mask}


def _span(row: dict[str, Any]) -> tuple[float, float] | None:
    """(offset, seconds) of a dataset row that is a segment of a recording (manifest_dataset)."""
    return (row["offset"], row["seconds"]) if row.get("offset") is not None else None


def _read(row: dict[str, Any]) -> np.ndarray:
    """The row's samples at 16 kHz, played `speed` times faster (Kaldi/sox `speed`: tempo and pitch)."""
    speed = row.get("speed", 1.0)
    samples = load_audio(Path(row["audio_filepath"]), span=_span(row))[0]
    if speed == 1.0:
        return samples
    return soxr.resample(samples, SAMPLE_RATE * speed, SAMPLE_RATE).astype(np.float32)

"""Per-utterance model inputs cached on disk, like Kaldi's feats.scp, for the training collator.

Filterbank extraction in Python costs about a fifth of a tiny model's training step, and
every utterance is seen dozens of times. The cache stores, per utterance, exactly what the
feature extractor returns for it alone (features and attention mask, float32, unpadded), so a
batch built from the cache equals one extracted from the audio (tests/utils/test_feature_cache.py).

Key: the audio file's path, size and mtime, the speed factor, the extractor's settings and,
for a segment of a long recording, its (offset, duration);
a changed file or extractor gets new entries. Entries are written to a temporary name and
renamed, so a killed run leaves no half-written entry; an unreadable entry is recomputed.
"""
from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

FEATURE_KEYS = ("input_features", "input_values")


class FeatureCache:
    """Cache of `extract(path, speed) -> {features key: array, "attention_mask": array}`."""

    def __init__(self, folder: Path, extractor_settings: dict[str, Any]):
        self.folder = folder
        self._salt = json.dumps(extractor_settings, sort_keys=True, default=str)
        folder.mkdir(parents=True, exist_ok=True)

    def get(self, path: str, speed: float, extract: Callable[[], dict[str, np.ndarray]],
            span: tuple[float, float] | None = None) -> dict[str, np.ndarray]:
        """The cached inputs for (`path`, `speed`, `span`), computing them with `extract` on a miss.

        `span`: (offset, duration) in seconds when the utterance is a stretch of `path`.
        """
        entry = self.folder / f"{self._key(path, speed, span)}.npz"
        try:
            with np.load(entry) as stored:
                return {name: stored[name] for name in stored.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile):  # absent, or unreadable: compute it again
            pass
        inputs = extract()
        partial = entry.with_name(f".{entry.stem}.{os.getpid()}.partial.npz")
        np.savez(partial, **inputs)
        os.replace(partial, entry)
        return inputs

    def _key(self, path: str, speed: float, span: tuple[float, float] | None) -> str:
        stat = os.stat(path)
        text = f"{os.path.abspath(path)}\0{stat.st_size}\0{stat.st_mtime_ns}\0{speed!r}\0{self._salt}"
        if span is not None:  # whole-file keys stay as they were, so existing caches stay valid
            text += f"\0{span[0]!r}\0{span[1]!r}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

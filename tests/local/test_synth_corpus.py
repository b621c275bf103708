"""The espeak-ng demo corpus: Common Voice layout, 48 kHz mp3 clips, splits that share no
sentence, and clips trimmed of espeak-ng's trailing silence."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from utils.audio import load_audio


def _rows(corpus: Path, split: str) -> list[dict]:
    with open(corpus / f"{split}.tsv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_layout_and_disjoint_splits(cv_corpus: Path) -> None:
    splits = {name: _rows(cv_corpus, name) for name in ("train", "dev", "test")}
    assert all(splits.values())
    sentences = {name: {r["sentence"] for r in rows} for name, rows in splits.items()}
    assert not sentences["train"] & sentences["dev"] and not sentences["train"] & sentences["test"]
    assert not sentences["dev"] & sentences["test"]
    assert len(_rows(cv_corpus, "validated")) == sum(len(rows) for rows in splits.values())
    for row in splits["train"]:
        assert (cv_corpus / "clips" / row["path"]).is_file() and row["path"].endswith(".mp3")
    assert (cv_corpus / "SYNTHETIC.txt").is_file()


def test_clips_are_48k_with_little_silence_at_either_end(cv_corpus: Path) -> None:
    import soundfile

    for row in _rows(cv_corpus, "test"):
        path = cv_corpus / "clips" / row["path"]
        assert soundfile.info(str(path)).samplerate == 48000
        samples, rate = load_audio(path)[0], 16000
        envelope = np.convolve(np.abs(samples), np.ones(rate // 100) / (rate // 100), "same")
        voiced = np.flatnonzero(envelope > 0.02 * envelope.max())
        lead, trail = voiced[0] / rate, (len(samples) - voiced[-1]) / rate
        assert lead < 0.25 and trail < 0.25, f"{path.name}: {lead:.2f} s before, {trail:.2f} s after speech"

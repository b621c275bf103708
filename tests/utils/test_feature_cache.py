"""The training feature cache: batches equal freshly extracted ones; stale or broken entries are redone."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile
import torch

from utils.collate import CtcCollator, manifest_dataset
from utils.ctc_model import build_processor

# Lengths in samples chosen so the filterbank frame counts fall on every remainder mod 2 and 3.
LENGTHS = [8000, 8160, 8320, 12960, 17600]
TEXT = "tá sé"


@pytest.fixture
def rows(tmp_path: Path) -> list[dict]:
    rng = np.random.default_rng(1)
    lines = []
    for index, length in enumerate(LENGTHS):
        wav = tmp_path / "wav" / f"u{index}.wav"
        wav.parent.mkdir(exist_ok=True)
        soundfile.write(wav, (0.1 * rng.standard_normal(length)).astype("float32"), 16000)
        lines.append(json.dumps({"utt_id": f"u{index}", "audio_filepath": str(wav),
                                "duration": length / 16000, "text": TEXT}))
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    vocab = tmp_path / "vocab.json"
    vocab.write_text(json.dumps({"t": 0, "á": 1, "s": 2, "é": 3, "|": 4, "[UNK]": 5, "[PAD]": 6}), encoding="utf-8")
    dataset = manifest_dataset(manifest, speeds=(0.9, 1.0))
    return [{**dataset[i], "vocab": vocab} for i in range(len(dataset))]


def processor_for(rows: list[dict], kind: str, stride: int):
    return build_processor(rows[0]["vocab"], kind, stride)


def assert_same(first: dict[str, torch.Tensor], second: dict[str, torch.Tensor]) -> None:
    assert first.keys() == second.keys()
    for key in first:
        assert first[key].dtype == second[key].dtype, key
        assert torch.equal(first[key], second[key]), key


@pytest.mark.parametrize("kind, stride", [("wav2vec2-bert", 3), ("wav2vec2-bert", 2), ("wav2vec2", 2)])
def test_cached_batches_equal_extracted_ones(rows, tmp_path, kind, stride):
    processor = processor_for(rows, kind, stride)
    cached = CtcCollator(processor, tmp_path / "cache")
    fresh = CtcCollator(processor)
    for batch in (rows[:4], rows[3:], rows[::2]):  # misses, then a mix of hits and misses
        assert_same(fresh(batch), cached(batch))
    assert len(list((tmp_path / "cache").glob("*.npz"))) == len(rows)
    assert not list((tmp_path / "cache").glob(".*partial*"))


def test_stacked_filterbanks_keep_every_utterances_last_frames(rows):
    """Stride 3: an utterance gets the same frames alone as in a batch, whatever the longest is."""
    processor = processor_for(rows, "wav2vec2-bert", 3)
    collate = CtcCollator(processor)
    together = collate(rows)
    for index, row in enumerate(rows):
        alone = collate([row])
        frames = int(alone["attention_mask"].sum())
        assert int(together["attention_mask"][index].sum()) == frames
        assert torch.equal(together["input_features"][index, :frames], alone["input_features"][0, :frames])


def test_hits_skip_extraction(rows, tmp_path, monkeypatch):
    collate = CtcCollator(processor_for(rows, "wav2vec2-bert", 3), tmp_path / "cache")
    collate(rows)
    calls = []
    monkeypatch.setattr(collate, "_one", lambda row: calls.append(row) or pytest.fail("extracted a cached row"))
    collate(rows)
    assert calls == []


def test_changed_audio_is_extracted_again(rows, tmp_path):
    processor = processor_for(rows, "wav2vec2-bert", 3)
    cached = CtcCollator(processor, tmp_path / "cache")
    before = cached(rows[:2])
    path = Path(rows[0]["audio_filepath"])
    louder = 0.5 * np.random.default_rng(2).standard_normal(LENGTHS[0] + 480)
    soundfile.write(path, louder.astype("float32"), 16000)  # new size and content
    after = cached(rows[:2])
    assert_same(after, CtcCollator(processor)(rows[:2]))
    assert not torch.equal(before["input_features"], after["input_features"])


def test_unreadable_entry_is_recomputed(rows, tmp_path):
    processor = processor_for(rows, "wav2vec2-bert", 3)
    cached = CtcCollator(processor, tmp_path / "cache")
    cached(rows[:1])
    (entry,) = (tmp_path / "cache").glob("*.npz")
    entry.write_bytes(entry.read_bytes()[:100])  # as if a write had been cut short
    assert_same(cached(rows[:1]), CtcCollator(processor)(rows[:1]))
    assert np.load(entry)["input_features"].shape[1] == 240

"""Manifests of segments (offset/duration into a recording) read like manifests of cut files."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile
import torch

from tests.utils.segment_audio import SPANS, write_segment_sets
from utils.audio import AudioError, load_audio
from utils.collate import CtcCollator, manifest_dataset
from utils.ctc_forward import read_audio
from utils.ctc_model import build_processor
from utils.errors import InputError
from utils.text_files import read_manifest


@pytest.fixture
def sets(tmp_path: Path) -> dict[str, Path]:
    return write_segment_sets(tmp_path / "sets")


def test_load_audio_reads_just_the_span(sets):
    whole, _ = load_audio(sets["recording"])
    samples, info = load_audio(sets["recording"], span=(1.0, 1.2))
    np.testing.assert_array_equal(samples, whole[16000:16000 + 19200])
    assert info.duration == pytest.approx(1.2)


def test_load_audio_refuses_a_span_past_the_end(sets):
    with pytest.raises(AudioError, match="segment 3.500-4.500 s ends after the recording"):
        load_audio(sets["recording"], span=(3.5, 1.0))
    assert len(load_audio(sets["recording"], span=(3.5, 0.505))[0]) == 8000  # within the rounding slack


def test_read_manifest_needs_a_duration_with_an_offset(tmp_path):
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"utt_id": "a", "audio_filepath": "/x.wav", "offset": 1.0}) + "\n")
    with pytest.raises(InputError, match=r'm.jsonl line 1: "offset" needs a "duration"'):
        read_manifest(manifest)


def test_ctc_forward_reads_the_segment(sets):
    whole, _ = soundfile.read(sets["recording"], dtype="float32")
    for record in read_manifest(sets["segments"]):
        start = round(record["offset"] * 16000)
        expected = whole[start:start + round(record["duration"] * 16000)]
        np.testing.assert_array_equal(read_audio(record, sets["segments"], 16000), expected)


@pytest.mark.parametrize("cached", [False, True])
def test_training_batches_equal_those_of_cut_files(sets, tmp_path, cached):
    vocab = tmp_path / "vocab.json"
    vocab.write_text(json.dumps({c: i for i, c in enumerate("tobeiudx|")} | {"[UNK]": 9, "[PAD]": 10}))
    processor = build_processor(vocab, "wav2vec2-bert", 2)
    segmented = manifest_dataset(sets["segments"], speeds=(0.9, 1.0))
    cut = manifest_dataset(sets["cut"], speeds=(0.9, 1.0))
    assert segmented["duration"] == cut["duration"]
    collate = CtcCollator(processor, tmp_path / "cache" if cached else None)
    reference = CtcCollator(processor)
    for batch in ([0, 1, 2, 3], [4, 5, 6, 7], [1, 6]):
        ours, theirs = collate([segmented[i] for i in batch]), reference([cut[i] for i in batch])
        assert ours.keys() == theirs.keys()
        for key in ours:
            assert torch.equal(ours[key], theirs[key]), key
    if cached:  # one entry per (segment, speed): segments of one file do not collide
        assert len(list((tmp_path / "cache").glob("*.npz"))) == 2 * len(SPANS)


def test_a_manifest_mixing_segments_and_files_is_refused(sets, tmp_path):
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(sets["segments"].read_text().splitlines()[0] + "\n" + sets["cut"].read_text().splitlines()[1]
                     + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="mixed.jsonl line 2: \"offset\" on some lines only"):
        manifest_dataset(mixed)

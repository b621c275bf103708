"""Shared pieces of the transcribe tests: tiny untrained CTC models, espeak-ng clips, a 60 s file.

`local_model` has no transformer layer and no per-utterance normalisation, so its frames
depend on nearby audio only and chunked stitching must reproduce the unchunked log-probs;
`context_model` has attention and normalisation, so chunks change it a little.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile

from steps.decode_ctc import decode_logits
from steps.transcribe import load_recognizer, transcribe, transcribe_file
from tests.steps.tiny_ctc import LABELS, _tokenizer
from utils.align import align, count_edits
from utils.audio import load_audio, write_wav
from utils.audio_inputs import AudioItem
from utils.audio_stream import stream_audio
from utils.chunking import chunked_log_probs
from utils.ctc_logits import compute_logits, load_logits

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.", "She sells sea shells by the sea shore.",
    "A stitch in time saves nine.", "The rain in Spain stays mainly in the plain.",
    "Every cloud has a silver lining.", "Birds of a feather flock together.",
    "The early bird catches the worm.", "Actions speak louder than words.",
    "All that glitters is not gold.", "Better late than never, as they say.",
    "Do not count your chickens before they hatch.", "Fortune favours the bold and the brave.",
    "Honesty is the best policy in the end.", "Practice makes perfect with enough patience.",
    "Where there is a will there is a way.", "Two wrongs do not make a right.",
    "When in Rome, do as the Romans do.", "The pen is mightier than the sword.",
]
RATE = 16000
NEEDS_TOOLS = pytest.mark.skipif(shutil.which("espeak-ng") is None or shutil.which("sox") is None,
                                 reason="needs espeak-ng and sox (make setup installs them)")


def make_model(root: Path, layers: int, normalize: bool) -> Path:
    """A random Wav2Vec2ForCTC with wav2vec2's 320-sample frames (20 ms at 16 kHz)."""
    import torch
    from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor, Wav2Vec2ForCTC, Wav2Vec2Processor

    torch.manual_seed(0)
    tokenizer = _tokenizer(root)
    extractor = Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=RATE, padding_value=0.0,
                                         do_normalize=normalize, return_attention_mask=True)
    config = Wav2Vec2Config(
        vocab_size=len(LABELS), hidden_size=16, num_hidden_layers=layers, num_attention_heads=2,
        intermediate_size=32, conv_dim=(8, 8, 8, 8), conv_stride=(5, 4, 4, 4), conv_kernel=(10, 8, 4, 4),
        conv_bias=False, num_conv_pos_embeddings=4, num_conv_pos_embedding_groups=2,
        feat_extract_norm="layer", do_stable_layer_norm=True, pad_token_id=tokenizer.pad_token_id)
    Wav2Vec2ForCTC(config).save_pretrained(root / "model")
    Wav2Vec2Processor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(root / "model")
    return root / "model"


@pytest.fixture(scope="module")
def local_model(tmp_path_factory):
    return make_model(tmp_path_factory.mktemp("local"), layers=0, normalize=False)


@pytest.fixture(scope="module")
def context_model(tmp_path_factory):
    return make_model(tmp_path_factory.mktemp("context"), layers=1, normalize=True)


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> list[Path]:
    """18 espeak-ng English sentences, 16 kHz mono wav, 2-4 s each."""
    root = tmp_path_factory.mktemp("clips")
    paths = []
    for index, sentence in enumerate(SENTENCES):
        raw = root / f"raw{index:02d}.wav"
        subprocess.run(["espeak-ng", "-v", "en", "-s", "130", "-w", str(raw), sentence], check=True)
        samples, _ = load_audio(raw, RATE)
        paths.append(root / f"clip{index:02d}.wav")
        write_wav(paths[-1], samples, RATE)
        raw.unlink()
    return paths


@pytest.fixture(scope="module")
def long_wav(clips, tmp_path_factory) -> Path:
    """The clips one after another with 0.4 s pauses: about 60 s."""
    gap = np.zeros(int(0.4 * RATE), np.float32)
    parts = [part for clip in clips for part in (soundfile.read(clip, dtype="float32")[0], gap)]
    path = tmp_path_factory.mktemp("long") / "long.wav"
    write_wav(path, np.concatenate(parts), RATE)
    assert 55 < soundfile.info(path).duration < 65
    return path


def log_probs_of(model_dir: Path, path: Path, chunk: float, stride: float = 2.0) -> np.ndarray:
    recognizer = load_recognizer(model_dir, device="cpu", chunk_seconds=chunk, stride_seconds=stride)
    return chunked_log_probs(recognizer.model, recognizer.frontend, stream_audio(path, RATE), recognizer.plan,
                             "cpu", soundfile.info(path).frames)[0]


def text_of(model_dir: Path, path: Path, chunk: float, stride: float = 2.0) -> str:
    recognizer = load_recognizer(model_dir, device="cpu", chunk_seconds=chunk, stride_seconds=stride)
    return transcribe_file(recognizer, AudioItem("x", path)).text


def cer(ref: str, hyp: str) -> float:
    return count_edits(align(list(ref), list(hyp))).rate()


def assert_equals_decode_ctc(model_dir: Path, clips: list[Path], tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text("".join(json.dumps({"utt_id": clip.stem, "audio_filepath": str(clip)}) + "\n"
                                for clip in clips), encoding="utf-8")
    cache = load_logits(compute_logits(model_dir, manifest, tmp_path / "logits.npz", max_batch_size=1))
    expected = decode_logits(cache, [clip.stem for clip in clips], "greedy")
    result = transcribe(model_dir, clips, device="cpu", out_dir=tmp_path / "out")  # default 30 s chunks
    assert [t.text for t in result.transcripts] == expected
    for clip in clips:
        np.testing.assert_array_equal(log_probs_of(model_dir, clip, 30.0, 5.0), cache.logits[clip.stem])

"""Learning on a human voice: a tiny CTC model memorises 8 real Asterisk prompts (CER <= 5 %).

If the features, the targets, the CTC loss or the decoding were wrong for real 8 kHz telephone
speech (resampled to 16 kHz by data prep), a model could not fit even 8 utterances.
"""
from __future__ import annotations

import json
from pathlib import Path

import jiwer
import pytest
import soundfile as sf
import yaml

from local.asterisk_prompts import SOUNDS_DIRS, TRANSCRIPTS
from local.normalizers.en_ivr import normalize

PROMPTS = ["activated", "added", "goodbye", "calling", "cancelled", "call-waiting", "please-try-again",
           "auth-thankyou"]
MAX_STEPS = 300  # the bound: memorised within this many updates, or the test fails
MODEL = {"hidden_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 384,
         "conv_depthwise_kernel_size": 7, "fbank_stride": 3, "mask_time_prob": 0.0}
TRAIN = {"batch_size": 8, "eval_batch_size": 8, "learning_rate": 3.0e-3, "warmup_steps": 30,
         "logging_steps": 25, "eval_steps": MAX_STEPS, "save_steps": MAX_STEPS, "cache_features": True,
         "seed": 0}

installed = pytest.mark.skipif(
    not (TRANSCRIPTS.is_file() and any((d / "activated.wav").is_file() for d in SOUNDS_DIRS)),
    reason="asterisk-core-sounds-en(-wav) not installed (tools/setup.sh installs them)")


def real_manifest(root: Path) -> Path:
    """The 8 prompts converted to 16 kHz as data prep converts them, with normalised texts."""
    from local.asterisk_prompts import find_asterisk_prompts, read_transcripts, transcript_file
    from utils.audio import convert_to_wav

    sounds = find_asterisk_prompts()
    texts = {name: text for _, name, text in read_transcripts(transcript_file(sounds))[0]}
    rows = []
    for name in PROMPTS:
        wav = root / "wav" / f"allison-{name}.wav"
        wav.parent.mkdir(parents=True, exist_ok=True)
        info = convert_to_wav(sounds / f"{name}.wav", wav)
        rows.append({"audio_filepath": str(wav), "duration": info.duration, "text": normalize(texts[name]),
                     "utt_id": f"allison-{name}", "speaker": "allison"})
    manifest = root / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    chars = sorted(set("".join(row["text"] for row in rows).replace(" ", "|")))
    table = {char: i for i, char in enumerate(chars)}
    table.update({"[UNK]": len(table), "[PAD]": len(table) + 1})
    (root / "vocab.json").write_text(json.dumps(table), encoding="utf-8")
    return manifest


@installed
def test_tiny_model_memorises_eight_real_prompts(tmp_path):
    from transformers import pipeline

    from steps.train_ctc import train_ctc

    manifest = real_manifest(tmp_path)
    config = tmp_path / "overfit.yaml"
    config.write_text(yaml.safe_dump({"model": MODEL, "train": {**TRAIN, "max_steps": MAX_STEPS}}))
    model_dir = train_ctc(manifest, manifest, tmp_path / "vocab.json", config, tmp_path / "model",
                          tmp_path / "work", num_threads=2)
    asr = pipeline("automatic-speech-recognition", model=str(model_dir), device="cpu")
    rows = [json.loads(line) for line in manifest.read_text().splitlines()]
    hyps = []
    for row in rows:
        samples, rate = sf.read(row["audio_filepath"], dtype="float32")
        hyps.append(normalize(asr({"raw": samples, "sampling_rate": rate})["text"]))
    refs = [row["text"] for row in rows]
    cer = jiwer.cer(refs, hyps)
    assert cer <= 0.05, f"CER {cer:.1%} after {MAX_STEPS} steps: {list(zip(refs, hyps))}"

"""A handful of espeak-ng utterances for the overfit tests: wavs at 16 kHz, a manifest, a vocab.json."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import soundfile
import soxr

TEXTS = ["tá sé fuar", "an bhfuil tú", "bhí mé ann", "go raibh maith agat"]


def make_overfit_corpus(root: Path, texts: list[str] = TEXTS, lang: str = "ga") -> dict[str, Path]:
    """Speak each text once with espeak-ng (`lang` voice); write root/wav/*.wav, manifest.jsonl, vocab.json."""
    rows = []
    (root / "wav").mkdir(parents=True, exist_ok=True)
    for index, text in enumerate(texts):
        raw = root / "wav" / f"espeak{index}.raw.wav"
        subprocess.run(["espeak-ng", "-v", lang, "-s", "150", "-w", str(raw), text], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        samples, rate = soundfile.read(raw, dtype="float32")
        raw.unlink()
        samples = soxr.resample(samples, rate, 16000).astype(np.float32)
        voiced = np.flatnonzero(np.abs(samples) > 0.01)  # espeak-ng pads ~0.35 s of silence: trim it
        samples = samples[max(0, voiced[0] - 800): voiced[-1] + 800]
        wav = root / "wav" / f"spk1-utt{index}.wav"
        soundfile.write(wav, samples, 16000)
        rows.append({"audio_filepath": str(wav), "duration": len(samples) / 16000, "text": text,
                     "utt_id": f"spk1-utt{index}", "speaker": "spk1"})
    manifest = root / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    chars = sorted(set("".join(texts).replace(" ", "|")))
    table = {char: i for i, char in enumerate(chars)}
    table.update({"[UNK]": len(table), "[PAD]": len(table) + 1})
    vocab = root / "vocab.json"
    vocab.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    return {"root": root, "manifest": manifest, "vocab": vocab}

"""A small finished recipe folder written by hand, for the explorer report's tests.

Kaldi files and TSVs are written here line by line from their formats; score.json comes from
`steps.score.score` (the project's scoring, which the report reads and does not recompute), and
the wavs are real 16 kHz PCM files so that a browser can play them.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import soundfile as sf

from steps.score import score

TAG = "m1"
# utt -> (speaker, seconds, reference, greedy hypothesis, beam_lm hypothesis)
TEST = {
    "spka-u1": ("spka", 1.0, "tá sé go maith", "tá sé go maith", "tá sé go maith"),
    "spka-u2": ("spka", 2.0, "an bhfuil tú ag obair", "an bhfil tú obair inniu", "an bhfuil tú ag obair"),
    "spkb-u3": ("spkb", 1.5, "tá an zebra mór", "tá an sebra mór", "tá an mór mór"),
    "spkb-u4": ("spkb", 0.5, "go maith", "go", "go maith an an"),
    "spkc-u5": ("spkc", 3.0, "éirí ag obair inniu", "xx", "éirí ag obair inniu"),
}
TRAIN = {
    "spkd-t1": ("spkd", 2.5, "tá sé go maith"), "spkd-t2": ("spkd", 1.2, "an bhfuil tú ag obair inniu"),
    "spke-t3": ("spke", 4.0, "éirí mór ß"),
}
VOCAB = ["'", "a", "á", "b", "c", "e", "é", "f", "g", "h", "i", "í", "l", "m", "n", "o", "r", "s", "t", "u", "ú",
         "x", "z", "|", "[UNK]", "[PAD]"]
LM_WORDS = ["tá", "sé", "go", "maith", "an", "bhfuil", "tú", "ag", "obair", "éirí", "mór"]


def make_recipe(root: Path) -> Path:
    """Write the recipe folder under `root` (data/, exp/m1/); returns its path."""
    recipe = root / "toy"
    for name, table in (("test", TEST), ("train", TRAIN)):
        rows = {utt: (spk, dur, text) for utt, (spk, dur, text, *_) in table.items()}
        _data_dir(recipe, name, rows)
    (recipe / "data/train/prep_report.tsv").write_text(
        "file\tline\tutt_id\taction\treason\n"
        "train.tsv\t4\tspkd-t9\tdropped\tclips/x.mp3: zero-byte file\n"
        "train.tsv\t5\tspkd-t8\tdropped\tclips/y.mp3: zero-byte file\n"
        "train.tsv\t6\tspke-t7\trepaired\tclips/z.mp3: 44100 Hz stereo resampled\n", encoding="utf-8")
    lang = recipe / "data/lang"
    lang.mkdir(parents=True)
    (lang / "vocab.json").write_text(json.dumps({tok: k for k, tok in enumerate(VOCAB)}, ensure_ascii=False), "utf-8")
    (lang / "unigrams.txt").write_text("\n".join(LM_WORDS) + "\n", encoding="utf-8")
    work = recipe / "exp" / TAG / "work"
    work.mkdir(parents=True)
    (work / "curves.json").write_text(json.dumps({
        "train": [{"step": 10, "loss": 9.0, "learning_rate": 1e-3}, {"step": 20, "loss": 4.0, "learning_rate": 1e-3}],
        "dev": [{"step": 20, "loss": 5.0, "wer": 0.9, "cer": 0.6}, {"step": 40, "loss": float("nan"), "wer": 0.7,
                                                                     "cer": 0.4}]}), encoding="utf-8")
    for k, decoder in ((3, "greedy"), (4, "beam_lm")):
        decode = recipe / "exp" / TAG / f"decode_test_{decoder}"
        decode.mkdir(parents=True)
        (decode / "hyp").write_text("".join(f"{u} {row[k]}\n" for u, row in sorted(TEST.items())), "utf-8")
        settings = {"decoder": decoder, "set": "test", "beam_width": None if decoder == "greedy" else 8,
                    **({"lm_dir": str(lang), "alpha": 0.5, "beta": 1.0} if decoder == "beam_lm" else {})}
        (decode / "decode.json").write_text(json.dumps(settings), encoding="utf-8")
        data = recipe / "data/test"
        score(data / "text", decode / "hyp", decode / "score", None, data / "utt2spk", data / "utt2dur", n_boot=50)
    return recipe


def _data_dir(recipe: Path, name: str, rows: dict[str, tuple[str, float, str]]) -> None:
    data, wavs = recipe / "data" / name, recipe / "data/wavs" / name
    data.mkdir(parents=True)
    wavs.mkdir(parents=True)
    ids = sorted(rows)
    for k, utt in enumerate(ids):  # a tone per utterance, so the page's audio has something to load
        seconds = rows[utt][1]
        t = np.arange(int(16000 * seconds)) / 16000
        sf.write(wavs / f"{utt}.wav", (0.2 * np.sin(2 * np.pi * (220 + 40 * k) * t)).astype(np.float32), 16000,
                 subtype="PCM_16")
    files = {"wav.scp": {u: str(wavs / f"{u}.wav") for u in ids}, "text": {u: rows[u][2] for u in ids},
             "utt2spk": {u: rows[u][0] for u in ids}, "utt2dur": {u: f"{rows[u][1]:.2f}" for u in ids}}
    for file, table in files.items():
        (data / file).write_text("".join(f"{u} {v}\n" for u, v in table.items()), encoding="utf-8")
    spk2utt: dict[str, list[str]] = {}
    for utt in ids:
        spk2utt.setdefault(rows[utt][0], []).append(utt)
    (data / "spk2utt").write_text("".join(f"{s} {' '.join(u)}\n" for s, u in sorted(spk2utt.items())), "utf-8")

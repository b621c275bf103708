"""A tiny recipe folder with a test set and decode dirs of a better and a worse system."""
from __future__ import annotations

import json
import random
from pathlib import Path

WORDS = ["tá", "sé", "go", "maith", "an", "bhfuil", "tú", "ag", "obair", "inniu", "éirí", "mór"]


def make_test_set(data_dir: Path, n_utts: int = 40, seed: int = 0) -> dict[str, str]:
    """data_dir/{text,utt2spk,utt2dur} for `n_utts` utterances of 3 speakers; returns the text."""
    rng = random.Random(seed)
    refs = {}
    for k in range(n_utts):
        utt = f"spk{k % 3}-utt{k:03d}"
        refs[utt] = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 14)))
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "text").write_text("".join(f"{u} {t}\n" for u, t in sorted(refs.items())), "utf-8")
    (data_dir / "utt2spk").write_text("".join(f"{u} {u.split('-')[0]}\n" for u in sorted(refs)), "utf-8")
    (data_dir / "utt2dur").write_text(
        "".join(f"{u} {0.6 * len(t.split()):.2f}\n" for u, t in sorted(refs.items())), "utf-8")
    return refs


def corrupt(refs: dict[str, str], error_share: float, seed: int) -> dict[str, str]:
    """Hypotheses with roughly `error_share` of the words substituted, dropped or doubled."""
    rng = random.Random(seed)
    hyps = {}
    for utt, text in refs.items():
        out = []
        for word in text.split():
            roll = rng.random()
            if roll < error_share / 3:
                out.append(rng.choice(WORDS + ["xx"]))
            elif roll < 2 * error_share / 3:
                continue
            elif roll < error_share:
                out += [word, "uh"]
            else:
                out.append(word)
        hyps[utt] = " ".join(out)
    return hyps


def make_decode_dir(decode_dir: Path, hyps: dict[str, str], decoder: str, lm: str | None = None) -> Path:
    """decode_dir/hyp (Kaldi format, bare ids for empty texts) and decode_dir/decode.json."""
    decode_dir.mkdir(parents=True, exist_ok=True)
    lines = [f"{u} {t}".rstrip() + "\n" for u, t in sorted(hyps.items())]
    (decode_dir / "hyp").write_text("".join(lines), "utf-8")
    settings = {"decoder": decoder, "beam_width": None if decoder == "greedy" else 16,
                "alpha": 0.5, "beta": 1.0, "lm": lm, "model_dir": "exp/base/model", "set": "test"}
    (decode_dir / "decode.json").write_text(json.dumps(settings), "utf-8")
    return decode_dir / "hyp"

"""Frozen decoder outputs on fixed log-probs: what tests/steps/test_decode_golden.py compares against.

The fixture (tests/fixtures/decode_golden/) was made once and is committed:
  logits.npz    a currach logits cache (utils.ctc_logits format): 20 utterances x 33-102 frames
                x the 11 labels of the tiny test model (tests/steps/tiny_ctc.LABELS), synthetic
                CTC posteriors with realistic confusions (b/d, t/d, o/u, e/i), blank runs and
                dropped word breaks, so that greedy, beam, LM and hotwords disagree on some of them;
  lm/lm.arpa    a 3-gram KenLM ARPA (lmplz, via steps.train_lm) of the sentences below, and
  lm/unigrams.txt
  expected.tsv  `decoder<TAB>utt_id<TAB>rank<TAB>score<TAB>text` for each decoder setting of
                SETTINGS; rank 1 of every n-best list is the one-best hypothesis; `score` is the
                search's combined log score (repr of the float; empty for greedy and one-best).

expected.tsv was written under the numpy-1 stack (numpy 1.26.4, pyctcdecode 0.5.0, kenlm 0.3.0):
    .venv/bin/python -m tests.steps.decode_golden inputs    # once: logits.npz and lm/ (needs lmplz)
    .venv/bin/python -m tests.steps.decode_golden expected  # expected.tsv from the committed inputs
Never rewrite expected.tsv to make the test pass: a difference is a change of decoder behaviour.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

from steps.decode_ctc import decode_logits
from tests.steps.tiny_ctc import BLANK, LABELS
from utils.ctc_logits import META_KEY, load_logits
from utils.ctc_search import SearchSettings
from utils.text_files import atomic_write_npz

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "decode_golden"
HEADER = "decoder\tutt_id\trank\tscore\ttext"
WORDS = ["to", "be", "it", "bit", "dub", "de", "tout", "tide", "diet", "edit", "audit", "dot", "tub",
         "out", "bead", "bode", "duet", "iota", "tuba", "debut"]
LM_SENTENCES = ["to be it", "be it to", "dub it out", "to edit it", "a bit out", "audit a tub",
                "to debut a tuba", "tide out", "diet to be", "bead it", "to dot it", "tout de",
                "be it to edit", "dub a tuba out", "bode it", "duet to it"]
CONFUSIONS = {"b": "d", "d": "b", "t": "d", "o": "u", "u": "o", "e": "i", "i": "e", "a": "o"}
HOTWORDS = ("tuba", "duet")
# (name in expected.tsv, decode_ctc decoder, search settings)
SETTINGS = [
    ("greedy", "greedy", SearchSettings()),
    ("beam8", "beam", SearchSettings(beam_width=8)),
    ("beam32", "beam", SearchSettings(beam_width=32)),
    ("beam_lm", "beam_lm", SearchSettings(32, alpha=0.5, beta=1.0)),
    ("beam_lm_a1.5_b0", "beam_lm", SearchSettings(32, alpha=1.5, beta=0.0)),
    ("beam_lm_a0.3_b2", "beam_lm", SearchSettings(16, alpha=0.3, beta=2.0)),
    ("beam_hotwords", "beam", SearchSettings(32, hotwords=HOTWORDS)),
    ("beam_lm_hotwords", "beam_lm", SearchSettings(32, alpha=0.5, beta=1.0, hotwords=HOTWORDS)),
    ("beam_nbest5", "beam", SearchSettings(16, nbest=5)),
    ("beam_lm_nbest5", "beam_lm", SearchSettings(32, alpha=0.5, beta=1.0, nbest=5)),
]


def decode_all(fixture: Path = FIXTURE, nj: int = 1) -> str:
    """The text of expected.tsv for the committed logits and LM, decoded here and now by
    steps.decode_ctc.decode_logits (what decode_set runs on a logits cache)."""
    ctc = load_logits(fixture / "logits.npz")
    utts = sorted(ctc.logits, key=lambda utt: utt.encode("utf-8"))
    lines = [HEADER]
    for name, decoder, settings in SETTINGS:
        results = decode_logits(ctc, utts, decoder, fixture / "lm", settings, nj)
        for utt, result in zip(utts, results):
            beams = result if settings.nbest else [(result, None)]
            lines += [f"{name}\t{utt}\t{rank}\t{'' if score is None else repr(score)}\t{text}"
                      for rank, (text, score) in enumerate(beams, 1)]
    return "\n".join(lines) + "\n"


def make_logits(rng: np.random.Generator, n_utts: int = 20) -> dict[str, np.ndarray]:
    """Synthetic CTC log-probs that spell random word sequences, with noise and confusions."""
    out = {}
    for index in range(n_utts):
        words = [WORDS[i] for i in rng.choice(len(WORDS), size=int(rng.integers(4, 8)))]
        out[f"spk{index % 4 + 1}-utt{index:02d}"] = _spell(" ".join(words), rng)
    return out


def _spell(text: str, rng: np.random.Generator) -> np.ndarray:
    blank, n = LABELS.index(BLANK), len(LABELS)
    frames: list[int] = [blank] * int(rng.integers(1, 4))
    for pos, char in enumerate(text):
        if char == " " and rng.random() < 0.3:
            continue  # a word break the model missed
        symbol = LABELS.index("|" if char == " " else char)
        frames += [symbol] * int(rng.integers(1, 4))
        if pos + 1 < len(text) and (text[pos + 1] == char or rng.random() < 0.6):
            frames += [blank] * int(rng.integers(1, 3))
    frames += [blank] * int(rng.integers(1, 4))
    probs = np.zeros((len(frames), n))
    for row, symbol in enumerate(frames):
        peak = rng.uniform(0.35, 0.97)
        rest = rng.dirichlet(np.full(n - 1, 0.3)) * (1 - peak)
        probs[row, [i for i in range(n) if i != symbol]] = rest
        probs[row, symbol] = peak
        char = LABELS[symbol]
        if char in CONFUSIONS and rng.random() < 0.35:  # the confusable letter takes a share, maybe most
            other = LABELS.index(CONFUSIONS[char])
            share = rng.uniform(0.2, 0.7) * probs[row, symbol]
            probs[row, symbol] -= share
            probs[row, other] += share
    return np.log(np.maximum(probs, 1e-8)).astype(np.float32)


def write_inputs(fixture: Path = FIXTURE, seed: int = 20261201) -> None:
    """logits.npz (a logits cache without a fingerprint) and lm/ (lmplz via steps.train_lm)."""
    import json
    import shutil

    from steps.train_lm import train_lm

    fixture.mkdir(parents=True, exist_ok=True)
    meta = {"version": 1, "fingerprint": None, "labels": LABELS, "blank": BLANK,
            "model_dir": None, "manifest": None, "made_by": "tests/steps/decode_golden.py"}
    logits = make_logits(np.random.default_rng(seed))
    atomic_write_npz(fixture / "logits.npz", {**logits, META_KEY: np.array(json.dumps(meta))})
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.txt"
        corpus.write_text("\n".join(LM_SENTENCES) + "\n", encoding="utf-8")
        lm = train_lm([corpus], Path(tmp) / "lm", order=3)
        (fixture / "lm").mkdir(exist_ok=True)
        for name in ("lm.arpa", "unigrams.txt"):
            shutil.copy(lm / name, fixture / "lm" / name)


def main(argv: list[str]) -> int:
    """`inputs`: (re)make logits.npz and lm/; `expected`: write expected.tsv from them."""
    if argv == ["inputs"]:
        write_inputs()
    elif argv == ["expected"]:
        (FIXTURE / "expected.tsv").write_text(decode_all(), encoding="utf-8")
    else:
        print("usage: python -m tests.steps.decode_golden inputs|expected", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

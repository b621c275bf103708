"""The espeak-ng demo corpus in Common Voice's layout (local/synth_corpus.py), read as Common Voice."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

from local.corpora.common_voice import prepare  # noqa: F401  (the built folder is Common Voice-shaped)
from local.synth_corpus import make_synthetic_corpus

SETTINGS: tuple[str, ...] = ("corpus",)


def build(sentences: Path, out_dir: Path, config: Mapping, nj: int) -> None:
    """Speak each sentence (config corpus.lang, renditions, seed, max_sentences) into `out_dir`."""
    corpus = config["corpus"]
    make_synthetic_corpus(sentences, out_dir, corpus["lang"], corpus["renditions"], seed=corpus["seed"],
                          max_sentences=corpus.get("max_sentences"), nj=nj)


def check(corpus_dir: Path, config: Mapping) -> dict:
    """Name and clip count of the built corpus."""
    return {"name": f"synthetic espeak-ng {config['corpus']['lang']}",
            "clips": sum(1 for _ in (corpus_dir / "clips").iterdir())}

"""The espeak-ng demo corpus from Singapore-English sentences respelt for espeak (local/nsc.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

from local.corpora.common_voice import prepare  # noqa: F401  (the built folder is Common Voice-shaped)
from local.nsc import make_synthetic_corpus_en_sg

SETTINGS: tuple[str, ...] = ("corpus",)


def build(sentences: Path, out_dir: Path, config: Mapping, nj: int) -> None:
    """Respell and speak each sentence (config corpus.lang, renditions, seed, max_sentences)."""
    corpus = config["corpus"]
    make_synthetic_corpus_en_sg(sentences, out_dir, corpus["lang"], corpus["renditions"], seed=corpus["seed"],
                                nj=nj, max_sentences=corpus.get("max_sentences"))


def check(corpus_dir: Path, config: Mapping) -> dict:
    """Name, layout and clip count of the built corpus."""
    return {"name": f"synthetic espeak-ng {config['corpus']['lang']} (Singapore English sentences)",
            "layout": "common_voice", "clips": sum(1 for _ in (corpus_dir / "clips").iterdir())}

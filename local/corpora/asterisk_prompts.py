"""The Asterisk English prompts (one human voice, 8 kHz telephone audio), read by local/asterisk_prompts.py.

No --corpus-dir: the installed asterisk-core-sounds-en(-wav) packages. Splits are made by a
seeded hash of the normalised text (config corpus.seed, corpus.shares), so no sentence is in two.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from local.asterisk_prompts import check_asterisk_prompts, prepare_asterisk_prompts

if TYPE_CHECKING:
    from pipeline.jobs import Jobs

SETTINGS: tuple[str, ...] = ("corpus.seed", "corpus.shares", "data.max_drop_share")


def check(corpus_dir: Path | None, config: Mapping) -> dict:
    """The sounds folder (`corpus_dir`, or the installed one) and its transcript list; their counts."""
    return check_asterisk_prompts(corpus_dir)


def prepare(corpus_dir: Path | None, split: str, out_dir: Path, wav_dir: Path, jobs: "Jobs", config: Mapping) -> None:
    """data dir for `split` (a key of corpus.shares), audio converted from 8 kHz to 16 kHz wav."""
    corpus = config["corpus"]
    prepare_asterisk_prompts(corpus_dir, split, out_dir, wav_dir, shares=corpus["shares"], seed=corpus["seed"],
                             nj=jobs, max_drop_share=config["data"]["max_drop_share"])

"""A plain folder: audio_clips/<name>.wav + transcripts/<name>.txt (read by local/nsc.py's plain layout)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from local.corpora import nsc
from utils.errors import InputError

if TYPE_CHECKING:
    from pipeline.jobs import Jobs

SETTINGS: tuple[str, ...] = ("nsc",)


def check(corpus_dir: Path, config: Mapping) -> dict:
    """audio_clips/ and transcripts/ exist; how many clips."""
    for sub in ("audio_clips", "transcripts"):
        if not (corpus_dir / sub).is_dir():
            raise InputError(f"{corpus_dir}: no {sub}/ folder; a plain corpus holds audio_clips/<name>.wav "
                             "and transcripts/<name>.txt")
    return nsc.check(corpus_dir, config)


def prepare(corpus_dir: Path, split: str, out_dir: Path, wav_dir: Path, jobs: "Jobs", config: Mapping) -> None:
    """data dir for `split` (shares and speaker pattern from config nsc)."""
    check(corpus_dir, config)
    nsc.prepare(corpus_dir, split, out_dir, wav_dir, jobs, config)

"""National Speech Corpus Parts 1-2, or a plain clips + transcripts folder (local/nsc.py tells them apart)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from local.nsc import check_nsc, prepare_nsc

if TYPE_CHECKING:
    from pipeline.jobs import Jobs

SETTINGS: tuple[str, ...] = ("nsc",)


def check(corpus_dir: Path, config: Mapping) -> dict:
    """The NSC scripts (unzipped) for the configured channels, or the plain folder's clips."""
    return check_nsc(corpus_dir, tuple(config["nsc"]["channels"]))


def prepare(corpus_dir: Path, split: str, out_dir: Path, wav_dir: Path, jobs: "Jobs", config: Mapping) -> None:
    """data dir for `split`, split by a hash of the normalised sentence (config nsc.shares)."""
    nsc = config["nsc"]
    prepare_nsc(corpus_dir, split, out_dir, wav_dir, shares=nsc["shares"], nj=jobs,
                max_drop_share=config["data"]["max_drop_share"], speaker_pattern=nsc["speaker_pattern"],
                channels=tuple(nsc["channels"]))

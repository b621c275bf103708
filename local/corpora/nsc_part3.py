"""National Speech Corpus Part 3: conversations in TextGrids, as Kaldi segments of the recordings.

sg_en chooses this reader with --nsc-part 3 (see local/nsc_part3.py for the layout).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from local.nsc_part3 import check_part3, prepare_part3

if TYPE_CHECKING:
    from pipeline.jobs import Jobs

SETTINGS: tuple[str, ...] = ("nsc.shares", "nsc.part3_mics", "nsc.part3_seed", "data.max_drop_share")


def check(corpus_dir: Path, config: Mapping) -> dict:
    """PART3 has TextGrids with recordings for the configured microphones; their counts."""
    return check_part3(corpus_dir, tuple(config["nsc"]["part3_mics"]))


def prepare(corpus_dir: Path, split: str, out_dir: Path, wav_dir: Path, jobs: "Jobs", config: Mapping) -> None:
    """Segmented data dir for `split`, conversations split by a seeded shuffle (config nsc.shares, part3_seed)."""
    nsc = config["nsc"]
    prepare_part3(corpus_dir, split, out_dir, wav_dir, nsc["shares"], seed=nsc["part3_seed"], nj=jobs,
                  max_drop_share=config["data"]["max_drop_share"], mics=tuple(nsc["part3_mics"]))

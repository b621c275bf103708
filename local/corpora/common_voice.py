"""Common Voice (any locale): clips/ + <split>.tsv, read by local/common_voice.py."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from local.common_voice import check_common_voice, prepare_common_voice

if TYPE_CHECKING:
    from pipeline.jobs import Jobs

SETTINGS: tuple[str, ...] = ()
SPLITS = ("train", "dev", "test")


def check(corpus_dir: Path, config: Mapping) -> dict:
    """The locale folder has clips/ and a readable TSV per split; its name and release."""
    return check_common_voice(corpus_dir, SPLITS)


def prepare(corpus_dir: Path, split: str, out_dir: Path, wav_dir: Path, jobs: "Jobs", config: Mapping) -> None:
    """data dir for `split` from <split>.tsv (see local/common_voice.py)."""
    prepare_common_voice(corpus_dir, split, out_dir, wav_dir, nj=jobs,
                         max_drop_share=config["data"]["max_drop_share"])

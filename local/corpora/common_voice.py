"""Common Voice (any locale): clips/ + <split>.tsv or a datasets folder, read by local/common_voice.py.

The recipe option --train-set (config["options"]["train_set"]: train, or validated less dev and
test) names the TSV data/train is read from.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from local.common_voice import check_common_voice, prepare_common_voice

if TYPE_CHECKING:
    from pipeline.jobs import Jobs

SETTINGS: tuple[str, ...] = ("options.train_set",)
EVAL_SPLITS = ("dev", "test")


def _train_set(config: Mapping) -> str:
    return (config.get("options") or {}).get("train_set") or "train"


def check(corpus_dir: Path, config: Mapping) -> dict:
    """The locale folder has clips/ and a readable TSV per split (or a datasets folder); its name and release."""
    return check_common_voice(corpus_dir, (_train_set(config), *EVAL_SPLITS))


def prepare(corpus_dir: Path, split: str, out_dir: Path, wav_dir: Path, jobs: "Jobs", config: Mapping) -> None:
    """data dir for `split` from <split>.tsv, train from --train-set's TSV (see local/common_voice.py)."""
    prepare_common_voice(corpus_dir, split, out_dir, wav_dir, nj=jobs,
                         max_drop_share=config["data"]["max_drop_share"], train_set=_train_set(config))

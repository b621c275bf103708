"""validate_data_dir: check a Kaldi data dir against the data contract, like Kaldi's script.

    python -m steps validate_data_dir recipes/ga_ie/data/train

Checks wav.scp, text, utt2spk, spk2utt, utt2dur (and text.raw when present): UTF-8,
"\\n" endings, keys sorted by byte order and unique, the same utterances in every file,
speaker ids prefixes of utterance ids, spk2utt matching utt2spk, non-empty text without
tabs, positive durations, wav.scp paths (absolute, or relative to the data dir) existing and
not pipes. A dir with `segments` (long recordings) is checked as Kaldi does: wav.scp and reco2dur
keyed by the recordings the segments name, 0 <= start < end <= the recording's length, utt2dur = end - start.
The rules: utils/data_dir_checks.py, checked file by file and line by line (utils/data_dir_validate.py). Writes nothing; exits 1 and lists every problem.
"""
from __future__ import annotations

import logging
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from utils.data_dir import validate_data_dir
from utils.data_dir_scan import records
from utils.errors import CurrachError

__all__ = ["main", "validate_data_dir"]

logger = logging.getLogger(__name__)


def main(
    data_dir: Annotated[Path, typer.Argument(help="Kaldi data dir to check, e.g. data/train")],
) -> None:
    """Check a Kaldi data dir (wav.scp, text, utt2spk, spk2utt, utt2dur); exit 1 listing every problem.

    Example: python -m steps validate_data_dir recipes/ga_ie/data/train
    """
    logger.info("command line: %s", shlex.join(sys.argv))
    logger.info("validate_data_dir data_dir=%s", data_dir.resolve())
    try:
        problems = validate_data_dir(data_dir)
        if not problems:
            count = sum(1 for _ in records(data_dir / "utt2spk"))
    except CurrachError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(1) from err
    if problems:
        typer.echo(f"{data_dir}: {len(problems)} problem(s)")
        for problem in problems:
            typer.echo(f"  {problem}")
        typer.echo(f"fix: python -m steps fix_data_dir {data_dir}  (drops bad utterances, reports them)")
        logger.error("validate_data_dir: %s is invalid (%d problems); wrote nothing", data_dir, len(problems))
        raise typer.Exit(1)
    typer.echo(f"{data_dir}: valid ({count} utterances)")
    logger.info("validate_data_dir: %s is valid (%d utterances); wrote nothing", data_dir, count)

"""fix_data_dir: repair a Kaldi data dir the way Kaldi's utils/fix_data_dir.sh does.

    python -m steps fix_data_dir recipes/ga_ie/data/train

Keeps the utterances with a valid entry in every per-utterance file (wav.scp, text,
utt2spk, utt2dur, text.raw if present), drops the rest (empty text, missing audio, bad
duration, unreadable line, missing from a file; in a dir with `segments`: a segment
whose recording is missing, unusable or shorter than it), repairs CRLF endings, sorts
every file, keeps only recordings some segment uses and regenerates spk2utt. Writes:
  DATA_DIR/fix_data_dir.report.tsv   utt_id, file, line, reason: every dropped utterance
                                     (utt_id empty for a line whose key is unreadable)
  DATA_DIR/.backup/                  the files as they were, when anything was rewritten
A dir that already validates is left as it is. Exits 1 if nothing would be kept (the dir
is then left unchanged) or the result still does not validate.
"""
from __future__ import annotations

import logging
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from utils.data_dir import FixReport, fix_data_dir
from utils.errors import CurrachError

__all__ = ["FixReport", "fix_data_dir", "main"]

logger = logging.getLogger(__name__)


def main(
    data_dir: Annotated[Path, typer.Argument(help="Kaldi data dir to repair in place, e.g. data/train")],
) -> None:
    """Drop utterances that are incomplete or broken, sort, regenerate spk2utt; report what was dropped.

    Example: python -m steps fix_data_dir recipes/ga_ie/data/train
    """
    logger.info("command line: %s", shlex.join(sys.argv))
    logger.info("fix_data_dir data_dir=%s", data_dir.resolve())
    try:
        result = fix_data_dir(data_dir)
    except CurrachError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(1) from err
    if result.dropped:
        logger.warning("fix_data_dir: dropped %d utterance(s) from %s; reasons in %s",
                       result.dropped, data_dir, result.report)
    action = "rewrote the dir (originals in .backup/)" if result.rewritten else "dir already valid, left as is"
    typer.echo(f"{data_dir}: kept {result.kept}, dropped {result.dropped}, "
               f"repaired {result.repaired_line_endings} CRLF line ending(s); {action}; report: {result.report}")
    logger.info("fix_data_dir: wrote %s; %s", result.report, action)

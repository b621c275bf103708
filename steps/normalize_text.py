"""normalize_text: apply a language's normaliser to a data dir's raw transcripts.

Reads `text.raw` (written by data prep, kept as found) and writes `text`. The normaliser
is a module name (e.g. local.normalizers.ga) exposing `normalize(str) -> str`; the same one
is applied to hypotheses at scoring. A transcript the normaliser empties is an error naming
the line: data prep already dropped transcripts without letters or digits, so an empty
result means the normaliser deletes too much.

With --plain the input is plain text, one sentence per line (extra LM text), and so is the
output; lines the normaliser empties (blank lines, annotation-only lines) are dropped and
counted, since LM text is not tied to utterances.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from utils.errors import CurrachError, InputError
from utils.kaldi_files import read_kv, write_kv
from pipeline.kill_points import kill_point
from utils.text_files import atomic_write_text, read_plain_text
from utils.transcripts import Normalizer

log = logging.getLogger(__name__)


def normalize_text(text_raw: Path, out_text: Path, normalizer: str) -> int:
    """Write `out_text` = normaliser(text_raw) per utterance; returns the number of lines."""
    norm = Normalizer(normalizer)
    raw = read_kv(text_raw)
    out: dict[str, str] = {}
    for number, (utt_id, text) in enumerate(raw.items(), start=1):
        normalised = norm(text)
        if not normalised:
            raise InputError(f"{text_raw} line {number} ({utt_id}): normaliser {normalizer} turned "
                             f"{text!r} into nothing; fix the normaliser or drop that transcript")
        out[utt_id] = normalised
        kill_point("normalize_text")
    write_kv(out_text, out)
    changed = sum(1 for k in raw if raw[k] != out[k])
    log.info("normalize_text: %s -> %s with %s: %d lines, %d changed", text_raw, out_text, normalizer,
             len(out), changed)
    return len(out)


def normalize_plain_text(text_in: Path, out_text: Path, normalizer: str) -> int:
    """Write `out_text` = normaliser(line) for each line of plain `text_in`; returns the lines kept.

    Lines that normalise to nothing are dropped. Raises InputError for an unreadable file or
    one with no line left.
    """
    norm = Normalizer(normalizer)
    lines = read_plain_text(text_in)
    out = [text for text in map(norm, lines) if text]
    if not out:
        raise InputError(f"{text_in}: no line left after normalising with {normalizer}")
    atomic_write_text(out_text, "".join(line + "\n" for line in out))
    log.info("normalize_text: %s -> %s with %s: %d lines kept, %d dropped as empty", text_in, out_text,
             normalizer, len(out), len(lines) - len(out))
    return len(out)


def main(
    text_raw: Annotated[Path, typer.Argument(help="raw transcripts, Kaldi `utt_id text` (data/<set>/text.raw)")],
    out_text: Annotated[Path, typer.Argument(help="normalised transcripts to write (data/<set>/text)")],
    normalizer: Annotated[str, typer.Option(help="module exposing normalize(str) -> str")] = "local.normalizers.ga",
    plain: Annotated[bool, typer.Option(help="plain text in and out, one sentence per line (LM text)")] = False,
) -> None:
    """Normalise a data dir's transcripts with a language's normaliser.

    Example: python -m steps normalize_text data/train/text.raw data/train/text --normalizer local.normalizers.ga
    """
    log.info("%s", " ".join(sys.argv))
    try:
        (normalize_plain_text if plain else normalize_text)(text_raw, out_text, normalizer)
    except CurrachError as err:
        typer.echo(f"normalize_text: {err}", err=True)
        raise typer.Exit(1) from None

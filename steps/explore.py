"""explore: an offline HTML report of one model tag of a finished recipe: systems, utterances, errors and data.

    python -m steps explore recipes/ga_ie            # every model tag under exp/, one report each
    python -m steps explore recipes/ga_ie --tag tiny

Writes exp/<tag>/report/index.html and data.js beside it; open index.html in a browser, from
the file system (no server, no network). Sections:
  Systems     the tag's scored systems (its RESULTS.md rows): WER/CER with 95 % CI, and the
              model's training and dev curves (exp/<tag>/work/curves.json)
  Utterances  per test set and decoder: a sortable, filterable, paged table (WER, CER,
              duration, speaker, text search, "LM changed it", "LM made it worse"); a row
              opens the audio (the converted wav, linked by a path relative to the report),
              the aligned reference and hypothesis, and every other decoder's hypothesis
  Errors      top confusion pairs, most-missed words, insertions and deletions, OOV words of
              the test sets against the train text and the LM, WER per speaker
  Data        per set hours, utterances, speakers, a duration histogram, the character
              inventory against data/lang/vocab.json, and what prep dropped and why
Everything comes from the files the stages wrote (score.json alignments from `steps score`,
data/<set>/*, data/lang/*); nothing is re-decoded or re-scored. The report is a declared output
of the score stage (7), written for the tag of the config it runs (stages/score.py); this
command writes the same files from what a finished recipe folder holds, so the stage stays up to date.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from utils.errors import CurrachError, InputError
from utils.report_corpus import corpus_section
from utils.report_page import write_page
from utils.report_systems import CURVES_FILE, system_rows, tag_systems, training_curves
from utils.report_utterances import set_tables

REPORT_DIR = "report"
FORMAT = "currach-report/1"

logger = logging.getLogger(__name__)


def write_report(recipe_dir: Path, tag_dir: Path, out_dir: Path | None = None, score_files: list[Path] | None = None,
                 set_names: list[str] | None = None, curves: Path | None = None) -> Path:
    """Write the report of the model in `tag_dir` (exp/<tag>) into `out_dir`; its index.html.

    `out_dir` defaults to `tag_dir/report`; a stage passes its staging folder, which must sit
    beside `tag_dir/report` (wav links are made relative to that final place). The report holds
    that tag's systems only: `score_files` (default: every decode_*/score/score.json in `tag_dir`),
    the data dirs `set_names` (default: every one under data/) and the curves file `curves`
    (default: `tag_dir`/work/curves.json if it exists). Raises InputError when `tag_dir` holds no score.json.
    """
    recipe_dir, tag_dir = recipe_dir.resolve(), tag_dir.resolve()
    final_dir = tag_dir / REPORT_DIR
    out_dir = out_dir or final_dir
    systems = tag_systems(recipe_dir, tag_dir, None if score_files is None else [f.resolve() for f in score_files])
    rows = system_rows(systems)
    data_root = recipe_dir / "data"
    sets = set_tables(systems, rows, data_root, final_dir)
    data = {
        "format": FORMAT, "recipe": recipe_dir.name, "tag": tag_dir.name,
        "systems": rows, "curves": training_curves({tag_dir.name: curves or tag_dir / CURVES_FILE}),
        "sets": sets, "data": corpus_section(data_root, sorted(sets), set_names),
    }
    page = write_page(out_dir, data, f"{recipe_dir.name} / {tag_dir.name}: currach report")
    n_utts = sum(len(table["ids"]) for table in sets.values())
    logger.info("explore: %d system(s), %d scored utterance(s) of %s; wrote %s", len(rows), n_utts,
                tag_dir.name, page)
    return page


def model_tags(recipe_dir: Path) -> list[Path]:
    """The exp/<tag> folders that hold at least one scored decode, sorted."""
    exp = recipe_dir / "exp"
    return sorted(p for p in exp.iterdir() if p.is_dir() and any(p.glob("decode_*/score/score.json"))) \
        if exp.is_dir() else []


def main(
    recipe_dir: Annotated[Path, typer.Argument(help="a finished recipe folder (holding data/ and exp/)")],
    tag: Annotated[list[str] | None, typer.Option(
        help="model tag(s) under exp/ to report on (repeat the option); default: every scored one")] = None,
) -> None:
    """Write exp/<tag>/report/index.html: an offline explorer of systems, utterances, errors and data.

    Example: python -m steps explore recipes/ga_ie --tag tiny
    """
    logger.info("explore %s tag=%s", recipe_dir, tag)
    try:
        tag_dirs = [recipe_dir / "exp" / t for t in tag] if tag else model_tags(recipe_dir)
        if not tag_dirs:
            raise InputError(f"{recipe_dir}/exp: no decode_*/score/score.json; run the recipe's score stage (7)")
        for tag_dir in tag_dirs:
            page = write_report(recipe_dir, tag_dir)
            typer.echo(f"{page.relative_to(Path.cwd()) if page.is_relative_to(Path.cwd()) else page}")
    except CurrachError as err:
        logger.error("%s", err)
        raise typer.Exit(1) from err

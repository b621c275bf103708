"""make_results: a recipe's RESULTS.md and results.png from every score.json under its exp/.

    python -m steps make_results recipes/ga_ie

RESULTS.md: the hand-written text above the line `<!-- generated below: do not edit -->` is
kept; below it: one row per system (model tag, decoder, LM, alpha/beta, test set, WER, CER,
95 % CI) with the provenance its score.json recorded (commit, config and its fingerprint,
corpus, date: see `steps score --config/--corpus`), and a paired bootstrap of
the best system of each test set against the others. results.png: WER by system and WER by
utterance length. Both are regenerated whole on every run: never edit below the marker.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from utils.errors import CurrachError, InputError
from utils.results_plot import plot_results
from utils.results_table import collect_systems, comparisons, render, split_header
from utils.text_files import atomic_write_text

RESULTS_MD = "RESULTS.md"
RESULTS_PNG = "results.png"

logger = logging.getLogger(__name__)


def make_results(recipe_dir: Path, n_boot: int = 1000, seed: int = 0) -> Path:
    """Write RESULTS.md and results.png in `recipe_dir`; return the RESULTS.md path.

    Raises InputError when exp/ holds no score.json or one of them is not readable.
    """
    systems = collect_systems(recipe_dir)
    compared = comparisons(systems, n_boot=n_boot, seed=seed)
    plot_results(systems, recipe_dir / RESULTS_PNG)
    results = recipe_dir / RESULTS_MD
    try:
        existing = results.read_text(encoding="utf-8") if results.exists() else None
    except UnicodeDecodeError as exc:
        raise InputError(f"{results}: not UTF-8; fix or remove it (only text above the marker "
                         f"is kept)") from exc
    atomic_write_text(results, render(split_header(existing), systems, compared, RESULTS_PNG))
    logger.info("make_results: %d system(s), %d paired comparison(s); wrote %s and %s",
                len(systems), len(compared), results, recipe_dir / RESULTS_PNG)
    return results


def main(
    recipe_dir: Annotated[Path, typer.Argument(help="recipe folder holding exp/ (e.g. recipes/ga_ie)")],
    n_boot: Annotated[int, typer.Option(min=1, help="paired bootstrap resamples")] = 1000,
    seed: Annotated[int, typer.Option(help="paired bootstrap random seed")] = 0,
) -> None:
    """Regenerate RESULTS.md (text above the marker kept) and results.png from exp/**/score.json.

    Example: python -m steps make_results recipes/ga_ie
    """
    logger.info("make_results %s n_boot=%d seed=%d", recipe_dir, n_boot, seed)
    try:
        make_results(recipe_dir, n_boot, seed)
    except CurrachError as err:
        logger.error("%s", err)
        raise typer.Exit(1) from err

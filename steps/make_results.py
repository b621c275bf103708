"""make_results: a recipe's RESULTS.md and results.png from every score.json under its exp/.

    python -m steps make_results recipes/ga_ie --config recipes/ga_ie/conf/tiny.yaml \\
        --corpus "Common Voice ga-IE 17.0"

RESULTS.md: the hand-written text above the line `<!-- generated below: do not edit -->` is
kept; below it: provenance (commit, config fingerprint, corpus, date), one row per system
(model tag, decoder, LM, alpha/beta, test set, WER, CER, 95 % CI), and a paired bootstrap of
the best system of each test set against the others. results.png: WER by system and WER by
utterance length. Both are regenerated whole on every run: never edit below the marker.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from utils.errors import CurrachError, InputError
from utils.results_plot import plot_results
from utils.results_table import collect_systems, comparisons, render, split_header
from utils.stage_cli import code_version
from utils.text_files import atomic_write_text

RESULTS_MD = "RESULTS.md"
RESULTS_PNG = "results.png"

logger = logging.getLogger(__name__)


def make_results(recipe_dir: Path, provenance: dict, n_boot: int = 1000, seed: int = 0) -> Path:
    """Write RESULTS.md and results.png in `recipe_dir`; return the RESULTS.md path.

    `provenance`: shown as given (see `collect_provenance`); "date" defaults to today.
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
    text = render(split_header(existing), {"date": date.today().isoformat(), **provenance},
                  systems, compared, RESULTS_PNG)
    atomic_write_text(results, text)
    logger.info("make_results: %d system(s), %d paired comparison(s); wrote %s and %s",
                len(systems), len(compared), results, recipe_dir / RESULTS_PNG)
    return results


def collect_provenance(repo_dir: Path, config: Path | None, corpus: str | None) -> dict:
    """{commit, config, config_fingerprint, corpus, date} for `make_results`.

    commit: `git rev-parse --short HEAD` plus "-dirty" for uncommitted changes, "unknown"
    outside git. config_fingerprint: the first 12 hex digits of the config file's SHA-256.
    """
    out = {"commit": code_version(repo_dir), "corpus": corpus or "unknown",
           "date": date.today().isoformat()}
    if config is not None:
        try:
            digest = hashlib.sha256(config.read_bytes()).hexdigest()
        except OSError as exc:
            raise InputError(f"--config {config}: cannot read ({exc.strerror})") from exc
        out.update(config=str(config), config_fingerprint=digest[:12])
    return out


def main(
    recipe_dir: Annotated[Path, typer.Argument(help="recipe folder holding exp/ (e.g. recipes/ga_ie)")],
    config: Annotated[Path | None, typer.Option(help="the resolved config file to fingerprint")] = None,
    corpus: Annotated[str | None, typer.Option(help="corpus name and version, e.g. 'Common Voice ga-IE 17.0'")] = None,
    n_boot: Annotated[int, typer.Option(min=1, help="paired bootstrap resamples")] = 1000,
    seed: Annotated[int, typer.Option(help="paired bootstrap random seed")] = 0,
) -> None:
    """Regenerate RESULTS.md (text above the marker kept) and results.png from exp/**/score.json.

    Example: python -m steps make_results recipes/ga_ie --config recipes/ga_ie/conf/tiny.yaml
    --corpus "Common Voice ga-IE 17.0"
    """
    logger.info("make_results %s config=%s corpus=%s n_boot=%d seed=%d",
                recipe_dir, config, corpus, n_boot, seed)
    try:
        make_results(recipe_dir, collect_provenance(recipe_dir, config, corpus), n_boot, seed)
    except CurrachError as err:
        logger.error("%s", err)
        raise typer.Exit(1) from err

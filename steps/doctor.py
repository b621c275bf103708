"""doctor: is this machine ready to run a recipe? Each check says ok / warn / FAIL / info and a fix.

    python -m steps doctor                              # tools and packages
    python -m steps doctor --recipe recipes/ga_ie       # + its folders, normaliser, sentences, voice
    python -m steps doctor --lang cy                    # + whether espeak-ng speaks cy

Checks: python 3.11; torch (2.13.0 CPU) imports; torchaudio absent (it breaks transformers on
torch 2.13); transformers imports; KenLM lmplz and build_binary found and building a 2-line LM;
espeak-ng and its voice for --lang (or the recipe's corpus.lang); sox with mp3; free disk; the
GPU (information only); with --recipe, its data/ and exp/ writable and its config's normaliser
and sentence list present. Exit status 1 when any check FAILs, 0 otherwise (warnings included).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Callable

import typer
from rich.console import Console
from rich.table import Table

from utils import doctor_checks as checks
from utils.doctor_checks import FAIL, INFO, OK, WARN, Check
from utils.errors import InputError

logger = logging.getLogger(__name__)
STYLES = {OK: "green", WARN: "yellow", FAIL: "bold red", INFO: "cyan"}


def doctor(recipe: Path | None = None, lang: str | None = None) -> list[Check]:
    """Run every check; `lang` defaults to the recipe's corpus.lang. Never raises: a check that
    crashes is reported as a FAIL naming the error."""
    if recipe is not None and lang is None:
        try:
            lang = checks.recipe_settings(recipe).get("corpus", {}).get("lang")
        except InputError:
            lang = None  # check_recipe reports the unreadable config
    steps: list[tuple[str, Callable[[], Check | list[Check]]]] = [
        ("python", checks.check_python),
        ("torch", checks.check_torch),
        ("torchaudio absent", checks.check_torchaudio),
        ("transformers", checks.check_transformers),
        ("KenLM", checks.check_kenlm),
        ("espeak-ng", lambda: checks.check_espeak(lang)),
        ("sox with mp3", checks.check_sox),
        ("free disk", lambda: checks.check_disk(recipe if recipe is not None and recipe.is_dir() else Path.cwd())),
        ("GPU", checks.check_gpu),
    ]
    if recipe is not None:
        steps.append(("recipe", lambda: checks.check_recipe(recipe)))
    results: list[Check] = []
    for name, run in steps:
        try:
            found = run()
        except Exception as err:  # noqa: BLE001 - the doctor reports, it does not die
            found = Check(name, FAIL, f"the check itself failed: {type(err).__name__}: {err}",
                          "report this as a currach bug")
        results.extend(found if isinstance(found, list) else [found])
    return results


def print_report(results: list[Check], console: Console | None = None) -> None:
    """A rich table (check, status, detail, fix) and a one-line summary."""
    if console is None:
        console = Console()
        if not console.is_terminal:
            console = Console(width=160)  # a log or a pipe: do not wrap at 80 columns
    table = Table(title="currach doctor", show_lines=False)
    for column in ("check", "status", "detail", "fix"):
        table.add_column(column, overflow="fold")
    for check in results:
        table.add_row(check.name, f"[{STYLES[check.status]}]{check.status}[/]", check.detail,
                      check.fix if check.status in (FAIL, WARN) else "")
    console.print(table)
    counts = {status: sum(c.status == status for c in results) for status in (OK, WARN, FAIL)}
    verdict = "not ready: fix the FAIL rows" if counts[FAIL] else "ready"
    console.print(f"doctor: {counts[OK]} ok, {counts[WARN]} warn, {counts[FAIL]} FAIL — {verdict}")


def main(
    recipe: Annotated[Path | None, typer.Option(
        help="also check this recipe folder (data/ exp/ writable, normaliser, sentences, its voice)")] = None,
    lang: Annotated[str | None, typer.Option(
        help="espeak-ng language code to check (default: the recipe's corpus.lang)")] = None,
) -> None:
    """Check the machine for what recipes need; print a table with fixes; exit 1 on any FAIL.

    Example: python -m steps doctor --recipe recipes/ga_ie
    """
    logger.info("doctor recipe=%s lang=%s", recipe, lang)
    results = doctor(recipe, lang)
    print_report(results)
    if any(c.status == FAIL for c in results):
        raise typer.Exit(1)

"""compare_scores: paired bootstrap test of two systems scored on the same test set.

    python -m steps compare_scores exp/base/decode_test_greedy/score.json \\
        exp/base/decode_test_beam_lm/score.json --out exp/base/compare_greedy_beam_lm.json

Resamples utterances with replacement (same draws for both systems, fixed seed) and reports
how often each system has fewer word errors. Prints one line; with --out, also writes JSON
{a, b, set, wer_a, wer_b, prob_a_better, prob_b_better, p_value, n_boot, seed}, where p_value
is the share of resamples in which the system better on the full set is not better.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from utils.errors import CurrachError
from utils.results_table import load_score, paired_scores
from utils.score_report import fmt_rate
from utils.text_files import atomic_write_json

logger = logging.getLogger(__name__)


def compare(score_json_a: Path, score_json_b: Path, n_boot: int = 1000, seed: int = 0) -> dict:
    """Paired bootstrap of two score.json files; raises InputError if their utterances differ."""
    return paired_scores(load_score(score_json_a), load_score(score_json_b), n_boot=n_boot, seed=seed)


def summary(result: dict) -> str:
    """One line: both WERs and the probability that each system is the better one."""
    return (f"{result['set']}: A {fmt_rate(result['wer_a'])} vs B {fmt_rate(result['wer_b'])} %WER; "
            f"P(A better) = {result['prob_a_better']:.3f}, P(B better) = {result['prob_b_better']:.3f}, "
            f"p = {result['p_value']:.3f} ({result['n_boot']} resamples, seed {result['seed']})")


def main(
    score_a: Annotated[Path, typer.Argument(help="score.json of system A")],
    score_b: Annotated[Path, typer.Argument(help="score.json of system B (same test set)")],
    out: Annotated[Path | None, typer.Option(help="also write the result as JSON here")] = None,
    n_boot: Annotated[int, typer.Option(min=1, help="bootstrap resamples")] = 1000,
    seed: Annotated[int, typer.Option(help="bootstrap random seed")] = 0,
) -> None:
    """Paired bootstrap: how often is system A better than system B on resampled utterances?

    Example: python -m steps compare_scores exp/base/decode_test_greedy/score.json
    exp/base/decode_test_beam_lm/score.json --out exp/base/compare.json
    """
    logger.info("compare_scores %s %s out=%s n_boot=%d seed=%d", score_a, score_b, out, n_boot, seed)
    try:
        result = compare(score_a, score_b, n_boot=n_boot, seed=seed)
        if out is not None:
            atomic_write_json(out, result)
    except CurrachError as err:
        logger.error("%s", err)
        raise typer.Exit(1) from err
    typer.echo(summary(result))
    logger.info("compare_scores: %s", "wrote " + str(out) if out else "done")

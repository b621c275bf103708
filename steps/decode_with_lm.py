"""decode_with_lm: tune LM alpha/beta on DEV, then decode every given set with the pair frozen.

    python -m steps decode_with_lm exp/base/model data/lang data/dev/manifest.jsonl data/dev/text \\
        exp/base/decode_dev_beam_lm data/dev/manifest.jsonl:exp/base/decode_dev_beam_lm \\
        data/test/manifest.jsonl:exp/base/decode_test_beam_lm --alphas 0.3,0.5,1 --betas 0,1,2 --nj 2

Kaldi's score.sh picks the best LM weight on dev; this is that step for CTC beam search:
`tune_lm_weights` on the cached dev log-probs writes TUNE_DIR/tuning.tsv and best.json, then
`decode_ctc --decoder beam_lm` with that alpha/beta writes each SET's OUT_DIR/hyp (and nbest).
The acoustic model runs at most once per set: log-probs are cached in LOGITS_DIR/<set>.npz.
Test is never looked at while tuning.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Sequence

import typer

from steps.decode_ctc import decode_set
from steps.tune_lm_weights import parse_grid, tune_lm_weights
from utils.ctc_logits import set_name
from utils.ctc_search import DEFAULT_BEAM_WIDTH, DEFAULT_HOTWORD_WEIGHT, SearchSettings
from utils.errors import CurrachError, InputError

logger = logging.getLogger(__name__)


def decode_with_lm(model_dir: Path, lm_dir: Path, dev_manifest: Path, dev_text: Path, tune_dir: Path,
                   sets: Sequence[tuple[Path, Path]], alphas: Sequence[float], betas: Sequence[float],
                   logits_dir: Path, settings: SearchSettings = SearchSettings(),
                   nj: int = 1) -> tuple[float, float]:
    """Return the dev-tuned (alpha, beta) after decoding each (manifest, out_dir) of `sets` with them.

    The settings' own alpha and beta are replaced by the tuned pair; their beam width and hotwords
    serve both tuning and decoding, their n-best size the decoding. `tune_dir` may be one of the
    out dirs (the dev decode dir keeps its tuning table beside its hypotheses). Raises InputError
    for an empty grid or set list and for an LM that does not fit the model (see utils.lm_dir).
    """
    if not sets:
        raise InputError("decode_with_lm: no sets to decode")
    alpha, beta = tune_lm_weights(model_dir, dev_manifest, dev_text, lm_dir, alphas, betas, tune_dir,
                                  settings, nj, logits_file=logits_dir / f"{set_name(dev_manifest)}.npz")
    tuned = replace(settings, alpha=alpha, beta=beta)
    for manifest, out_dir in sets:
        decode_set(model_dir, manifest, out_dir, "beam_lm", lm_dir, tuned, nj,
                   logits_file=logits_dir / f"{set_name(manifest)}.npz")
    return alpha, beta


def parse_set(value: str) -> tuple[Path, Path]:
    """'data/test/manifest.jsonl:exp/base/decode_test_beam_lm' -> (manifest, out_dir)."""
    manifest, sep, out_dir = value.rpartition(":")
    if not sep or not manifest or not out_dir:
        raise InputError(f"decode_with_lm: a SET is MANIFEST:OUT_DIR, got {value!r}")
    return Path(manifest), Path(out_dir)


def main(
    model_dir: Annotated[Path, typer.Argument(help="HF CTC model dir (exp/<tag>/model)")],
    lm_dir: Annotated[Path, typer.Argument(help="LM dir from train_lm (data/lang)")],
    dev_manifest: Annotated[Path, typer.Argument(help="DEV manifest, for tuning")],
    dev_text: Annotated[Path, typer.Argument(help="DEV references, Kaldi text (data/dev/text)")],
    tune_dir: Annotated[Path, typer.Argument(help="where tuning.tsv and best.json go")],
    sets: Annotated[list[str], typer.Argument(help="MANIFEST:OUT_DIR, one per set to decode")],
    alphas: Annotated[str, typer.Option(help="LM weights to try (comma-separated)")] = "0.3,0.5,0.8,1.2",
    betas: Annotated[str, typer.Option(help="word bonuses to try, e.g. '0,1,2'")] = "0,1,2",
    logits_dir: Annotated[Path | None, typer.Option(
        help="log-prob cache folder (default: TUNE_DIR/../logits)")] = None,
    beam_width: Annotated[int, typer.Option(help="beam width")] = DEFAULT_BEAM_WIDTH,
    nj: Annotated[int, typer.Option(help="parallel beam-search processes")] = 1,
    hotword: Annotated[list[str], typer.Option(
        help="a word to favour (repeatable)")] = [],  # noqa: B006 - Typer needs a literal
    hotword_weight: Annotated[float, typer.Option(help="hotword bonus")] = DEFAULT_HOTWORD_WEIGHT,
    nbest: Annotated[int, typer.Option(min=0, help="also write OUT_DIR/nbest with N hypotheses")] = 0,
) -> None:
    """Tune alpha/beta on dev, then decode each MANIFEST:OUT_DIR with beam+LM and the tuned pair.

    Example: python -m steps decode_with_lm exp/base/model data/lang data/dev/manifest.jsonl
    data/dev/text exp/base/decode_dev_beam_lm data/test/manifest.jsonl:exp/base/decode_test_beam_lm
    """
    try:
        pairs = [parse_set(value) for value in sets]
        alpha_grid, beta_grid = parse_grid(alphas, "alphas"), parse_grid(betas, "betas")
        logger.info("decode_with_lm %s %s %s %s %s sets=%s alphas=%s betas=%s beam_width=%d nj=%d",
                    model_dir, lm_dir, dev_manifest, dev_text, tune_dir, sets, alpha_grid, beta_grid,
                    beam_width, nj)
        settings = SearchSettings(beam_width=beam_width, hotwords=tuple(hotword), hotword_weight=hotword_weight,
                                  nbest=nbest)
        decode_with_lm(model_dir, lm_dir, dev_manifest, dev_text, tune_dir, pairs, alpha_grid, beta_grid,
                       logits_dir or tune_dir.parent / "logits", settings, nj)
    except CurrachError as err:
        logger.error("%s", err)
        raise typer.Exit(1) from err

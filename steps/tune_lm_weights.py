"""tune_lm_weights: grid-search the LM weight (alpha) and word bonus (beta) on the DEV set.

    python -m steps tune_lm_weights exp/base/model data/dev/manifest.jsonl data/dev/text \\
        data/lang/lm exp/base/tune_dev_beam_lm --alphas 0.3,0.5,0.8,1.2 --betas 0,1,2 --nj 2

Beam search with the LM is run for every (alpha, beta) of the grid on the cached dev log-probs
(the acoustic model runs at most once) and scored against DEV_TEXT with jiwer's WER.
Writes into OUT_DIR:
  tuning.tsv  alpha, beta, wer (a fraction) for every grid point, in grid order
  best.json   {"alpha", "beta", "wer", "beam_width", "lm_dir", "grid": {...}}: the pair with the
              lowest WER (the first in grid order on a tie), frozen for decoding the test set
              with `decode_ctc --tuned OUT_DIR/best.json`. Never tune on test.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Sequence

import jiwer
import typer

from utils.ctc_logits import cached_logits, default_logits_file
from utils.ctc_search import DEFAULT_BEAM_WIDTH, SearchSettings, beam_decode, build_beam_decoder
from utils.errors import CurrachError, InputError
from utils.text_files import atomic_write_json, atomic_write_text, read_kaldi_text

TUNING_TSV = "tuning.tsv"
BEST_JSON = "best.json"

logger = logging.getLogger(__name__)


def tune_lm_weights(model_dir: Path, dev_manifest: Path, dev_text: Path, lm_dir: Path,
                    alphas: Sequence[float], betas: Sequence[float], out_dir: Path,
                    settings: SearchSettings = SearchSettings(), nj: int = 1,
                    logits_file: Path | None = None) -> tuple[float, float]:
    """Return the (alpha, beta) of the grid with the lowest dev WER; write tuning.tsv, best.json.

    Each grid point is searched with `settings` (beam width, hotwords) and the point's alpha
    and beta in place of the settings' own; `settings.nbest` is not used (WER needs the best).
    Raises InputError for an empty grid, dev utterances without a reference, or an LM dir
    that does not fit the model (see utils.lm_dir).
    """
    if not alphas or not betas:
        raise InputError("tune_lm_weights: the alpha and beta grids must each have a value")
    cache = logits_file or default_logits_file(out_dir, dev_manifest)
    ctc = cached_logits(model_dir, dev_manifest, cache, nj=nj)
    refs = read_kaldi_text(dev_text)
    utt_ids = sorted(ctc.logits, key=lambda utt: utt.encode("utf-8"))
    missing = [utt for utt in utt_ids if not refs.get(utt)]
    if missing:
        raise InputError(f"{dev_text}: no (or an empty) reference for {len(missing)} dev "
                         f"utterance(s) of {dev_manifest}, e.g. {missing[:3]}")
    references = [refs[utt] for utt in utt_ids]
    log_probs = [ctc.logits[utt] for utt in utt_ids]
    search = build_beam_decoder(ctc.labels, ctc.blank, lm_dir)
    rows: list[tuple[float, float, float]] = []
    try:
        for alpha in alphas:
            for beta in betas:
                # pyctcdecode rejects an int here ("beta must be a float")
                search.reset_params(alpha=float(alpha), beta=float(beta))
                hyps = beam_decode(search, log_probs, settings, nj)
                rows.append((float(alpha), float(beta), float(jiwer.wer(references, hyps))))
                logger.info("tune_lm_weights: alpha=%g beta=%g dev WER %.2f%%", alpha, beta,
                            100 * rows[-1][2])
    finally:
        search.cleanup()
    best = min(rows, key=lambda row: row[2])  # min keeps the first of equal rows
    _write_results(out_dir, rows, best, settings.beam_width, lm_dir, alphas, betas)
    return best[0], best[1]


def _write_results(out_dir: Path, rows: list[tuple[float, float, float]],
                   best: tuple[float, float, float], beam_width: int, lm_dir: Path,
                   alphas: Sequence[float], betas: Sequence[float]) -> None:
    lines = ["alpha\tbeta\twer"] + [f"{a:g}\t{b:g}\t{wer:.6f}" for a, b, wer in rows]
    atomic_write_text(out_dir / TUNING_TSV, "\n".join(lines) + "\n")
    atomic_write_json(out_dir / BEST_JSON, {
        "alpha": best[0], "beta": best[1], "wer": best[2], "beam_width": beam_width,
        "lm_dir": str(lm_dir),
        "grid": {"alphas": [float(a) for a in alphas], "betas": [float(b) for b in betas]},
    })
    logger.info("tune_lm_weights: best alpha=%g beta=%g (dev WER %.2f%%); wrote %s and %s",
                best[0], best[1], 100 * best[2], out_dir / TUNING_TSV, out_dir / BEST_JSON)


def read_tuned_weights(best_json: Path) -> tuple[float, float]:
    """(alpha, beta) from a best.json written by tune_lm_weights."""
    if not best_json.is_file():
        raise InputError(f"{best_json}: not found (made by tune_lm_weights)")
    try:
        best = json.loads(best_json.read_text(encoding="utf-8"))
        return float(best["alpha"]), float(best["beta"])
    except (ValueError, KeyError, TypeError) as err:
        raise InputError(f"{best_json}: expected JSON with numeric alpha and beta "
                         f"(made by tune_lm_weights)") from err


def parse_grid(value: str, name: str) -> list[float]:
    """'0.3,0.5 1' -> [0.3, 0.5, 1.0]; InputError naming the option otherwise."""
    try:
        grid = [float(part) for part in value.replace(",", " ").split()]
    except ValueError as err:
        raise InputError(f"tune_lm_weights: --{name} expects numbers like '0.3,0.5,1', "
                         f"got {value!r}") from err
    if not grid:
        raise InputError(f"tune_lm_weights: --{name} is empty")
    return grid


def main(
    model_dir: Annotated[Path, typer.Argument(help="HF CTC model dir (exp/<tag>/model)")],
    dev_manifest: Annotated[Path, typer.Argument(help="DEV manifest (data/dev/manifest.jsonl)")],
    dev_text: Annotated[Path, typer.Argument(help="DEV references, Kaldi text (data/dev/text)")],
    lm_dir: Annotated[Path, typer.Argument(help="LM dir from train_lm")],
    out_dir: Annotated[Path, typer.Argument(help="where tuning.tsv and best.json go")],
    alphas: Annotated[str, typer.Option(help="LM weights to try (comma-separated)")] = "0.3,0.5,0.8,1.2",
    betas: Annotated[str, typer.Option(help="word bonuses to try, e.g. '0,1,2'")] = "0,1,2",
    beam_width: Annotated[int, typer.Option(help="beam width")] = DEFAULT_BEAM_WIDTH,
    nj: Annotated[int, typer.Option(help="parallel beam-search processes")] = 1,
    logits_file: Annotated[Path | None, typer.Option(
        help="log-prob cache (default OUT_DIR/../logits/<set>.npz)")] = None,
) -> None:
    """Grid-search LM alpha/beta on dev: OUT_DIR/tuning.tsv and best.json (for decode_ctc --tuned).

    Example: python -m steps tune_lm_weights exp/base/model data/dev/manifest.jsonl data/dev/text
    data/lang/lm exp/base/tune_dev_beam_lm --alphas 0.3,0.5,0.8 --betas 0,1,2
    """
    try:
        alpha_grid, beta_grid = parse_grid(alphas, "alphas"), parse_grid(betas, "betas")
        logger.info("tune_lm_weights %s %s %s %s %s alphas=%s betas=%s beam_width=%d nj=%d",
                    model_dir, dev_manifest, dev_text, lm_dir, out_dir, alpha_grid, beta_grid,
                    beam_width, nj)
        tune_lm_weights(model_dir, dev_manifest, dev_text, lm_dir, alpha_grid, beta_grid, out_dir,
                        SearchSettings(beam_width=beam_width), nj, logits_file)
    except CurrachError as err:
        logger.error("%s", err)
        raise typer.Exit(1) from err

"""decode_ctc: transcribe a manifest with a CTC model: greedy, beam, or beam + n-gram LM.

    python -m steps decode_ctc exp/base/model data/test/manifest.jsonl \\
        exp/base/decode_test_beam_lm --decoder beam_lm --lm-dir data/lang/lm \\
        --tuned exp/base/tune_dev_beam_lm/best.json --nj 2

The acoustic model runs once per (model, manifest): its log-probs are cached in
LOGITS_FILE (default OUT_DIR/../logits/<set>.npz, <set> being the manifest's folder name) and
reused by every later decode of the same set. Writes into OUT_DIR:
  hyp          Kaldi `utt_id text`, sorted, one line per utterance (bare utt_id when empty)
  decode.json  decoder, beam width, alpha, beta, LM, model dir, manifest, logits file, counts
  nbest        with --nbest N (beam decoders): `utt_id<TAB>rank<TAB>score<TAB>text`, a header
               line, up to N distinct hypotheses per utterance, best first (rank 1 is the
               hyp line); score is the search's combined log score. select_oracle reads it.
LM weights: --alpha/--beta, or --tuned best.json from tune_lm_weights (tuned on dev only).
"""
from __future__ import annotations

import logging
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Sequence

import typer

from steps.tune_lm_weights import read_tuned_weights
from utils.ctc_logits import CtcLogits, cached_logits, default_logits_file, set_name
from utils.ctc_search import (DEFAULT_ALPHA, DEFAULT_BETA, DEFAULT_BEAM_WIDTH, DEFAULT_HOTWORD_WEIGHT,
                              SearchSettings, beam_decode, beam_decode_nbest, build_beam_decoder,
                              greedy_decode, search_labels)
from utils.errors import CurrachError, InputError
from pipeline.kill_points import kill_point
from utils.text_files import atomic_write_json, atomic_write_text, write_kaldi_text

HYP_FILE = "hyp"
DECODE_JSON = "decode.json"
NBEST_FILE = "nbest"
NBEST_HEADER = "utt_id\trank\tscore\ttext"

logger = logging.getLogger(__name__)


class Decoder(str, Enum):
    greedy = "greedy"
    beam = "beam"
    beam_lm = "beam_lm"


def decode_logits(ctc: CtcLogits, utt_ids: Sequence[str], decoder: Decoder | str, lm_dir: Path | None = None,
                  settings: SearchSettings = SearchSettings(),
                  nj: int = 1) -> list[str] | list[list[tuple[str, float]]]:
    """Texts for `utt_ids` from cached log-probs. `lm_dir` is required for beam_lm, unused otherwise.

    With `settings.nbest` > 0 (beam decoders only) each item is instead a list of up to that many
    (text, score), best first (see utils.ctc_search.beam_decode_nbest).
    """
    decoder = Decoder(decoder)
    if settings.nbest and decoder is Decoder.greedy:
        raise InputError("decode_ctc: --nbest needs a beam decoder (beam or beam_lm); greedy has one path")
    if decoder is Decoder.greedy:
        labels = search_labels(ctc.labels, ctc.blank)
        return [greedy_decode(ctc.logits[utt], labels) for utt in utt_ids]
    if decoder is Decoder.beam_lm and lm_dir is None:
        raise InputError("decode_ctc: --decoder beam_lm needs --lm-dir (made by train_lm, stage 4)")
    search = build_beam_decoder(ctc.labels, ctc.blank, lm_dir if decoder is Decoder.beam_lm else None,
                                settings.alpha, settings.beta)
    log_probs = [ctc.logits[utt] for utt in utt_ids]
    try:
        if settings.nbest:
            return beam_decode_nbest(search, log_probs, settings, nj)
        return beam_decode(search, log_probs, settings, nj)
    finally:
        search.cleanup()  # frees the class-level KenLM slot pyctcdecode keeps per decoder


def decode_set(model_dir: Path, manifest: Path, out_dir: Path, decoder: Decoder | str = Decoder.greedy,
               lm_dir: Path | None = None, settings: SearchSettings = SearchSettings(), nj: int = 1,
               logits_file: Path | None = None, max_batch_seconds: float = 120.0) -> Path:
    """Decode every utterance of `manifest`; write OUT_DIR/hyp and OUT_DIR/decode.json; return OUT_DIR.

    With `settings.nbest` > 0 (beam decoders) OUT_DIR/nbest holds up to that many hypotheses per
    utterance and hyp its first ones.

    Runs the acoustic model only if the logits cache is missing or stale. lm_dir and the
    settings' alpha/beta apply to beam_lm only, the rest of `settings` to beam and beam_lm.
    Raises InputError for missing inputs or an LM that does not fit the model's vocabulary.
    """
    decoder = Decoder(decoder)
    started = time.monotonic()
    cache = logits_file or default_logits_file(out_dir, manifest)
    ctc = cached_logits(model_dir, manifest, cache, max_batch_seconds=max_batch_seconds, nj=nj)
    utt_ids = sorted(ctc.logits, key=lambda utt: utt.encode("utf-8"))
    results = decode_logits(ctc, utt_ids, decoder, lm_dir, settings, nj)
    if settings.nbest:
        write_nbest(out_dir / NBEST_FILE, dict(zip(utt_ids, results)))
        results = [beams[0][0] if beams else "" for beams in results]
    texts = results
    write_kaldi_text(out_dir / HYP_FILE, dict(zip(utt_ids, texts)))
    atomic_write_json(out_dir / DECODE_JSON, {
        "decoder": decoder.value, "set": set_name(manifest), "model_dir": str(model_dir),
        "manifest": str(manifest), "logits_file": str(cache), **_settings_record(decoder, lm_dir, settings),
        "n_utts": len(utt_ids), "n_empty": sum(1 for text in texts if not text),
        "seconds": round(time.monotonic() - started, 3),
    })
    logger.info("decode_ctc: wrote %s and %s (%d utterances, %s)", out_dir / HYP_FILE,
                out_dir / DECODE_JSON, len(utt_ids), decoder.value)
    kill_point("decode_set")
    return out_dir


def _settings_record(decoder: Decoder, lm_dir: Path | None, settings: SearchSettings) -> dict:
    """decode.json's search fields: null (or no hotwords) where the decoder does not use them."""
    beam, uses_lm = decoder is not Decoder.greedy, decoder is Decoder.beam_lm
    return {
        "beam_width": settings.beam_width if beam else None,
        "lm_dir": str(lm_dir) if uses_lm else None, "alpha": settings.alpha if uses_lm else None,
        "beta": settings.beta if uses_lm else None,
        "hotwords": list(settings.hotwords) if beam else [],
        "hotword_weight": settings.hotword_weight if settings.hotwords and beam else None,
        "nbest": settings.nbest or None,
    }


def write_nbest(path: Path, nbest: dict[str, list[tuple[str, float]]]) -> Path:
    """Write the n-best file (see the module docstring), utterances in byte order."""
    lines = [NBEST_HEADER]
    for utt in sorted(nbest, key=lambda key: key.encode("utf-8")):
        lines += [f"{utt}\t{rank}\t{score:.4f}\t{text}" for rank, (text, score) in enumerate(nbest[utt], 1)]
    return atomic_write_text(path, "\n".join(lines) + "\n")


def main(
    model_dir: Annotated[Path, typer.Argument(help="HF CTC model dir (exp/<tag>/model)")],
    manifest: Annotated[Path, typer.Argument(help="manifest JSONL (data/<set>/manifest.jsonl)")],
    out_dir: Annotated[Path, typer.Argument(help="decode dir, e.g. exp/<tag>/decode_test_beam_lm")],
    decoder: Annotated[Decoder, typer.Option(help="greedy, beam (no LM) or beam_lm")] = Decoder.greedy,
    lm_dir: Annotated[Path | None, typer.Option(help="LM dir from train_lm (beam_lm)")] = None,
    alpha: Annotated[float, typer.Option(help="LM weight (beam_lm)")] = DEFAULT_ALPHA,
    beta: Annotated[float, typer.Option(help="word insertion bonus (beam_lm)")] = DEFAULT_BETA,
    tuned: Annotated[Path | None, typer.Option(
        help="best.json from tune_lm_weights: its alpha/beta override --alpha/--beta")] = None,
    beam_width: Annotated[int, typer.Option(help="beam width (beam, beam_lm)")] = DEFAULT_BEAM_WIDTH,
    nj: Annotated[int, typer.Option(help="parallel jobs (beam search processes, model threads)")] = 1,
    logits_file: Annotated[Path | None, typer.Option(
        help="log-prob cache (default OUT_DIR/../logits/<set>.npz)")] = None,
    hotword: Annotated[list[str], typer.Option(
        help="a word to favour (repeatable; beam only)")] = [],  # noqa: B006 - Typer needs a literal
    hotword_weight: Annotated[float, typer.Option(help="hotword bonus")] = DEFAULT_HOTWORD_WEIGHT,
    max_batch_seconds: Annotated[float, typer.Option(help="padded audio per model batch")] = 120.0,
    nbest: Annotated[int, typer.Option(min=0, help="also write OUT_DIR/nbest with N hypotheses "
                                       "per utterance (beam decoders)")] = 0,
) -> None:
    """Decode a manifest with a CTC model (greedy | beam | beam_lm) into OUT_DIR/hyp + decode.json.

    Example: python -m steps decode_ctc exp/base/model data/test/manifest.jsonl
    exp/base/decode_test_beam_lm --decoder beam_lm --lm-dir data/lang/lm
    --tuned exp/base/tune_dev_beam_lm/best.json --nj 2
    """
    try:
        if tuned is not None:
            alpha, beta = read_tuned_weights(tuned)
        logger.info("decode_ctc %s %s %s decoder=%s lm_dir=%s alpha=%g beta=%g beam_width=%d nj=%d "
                    "logits_file=%s hotwords=%s", model_dir, manifest, out_dir, decoder.value, lm_dir,
                    alpha, beta, beam_width, nj, logits_file, hotword)
        settings = SearchSettings(beam_width, alpha, beta, tuple(hotword), hotword_weight, nbest)
        decode_set(model_dir, manifest, out_dir, decoder, lm_dir, settings, nj, logits_file, max_batch_seconds)
    except CurrachError as err:
        logger.error("%s", err)
        raise typer.Exit(1) from err

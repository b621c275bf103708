"""save_processor_with_lm: add an n-gram LM to a model dir as a Wav2Vec2ProcessorWithLM.

    python -m steps save_processor_with_lm exp/base/model data/lang/lm --alpha 0.5 --beta 1.0
    python -m steps save_processor_with_lm exp/base/model data/lang/lm --out-dir exp/base/model_lm

Afterwards `transformers` alone decodes with the LM:
    processor = AutoProcessor.from_pretrained(model_dir)   # a Wav2Vec2ProcessorWithLM
    processor.batch_decode(logits.numpy()).text
The LM dir is checked against the tokenizer first (utils.lm_dir). pyctcdecode copies the
KenLM file (lm.bin) and the unigrams into MODEL_DIR/language_model/ and writes
MODEL_DIR/alphabet.json; the processor config names the new processor class.
The model weights are untouched, so cached log-probs stay valid. With --out-dir the model dir
is copied there first and only the copy gets the LM: a recipe stage can then add the LM
without rewriting files that the train stage made (and fingerprinted).
"""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Annotated

import typer

from utils.ctc_search import DEFAULT_ALPHA, DEFAULT_BETA, build_beam_decoder
from utils.errors import CurrachError, InputError

logger = logging.getLogger(__name__)


def save_processor_with_lm(model_dir: Path, lm_dir: Path, alpha: float = DEFAULT_ALPHA,
                           beta: float = DEFAULT_BETA, out_dir: Path | None = None) -> Path:
    """Save a Wav2Vec2ProcessorWithLM (feature extractor, tokenizer, LM decoder) into `model_dir`.

    With `out_dir`, into a fresh copy of `model_dir` at `out_dir` instead (an existing
    `out_dir` is replaced). Returns the dir written. Raises InputError when the model dir has
    no processor or the LM does not fit its vocabulary.
    """
    if out_dir is None:
        return _save(model_dir, lm_dir, alpha, beta)
    if not (model_dir / "config.json").is_file():
        raise InputError(f"{model_dir}: no config.json; not a model dir (made by the train stage (5))")
    tmp = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        _save(Path(shutil.copytree(model_dir, tmp)), lm_dir, alpha, beta)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    logger.info("save_processor_with_lm: %s is %s with the LM", out_dir, model_dir)
    return out_dir


def _save(model_dir: Path, lm_dir: Path, alpha: float, beta: float) -> Path:
    from transformers import AutoFeatureExtractor, AutoTokenizer, Wav2Vec2ProcessorWithLM

    try:
        feature_extractor = AutoFeatureExtractor.from_pretrained(model_dir)
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
    except (OSError, ValueError) as err:
        raise InputError(f"{model_dir}: cannot load the feature extractor/tokenizer ({err}); "
                         f"made by the train stage (5)") from err
    vocab = tokenizer.get_vocab()
    labels = [token for token, _ in sorted(vocab.items(), key=lambda item: item[1])]
    decoder = build_beam_decoder(labels, tokenizer.pad_token, lm_dir, alpha, beta)
    try:
        processor = Wav2Vec2ProcessorWithLM(feature_extractor=feature_extractor, tokenizer=tokenizer,
                                            decoder=decoder)
    except ValueError as err:
        raise InputError(f"{model_dir}: the tokenizer and the LM decoder disagree ({err})") from err
    processor.save_pretrained(str(model_dir))
    decoder.cleanup()
    logger.info("save_processor_with_lm: wrote a Wav2Vec2ProcessorWithLM with %s into %s",
                lm_dir, model_dir)
    return model_dir


def main(
    model_dir: Annotated[Path, typer.Argument(help="HF CTC model dir (exp/<tag>/model)")],
    lm_dir: Annotated[Path, typer.Argument(help="LM dir from train_lm")],
    alpha: Annotated[float, typer.Option(help="LM weight stored with the decoder")] = DEFAULT_ALPHA,
    beta: Annotated[float, typer.Option(help="word bonus stored with the decoder")] = DEFAULT_BETA,
    out_dir: Annotated[Path | None, typer.Option(
        help="write a copy of MODEL_DIR with the LM here; MODEL_DIR stays as it is")] = None,
) -> None:
    """Store the LM in MODEL_DIR as a Wav2Vec2ProcessorWithLM (transformers-only LM decoding).

    Example: python -m steps save_processor_with_lm exp/base/model data/lang/lm --alpha 0.5
    """
    logger.info("save_processor_with_lm %s %s alpha=%g beta=%g out_dir=%s", model_dir, lm_dir, alpha,
                beta, out_dir)
    try:
        save_processor_with_lm(model_dir, lm_dir, alpha, beta, out_dir)
    except CurrachError as err:
        logger.error("%s", err)
        raise typer.Exit(1) from err

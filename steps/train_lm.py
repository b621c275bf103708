"""train_lm: a word n-gram LM for beam search (KenLM `lmplz` + `build_binary`).

    python -m steps train_lm data/train/text data/lang/lm --order 3
    python -m steps train_lm data/lang/lm_ext --lm-arpa 3-gram.arpa.gz    # an external LM

Writes into OUT_DIR:
  lm.arpa       the ARPA model (lowercased copy when --lm-arpa is given)
  lm.bin        KenLM binary of lm.arpa (what the decoder loads)
  unigrams.txt  the LM's words, one per line, deduplicated and sorted (no <s>, </s>, <unk>)
Input texts: a file named `text` is read as a Kaldi text (the first field, the utterance id,
is dropped); any other file as plain text, one sentence per line. `--text-format kaldi|plain`
overrides the guess for every file. Texts must already be normalised like the training text.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated, Iterable, Sequence

import typer

from utils.arpa import SPECIAL_WORDS, copy_arpa, read_arpa_unigrams
from utils.errors import CurrachError, InputError
from utils.kenlm_tools import run_kenlm
from pipeline.kill_points import kill_point
from utils.lm_dir import ARPA_FILE, BINARY_FILE, UNIGRAMS_FILE
from utils.text_files import atomic_write_text, read_kaldi_text, read_plain_text

logger = logging.getLogger(__name__)


class TextFormat(str, Enum):
    auto = "auto"
    kaldi = "kaldi"
    plain = "plain"


def train_lm(
    texts: Sequence[Path],
    out_dir: Path,
    order: int = 3,
    prune: Sequence[int] | None = None,
    discount_fallback: bool = True,
    lm_arpa: Path | None = None,
    text_format: TextFormat | str = TextFormat.auto,
    lowercase: bool = True,
) -> Path:
    """Build OUT_DIR/{lm.arpa, lm.bin, unigrams.txt}; return OUT_DIR (the `lm_dir` of decoding).

    With `lm_arpa` (plain or .gz) no model is trained: it is copied (lowercased unless
    `lowercase=False`) and converted. `prune` is lmplz's per-order count thresholds, e.g.
    [0, 1, 1]. Raises InputError for empty texts or bad options, CurrachError when KenLM fails.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".train_lm-", dir=out_dir))
    try:
        arpa = work / ARPA_FILE
        if lm_arpa is not None:
            logger.info("train_lm: importing %s%s", lm_arpa, " (lowercased)" if lowercase else "")
            copy_arpa(lm_arpa, arpa, lowercase)
        else:
            _estimate_arpa(texts, arpa, work, order, prune, discount_fallback, TextFormat(text_format))
        words = _lm_words(arpa)
        run_kenlm("build_binary", [str(arpa), str(work / BINARY_FILE)])
        atomic_write_text(work / UNIGRAMS_FILE, "".join(word + "\n" for word in words))
        for name in (UNIGRAMS_FILE, ARPA_FILE, BINARY_FILE):
            os.replace(work / name, out_dir / name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info("train_lm: wrote %s/{%s,%s,%s} (%d words)", out_dir, ARPA_FILE, BINARY_FILE,
                UNIGRAMS_FILE, len(words))
    return out_dir


def _sentences(path: Path, text_format: TextFormat) -> Iterable[str]:
    kaldi = text_format is TextFormat.kaldi or (text_format is TextFormat.auto and path.name == "text")
    if kaldi:
        return (text for text in read_kaldi_text(path).values() if text)
    return read_plain_text(path)


def _estimate_arpa(texts: Sequence[Path], arpa: Path, work: Path, order: int,
                   prune: Sequence[int] | None, discount_fallback: bool,
                   text_format: TextFormat) -> None:
    if not texts:
        raise InputError("train_lm: no input text given (and no --lm-arpa)")
    if order < 1:
        raise InputError(f"train_lm: --order must be at least 1, got {order}")
    corpus = work / "corpus.txt"
    lines = 0
    with corpus.open("w", encoding="utf-8") as handle:
        for path in texts:
            for sentence in _sentences(path, text_format):
                handle.write(sentence + "\n")
                kill_point("train_lm")
                lines += 1
    if lines == 0:
        raise InputError(f"train_lm: no sentences in {', '.join(map(str, texts))}")
    args = ["-o", str(order), "-S", "10%", "-T", f"{work}{os.sep}",
            "--text", str(corpus), "--arpa", str(arpa)]
    if discount_fallback:
        args.append("--discount_fallback")
    if prune:
        _check_prune(prune, order)
        args += ["--prune", *map(str, prune)]
    logger.info("train_lm: %d sentences from %s", lines, ", ".join(map(str, texts)))
    run_kenlm("lmplz", args)


def _check_prune(prune: Sequence[int], order: int) -> None:
    if len(prune) > order or prune[0] != 0 or any(b < a for a, b in zip(prune, prune[1:])):
        raise InputError(f"train_lm: --prune {' '.join(map(str, prune))} must start with 0 "
                         f"(KenLM cannot prune unigrams), not decrease, and have at most "
                         f"{order} (the order) numbers")


def _lm_words(arpa: Path) -> list[str]:
    unigrams = read_arpa_unigrams(arpa)
    if "</s>" not in unigrams:
        raise InputError(f"{arpa}: the 1-grams lack </s>; the LM cannot end a sentence")
    words = sorted(set(unigrams) - set(SPECIAL_WORDS))
    if not words:
        raise InputError(f"{arpa}: the LM has no words besides <s>, </s>, <unk>")
    return words


def _parse_prune(value: str | None) -> list[int] | None:
    if not value:
        return None
    try:
        return [int(part) for part in value.replace(",", " ").split()]
    except ValueError as err:
        raise InputError(f"train_lm: --prune expects integers like '0,1,1', got {value!r}") from err


def main(
    texts: Annotated[list[Path], typer.Argument(
        metavar="TEXT... OUT_DIR", help="LM training texts, then the output dir last")],
    order: Annotated[int, typer.Option(help="n-gram order")] = 3,
    prune: Annotated[str, typer.Option(help="lmplz --prune thresholds per order, e.g. '0,1,1'")] = "",
    discount_fallback: Annotated[bool, typer.Option(
        help="pass --discount_fallback (needed on tiny corpora)")] = True,
    lm_arpa: Annotated[Path | None, typer.Option(
        help="use this ARPA (.gz allowed) instead of training; no TEXT needed")] = None,
    text_format: Annotated[TextFormat, typer.Option(
        help="auto: a file named `text` is Kaldi text, others plain")] = TextFormat.auto,
    lowercase: Annotated[bool, typer.Option(help="lowercase an --lm-arpa LM")] = True,
) -> None:
    """Train an n-gram LM (or import an ARPA): TEXT... OUT_DIR -> lm.arpa, lm.bin, unigrams.txt.

    Example: python -m steps train_lm data/train/text data/lang/lm --order 3
    (a file named `text` is read as Kaldi text, others as plain text; see --text-format)
    """
    try:
        if not texts:
            raise InputError("train_lm: give OUT_DIR (after the texts)")
        *inputs, out_dir = texts
        logger.info("train_lm texts=%s out_dir=%s order=%d prune=%r discount_fallback=%s "
                    "lm_arpa=%s text_format=%s", [str(p) for p in inputs], out_dir, order, prune,
                    discount_fallback, lm_arpa, text_format.value)
        train_lm(inputs, out_dir, order, _parse_prune(prune), discount_fallback, lm_arpa,
                 text_format, lowercase)
    except CurrachError as err:
        logger.error("%s", err)
        raise typer.Exit(1) from err

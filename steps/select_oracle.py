"""select_oracle: the n-best oracle, per utterance the hypothesis closest to the reference.

    python -m steps select_oracle data/test/text exp/base/decode_test_beam_lm/nbest \\
        exp/base/decode_test_oracle --normalizer local.normalizers.en_sg

Reads an n-best file written by `decode_ctc --nbest N` (header, then
`utt_id<TAB>rank<TAB>score<TAB>text`) and the references (Kaldi text). Both sides are
normalised with the scoring normaliser; the candidate with the fewest word errors wins, the
better-ranked one on a tie. Writes into OUT_DIR:
  hyp          the chosen texts, Kaldi `utt_id text` (what `score` reads, like a decode dir)
  decode.json  the n-best decode's settings with decoder "oracle", nbest file and size, and
               how often each rank was chosen
Scoring OUT_DIR/hyp gives the oracle WER: the floor that rescoring this n-best list could
reach. It uses the references, so it is a diagnostic, never a system to report as a result.
"""
from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from steps.decode_ctc import DECODE_JSON, HYP_FILE, NBEST_HEADER
from utils.align import align, count_edits
from utils.errors import CurrachError, InputError
from utils.text_files import atomic_write_json, read_kaldi_text, write_kaldi_text
from utils.transcripts import Normalizer

logger = logging.getLogger(__name__)


def select_oracle(ref_text: Path, nbest_file: Path, out_dir: Path, normalizer: str | None = None) -> Path:
    """Write OUT_DIR/hyp (the oracle choice per utterance) and OUT_DIR/decode.json; return OUT_DIR.

    Raises InputError for a missing or malformed n-best file, or an n-best utterance without
    a reference. A reference with no n-best entry gets an empty hypothesis.
    """
    norm = Normalizer(normalizer)
    refs = read_kaldi_text(ref_text)
    nbest = read_nbest(nbest_file)
    unknown = sorted(set(nbest) - set(refs))
    if unknown:
        raise InputError(f"{nbest_file}: {len(unknown)} utterance(s) have no reference in {ref_text}, "
                         f"e.g. {unknown[:3]}")
    chosen: dict[str, str] = {}
    ranks: Counter[int] = Counter()
    for utt, ref in refs.items():
        candidates = nbest.get(utt) or [""]
        ref_words = norm(ref).split()
        errors = [count_edits(align(ref_words, norm(text).split())).errors for text in candidates]
        best = errors.index(min(errors))
        chosen[utt] = candidates[best]
        ranks[best + 1] += 1
    write_kaldi_text(out_dir / HYP_FILE, chosen)
    atomic_write_json(out_dir / DECODE_JSON, _settings(nbest_file, nbest, ranks))
    logger.info("select_oracle: %d utterances, n-best up to %d; chose rank 1 for %d; wrote %s",
                len(chosen), max((len(v) for v in nbest.values()), default=0), ranks[1], out_dir)
    return out_dir


def read_nbest(path: Path) -> dict[str, list[str]]:
    """{utt_id: [text of rank 1, rank 2, ...]} from an n-best file of `decode_ctc --nbest`."""
    if not path.is_file():
        raise InputError(f"{path}: not found (made by `decode_ctc --nbest N`, the decode stage (6))")
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0] != NBEST_HEADER:
        raise InputError(f"{path} line 1: expected the header {NBEST_HEADER!r} of `decode_ctc --nbest`")
    out: dict[str, list[str]] = {}
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != 4 or not fields[1].isdigit():
            raise InputError(f"{path} line {number}: expected utt_id, rank, score, text separated by tabs")
        entries = out.setdefault(fields[0], [])
        if int(fields[1]) != len(entries) + 1:
            raise InputError(f"{path} line {number}: rank {fields[1]} of {fields[0]} is out of order")
        entries.append(fields[3])
    return out


def _settings(nbest_file: Path, nbest: dict[str, list[str]], ranks: Counter[int]) -> dict:
    source = nbest_file.parent / DECODE_JSON
    settings = json.loads(source.read_text(encoding="utf-8")) if source.is_file() else {}
    return {**settings, "decoder": "oracle", "source_decoder": settings.get("decoder"),
            "nbest_file": str(nbest_file), "nbest": max((len(v) for v in nbest.values()), default=0),
            "chosen_rank": {str(rank): count for rank, count in sorted(ranks.items())}}


def main(
    ref_text: Annotated[Path, typer.Argument(help="references, Kaldi text (data/<set>/text)")],
    nbest_file: Annotated[Path, typer.Argument(help="n-best file from `decode_ctc --nbest N`")],
    out_dir: Annotated[Path, typer.Argument(help="where hyp and decode.json go, e.g. exp/<tag>/decode_test_oracle")],
    normalizer: Annotated[str | None, typer.Option(help="module exposing normalize(str) -> str")] = None,
) -> None:
    """Pick, per utterance, the n-best hypothesis with the fewest word errors: OUT_DIR/hyp + decode.json.

    Example: python -m steps select_oracle data/test/text exp/base/decode_test_beam_lm/nbest
    exp/base/decode_test_oracle --normalizer local.normalizers.en_sg
    """
    logger.info("select_oracle %s %s %s normalizer=%s", ref_text, nbest_file, out_dir, normalizer)
    try:
        select_oracle(ref_text, nbest_file, out_dir, normalizer)
    except CurrachError as err:
        logger.error("%s", err)
        raise typer.Exit(1) from err

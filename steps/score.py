"""score: WER and CER of hypotheses against references, with an sclite-grade report.

    python -m steps score data/test/text exp/base/decode_test_greedy/hyp \\
        exp/base/decode_test_greedy --normalizer local.normalizers.ga \\
        --utt2spk data/test/utt2spk --utt2dur data/test/utt2dur

Inputs: Kaldi `utt-id text` files or sclite `text (utt-id)` .trn files. The same normaliser
(a module name, loaded at run time) is applied to both sides, with Unicode NFC around it.
Writes into OUT_DIR:
  wer         Kaldi's lines: %WER 21.26 [ 27 / 127, 2 ins, 10 del, 15 sub ], %SER, a count line
  cer         %CER in the same format (characters of the normalised text, spaces included)
  report.txt  summary, 95 % bootstrap CI, per-speaker table, WER by length, top confusions,
              insertions and deletions, then every utterance's REF/HYP/Eval alignment
  score.json  all of the above, machine-readable, plus decode.json's settings when found
A reference without a hypothesis is scored as empty (all deletions) and listed (sclite would
skip it); a hypothesis without a reference is an error. An empty reference counts its
hypothesis words as insertions, as sclite does; a rate over zero reference words with errors
is undefined: `n/a` in the text files, null in score.json (sclite prints 0.0).
--alignment levenshtein (default) gives the edit-distance WER that Kaldi and jiwer report,
with sclite's S/D/I split; --alignment sclite reproduces NIST sclite's counts exactly (see
utils/align.py). CER counts spaces as characters, as jiwer does (sclite -c drops them).
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Sequence

import numpy as np
import typer

from utils.align import SCHEMES, EditCounts
from utils.bootstrap import bootstrap_ci
from utils.errors import CurrachError, InputError
from pipeline.jobs import Jobs, as_jobs
from utils.kaldi_files import read_kv
from pipeline.kill_points import kill_point
from utils.provenance import collect_provenance
from utils.score_report import report_text, sentence_line, summary_line
from utils.scoring import UttScore, error_words, length_buckets, score_utterances, speaker_table, total
from utils.text_files import atomic_write_json, atomic_write_text
from utils.transcripts import Normalizer, read_durations, read_transcripts

SCORE_JSON = "score.json"
DECODE_JSON = "decode.json"
FORMAT = "currach-score/1"

PATH_ARGS = ("ref_text", "hyp", "out_dir", "utt2spk", "utt2dur")

logger = logging.getLogger(__name__)


def score(
    ref_text: Path, hyp: Path, out_dir: Path, normalizer: str | None,
    utt2spk: Path | None = None, utt2dur: Path | None = None, seed: int = 0, n_boot: int = 1000,
    alignment: str = "levenshtein", provenance: dict | None = None,
) -> dict:
    """Score `hyp` against `ref_text`, write wer, cer, report.txt and score.json into `out_dir`.

    `alignment`: "levenshtein" (WER = edit distance, as Kaldi and jiwer) or "sclite" (NIST
    sclite's weights, its counts exactly); see utils/align.py. `provenance` (see
    utils.provenance) is stored in score.json for the RESULTS.md row. Returns the record.
    Raises InputError for unreadable inputs, a hypothesis id with no reference, a reference
    file with no utterances, gaps in utt2spk / utt2dur, or an unknown alignment scheme.
    """
    if alignment not in SCHEMES:
        raise InputError(f"alignment {alignment!r}: expected one of {', '.join(SCHEMES)}")
    norm = Normalizer(normalizer)
    refs = read_transcripts(ref_text, "the text normalization stage (2)")
    if not refs:
        raise InputError(f"{ref_text}: no reference utterances (made by the text normalization stage (2))")
    hyps = read_transcripts(hyp, "the decode stage (6)")
    speakers = read_kv(utt2spk) if utt2spk is not None else None
    durations = read_durations(utt2dur) if utt2dur is not None else None
    utts = score_utterances(refs, hyps, norm, hyp, speakers, durations, alignment)
    decode = _decode_settings(out_dir / DECODE_JSON, hyp.parent / DECODE_JSON)
    record = build_record(utts, norm, seed=seed, n_boot=n_boot, decode=decode,
                          sources={"ref": str(ref_text), "hyp": str(hyp), "alignment": alignment},
                          test_set=(decode or {}).get("set") or ref_text.parent.name)
    record["provenance"] = provenance
    atomic_write_text(out_dir / "wer", "\n".join([
        record["wer_line"], record["ser_line"],
        f"Scored {record['n_utts']} sentences, {len(record['missing_hyps'])} not present in hyp.",
    ]) + "\n")
    atomic_write_text(out_dir / "cer", record["cer_line"] + "\n")
    atomic_write_text(out_dir / "report.txt", report_text(record))
    atomic_write_json(out_dir / SCORE_JSON, record)
    logger.info("score: %s; wrote wer, cer, report.txt, score.json in %s", record["wer_line"], out_dir)
    return record


def score_decode_dirs(pairs: Sequence[tuple[Path, Path]], normalizer: str | None, provenance: dict | None = None,
                      nj: int | Jobs = 1) -> list[Path]:
    """Score each (data dir, decode dir): DATA/text against DECODE/hyp into DECODE/score, with the
    data dir's utt2spk and utt2dur. `nj`: local workers, or the stage's `Jobs` (a Slurm array)."""
    tasks = [{"ref_text": str(data / "text"), "hyp": str(decode / "hyp"), "out_dir": str(decode / "score"),
              "normalizer": normalizer, "utt2spk": str(data / "utt2spk"), "utt2dur": str(data / "utt2dur"),
              "provenance": provenance} for data, decode in pairs]
    done = []
    for out in as_jobs(nj).map(score_task, tasks, desc="score", total=len(tasks)):
        done.append(Path(out))
        kill_point("score")  # in the stage's own process: the test kills the run, not one pool worker
    return done


def score_task(task: dict) -> str:
    """`score` on one JSON task of `score_decode_dirs` (a pool worker or a Slurm task); its OUT_DIR."""
    paths = {key: Path(value) for key, value in task.items() if key in PATH_ARGS and value is not None}
    score(**{**task, **paths})
    return task["out_dir"]


def build_record(
    utts: list[UttScore], norm: Normalizer, *, seed: int, n_boot: int, decode: dict | None,
    sources: dict[str, str], test_set: str,
) -> dict:
    """The score.json content for scored utterances (see the module docstring)."""
    words, chars = total(u.words for u in utts), total(u.chars for u in utts)
    n_err_utts = sum(1 for u in utts if u.words.errors)
    return {
        "format": FORMAT, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **sources, "set": test_set, "decode": decode, "n_utts": len(utts),
        "normalizer": norm.name, "normalizer_description": norm.description,
        "wer": _rate_block(words, [u.words for u in utts], seed, n_boot),
        "cer": _rate_block(chars, [u.chars for u in utts], seed, n_boot),
        "ser": {"errors": n_err_utts, "n_utts": len(utts),
                "rate": 100.0 * n_err_utts / len(utts) if utts else 0.0},
        "wer_line": summary_line("WER", words), "cer_line": summary_line("CER", chars),
        "ser_line": sentence_line(n_err_utts, len(utts)),
        "speakers": speaker_table(utts), "length_buckets": length_buckets(utts),
        "error_words": error_words(utts),
        "missing_hyps": [u.utt_id for u in utts if u.missing_hyp],
        "empty_refs": [u.utt_id for u in utts if not u.ref],
        "utterances": [_utt_entry(u) for u in utts],
    }


def _rate_block(counts: EditCounts, per_utt: list[EditCounts], seed: int, n_boot: int) -> dict:
    errors = np.array([c.errors for c in per_utt], dtype=np.int64)
    ref_len = np.array([c.ref_len for c in per_utt], dtype=np.int64)
    ci = bootstrap_ci(errors, ref_len, n_boot=n_boot, seed=seed)
    return {**counts.as_dict(), "ci95": list(ci) if ci else None, "n_boot": n_boot, "seed": seed}


def _utt_entry(utt: UttScore) -> dict:
    return {
        "utt_id": utt.utt_id, "speaker": utt.speaker, "duration": utt.duration,
        "ref": utt.ref, "hyp": utt.hyp, "missing_hyp": utt.missing_hyp,
        "words": utt.words.as_dict(), "chars": utt.chars.as_dict(),
        "align": [list(edit) for edit in utt.edits],
    }


def _decode_settings(*candidates: Path) -> dict | None:
    """The first decode.json found among `candidates` (None if none); bad JSON is an InputError."""
    for path in candidates:
        if path.is_file():
            try:
                settings = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise InputError(f"{path}: not valid JSON ({exc}); written by the decode stage (6)") from exc
            if not isinstance(settings, dict):
                raise InputError(f"{path}: expected a JSON object of decode settings")
            return settings
    return None


def main(
    ref_text: Annotated[Path, typer.Argument(help="references: Kaldi text (data/test/text) or .trn")],
    hyp: Annotated[Path, typer.Argument(help="hypotheses: Kaldi `utt-id text` or .trn")],
    out_dir: Annotated[Path, typer.Argument(help="where wer, cer, report.txt, score.json go")],
    normalizer: Annotated[str | None, typer.Option(
        help="module exposing normalize(str) -> str, applied to both sides, e.g. local.normalizers.ga")] = None,
    utt2spk: Annotated[Path | None, typer.Option(help="utt2spk for the per-speaker table")] = None,
    utt2dur: Annotated[Path | None, typer.Option(
        help="utt2dur: WER by duration bucket (otherwise by reference word count)")] = None,
    seed: Annotated[int, typer.Option(help="bootstrap random seed")] = 0,
    n_boot: Annotated[int, typer.Option(min=1, help="bootstrap resamples")] = 1000,
    alignment: Annotated[str, typer.Option(
        help="levenshtein (WER = edit distance, as Kaldi/jiwer) or sclite (NIST weights 4/3/3)")] = "levenshtein",
    config: Annotated[Path | None, typer.Option(help="config the system was made with (fingerprinted)")] = None,
    corpus: Annotated[str | None, typer.Option(help="corpus name and version, e.g. 'Common Voice ga-IE 17.0'")] = None,
) -> None:
    """Score hypotheses: Kaldi %WER/%CER lines, report.txt with alignments, score.json.

    Example: python -m steps score data/test/text exp/base/decode_test_greedy/hyp
    exp/base/decode_test_greedy --normalizer local.normalizers.ga --utt2spk data/test/utt2spk
    """
    logger.info("score %s %s %s normalizer=%s utt2spk=%s utt2dur=%s seed=%d n_boot=%d alignment=%s",
                ref_text, hyp, out_dir, normalizer, utt2spk, utt2dur, seed, n_boot, alignment)
    try:
        score(ref_text, hyp, out_dir, normalizer, utt2spk, utt2dur, seed=seed, n_boot=n_boot,
              alignment=alignment, provenance=collect_provenance(Path.cwd(), config, corpus))
    except CurrachError as err:
        logger.error("%s", err)
        raise typer.Exit(1) from err

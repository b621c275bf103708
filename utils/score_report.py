"""Text forms of a score: Kaldi's %WER line and the sclite-style report.txt.

The summary line is Kaldi's compute-wer format, `%WER 21.26 [ 27 / 127, 2 ins, 10 del, 15 sub ]`,
so existing tools that grep `%WER` keep working. A rate with no reference words is printed
as `n/a` when there are insertions (see utils.align.EditCounts.rate).
Alignments follow sclite's pralign: REF, HYP and Eval rows, `***` in the gaps.
"""
from __future__ import annotations

import unicodedata
from typing import Sequence

from utils.align import CORRECT, EditCounts, Edit

GAP = "***"


def fmt_rate(rate: float | None) -> str:
    """'21.26', or 'n/a' for an undefined rate."""
    return "n/a" if rate is None else f"{rate:.2f}"


def summary_line(label: str, counts: EditCounts) -> str:
    """Kaldi's line, e.g. `%WER 21.26 [ 27 / 127, 2 ins, 10 del, 15 sub ]`."""
    return (
        f"%{label} {fmt_rate(counts.rate())} [ {counts.errors} / {counts.ref_len}, "
        f"{counts.ins} ins, {counts.dele} del, {counts.sub} sub ]"
    )


def sentence_line(n_err_utts: int, n_utts: int) -> str:
    """Kaldi's `%SER 50.00 [ 5 / 10 ]`."""
    rate = 100.0 * n_err_utts / n_utts if n_utts else 0.0
    return f"%SER {rate:.2f} [ {n_err_utts} / {n_utts} ]"


def alignment_lines(edits: Sequence[Edit]) -> list[str]:
    """REF / HYP / Eval rows with columns padded to the widest token (display width)."""
    ref_row, hyp_row, eval_row = ["REF: "], ["HYP: "], ["Eval:"]
    for op, ref_tok, hyp_tok in edits:
        ref_cell = GAP if ref_tok is None else ref_tok
        hyp_cell = GAP if hyp_tok is None else hyp_tok
        width = max(_width(ref_cell), _width(hyp_cell))
        ref_row.append(_pad(ref_cell, width))
        hyp_row.append(_pad(hyp_cell, width))
        eval_row.append(_pad("" if op == CORRECT else op, width))
    return [" ".join(row).rstrip() for row in (ref_row, hyp_row, eval_row)]


def report_text(record: dict) -> str:
    """The whole report.txt: header, summary, tables, then every utterance's alignment."""
    lines = _header(record)
    lines += _section("SPEAKERS", _speaker_rows(record["speakers"]) or ["(no utt2spk given)"])
    lengths = record["length_buckets"]
    lines += _section(f"WER BY LENGTH ({lengths['unit']})", _bucket_rows(lengths["buckets"]))
    errs = record["error_words"]
    lines += _section("TOP CONFUSION PAIRS (ref -> hyp)",
                      [f"{c['count']:6d}  {c['ref']} -> {c['hyp']}" for c in errs["confusions"]])
    lines += _section("TOP INSERTED WORDS",
                      [f"{c['count']:6d}  {c['word']}" for c in errs["insertions"]])
    lines += _section("TOP DELETED WORDS",
                      [f"{c['count']:6d}  {c['word']}" for c in errs["deletions"]])
    lines += _section("REFERENCES WITHOUT A HYPOTHESIS (scored as empty)", record["missing_hyps"])
    lines += _section("EMPTY REFERENCES (hypothesis words count as insertions)",
                      record["empty_refs"])
    lines += ["", "ALIGNMENTS"]
    for utt in record["utterances"]:
        words = utt["words"]
        speaker = f"  speaker: {utt['speaker']}" if utt["speaker"] is not None else ""
        lines += ["", f"id: ({utt['utt_id']}){speaker}",
                  f"Scores: (#C #S #D #I) {words['cor']} {words['sub']} {words['del']} "
                  f"{words['ins']}  WER {fmt_rate(words['rate'])}"]
        lines += alignment_lines(utt["align"])
    return "\n".join(lines) + "\n"


def _header(record: dict) -> list[str]:
    wer, cer = record["wer"], record["cer"]
    ci = wer["ci95"]
    ci_text = "n/a" if ci is None else f"[{ci[0]:.2f}, {ci[1]:.2f}]"
    return [
        "currach scoring report",
        f"reference:   {record['ref']}",
        f"hypothesis:  {record['hyp']}",
        f"normaliser:  {record['normalizer_description']}",
        f"test set:    {record['set']}",
        f"alignment:   {record['alignment']}",
        f"utterances:  {record['n_utts']} scored, {len(record['missing_hyps'])} without "
        f"hypothesis, {len(record['empty_refs'])} with an empty reference",
        "",
        record["wer_line"],
        record["cer_line"],
        record["ser_line"],
        f"WER 95% CI {ci_text} (bootstrap over utterances, {wer['n_boot']} resamples, "
        f"seed {wer['seed']})",
        "CER 95% CI " + ("n/a" if cer["ci95"] is None
                         else f"[{cer['ci95'][0]:.2f}, {cer['ci95'][1]:.2f}]"),
    ]


def _section(title: str, rows: list[str]) -> list[str]:
    return ["", title] + (rows if rows else ["(none)"])


def _speaker_rows(speakers: list[dict]) -> list[str]:
    if not speakers:
        return []
    width = max(7, *(_width(s["speaker"]) for s in speakers))
    head = f"{'speaker':<{width}} {'#utt':>6} {'#words':>7} {'corr':>6} {'sub':>5} " \
           f"{'del':>5} {'ins':>5} {'err':>5} {'WER':>7}"
    rows = [head]
    for s in speakers:
        rows.append(
            f"{_pad(s['speaker'], width)} {s['n_utt']:6d} {s['n_words']:7d} {s['cor']:6d} "
            f"{s['sub']:5d} {s['del']:5d} {s['ins']:5d} {s['errors']:5d} {fmt_rate(s['wer']):>7}"
        )
    return rows


def _bucket_rows(buckets: list[dict]) -> list[str]:
    rows = [f"{'length':<8} {'#utt':>6} {'#words':>7} {'err':>6} {'WER':>7}"]
    for b in buckets:
        rows.append(f"{b['label']:<8} {b['n_utt']:6d} {b['n_words']:7d} {b['errors']:6d} "
                    f"{fmt_rate(b['wer']):>7}")
    return rows


def _width(text: str) -> int:
    """Terminal columns: wide East Asian characters take two, combining marks none."""
    cols = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        cols += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return cols


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))

"""Score hypotheses against references: per-utterance alignments and the tables built on them.

Rules (those of sclite): every reference utterance is scored; a reference with no hypothesis
is scored against an empty hypothesis (all deletions) and listed as missing; a hypothesis
with no reference is an error. An empty reference scores its hypothesis words as insertions,
which count in every total. Word error rate = (S + D + I) / reference words; character error
rate aligns the characters of the normalised text, spaces included (as jiwer does).
"""
from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from tqdm import tqdm

from utils.align import DEL, INS, SUB, Edit, EditCounts, align, count_edits
from utils.errors import InputError
from utils.transcripts import Normalizer

# Fixed bucket edges so that systems and recipes can be laid side by side.
SECONDS_EDGES = (0.0, 2.0, 4.0, 6.0, 10.0, 15.0, 20.0)
WORD_EDGES = (0, 1, 5, 10, 15, 20, 30)


@dataclass
class UttScore:
    """One scored utterance: normalised texts, the word alignment and both sets of counts."""

    utt_id: str
    ref: str
    hyp: str
    edits: list[Edit]
    words: EditCounts
    chars: EditCounts
    speaker: str | None = None
    duration: float | None = None
    missing_hyp: bool = False


def score_utterances(
    refs: dict[str, str],
    hyps: dict[str, str],
    normalizer: Normalizer,
    hyp_path: Path,
    speakers: dict[str, str] | None = None,
    durations: dict[str, float] | None = None,
    alignment: str = "levenshtein",
) -> list[UttScore]:
    """Align every reference utterance with its hypothesis (raw texts, normalised here).

    `alignment`: "levenshtein" or "sclite" (see utils.align).

    Raises InputError naming the hypothesis ids that have no reference, and the first
    reference id missing from `speakers` or `durations` when those are given.
    """
    extra = [utt for utt in hyps if utt not in refs]
    if extra:
        shown = ", ".join(extra[:10]) + (" ..." if len(extra) > 10 else "")
        raise InputError(f"{hyp_path}: {len(extra)} hypothesis id(s) with no reference: {shown}")
    for table, name in ((speakers, "utt2spk"), (durations, "utt2dur")):
        if table is not None:
            missing = next((utt for utt in refs if utt not in table), None)
            if missing is not None:
                raise InputError(f"{name} has no entry for reference utterance {missing!r}")
    scored = []
    for utt, raw_ref in tqdm(refs.items(), desc="scoring", unit="utt", disable=None):
        ref = normalizer(raw_ref)
        hyp = normalizer(hyps.get(utt, ""))
        edits = align(ref.split(), hyp.split(), alignment)
        scored.append(UttScore(
            utt_id=utt, ref=ref, hyp=hyp, edits=edits, words=count_edits(edits),
            chars=count_edits(align(list(ref), list(hyp), alignment)),
            speaker=speakers[utt] if speakers is not None else None,
            duration=durations[utt] if durations is not None else None,
            missing_hyp=utt not in hyps,
        ))
    return scored


def total(counts: Iterable[EditCounts]) -> EditCounts:
    """Sum of EditCounts."""
    out = EditCounts()
    for item in counts:
        out = out + item
    return out


def speaker_table(utts: list[UttScore]) -> list[dict]:
    """Rows {speaker, n_utt, n_words, cor, sub, del, ins, errors, wer}, sorted by speaker."""
    by_spk: dict[str, list[UttScore]] = {}
    for utt in utts:
        if utt.speaker is not None:
            by_spk.setdefault(utt.speaker, []).append(utt)
    rows = []
    for spk in sorted(by_spk):
        counts = total(u.words for u in by_spk[spk])
        rows.append({
            "speaker": spk, "n_utt": len(by_spk[spk]), "n_words": counts.ref_len,
            "cor": counts.cor, "sub": counts.sub, "del": counts.dele, "ins": counts.ins,
            "errors": counts.errors, "wer": counts.rate(),
        })
    return rows


def error_words(utts: list[UttScore], top: int = 20) -> dict[str, list[dict]]:
    """Most frequent confusion pairs, inserted words and deleted words (ties by text)."""
    subs: Counter = Counter()
    ins: Counter = Counter()
    dels: Counter = Counter()
    for utt in utts:
        for op, ref_tok, hyp_tok in utt.edits:
            if op == SUB:
                subs[(ref_tok, hyp_tok)] += 1
            elif op == INS:
                ins[hyp_tok] += 1
            elif op == DEL:
                dels[ref_tok] += 1

    def ranked(counter: Counter) -> list:
        return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top]

    return {
        "confusions": [{"ref": r, "hyp": h, "count": c} for (r, h), c in ranked(subs)],
        "insertions": [{"word": w, "count": c} for w, c in ranked(ins)],
        "deletions": [{"word": w, "count": c} for w, c in ranked(dels)],
    }


def length_buckets(utts: list[UttScore]) -> dict:
    """WER by utterance length: seconds when every utterance has a duration, else ref words.

    Returns {"unit": "seconds"|"words", "buckets": [{label, n_utt, n_words, errors, wer}]},
    with empty buckets left out.
    """
    use_seconds = bool(utts) and all(u.duration is not None for u in utts)
    edges = SECONDS_EDGES if use_seconds else WORD_EDGES
    groups: list[list[UttScore]] = [[] for _ in edges]
    for utt in utts:
        size = utt.duration if use_seconds else utt.words.ref_len
        slot = max(0, bisect.bisect_right(edges, size) - 1)
        groups[slot].append(utt)
    buckets = []
    for k, members in enumerate(groups):
        if not members:
            continue
        counts = total(u.words for u in members)
        buckets.append({
            "label": _bucket_label(edges, k, use_seconds), "n_utt": len(members),
            "n_words": counts.ref_len, "errors": counts.errors, "wer": counts.rate(),
        })
    return {"unit": "seconds" if use_seconds else "words", "buckets": buckets}


def bucket_labels(unit: str) -> list[str]:
    """Every bucket label for "seconds" or "words", shortest first."""
    seconds = unit == "seconds"
    edges = SECONDS_EDGES if seconds else WORD_EDGES
    return [_bucket_label(edges, k, seconds) for k in range(len(edges))]


def _bucket_label(edges: tuple, k: int, seconds: bool) -> str:
    """'2-4s' for seconds [2, 4); '5-9' for word counts [5, 10); the last bucket is open."""
    low = edges[k]
    if seconds:
        return f"{low:g}s+" if k == len(edges) - 1 else f"{low:g}-{edges[k + 1]:g}s"
    if k == len(edges) - 1:
        return f"{low}+"
    high = edges[k + 1] - 1
    return str(low) if high == low else f"{low}-{high}"

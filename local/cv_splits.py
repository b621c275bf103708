"""What a Common Voice split may keep: no clip in two splits, and the `validated` train set.

Common Voice's official splits never share a speaker or a sentence, but a user's edited
folder can list one clip twice. `held_out` names the splits that win such a clash, in order
of precedence (test, then dev): a clip that test lists is excluded from every other split, one
that dev lists from all but test.

`--train-set validated` is the usual practice for small locales: train on validated.tsv (every
clip the community accepted, several times train.tsv's size) minus every clip, every speaker
and every sentence of dev and test, so the evaluation stays as speaker- and sentence-disjoint
as the official splits. Sentences are compared by `cv_rows.sentence_key` (case, punctuation
and invisible characters ignored). Every exclusion is reported with the file and line that
holds the clip, speaker or sentence out, and logged with counts; it is not counted as a loss.
"""
from __future__ import annotations

import logging
from collections import Counter

from local.cv_rows import clip_key, sentence_key
from utils.audio_jobs import ClipJob
from utils.prep_report import PrepReport

log = logging.getLogger(__name__)
HELD_OUT = ("test", "dev")


def winners(split: str, held_out: tuple[str, ...]) -> tuple[str, ...]:
    """The held-out splits that take precedence over `split` (all of them for train, validated, ...)."""
    return held_out[:held_out.index(split)] if split in held_out else held_out


def exclude_held_out(rows: list[ClipJob], held: dict[str, list[ClipJob]], report: PrepReport,
                     speakers_and_sentences: bool = False) -> list[ClipJob]:
    """`rows` less those sharing a clip (and, with `speakers_and_sentences`, a speaker or a
    sentence) with the held-out listings `held` ({file name: its rows}, in order of precedence).
    """
    owners: dict[str, dict[str, tuple[str, int]]] = {"clip": {}, "speaker": {}, "sentence": {}}
    for name, listing in reversed(held.items()):  # the first listing's claim overwrites later ones'
        for row in reversed(listing):  # and within a listing, the first line's
            owners["clip"][clip_key(row)] = (name, row.line)
            owners["speaker"][row.speaker] = (name, row.line)
            owners["sentence"][sentence_key(row.text)] = (name, row.line)
    kinds = ("clip", "speaker", "sentence") if speakers_and_sentences else ("clip",)
    kept, counts = [], Counter()
    for row in rows:
        keys = {"clip": clip_key(row), "speaker": row.speaker, "sentence": sentence_key(row.text)}
        kind = next((k for k in kinds if keys[k] in owners[k]), None)
        if kind is None:
            kept.append(row)
            continue
        counts[kind] += 1
        name, line = owners[kind][keys[kind]]
        report.exclude(row.source, row.line, row.utt_id,
                       f"{kind} also in {name} (line {line}): " + ("kept there only" if kind == "clip" else "held out"))
    if counts:
        log.warning("%s: excluded %d of %d rows held out by %s (%s); see prep_report.tsv", rows[0].source,
                    sum(counts.values()), len(rows), ", ".join(held),
                    ", ".join(f"{counts[k]} same {k}" for k in kinds))
    return kept

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
from collections.abc import Iterable, Iterator

from local.cv_rows import clip_key, sentence_key
from utils.audio_jobs import ClipJob
from utils.prep_report import PrepReport

log = logging.getLogger(__name__)
HELD_OUT = ("test", "dev")


def winners(split: str, held_out: tuple[str, ...]) -> tuple[str, ...]:
    """The held-out splits that take precedence over `split` (all of them for train, validated, ...)."""
    return held_out[:held_out.index(split)] if split in held_out else held_out


class HeldOut:
    """What the held-out listings claim: {clip, speaker, sentence: {key: (listing name, line)}}.

    `held` maps a listing's file name to its rows, in order of precedence; each is read once,
    its duplicate rows skipped as data prep skips them. Memory: one entry per held-out row and
    kind (the dev and test sets, not the split being prepared). With `speakers_and_sentences`,
    a row sharing a speaker or a sentence is held out too, not only one sharing a clip.
    """

    def __init__(self, held: dict[str, Iterable[ClipJob]], speakers_and_sentences: bool = False) -> None:
        self.names = list(held)
        self.kinds = ("clip", "speaker", "sentence") if speakers_and_sentences else ("clip",)
        self.owners: dict[str, dict[str, tuple[str, int]]] = {kind: {} for kind in self.kinds}
        for name, listing in held.items():  # the first listing's claim, and its first line's, wins
            seen: set[str] = set()
            for row in listing:
                if row.utt_id not in seen:
                    seen.add(row.utt_id)
                    for kind, key in self._keys(row).items():
                        self.owners[kind].setdefault(key, (name, row.line))

    def exclude(self, rows: Iterable[ClipJob], report: PrepReport, listing: str = "") -> Iterator[ClipJob]:
        """`rows` less those a held-out listing claims, each reported as excluded; a warning with
        the counts once all are read (`listing`: the file named in it)."""
        counts: Counter[str] = Counter()
        read = 0
        for row in rows:
            read += 1
            keys = self._keys(row)
            kind = next((k for k in self.kinds if keys[k] in self.owners[k]), None)
            if kind is None:
                yield row
                continue
            counts[kind] += 1
            name, line = self.owners[kind][keys[kind]]
            report.exclude(row.source, row.line, row.utt_id, f"{kind} also in {name} (line {line}): "
                                                             + ("kept there only" if kind == "clip" else "held out"))
        if counts:
            log.warning("%s: excluded %d of %d rows held out by %s (%s); see prep_report.tsv", listing,
                        sum(counts.values()), read, ", ".join(self.names),
                        ", ".join(f"{counts[k]} same {k}" for k in self.kinds))

    def _keys(self, row: ClipJob) -> dict[str, str]:
        return {kind: KEYS[kind](row) for kind in self.kinds}


KEYS = {"clip": clip_key, "speaker": lambda row: row.speaker, "sentence": lambda row: sentence_key(row.text)}

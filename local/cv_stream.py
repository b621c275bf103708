"""One Common Voice split from its listing to Kaldi files, in memory that does not grow with its clips.

    listing: a TSV's rows or a datasets table's, in order (unusable rows reported as read)
      -> sorted by clip name and joined with clip_durations.tsv, sorted alike (when there is one)
      -> sorted by utterance id: a clip listed twice dropped (its first line kept), rows the
         held-out splits claim excluded (local/cv_splits.py)          -> a jobs file, in id order
      -> converted by the workers (utils.audio_jobs.iter_converted)
      -> the Kaldi files (utils.data_dir_stream.stream_data_dir: ids come sorted, nothing is held)

Each sort is a SortedSpool (utils/sorted_spool.py) under the data dir, removed at the end. The
report's rows are kept under (step, listing, line) and given to the PrepReport in that order
at the end: the order they had when each step ran over the whole split in turn.
"""
from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import IO

from local.cv_rows import iter_clip_durations
from local.cv_splits import HeldOut
from pipeline.jobs import Jobs
from utils.audio_jobs import ClipJob, iter_converted
from utils.data_dir_stream import stream_data_dir
from utils.prep_report import PrepReport
from utils.sorted_spool import SortedSpool, lockstep

RUN_LINES = 1_000  # records a spool holds in memory (about 0.3 MB of clip jobs)
LISTED, EXCLUDED, CONVERTED = 1, 2, 3  # the steps, in the order their report rows go
DUPLICATE = "duplicate utterance id (clip listed twice)"
Listing = Callable[["StepReport"], Iterable[tuple[ClipJob, str]]]  # (job, clip file name) in listing order


def stream_split(listing: Listing, durations: Path | None, held: HeldOut, report: PrepReport, out_dir: Path,
                 wav_dir: Path, nj: int | Jobs, desc: str, native_rates: tuple[int, ...],
                 before_replace: Callable[[], None]) -> int:
    """Write the Kaldi files of `out_dir` from `listing` (called with the report its unusable rows
    go to); return the number of utterances.

    `durations`: clip_durations.tsv (None: none), whose seconds become each job's expected
    duration. `before_replace` runs once every row is reported in `report` and before any file
    of `out_dir` is replaced (utils.data_dir_stream): write the report and check the drop share
    there. The caller validates the dir.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        def spool() -> SortedSpool:
            return stack.enter_context(SortedSpool(out_dir, RUN_LINES))

        steps = Steps(report, spool())
        listed = steps.registered(listing(StepReport(steps, LISTED)))
        jobs = (job for job, _ in listed) if durations is None else _with_durations(listed, durations, spool(), spool())
        by_id = spool()
        for job in jobs:
            by_id.add(job.utt_id, _encode(job))
        kept = stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n", dir=out_dir))
        count = _keep(by_id, held, steps, kept)
        kept.seek(0)
        utts = iter_converted((_decode(line) for line in kept), wav_dir, nj, StepReport(steps, CONVERTED), desc,
                              native_rates, total=count)

        def finish() -> None:
            steps.replay()
            before_replace()

        return stream_data_dir(out_dir, utts, before_replace=finish)


class Steps:
    """Report rows of every step kept in `spool` under (step, listing, line), listings numbered in
    the order they are first met; `replay` gives them to `report` in that order."""

    def __init__(self, report: PrepReport, spool: SortedSpool) -> None:
        self.report, self.spool = report, spool
        self.listings: dict[str, int] = {}
        self.first_listing = ""  # the file of the first usable row, which the exclusion warning names

    def registered(self, listed: Iterable[tuple[ClipJob, str]]) -> Iterator[tuple[ClipJob, str]]:
        """`listed` as it comes, each row's file numbered on the way (before any sort reorders rows)."""
        for job, name in listed:
            self._number(job.source)
            self.first_listing = self.first_listing or job.source
            yield job, name

    def add(self, step: int, action: str, file: str, line: int, utt_id: str, reason: str) -> None:
        key = f"{step}:{self._number(file):06d}:{line:012d}"
        self.spool.add(key, json.dumps([action, file, line, utt_id, reason], ensure_ascii=False))

    def replay(self) -> None:
        for _, row in self.spool.sorted_records():
            action, *args = json.loads(row)
            getattr(self.report, action)(*args)

    def _number(self, file: str) -> int:
        return self.listings.setdefault(file, len(self.listings))


class StepReport:
    """What a listing and the workers call on a PrepReport (drop, repair, exclude, total), for one step."""

    def __init__(self, steps: Steps, step: int) -> None:
        self._steps, self._step = steps, step

    @property
    def total(self) -> int:
        return self._steps.report.total

    @total.setter
    def total(self, value: int) -> None:
        self._steps.report.total = value

    def drop(self, file: str, line: int, utt_id: str, reason: str) -> None:
        self._steps.add(self._step, "drop", file, line, utt_id, reason)

    def repair(self, file: str, line: int, utt_id: str, reason: str) -> None:
        self._steps.add(self._step, "repair", file, line, utt_id, reason)

    def exclude(self, file: str, line: int, utt_id: str, reason: str) -> None:
        self._steps.add(self._step, "exclude", file, line, utt_id, reason)


def _with_durations(listed: Iterable[tuple[ClipJob, str]], durations: Path, by_name: SortedSpool,
                    seconds: SortedSpool) -> Iterator[ClipJob]:
    """Each job with the seconds clip_durations.tsv gives its clip name (the last line naming it; 0: none)."""
    for job, name in listed:
        by_name.add(name, _encode(job))
    for name, value in iter_clip_durations(durations):
        seconds.add(name, repr(value))
    for _, present in lockstep({"jobs": by_name.grouped(), "seconds": seconds.grouped()}):
        expected = float(present["seconds"][-1]) if "seconds" in present else 0.0
        for job in present.get("jobs", []):
            yield replace(_decode(job), expected_duration=expected)


def _keep(by_id: SortedSpool, held: HeldOut, steps: Steps, out: IO[str]) -> int:
    """Write to `out` the jobs of `by_id` less duplicates and rows held out, in id order; their number."""
    listed = StepReport(steps, LISTED)

    def unique() -> Iterator[ClipJob]:
        for _, values in by_id.grouped():
            first, *again = map(_decode, values)  # in listing order: the first line is kept
            for job in again:
                listed.drop(job.source, job.line, job.utt_id, DUPLICATE)
            yield first

    count = 0
    for job in held.exclude(unique(), StepReport(steps, EXCLUDED), steps.first_listing):
        out.write(_encode(job) + "\n")
        count += 1
    return count


def _encode(job: ClipJob) -> str:
    return json.dumps([job.source, job.line, job.utt_id, job.speaker, str(job.clip), job.text, job.expected_duration],
                      ensure_ascii=False)


def _decode(text: str) -> ClipJob:
    source, line, utt_id, speaker, clip, words, expected = json.loads(text)
    return ClipJob(source, line, utt_id, speaker, Path(clip), words, expected)

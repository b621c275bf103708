"""Kaldi data dirs: the one place that writes, reads, validates and repairs them.

A data dir holds, each a sorted `key value` file (format: utils/kaldi_files.py):

    wav.scp    utt_id /abs/path/to/utt.wav      16 kHz mono wav written at data prep, no pipes
    text       utt_id normalised transcript     non-empty
    text.raw   utt_id transcript as found       optional, written when normalisation ran
    utt2spk    utt_id speaker_id                speaker_id is a prefix of utt_id
    spk2utt    speaker_id utt_id utt_id ...     derived from utt2spk
    utt2dur    utt_id seconds                   positive, "%.3f"

Long recordings (conversations) keep Kaldi's `segments` and `reco2dur`, and wav.scp is then
keyed by recording (utils/segments.py draws that layout); an Utterance then has a `segment`.
Every per-utterance file covers the same utterances. The rules (Kaldi's
utils/validate_data_dir.sh with --no-feats, plus ours) live in utils/data_dir_checks.py, checked
by utils/data_dir_validate.py; the line format in utils/kaldi_files.py. This module re-exports
read_kv, write_kv and validate_data_dir so callers need one import.
"""
from __future__ import annotations

import csv
import io
import logging
import shutil
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from utils.data_dir_checks import (
    PER_UTTERANCE_FILES,
    PRODUCER,
    RECORDING_FILES,
    REQUIRED_FILES,
    SEGMENTED_UTTERANCE_FILES,
    TEXT_FILES,
    has_segments,
    unusable_lines,
    per_utterance_files,
)
from utils.data_dir_validate import validate_data_dir
from utils.errors import DataDirError, InputError
from utils.kaldi_files import (
    byte_order,
    read_kv,
    render_kv,
    scan_kv,
    sorted_keys,
    write_kv,
)
from utils.segments import Segment, plan_segments, read_segments, segment_files
from utils.audio_paths import portable_path, resolve_path
from utils.text_files import atomic_write_text

__all__ = ["FixReport", "Segment", "Utterance", "fix_data_dir", "read_data_dir", "read_kv", "spk2utt_from_utt2spk",
           "validate_data_dir", "write_data_dir", "write_kv"]

log = logging.getLogger(__name__)
REPORT_NAME = "fix_data_dir.report.tsv"
BACKUP_DIR = ".backup"


@dataclass(frozen=True, slots=True)  # slots: a data prep holds one per utterance
class Utterance:
    """One utterance as stored across the files of a data dir. `duration` is in seconds.

    With a `segment`, the utterance is the stretch [segment.start, segment.start + duration)
    of the recording `wav` (a segmented dir); without, `wav` holds just this utterance.
    """

    utt_id: str
    speaker: str
    wav: str
    text: str
    duration: float
    text_raw: str | None = None
    segment: Segment | None = None


@dataclass(frozen=True)
class FixReport:
    """What `fix_data_dir` did. `dropped` counts utterances; the report also lists unreadable lines."""

    kept: int
    dropped: int
    repaired_line_endings: int
    report: Path
    rewritten: bool


@dataclass(frozen=True)
class _Drop:
    """One row of fix_data_dir.report.tsv; utt_id is "" for a line whose key could not be read."""

    utt_id: str
    file: str
    line: int
    reason: str


def require_files(data_dir: Path, names: Iterable[str]) -> None:
    """InputError naming the first of `names` missing from `data_dir`."""
    if not data_dir.is_dir():
        raise InputError(f"{data_dir}: no such data dir ({PRODUCER})")
    for name in names:
        if not (data_dir / name).is_file():
            raise InputError(f"{data_dir}: missing {name} ({PRODUCER})")


def spk2utt_from_utt2spk(utt2spk: Mapping[str, str]) -> dict[str, str]:
    """speaker -> its utterance ids in byte order, space-separated (Kaldi's utt2spk_to_spk2utt.pl)."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for utt_id, speaker in utt2spk.items():
        grouped[speaker].append(utt_id)
    return {speaker: " ".join(sorted_keys(utts)) for speaker, utts in grouped.items()}


def format_duration(seconds: float) -> str:
    """Kaldi-style "%.3f", with more digits for a positive value that would round to 0.000."""
    text = f"{seconds:.3f}"
    return f"{seconds:g}" if seconds > 0 and float(text) == 0 else text


def _check_new_utterances(utts: list[Utterance]) -> None:
    """InputError for duplicate utterance ids, or text_raw or a segment given for only some utterances."""
    seen: set[str] = set()
    for utt in utts:
        if utt.utt_id in seen:
            raise InputError(f"duplicate utterance id {utt.utt_id!r}: utterance ids must be unique")
        seen.add(utt.utt_id)
    without_raw = [utt.utt_id for utt in utts if utt.text_raw is None]
    if without_raw and len(without_raw) < len(utts):
        raise InputError(f"text_raw is set for some utterances but not for {without_raw[0]!r}; "
                         "give it for all utterances or none")
    unsegmented = [utt.utt_id for utt in utts if utt.segment is None]
    if unsegmented and len(unsegmented) < len(utts):
        raise InputError(f"some utterances are segments of recordings but {unsegmented[0]!r} is not; "
                         "a data dir is either segmented or not")


def write_data_dir(data_dir: Path, utts: Iterable[Utterance]) -> None:
    """Write `utts` as a Kaldi data dir (created if needed), then validate it.

    Writes wav.scp, text, utt2spk, spk2utt, utt2dur, and text.raw when utterances carry
    raw text (a stale text.raw is removed otherwise); for utterances with a `segment` also
    segments and reco2dur, with wav.scp keyed by recording (stale ones are removed from an
    unsegmented dir). Each file is replaced atomically. Raises InputError for duplicate ids,
    a recording given two paths or lengths, or values that cannot be stored on one line
    (before anything is written) and DataDirError when the written dir is invalid.
    """
    utts = list(utts)
    _check_new_utterances(utts)
    utt2spk = {utt.utt_id: utt.speaker for utt in utts}
    files = {
        "wav.scp": {utt.utt_id: portable_path(utt.wav, data_dir) for utt in utts},
        "text": {utt.utt_id: utt.text for utt in utts},
        "utt2spk": utt2spk,
        "spk2utt": spk2utt_from_utt2spk(utt2spk),
        "utt2dur": {utt.utt_id: format_duration(utt.duration) for utt in utts},
    }
    if utts and utts[0].text_raw is not None:
        files["text.raw"] = {utt.utt_id: str(utt.text_raw) for utt in utts}
    if utts and utts[0].segment is not None:
        files.update(segment_files(utts))
        files["wav.scp"] = {reco: portable_path(wav, data_dir) for reco, wav in files["wav.scp"].items()}
    rendered = {name: render_kv(mapping) for name, mapping in files.items()}
    data_dir.mkdir(parents=True, exist_ok=True)
    for stale in ("text.raw", "segments", "reco2dur"):
        if stale not in files:
            (data_dir / stale).unlink(missing_ok=True)
    for name, text in rendered.items():
        atomic_write_text(data_dir / name, text)
    problems = validate_data_dir(data_dir)
    if problems:
        raise DataDirError(str(data_dir), problems)


def read_data_dir(data_dir: Path) -> list[Utterance]:
    """Read a data dir into Utterances sorted by utt_id (byte order).

    Raises InputError naming a missing file and DataDirError (every problem) when the dir
    does not validate, so callers can trust what they get.
    """
    segmented = has_segments(data_dir)
    require_files(data_dir, (*REQUIRED_FILES, *RECORDING_FILES) if segmented else REQUIRED_FILES)
    problems = validate_data_dir(data_dir)
    if problems:
        raise DataDirError(str(data_dir), problems)
    maps = {name: read_kv(data_dir / name) for name in per_utterance_files(data_dir)}
    raw = maps.get("text.raw")
    wav = read_kv(data_dir / "wav.scp")
    segments = read_segments(maps["segments"], read_kv(data_dir / "reco2dur")) if segmented else {}
    return [
        Utterance(
            utt_id=utt_id,
            speaker=speaker,
            wav=resolve_path(wav[segments[utt_id].reco_id] if segmented else wav[utt_id], data_dir),
            text=maps["text"][utt_id],
            duration=float(maps["utt2dur"][utt_id]),
            text_raw=None if raw is None else raw[utt_id],
            segment=segments.get(utt_id),
        )
        for utt_id, speaker in sorted(maps["utt2spk"].items(), key=lambda kv: byte_order(kv[0]))
    ]


def _plan_fix(data_dir: Path, names: list[str]) -> tuple[list[Utterance], list[_Drop], int]:
    """Utterances to keep, report rows for the rest, and the number of CRLF endings repaired."""
    tables = {name: scan_kv(data_dir / name, value_required=name not in TEXT_FILES, repair_crlf=True)
              for name in names}
    rows: list[_Drop] = []
    dropped: set[str] = set()
    for name, table in tables.items():
        for issue in unusable_lines(name, table, data_dir):
            rows.append(_Drop(issue.key or "", name, issue.line, issue.reason))
            dropped.add(issue.key or "")
    values = {name: {r.key: r.value for r in table.lines} for name, table in tables.items()}
    first_seen: dict[str, tuple[str, int]] = {}
    for name, table in tables.items():
        for record in table.lines:
            first_seen.setdefault(record.key, (name, record.line))
    for utt_id, (name, line) in first_seen.items():
        missing = [other for other in names if utt_id not in values[other]]
        if missing and utt_id not in dropped:
            rows.append(_Drop(utt_id, name, line, f"no entry in {', '.join(missing)}"))
            dropped.add(utt_id)
    places: dict[str, tuple[str, Segment | None]] = {
        utt_id: (wav, None) for utt_id, wav in values.get("wav.scp", {}).items()}
    if "segments" in tables:
        places, drops = plan_segments(data_dir, tables["segments"], values["utt2dur"], dropped)
        rows.extend(_Drop(*drop) for drop in drops)
        dropped.update(drop[0] for drop in drops)
    raw = values.get("text.raw")
    utts = [
        Utterance(utt_id, values["utt2spk"][utt_id], places[utt_id][0], values["text"][utt_id],
                  float(values["utt2dur"][utt_id]), None if raw is None else raw[utt_id], places[utt_id][1])
        for utt_id in sorted_keys(set(first_seen) - dropped)
    ]
    return utts, rows, sum(table.crlf_repaired for table in tables.values())


def _write_report(path: Path, rows: list[_Drop]) -> None:
    """fix_data_dir.report.tsv: a header, then one row per dropped utterance or unreadable line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(["utt_id", "file", "line", "reason"])
    for row in sorted(rows, key=lambda r: (byte_order(r.utt_id), r.file, r.line)):
        writer.writerow([row.utt_id, row.file, row.line, row.reason])
    atomic_write_text(path, buffer.getvalue())


def _backup(data_dir: Path, names: Iterable[str]) -> Path:
    """Copy the files about to be rewritten into <data_dir>/.backup/, as Kaldi's fix_data_dir.sh does."""
    backup = data_dir / BACKUP_DIR
    backup.mkdir(exist_ok=True)
    for name in names:
        if (data_dir / name).is_file():
            shutil.copy2(data_dir / name, backup / name)
    return backup


def fix_data_dir(data_dir: Path) -> FixReport:
    """Repair a data dir the way Kaldi's utils/fix_data_dir.sh does, and report what was dropped.

    Keeps the utterances that have a valid entry in every per-utterance file (wav.scp, text,
    utt2spk, utt2dur, text.raw if present; segments instead of wav.scp in a segmented dir);
    drops the rest (empty text, missing audio, bad duration or speaker, unreadable line,
    missing from a file, conflicting duplicates, a segment whose recording is missing from
    wav.scp or reco2dur or shorter than the segment's end). Recordings no segment uses go.
    Repairs CRLF line endings, sorts, regenerates spk2utt. Every dropped utterance is
    written with file, line and reason to <data_dir>/fix_data_dir.report.tsv. A dir that
    already validates is left untouched; otherwise the old files go to <data_dir>/.backup/
    and are rewritten atomically. Raises InputError if a per-utterance file is missing or
    nothing would be kept (then nothing is rewritten), DataDirError if the result still
    fails validation (e.g. utt2spk not sortable by speaker).
    """
    segmented = has_segments(data_dir)
    require_files(data_dir, (*SEGMENTED_UTTERANCE_FILES, *RECORDING_FILES) if segmented else PER_UTTERANCE_FILES)
    names = per_utterance_files(data_dir)
    utts, rows, repaired = _plan_fix(data_dir, names)
    report = data_dir / REPORT_NAME
    _write_report(report, rows)
    dropped = len({row.utt_id for row in rows if row.utt_id})
    if not utts:
        raise InputError(f"{data_dir}: no utterance has a valid entry in every one of {', '.join(names)} "
                         f"({dropped} dropped); left the dir unchanged; reasons in {report}")
    rewritten = bool(validate_data_dir(data_dir))
    if rewritten:
        backup = _backup(data_dir, [*names, "spk2utt", *(RECORDING_FILES if segmented else ())])
        log.info("%s: originals copied to %s", data_dir, backup)
        write_data_dir(data_dir, utts)
    return FixReport(kept=len(utts), dropped=dropped, repaired_line_endings=repaired,
                     report=report, rewritten=rewritten)

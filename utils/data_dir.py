"""Kaldi data dirs: the one place that writes, reads, validates and repairs them.

A data dir holds, each a sorted `key value` file (format: utils/kaldi_files.py):

    wav.scp    utt_id /abs/path/to/utt.wav      16 kHz mono wav written at data prep, no pipes
    text       utt_id normalised transcript     non-empty
    text.raw   utt_id transcript as found       optional, written when normalisation ran
    utt2spk    utt_id speaker_id                speaker_id is a prefix of utt_id
    spk2utt    speaker_id utt_id utt_id ...     derived from utt2spk
    utt2dur    utt_id seconds                   positive, "%.3f"

Every per-utterance file covers the same utterances. The rules (Kaldi's
utils/validate_data_dir.sh with --no-feats, plus ours) live in utils/data_dir_checks.py,
the line format in utils/kaldi_files.py; this module re-exports read_kv, write_kv and
validate_data_dir so callers need one import.
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
    REQUIRED_FILES,
    TEXT_FILES,
    entry_issues,
    per_utterance_files,
    validate_data_dir,
)
from utils.errors import DataDirError, InputError
from utils.kaldi_files import (
    KvTable,
    LineIssue,
    byte_order,
    read_kv,
    render_kv,
    scan_kv,
    sorted_keys,
    write_kv,
)
from utils.audio_paths import portable_path, resolve_path
from utils.text_files import atomic_write_text

__all__ = ["FixReport", "Utterance", "fix_data_dir", "read_data_dir", "read_kv", "spk2utt_from_utt2spk",
           "validate_data_dir", "write_data_dir", "write_kv"]

log = logging.getLogger(__name__)
REPORT_NAME = "fix_data_dir.report.tsv"
BACKUP_DIR = ".backup"


@dataclass(frozen=True, slots=True)  # slots: a data prep holds one per utterance
class Utterance:
    """One utterance as stored across the files of a data dir. `duration` is in seconds."""

    utt_id: str
    speaker: str
    wav: str
    text: str
    duration: float
    text_raw: str | None = None


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
    """InputError for duplicate utterance ids or text_raw given for only some utterances."""
    seen: set[str] = set()
    for utt in utts:
        if utt.utt_id in seen:
            raise InputError(f"duplicate utterance id {utt.utt_id!r}: utterance ids must be unique")
        seen.add(utt.utt_id)
    without_raw = [utt.utt_id for utt in utts if utt.text_raw is None]
    if without_raw and len(without_raw) < len(utts):
        raise InputError(f"text_raw is set for some utterances but not for {without_raw[0]!r}; "
                         "give it for all utterances or none")


def write_data_dir(data_dir: Path, utts: Iterable[Utterance]) -> None:
    """Write `utts` as a Kaldi data dir (created if needed), then validate it.

    Writes wav.scp, text, utt2spk, spk2utt, utt2dur, and text.raw when utterances carry
    raw text (a stale text.raw is removed otherwise). Each file is replaced atomically.
    Raises InputError for duplicate ids or values that cannot be stored on one line
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
    rendered = {name: render_kv(mapping) for name, mapping in files.items()}
    data_dir.mkdir(parents=True, exist_ok=True)
    if "text.raw" not in files:
        (data_dir / "text.raw").unlink(missing_ok=True)
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
    require_files(data_dir, REQUIRED_FILES)
    problems = validate_data_dir(data_dir)
    if problems:
        raise DataDirError(str(data_dir), problems)
    maps = {name: read_kv(data_dir / name) for name in per_utterance_files(data_dir)}
    raw = maps.get("text.raw")
    return [
        Utterance(
            utt_id=utt_id,
            speaker=speaker,
            wav=resolve_path(maps["wav.scp"][utt_id], data_dir),
            text=maps["text"][utt_id],
            duration=float(maps["utt2dur"][utt_id]),
            text_raw=None if raw is None else raw[utt_id],
        )
        for utt_id, speaker in sorted(maps["utt2spk"].items(), key=lambda kv: byte_order(kv[0]))
    ]


def _unusable(name: str, table: KvTable, data_dir: Path) -> list[_Drop]:
    """Why entries of one file cannot be kept: bad lines, bad values, conflicting duplicates."""
    issues = table.issues + entry_issues(name, table.lines, data_dir)
    values: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for record in table.lines:
        values[record.key].append((record.line, record.value))
    for key, seen in values.items():
        if len({value for _, value in seen}) > 1:
            lines = ", ".join(str(line) for line, _ in seen)
            issues.append(LineIssue(seen[1][0], key, f"conflicting duplicate entries (lines {lines})"))
    return [_Drop(issue.key or "", name, issue.line, issue.reason)
            for issue in sorted(issues, key=lambda issue: issue.line)]


def _plan_fix(data_dir: Path, names: list[str]) -> tuple[list[Utterance], list[_Drop], int]:
    """Utterances to keep, report rows for the rest, and the number of CRLF endings repaired."""
    tables = {name: scan_kv(data_dir / name, value_required=name not in TEXT_FILES, repair_crlf=True)
              for name in names}
    rows: list[_Drop] = []
    dropped: set[str] = set()
    for name, table in tables.items():
        for row in _unusable(name, table, data_dir):
            rows.append(row)
            dropped.add(row.utt_id)
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
    raw = values.get("text.raw")
    utts = [
        Utterance(utt_id, values["utt2spk"][utt_id], values["wav.scp"][utt_id], values["text"][utt_id],
                  float(values["utt2dur"][utt_id]), None if raw is None else raw[utt_id])
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
    utt2spk, utt2dur, text.raw if present); drops the rest (empty text, missing audio, bad
    duration or speaker, unreadable line, missing from a file, conflicting duplicates).
    Repairs CRLF line endings, sorts, regenerates spk2utt. Every dropped utterance is
    written with file, line and reason to <data_dir>/fix_data_dir.report.tsv. A dir that
    already validates is left untouched; otherwise the old files go to <data_dir>/.backup/
    and are rewritten atomically. Raises InputError if a per-utterance file is missing or
    nothing would be kept (then nothing is rewritten), DataDirError if the result still
    fails validation (e.g. utt2spk not sortable by speaker).
    """
    require_files(data_dir, PER_UTTERANCE_FILES)
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
        backup = _backup(data_dir, [*names, "spk2utt"])
        log.info("%s: originals copied to %s", data_dir, backup)
        write_data_dir(data_dir, utts)
    return FixReport(kept=len(utts), dropped=dropped, repaired_line_endings=repaired,
                     report=report, rewritten=rewritten)

"""Rules a Kaldi data dir must follow; `validate_data_dir` (utils/data_dir_validate.py) reports every breach.

The rules are those of Kaldi's utils/validate_data_dir.sh run with --no-feats (sorted
unique keys, final newlines, matching utterance lists, spk2utt matching utt2spk, utt2spk
sorted by speaker too, no non-printing or non-ASCII whitespace in text, no <s> </s> #0,
positive durations; with `segments`: `utt_id reco_id start end` lines with end > start,
wav.scp keyed by exactly the recordings that segments name, reco2dur matching them) plus ours:
speaker id a prefix of the utterance id, UTF-8 everywhere, no tabs, non-empty text, wav.scp
holding paths of existing files (absolute, or relative to the data dir: utils/audio_paths.py)
and no pipes, reco2dur required beside segments, each segment inside its recording and utt2dur
equal to its length (both within SEGMENT_TOLERANCE).
Here: the file lists and the rules for one line's value; the cross-file rules are in
utils/data_dir_validate.py. Problems are short sentences starting with the file name and,
when known, the line.
"""
from __future__ import annotations

import functools
import math
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from utils.audio_paths import resolve_path
from utils.kaldi_files import KvLine, KvTable, LineIssue, sorted_keys

PER_UTTERANCE_FILES = ("wav.scp", "text", "utt2spk", "utt2dur")
OPTIONAL_PER_UTTERANCE_FILES = ("text.raw",)
REQUIRED_FILES = PER_UTTERANCE_FILES + ("spk2utt",)
SEGMENTED_UTTERANCE_FILES = ("segments", "text", "utt2spk", "utt2dur")  # wav.scp is then per recording
RECORDING_FILES = ("wav.scp", "reco2dur")
# Seconds a segment may pass its recording's end, or utt2dur differ from end - start: both are
# written to the millisecond ("%.3f"), and hand-made dirs often use two decimals.
SEGMENT_TOLERANCE = 0.011
TEXT_FILES = ("text", "text.raw")  # an empty value is reported as "empty text", not a format error
RESERVED_WORDS = ("<s>", "</s>", "#0")  # Kaldi's validate_data_dir.sh rejects these in text
PRODUCER = "data prep writes it with utils.data_dir.write_data_dir"


def has_segments(data_dir: Path) -> bool:
    """True for a dir of segments of long recordings (Kaldi: a `segments` file is present)."""
    return (data_dir / "segments").is_file()


def per_utterance_files(data_dir: Path) -> list[str]:
    """The per-utterance file names this dir should have: the required ones plus optional present ones.

    With `segments`, wav.scp is keyed by recording and is not among them (see RECORDING_FILES).
    """
    optional = [name for name in OPTIONAL_PER_UTTERANCE_FILES if (data_dir / name).is_file()]
    required = SEGMENTED_UTTERANCE_FILES if has_segments(data_dir) else PER_UTTERANCE_FILES
    return list(required) + optional


def parse_segment(value: str) -> tuple[str, float, float]:
    """(reco_id, start, end) from a segments value `reco_id start end`; ValueError says what is wrong."""
    fields = value.split(" ")
    if len(fields) != 3:
        raise ValueError(f"segment {value!r} is not `reco_id start end` (3 fields, one space apart)")
    try:
        start, end = float(fields[1]), float(fields[2])
    except ValueError:
        raise ValueError(f"segment {value!r}: start and end must be numbers of seconds") from None
    if not (math.isfinite(start) and math.isfinite(end)) or start < 0 or end <= start:
        raise ValueError(f"segment {value!r}: needs 0 <= start < end")
    return fields[0], start, end


def _text_reasons(utt_id: str, value: str) -> list[str]:
    if not value.strip():
        return ["empty text"]
    reserved = [word for word in value.split() if word in RESERVED_WORDS]
    return [f"reserved symbol {word!r} in text (Kaldi forbids <s>, </s>, #0)" for word in reserved]


def _wav_reasons(utt_id: str, value: str, folder: Path | None = None) -> list[str]:
    if value.rstrip().endswith("|"):
        return ["wav.scp entry is a command pipe; convert audio to 16 kHz mono wav files at data prep"]
    if not os.path.isabs(value):
        if folder is None:
            return [f"audio path {value!r} is not absolute"]
        value = resolve_path(value, folder)
    if not os.path.isfile(value):
        return [f"audio file {value} does not exist"]
    return []


def _duration_reasons(utt_id: str, value: str) -> list[str]:
    try:
        seconds = float(value)
    except ValueError:
        return [f"duration {value!r} is not a number"]
    if not math.isfinite(seconds) or seconds <= 0:
        return [f"duration {value!r} is not a positive number of seconds"]
    return []


def _speaker_reasons(utt_id: str, value: str) -> list[str]:
    if any(ch.isspace() for ch in value):
        return [f"speaker id {value!r} contains whitespace"]
    if not utt_id.startswith(value):
        return [f"speaker id {value!r} is not a prefix of utterance id {utt_id!r} "
                "(name utterances <speaker>-<rest>, as Kaldi expects)"]
    return []


def _spk2utt_reasons(speaker: str, value: str) -> list[str]:
    utts = value.split()
    if utts != sorted_keys(utts):
        return [f"utterances of speaker {speaker!r} are not in byte order"]
    return []


def _segment_reasons(utt_id: str, value: str) -> list[str]:
    try:
        parse_segment(value)
    except ValueError as err:
        return [str(err)]
    return []


ENTRY_CHECKS: dict[str, Callable[[str, str], list[str]]] = {
    "text": _text_reasons,
    "text.raw": _text_reasons,
    "wav.scp": _wav_reasons,
    "utt2dur": _duration_reasons,
    "reco2dur": _duration_reasons,
    "segments": _segment_reasons,
    "utt2spk": _speaker_reasons,
    "spk2utt": _spk2utt_reasons,
}


def entry_check(name: str, folder: Path | None = None) -> Callable[[str, str], list[str]] | None:
    """The check of one value of file `name` (the reasons it is wrong; [] when fine); None if it has none.

    `folder`: the data dir holding the file, against which relative audio paths are checked.
    """
    if name == "wav.scp" and folder is not None:
        return functools.partial(_wav_reasons, folder=folder)
    return ENTRY_CHECKS.get(name)


def entry_issues(name: str, lines: Iterable[KvLine], folder: Path | None = None) -> list[LineIssue]:
    """Problems with the values of file `name` (empty text, missing audio, bad duration, ...)."""
    check = entry_check(name, folder)
    if check is None:
        return []
    return [LineIssue(r.line, r.key, reason) for r in lines for reason in check(r.key, r.value)]


def unusable_lines(name: str, table: KvTable, folder: Path | None = None) -> list[LineIssue]:
    """Why entries of one file cannot be kept (fix_data_dir): bad lines, bad values, conflicting
    duplicates; in line order. `key` is None for a line whose key could not be read."""
    issues = table.issues + entry_issues(name, table.lines, folder)
    values: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for record in table.lines:
        values[record.key].append((record.line, record.value))
    for key, seen in values.items():
        if len({value for _, value in seen}) > 1:
            lines = ", ".join(str(line) for line, _ in seen)
            issues.append(LineIssue(seen[1][0], key, f"conflicting duplicate entries (lines {lines})"))
    return sorted(issues, key=lambda issue: issue.line)

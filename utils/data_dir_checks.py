"""Rules a Kaldi data dir must follow, and `validate_data_dir`, which reports every breach.

The rules are those of Kaldi's utils/validate_data_dir.sh run with --no-feats (sorted
unique keys, final newlines, matching utterance lists, spk2utt matching utt2spk, utt2spk
sorted by speaker too, no non-printing or non-ASCII whitespace in text, no <s> </s> #0,
positive durations; with `segments`: `utt_id reco_id start end` lines with end > start,
wav.scp keyed by exactly the recordings that segments name, reco2dur matching them) plus ours:
speaker id a prefix of the utterance id, UTF-8 everywhere, no tabs, non-empty text, wav.scp
holding paths of existing files (absolute, or relative to the data dir: utils/audio_paths.py)
and no pipes, reco2dur required beside segments, each segment inside its recording and utt2dur
equal to its length (both within SEGMENT_TOLERANCE).
Problems are short sentences starting with the file name and, when known, the line.
"""
from __future__ import annotations

import functools
import math
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from utils.audio_paths import resolve_path
from utils.kaldi_files import KvLine, KvTable, LineIssue, byte_order, order_issues, scan_kv, sorted_keys

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


def entry_issues(name: str, lines: Iterable[KvLine], folder: Path | None = None) -> list[LineIssue]:
    """Problems with the values of file `name` (empty text, missing audio, bad duration, ...).

    `folder`: the data dir holding the file, against which relative audio paths are checked.
    """
    check = ENTRY_CHECKS.get(name)
    if check is None:
        return []
    if name == "wav.scp" and folder is not None:
        check = functools.partial(_wav_reasons, folder=folder)
    return [LineIssue(r.line, r.key, reason) for r in lines for reason in check(r.key, r.value)]


def _differing_sets(tables: Mapping[str, KvTable]) -> list[str]:
    """One problem per file whose utterance ids differ from utt2spk's, with an example id."""
    reference = "utt2spk" if "utt2spk" in tables else next(iter(tables), None)
    if reference is None:
        return []
    expected = {r.key for r in tables[reference].lines}
    problems = []
    for name, table in tables.items():
        if name == reference or name == "spk2utt":
            continue
        found = {r.key for r in table.lines}
        for only_in, other, ids in ((reference, name, expected - found), (name, reference, found - expected)):
            if ids:
                problems.append(f"{only_in} has {len(ids)} utterance(s) that {other} lacks, "
                                f"e.g. {sorted_keys(ids)[0]!r}")
    return problems


def _speaker_order(utt2spk: KvTable) -> list[str]:
    """Kaldi also needs utt2spk sorted by speaker (its `sort -k2 -C` check)."""
    previous: KvLine | None = None
    for record in utt2spk.lines:
        if previous is not None and byte_order(record.value) < byte_order(previous.value):
            return [f"utt2spk line {record.line}: speaker {record.value!r} comes after "
                    f"{previous.value!r} (line {previous.line}); Kaldi needs utt2spk sorted by "
                    "speaker too: make speaker ids prefixes of utterance ids, then a separator like '-'"]
        previous = record
    return []


def _speaker_problems(utt2spk: KvTable, spk2utt: KvTable) -> list[str]:
    """spk2utt must list exactly utt2spk's utterances, each once, under the same speaker."""
    problems = [] if order_issues(utt2spk.lines) else _speaker_order(utt2spk)
    listed: dict[str, str] = {}
    repeated: list[str] = []
    for record in spk2utt.lines:
        for utt_id in record.value.split():
            if utt_id in listed:
                repeated.append(utt_id)
            listed.setdefault(utt_id, record.key)
    speaker_of = {record.key: record.value for record in utt2spk.lines}
    mismatches = (
        (repeated, "listed more than once in spk2utt"),
        ([u for u in speaker_of if u not in listed], "in utt2spk but not in spk2utt"),
        ([u for u in listed if u not in speaker_of], "in spk2utt but not in utt2spk"),
        ([u for u in speaker_of if u in listed and listed[u] != speaker_of[u]],
         "under another speaker in spk2utt than in utt2spk"),
    )
    for ids, what in mismatches:
        if ids:
            problems.append(f"spk2utt does not match utt2spk: {len(ids)} utterance(s) {what}, "
                            f"e.g. {sorted_keys(ids)[0]!r} (regenerate it: fix_data_dir)")
    return problems


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


def _numbers(table: KvTable | None) -> dict[str, float]:
    """key -> float value of the lines of `table` that hold one (others are reported elsewhere)."""
    numbers = {}
    for record in table.lines if table is not None else []:
        try:
            numbers[record.key] = float(record.value)
        except ValueError:
            continue
    return numbers


def segment_problems(tables: Mapping[str, KvTable]) -> list[str]:
    """Cross-file rules of a segmented dir: recordings named alike in segments, wav.scp and
    reco2dur (Kaldi's rule: every wav.scp recording has a segment), each segment inside its
    recording, utt2dur equal to the segment's length."""
    segments: dict[str, tuple[str, float, float, int]] = {}
    for record in tables["segments"].lines if "segments" in tables else []:
        try:
            segments[record.key] = (*parse_segment(record.value), record.line)
        except ValueError:
            continue
    named = {reco for reco, *_ in segments.values()}
    problems = []
    for name in RECORDING_FILES:
        if name not in tables:
            continue
        found = {record.key for record in tables[name].lines}
        for ids, what in ((named - found, f"segments name {{n}} recording(s) that {name} lacks"),
                          (found - named, f"{name} has {{n}} recording(s) that no segment uses")):
            if ids:
                problems.append(f"{what.format(n=len(ids))}, e.g. {sorted_keys(ids)[0]!r}")
    reco2dur, utt2dur = _numbers(tables.get("reco2dur")), _numbers(tables.get("utt2dur"))
    for utt_id, (reco, start, end, line) in segments.items():
        if reco in reco2dur and end > reco2dur[reco] + SEGMENT_TOLERANCE:
            problems.append(f"segments line {line}: {utt_id!r} ends at {end:.3f} s, after the end of "
                            f"recording {reco!r} ({reco2dur[reco]:.3f} s in reco2dur)")
        if utt_id in utt2dur and abs(utt2dur[utt_id] - (end - start)) > SEGMENT_TOLERANCE:
            problems.append(f"utt2dur: {utt_id!r} lasts {utt2dur[utt_id]:.3f} s but its segment "
                            f"(segments line {line}) lasts {end - start:.3f} s")
    return problems


def _file_problems(name: str, table: KvTable, folder: Path) -> list[str]:
    """Format, order and value problems of one file, in line order."""
    issues = table.issues + order_issues(table.lines) + entry_issues(name, table.lines, folder)
    return [f"{name} line {issue.line}: {issue.reason}" for issue in sorted(issues, key=lambda i: i.line)]


def validate_data_dir(data_dir: Path) -> list[str]:
    """Every way `data_dir` breaks the data contract, as readable sentences; [] when valid.

    Reads the files only (and stats the audio paths); never raises for bad content.
    """
    if not data_dir.is_dir():
        return [f"{data_dir}: no such directory ({PRODUCER})"]
    problems: list[str] = []
    tables: dict[str, KvTable] = {}
    segmented = has_segments(data_dir)
    for name in per_utterance_files(data_dir) + ["spk2utt"] + (list(RECORDING_FILES) if segmented else []):
        path = data_dir / name
        if not path.is_file():
            problems.append(f"{name}: missing required file ({PRODUCER})")
            continue
        tables[name] = scan_kv(path, value_required=name not in TEXT_FILES)
        problems.extend(_file_problems(name, tables[name], data_dir))
    not_per_utterance = ("spk2utt", *RECORDING_FILES) if segmented else ("spk2utt",)
    problems.extend(_differing_sets({n: t for n, t in tables.items() if n not in not_per_utterance}))
    if segmented:
        problems.extend(segment_problems(tables))
    if "utt2spk" in tables and "spk2utt" in tables:
        problems.extend(_speaker_problems(tables["utt2spk"], tables["spk2utt"]))
    utt2spk = tables.get("utt2spk")
    if utt2spk is not None and not utt2spk.lines and not utt2spk.issues:
        problems.append("utt2spk: no utterances (the data dir is empty)")
    return problems

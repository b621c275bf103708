"""Rules a Kaldi data dir must follow, and `validate_data_dir`, which reports every breach.

The rules are those of Kaldi's utils/validate_data_dir.sh run with --no-feats (sorted
unique keys, final newlines, matching utterance lists, spk2utt matching utt2spk, utt2spk
sorted by speaker too, no non-printing or non-ASCII whitespace in text, no <s> </s> #0,
positive durations) plus ours: speaker id a prefix of the utterance id, UTF-8 everywhere,
no tabs, non-empty text, wav.scp holding paths of existing files (absolute, or relative to the
data dir: utils/audio_paths.py) and no pipes.
Problems are short sentences starting with the file name and, when known, the line.
"""
from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from utils.audio_paths import resolve_path
from utils.kaldi_files import KvLine, KvTable, LineIssue, byte_order, order_issues, scan_kv, sorted_keys

PER_UTTERANCE_FILES = ("wav.scp", "text", "utt2spk", "utt2dur")
OPTIONAL_PER_UTTERANCE_FILES = ("text.raw",)
REQUIRED_FILES = PER_UTTERANCE_FILES + ("spk2utt",)
TEXT_FILES = ("text", "text.raw")  # an empty value is reported as "empty text", not a format error
RESERVED_WORDS = ("<s>", "</s>", "#0")  # Kaldi's validate_data_dir.sh rejects these in text
PRODUCER = "data prep writes it with utils.data_dir.write_data_dir"


def per_utterance_files(data_dir: Path) -> list[str]:
    """The per-utterance file names this dir should have: the required ones plus optional present ones."""
    optional = [name for name in OPTIONAL_PER_UTTERANCE_FILES if (data_dir / name).is_file()]
    return list(PER_UTTERANCE_FILES) + optional


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


ENTRY_CHECKS: dict[str, Callable[[str, str], list[str]]] = {
    "text": _text_reasons,
    "text.raw": _text_reasons,
    "wav.scp": _wav_reasons,
    "utt2dur": _duration_reasons,
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
    for name in per_utterance_files(data_dir) + ["spk2utt"]:
        path = data_dir / name
        if not path.is_file():
            problems.append(f"{name}: missing required file ({PRODUCER})")
            continue
        tables[name] = scan_kv(path, value_required=name not in TEXT_FILES)
        problems.extend(_file_problems(name, tables[name], data_dir))
    problems.extend(_differing_sets({n: t for n, t in tables.items() if n != "spk2utt"}))
    if "utt2spk" in tables and "spk2utt" in tables:
        problems.extend(_speaker_problems(tables["utt2spk"], tables["spk2utt"]))
    utt2spk = tables.get("utt2spk")
    if utt2spk is not None and not utt2spk.lines and not utt2spk.issues:
        problems.append("utt2spk: no utterances (the data dir is empty)")
    return problems

"""Read the files of a Kaldi data dir line by line, and give each one's records again by key.

`validate_data_dir` (utils/data_dir_validate.py) must not hold a data dir in memory: at millions
of utterances each file is millions of lines. `scan_file` reads a file once, keeping only what
is wrong with it (each problem with its line) and whether its keys came in byte order; the
cross-file rules then walk the files side by side (utils.sorted_spool.lockstep) over `keyed`
streams: each key once, in byte order, with its records. A sorted file is read again from
disk for that; one that is not (a broken or hand-made dir) is sorted once through a
SortedSpool in the temporary folder, so the rules and their messages are the same either
way, in memory that does not grow with the files.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from utils.kaldi_files import (
    KvLine,
    LineIssue,
    byte_order,
    duplicate_issue,
    iter_kv_lines,
    iter_kv_records,
    unsorted_issue,
)
from utils.sorted_spool import SortedSpool

Group = list[tuple[int, str]]  # the (line, value) records of one key in one file, in file order
RUN_LINES = 5_000  # records a spool of the validator holds in memory (about 1 MB)


@dataclass(frozen=True)
class FileScan:
    """What one pass over a file found. `issues`: its format, order and value problems in line
    order; `format_issues`: how many are about the lines themselves; `spool`: its records sorted
    by key when the file was not in order (None: the file itself is)."""

    path: Path
    issues: list[LineIssue]
    records: int
    format_issues: int
    order_problems: bool
    spool: SortedSpool | None


def temporary_spool() -> SortedSpool:
    """A spool in the temporary folder (validation writes nothing beside the data dir)."""
    return SortedSpool(Path(tempfile.gettempdir()), RUN_LINES)


def records(path: Path) -> Iterator[KvLine]:
    """The records of `path` whose key could be read, in file order."""
    return iter_kv_records(path)


def scan_file(path: Path, value_required: bool, check: Callable[[str, str], list[str]] | None,
              stack: ExitStack) -> FileScan:
    """Read `path` once; `check(key, value)` gives the reasons a value is wrong. A spool the
    scan needs (a file out of order) is closed with `stack`."""
    formats: list[LineIssue] = []
    entries: list[LineIssue] = []
    order: list[LineIssue] = []
    previous, first_line, in_order, count = None, 0, True, 0
    for record, issues, _ in iter_kv_lines(path, value_required):
        formats.extend(issues)
        if record is None:
            continue
        count += 1
        if check is not None:
            entries.extend(LineIssue(record.line, record.key, reason) for reason in check(record.key, record.value))
        key = byte_order(record.key)
        if key == previous:  # in a file in order, a duplicate follows the key's first line
            order.append(duplicate_issue(record, first_line))
            continue
        in_order = in_order and (previous is None or key > previous)
        previous, first_line = key, record.line
    spool = None
    if not in_order:
        spool = stack.enter_context(temporary_spool())
        for record in records(path):
            spool.add(record.key.encode("utf-8").hex(), f"{record.line}\t{record.value}")  # hex: keys may hold tabs
        order = _order_issues(path, spool)
    issues = sorted(formats + order + entries, key=lambda issue: issue.line)
    return FileScan(path, issues, count, len(formats), bool(order), spool)


def _order_issues(path: Path, spool: SortedSpool) -> list[LineIssue]:
    """utils.kaldi_files.order_issues for a file out of order, from its sorted copy and one more read."""
    issues, repeated = [], set()
    for key, group in _spooled_groups(spool):
        for line, _ in group[1:]:
            issues.append(duplicate_issue(KvLine(line, key, ""), group[0][0]))
            repeated.add(line)  # as many as the problems reported
    first, count, previous = None, 0, None
    for record in records(path):
        if record.line in repeated:
            continue
        if previous is not None and byte_order(record.key) < byte_order(previous.key):
            count += 1
            first = first or (record, previous)
        previous = record
    return issues + ([unsorted_issue(*first, count)] if first else [])


def keyed(scan: FileScan) -> Iterator[tuple[str, Group]]:
    """The records of a scanned file, one group per key, keys in byte order."""
    if scan.spool is not None:
        yield from _spooled_groups(scan.spool)
        return
    key, group = None, []
    for record in records(scan.path):
        if record.key != key and group:
            yield key, group
            group = []
        key = record.key
        group.append((record.line, record.value))
    if group:
        yield key, group


def _spooled_groups(spool: SortedSpool) -> Iterator[tuple[str, Group]]:
    for hex_key, values in spool.grouped():
        group = [(int(line), value) for line, value in (value.split("\t", 1) for value in values)]
        yield bytes.fromhex(hex_key).decode("utf-8"), group

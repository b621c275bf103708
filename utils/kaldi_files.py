"""Kaldi `key value` files: byte-order sorting, atomic writes, strict and lenient line readers.

Format (what Kaldi's utils/validate_data_dir.sh accepts, a little stricter):
one `key value` record per line, UTF-8, "\\n" line endings (the last line too), the key
ends at the first space and the rest of the line is the value, keys unique and sorted by
their UTF-8 bytes (what `LC_ALL=C sort` does). We also forbid tabs, CR, other control
characters and non-ASCII whitespace anywhere in a line, which Kaldi's text checks reject
or only tolerate as separators.

`scan_kv` reads leniently and returns every record plus every issue with its line number;
validation and repair are built on it. `read_kv` is the strict reader for consumers.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from utils.errors import InputError
from utils.text_files import atomic_write_text


@dataclass(frozen=True)
class KvLine:
    """One decoded record: 1-based line number, key, value ("" when the line has no value)."""

    line: int
    key: str
    value: str


@dataclass(frozen=True)
class LineIssue:
    """Something wrong with one line. `key` is None when no key could be read from it.

    `fatal` issues make the key -> value mapping unreliable (`read_kv` raises on them);
    the others are contract violations a lenient reader can still step over.
    """

    line: int
    key: str | None
    reason: str
    fatal: bool = False


@dataclass
class KvTable:
    """Everything `scan_kv` found in one file, in file order."""

    path: Path
    lines: list[KvLine] = field(default_factory=list)
    issues: list[LineIssue] = field(default_factory=list)
    crlf_repaired: int = 0


def byte_order(key: str) -> bytes:
    """Sort key giving Kaldi's order: the UTF-8 bytes, as `LC_ALL=C sort` compares them."""
    return key.encode("utf-8")


def sorted_keys(keys: Iterable[str]) -> list[str]:
    """`keys` in byte order."""
    return sorted(keys, key=byte_order)


def char_issues(text: str) -> list[tuple[str, bool]]:
    """(reason, fatal) for each kind of character in `text` (a line without "\\n") that breaks the format.

    CR and a byte-order mark are fatal: they silently change keys and values.
    """
    if text.isprintable():  # the usual line: no control, format or separator character but the space
        return []
    reasons: list[tuple[str, bool]] = []
    for ch in dict.fromkeys(text):  # each distinct character once, in order
        if ch == "\r":
            reasons.append(("CR character (Windows line ending?); use \\n line endings", True))
        elif ch == "\ufeff":
            reasons.append(("byte-order mark U+FEFF; save the file as UTF-8 without BOM", True))
        elif ch == "\t":
            reasons.append(("tab character; separate key and value by one space, no tabs in values", False))
        elif ch.isspace() and ch != " ":
            reasons.append((f"whitespace character U+{ord(ch):04X}, only ASCII space is allowed", False))
        elif unicodedata.category(ch) == "Cc":
            reasons.append((f"control character U+{ord(ch):04X}", False))
    return reasons


def _split_line(raw: bytes, number: int) -> KvLine | LineIssue:
    """One raw line (without "\\n") as a record, or the fatal issue that leaves it without one."""
    if not raw.strip():
        return LineIssue(number, None, "blank line", fatal=True)
    raw_key, _, raw_value = raw.partition(b" ")
    try:
        key = raw_key.decode("utf-8")
    except UnicodeDecodeError:
        shown = raw_key.decode("utf-8", errors="backslashreplace")
        return LineIssue(number, None, f"key '{shown}' is not valid UTF-8", fatal=True)
    if key == "":
        return LineIssue(number, None, "line starts with a space (empty key)", fatal=True)
    try:
        value = raw_value.decode("utf-8")
    except UnicodeDecodeError:
        return LineIssue(number, key, "value is not valid UTF-8", fatal=True)
    return KvLine(number, key, value)


def _decode_line(raw: bytes, number: int) -> tuple[KvLine | None, list[LineIssue]]:
    """Split one raw line into key and value and list what is wrong with it."""
    record = _split_line(raw, number)
    if isinstance(record, LineIssue):
        return None, [record]
    return record, [LineIssue(number, record.key, reason, fatal)
                    for reason, fatal in char_issues(record.key + record.value)]


def duplicate_issue(record: KvLine, first_line: int) -> LineIssue:
    """The fatal issue of a key seen before, on `first_line`."""
    return LineIssue(record.line, record.key, f"duplicate key {record.key!r} (first on line {first_line})", fatal=True)


def unsorted_issue(record: KvLine, before: KvLine, count: int) -> LineIssue:
    """The issue of the first key out of byte order (`record` after `before`), of `count` such lines."""
    more = f" [{count - 1} more line(s) out of order]" if count > 1 else ""
    return LineIssue(record.line, record.key, f"not sorted: {record.key!r} comes after {before.key!r} (line "
                                              f"{before.line}); keys must be in byte order (LC_ALL=C sort){more}")


def order_issues(lines: list[KvLine]) -> list[LineIssue]:
    """Duplicate keys (fatal, each one) and keys out of byte order (the first, with a count)."""
    issues: list[LineIssue] = []
    first_seen: dict[str, int] = {}
    unsorted: list[tuple[KvLine, KvLine]] = []  # (record, the record before it)
    previous: KvLine | None = None
    for record in lines:
        if record.key in first_seen:
            issues.append(duplicate_issue(record, first_seen[record.key]))
            continue
        first_seen[record.key] = record.line
        if previous is not None and byte_order(record.key) < byte_order(previous.key):
            unsorted.append((record, previous))
        previous = record
    if unsorted:
        issues.append(unsorted_issue(*unsorted[0], len(unsorted)))
    return issues


def iter_kv_lines(path: Path, value_required: bool = True,
                  repair_crlf: bool = False) -> Iterator[tuple[KvLine | None, list[LineIssue], bool]]:
    """Read `path` one line at a time: (record or None, its issues, whether a final CR was dropped).

    The record is None for a line whose key could not be read (its issues say why). With
    `value_required`, a line with a key but no (or an empty) value is a fatal issue. With
    `repair_crlf`, a CR just before the line's end is dropped (not an issue). A last line
    without "\\n" gets that issue first. Raises InputError only when the file cannot be read.
    """
    try:
        handle = open(path, "rb")
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err
    with handle:
        for number, raw in enumerate(handle, start=1):
            issues = []
            if raw.endswith(b"\n"):
                raw = raw[:-1]
            else:
                issues.append(LineIssue(number, None, "last line does not end in \\n"))
            repaired = repair_crlf and raw.endswith(b"\r")
            if repaired:
                raw = raw[:-1]
            record, found = _decode_line(raw, number)
            issues.extend(found)
            if record is not None and value_required and record.value == "":
                issues.append(LineIssue(number, record.key, "no value after the key", fatal=True))
            yield record, issues, repaired


def iter_kv_records(path: Path) -> Iterator[KvLine]:
    """The records of `path` that `iter_kv_lines` finds, without judging them: a quicker second read."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            record = _split_line(raw[:-1] if raw.endswith(b"\n") else raw, number)
            if isinstance(record, KvLine):
                yield record


def scan_kv(path: Path, value_required: bool = True, repair_crlf: bool = False) -> KvTable:
    """Read `path` leniently: every decodable record and every issue, with line numbers.

    The options are those of `iter_kv_lines`. Key order and duplicates are not judged here:
    see `order_issues`. Raises InputError only when the file cannot be read at all.
    """
    table = KvTable(path)
    for record, issues, repaired in iter_kv_lines(path, value_required, repair_crlf):
        table.issues.extend(issues)
        table.crlf_repaired += repaired
        if record is not None:
            table.lines.append(record)
    return table


def read_kv(path: Path, value_required: bool = True) -> dict[str, str]:
    """Read a Kaldi `key value` file into a dict (file order).

    Raises InputError naming the file and line for: a missing file, bytes that are not
    UTF-8, CR characters, a blank line, a line without a value (when `value_required`)
    and a duplicate key. Unsorted keys and tabs are tolerated here; `validate_data_dir`
    reports them.
    """
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    table = scan_kv(path, value_required=value_required)
    for issue in sorted(table.issues + order_issues(table.lines), key=lambda issue: issue.line):
        if issue.fatal:
            raise InputError(f"{path}:{issue.line}: {issue.reason}")
    return {record.key: record.value for record in table.lines}


def format_line(key: str, value: str) -> str:
    """One `key value` line (with "\\n"); InputError if the pair cannot be stored as one line."""
    if key == "" or any(ch.isspace() for ch in key):
        raise InputError(f"cannot write key {key!r}: keys must be non-empty and have no whitespace")
    if "\n" in value or "\r" in value:
        raise InputError(f"cannot write the value for {key!r}: it contains a line break")
    return f"{key} {value}\n"


def render_kv(mapping: Mapping[str, str]) -> str:
    """The text of a Kaldi file holding `mapping`: keys in byte order, one space, "\\n" endings.

    Raises InputError for a key that is empty or has whitespace, or a value with a line break.
    """
    return "".join(format_line(key, mapping[key]) for key in sorted_keys(mapping))


def write_kv(path: Path, mapping: Mapping[str, str]) -> None:
    """Write `mapping` to `path` as a sorted Kaldi file, atomically (see `render_kv`)."""
    atomic_write_text(path, render_kv(mapping))

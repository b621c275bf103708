"""Small readers and atomic writers for the files decoding and LM building exchange.

Formats:
  Kaldi `text` / `hyp`: UTF-8, one `utt_id words...` per line, sorted by byte order;
    an utterance with no words is the bare `utt_id`.
  manifest JSONL: one object per line with at least `utt_id` and `audio_filepath`
    (`duration`, `text`, `speaker` as written by the manifest stage); with `offset` (seconds,
    NeMo's key) the utterance is `duration` seconds of `audio_filepath` from there on.
Every writer goes through a temporary file in the same folder and `os.replace`, so a
crash never leaves a half-written file under the final name.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from utils.errors import InputError

if TYPE_CHECKING:
    import numpy as np

TEXT_PRODUCER = "the text normalization stage (2)"
# Windows editors and spreadsheets save UTF-8 with this mark first; every reader of a user's
# text file drops it (with `strip_bom`, or Python's "utf-8-sig" codec).
UTF8_BOM = b"\xef\xbb\xbf"
MANIFEST_PRODUCER = "the manifest stage (3)"
MODEL_PRODUCER = "the train stage (5)"


# The temporary names the atomic writers use (here, utils.arpa, utils.ctc_model,
# utils.audio: `.NAME.tmp-PID` or `.NAME.tmp`); what a killed run leaves under such a name is partial.
PARTIAL_WRITE = re.compile(r"^\..+\.tmp(-\d+)?$")


def remove_partial_writes(folder: Path) -> None:
    """Delete what a killed run's atomic writers left half-written in `folder` (files or folders
    named as PARTIAL_WRITE says), so that resumed work keeps finished files only. Call it only
    when nothing else writes there (a stage does, under the recipe lock, before it starts)."""
    for path in sorted(folder.rglob(".*.tmp*"), reverse=True):
        if PARTIAL_WRITE.match(path.name) and (path.exists() or path.is_symlink()):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def strip_bom(data: bytes) -> bytes:
    """`data` without a leading UTF-8 byte-order mark: for readers that split raw bytes into lines."""
    return data.removeprefix(UTF8_BOM)


def atomic_write_text(path: Path, content: str) -> Path:
    """Write `content` (UTF-8, "\n" line ends) to `path` via a temporary sibling file, synced and
    renamed, so readers never see half of it; parents are created. A write error (a full disk
    names no file) is raised with `path` as its filename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as err:
        err.filename = err.filename or str(path)
        raise
    finally:
        tmp.unlink(missing_ok=True)
    return path


def atomic_write_json(path: Path, obj: object, sort_keys: bool = True) -> Path:
    """Write `obj` as indented JSON (UTF-8, non-ASCII kept, keys sorted unless told) atomically."""
    text = json.dumps(obj, indent=2, sort_keys=sort_keys, ensure_ascii=False)
    return atomic_write_text(path, text + "\n")


def atomic_write_npz(path: Path, arrays: dict[str, "np.ndarray"]) -> Path:
    """Write `arrays` to the uncompressed .npz `path` atomically (a temporary sibling, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    import numpy as np  # here: planning a run (pipeline.resume reads this module) must not load numpy

    with tmp.open("wb") as handle:  # a file object stops numpy from appending ".npz"
        np.savez(handle, **arrays)
    os.replace(tmp, path)
    return path


def _read_lines(path: Path, producer: str) -> list[str]:
    if not path.is_file():
        raise InputError(f"{path}: file not found (made by {producer})")
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise InputError(f"{path} line {line}: not valid UTF-8 (made by {producer})") from err


def read_kaldi_text(path: Path, producer: str = TEXT_PRODUCER) -> dict[str, str]:
    """Read a Kaldi `text`-style file into {utt_id: text}; a bare `utt_id` line maps to "".

    Raises InputError naming the file and line for a blank line or a repeated utterance id.
    """
    entries: dict[str, str] = {}
    for number, line in enumerate(_read_lines(path, producer), start=1):
        parts = line.strip().split(maxsplit=1)
        if not parts:
            raise InputError(f"{path} line {number}: empty line (made by {producer})")
        if parts[0] in entries:
            raise InputError(f"{path} line {number}: utterance id {parts[0]!r} repeated")
        entries[parts[0]] = parts[1] if len(parts) > 1 else ""
    return entries


def read_plain_text(path: Path, producer: str = "the LM text preparation") -> list[str]:
    """Read a plain text file (UTF-8, a BOM allowed): one sentence per line, blank lines dropped."""
    return [line.strip() for line in _read_lines(path, producer) if line.strip()]


def write_kaldi_text(path: Path, entries: dict[str, str]) -> Path:
    """Write {utt_id: text} sorted by byte order, one line per utterance (bare id when empty)."""
    keys = sorted(entries, key=lambda key: key.encode("utf-8"))
    lines = [f"{key} {entries[key]}".rstrip() for key in keys]
    return atomic_write_text(path, "".join(line + "\n" for line in lines))


def _valid_span(record: dict) -> bool:
    offset, duration = record.get("offset"), record.get("duration")
    numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (offset, duration))
    return numbers and offset >= 0 and duration > 0


def manifest_span(record: dict) -> tuple[float, float] | None:
    """(offset, duration) in seconds of a manifest record that is a stretch of its audio file, else None."""
    return (float(record["offset"]), float(record["duration"])) if "offset" in record else None


def read_manifest(path: Path) -> list[dict]:
    """Read a manifest JSONL file; each record must have `utt_id` and `audio_filepath`.

    Each returned record also gets `_line`, its 1-based line number, for error messages; a
    relative `audio_filepath` (see utils/audio_paths.py) comes back absolute.

    Raises InputError (file, line) for bad JSON, missing fields or a repeated utt_id.
    """
    records: list[dict] = []
    seen: set[str] = set()
    for number, line in enumerate(_read_lines(path, MANIFEST_PRODUCER), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(f"{path} line {number}: not JSON ({err.msg})") from err
        missing = [key for key in ("utt_id", "audio_filepath") if key not in record]
        if missing:
            raise InputError(f"{path} line {number}: missing field(s) {', '.join(missing)} "
                             f"(made by {MANIFEST_PRODUCER})")
        if record["utt_id"] in seen:
            raise InputError(f"{path} line {number}: utt_id {record['utt_id']!r} repeated")
        if "offset" in record and not _valid_span(record):
            raise InputError(f"{path} line {number}: \"offset\" needs a \"duration\"; both numbers of "
                             f"seconds, offset >= 0, duration > 0 (got {record.get('offset')!r}, "
                             f"{record.get('duration')!r})")
        seen.add(record["utt_id"])
        record["_line"] = number
        if not os.path.isabs(str(record["audio_filepath"])):  # relative to the manifest's folder
            record["audio_filepath"] = os.path.normpath(os.path.join(os.path.abspath(path.parent),
                                                                     record["audio_filepath"]))
        records.append(record)
    if not records:
        raise InputError(f"{path}: no utterances (made by {MANIFEST_PRODUCER})")
    return records


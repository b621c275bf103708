"""Sort `key value` records larger than memory: sorted runs on disk, merged lazily (Kaldi's `sort -S`).

A data prep of millions of clips cannot keep one record per clip to write sorted Kaldi
files. A `SortedSpool` holds at most `run_lines` records in memory; each full buffer is
sorted by the key's UTF-8 bytes (Kaldi's order, utils.kaldi_files.byte_order) and written
to a run file under a temporary folder; `sorted_records()` merges the runs with
`heapq.merge`, so memory stays at one buffer plus one line per run. Records with equal keys
come out in the order they were added. The temporary folder goes when the spool is closed.

Records added already in order (a data dir written from sorted utterances) skip the buffer:
they go straight to the first run file until a key comes out of order, so such a spool holds
no records in memory at all. FAN_IN runs of one size are merged into one run of the next
size as they pile up, so a merge never opens more than about FAN_IN files per size, however
many records there are. `lockstep` walks several sorted streams (spools, sorted files) together
by key, as a merge join does.
"""
from __future__ import annotations

import heapq
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from operator import itemgetter
from pathlib import Path
from typing import TextIO

RUN_LINES = 20_000
FAN_IN = 64


class SortedSpool:
    """Add (key, value) pairs in any order; read them back sorted by key bytes. A context manager."""

    def __init__(self, work_dir: Path, run_lines: int = RUN_LINES):
        if run_lines < 1:
            raise ValueError(f"run_lines must be at least 1, got {run_lines}")
        self.folder = Path(tempfile.mkdtemp(prefix=".spool-", dir=work_dir))
        self.run_lines = run_lines
        self._buffer: list[tuple[bytes, int, str]] = []
        self._runs: list[tuple[int, Path]] = []  # (level: runs merged FAN_IN**level, file)
        self._added = 0
        self._direct: TextIO | None = None  # the first run, written as records come while they are in order
        self._last: bytes | None = None
        self._files = 0

    def add(self, key: str, value: str) -> None:
        """Queue one record; neither may hold a line break (the runs are line files), nor the key a tab."""
        if "\n" in key or "\n" in value or "\t" in key:
            raise ValueError(f"record {key!r}: keys and values must be single lines, keys without tabs")
        encoded = key.encode("utf-8")
        if self._added == 0:
            self._direct = self._new_run().open("w", encoding="utf-8", newline="\n")
        if self._direct is not None and (self._last is None or encoded >= self._last):
            self._direct.write(f"{key}\t{self._added}\t{value}\n")
            self._last = encoded
            self._added += 1
            return
        self._end_direct()
        self._buffer.append((encoded, self._added, value))
        self._added += 1
        if len(self._buffer) >= self.run_lines:
            self._flush()

    def _new_run(self) -> Path:
        self._files += 1
        return self.folder / f"run{self._files:06d}"

    def _end_direct(self) -> None:
        if self._direct is not None:
            self._direct.close()
            self._runs.append((0, Path(self._direct.name)))
            self._direct = None

    def _flush(self) -> None:
        self._buffer.sort()  # key bytes, then insertion number: a stable byte-order sort
        run = self._new_run()
        with run.open("w", encoding="utf-8", newline="\n") as out:
            for key, number, value in self._buffer:
                out.write(f"{key.decode('utf-8')}\t{number}\t{value}\n")
        self._runs.append((0, run))
        self._buffer = []
        while len(self._runs) >= FAN_IN and len({level for level, _ in self._runs[-FAN_IN:]}) == 1:
            self._merge_last(FAN_IN)

    def _merge_last(self, count: int) -> None:
        """Merge the last `count` runs into one run of the next level."""
        level, merged = self._runs[-count][0] + 1, self._new_run()
        with merged.open("w", encoding="utf-8", newline="\n") as out:
            for _, number, key, value in heapq.merge(*(_read_run(run) for _, run in self._runs[-count:])):
                out.write(f"{key}\t{number}\t{value}\n")
        for _, run in self._runs[-count:]:
            run.unlink()
        self._runs[-count:] = [(level, merged)]

    def sorted_records(self) -> Iterator[tuple[str, str]]:
        """Every record added, sorted by key bytes (stable). Call after the last `add`; again to re-read."""
        self._end_direct()
        if self._buffer:
            self._flush()
        streams = [_read_run(run) for _, run in self._runs]
        for _, _, key, value in heapq.merge(*streams):
            yield key, value

    def grouped(self) -> Iterator[tuple[str, list[str]]]:
        """`sorted_records` with the values of one key together, in the order they were added."""
        key, values = None, []
        for record_key, value in self.sorted_records():
            if record_key != key and values:
                yield key, values
                values = []
            key = record_key
            values.append(value)
        if values:
            yield key, values

    def close(self) -> None:
        """Remove the run files."""
        if self._direct is not None:
            self._direct.close()
            self._direct = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> SortedSpool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _read_run(path: Path) -> Iterator[tuple[bytes, int, str, str]]:
    # Keys and numbers hold no tabs, so the first two tabs split every line;
    # values may hold tabs (a lenient reader's records) and keep them.
    with path.open(encoding="utf-8", newline="\n") as lines:
        for line in lines:
            key, number, value = line[:-1].split("\t", 2)
            yield key.encode("utf-8"), int(number), key, value


def lockstep(streams: Mapping[str, Iterable[tuple[str, object]]]) -> Iterator[tuple[str, dict[str, object]]]:
    """Walk streams of (key, item), each with unique keys in byte order (a spool's `grouped()`, a
    sorted Kaldi file), together: every key once, with {stream name: its item} for the streams
    that hold it. Memory: one item per stream."""
    tagged = [_tagged(name, stream) for name, stream in streams.items()]
    current, key, found = None, "", {}
    for encoded, name, text, item in heapq.merge(*tagged, key=itemgetter(0)):
        if found and encoded != current:
            yield key, found
            found = {}
        current, key = encoded, text
        found[name] = item
    if found:
        yield key, found


def _tagged(name: str, stream: Iterable[tuple[str, object]]) -> Iterator[tuple[bytes, str, str, object]]:
    for key, item in stream:
        yield key.encode("utf-8"), name, key, item

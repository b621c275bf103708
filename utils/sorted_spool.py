"""Sort `key value` records larger than memory: sorted runs on disk, merged lazily (Kaldi's `sort -S`).

A data prep of millions of clips cannot keep one record per clip to write sorted Kaldi
files. A `SortedSpool` holds at most `run_lines` records in memory; each full buffer is
sorted by the key's UTF-8 bytes (Kaldi's order, utils.kaldi_files.byte_order) and written
to a run file under a temporary folder; `sorted_records()` merges the runs with
`heapq.merge`, so memory stays at one buffer plus one line per run. Records with equal keys
come out in the order they were added. The temporary folder goes when the spool is closed.
"""
from __future__ import annotations

import heapq
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

RUN_LINES = 20_000


class SortedSpool:
    """Add (key, value) pairs in any order; read them back sorted by key bytes. A context manager."""

    def __init__(self, work_dir: Path, run_lines: int = RUN_LINES):
        if run_lines < 1:
            raise ValueError(f"run_lines must be at least 1, got {run_lines}")
        self.folder = Path(tempfile.mkdtemp(prefix=".spool-", dir=work_dir))
        self.run_lines = run_lines
        self._buffer: list[tuple[bytes, int, str]] = []
        self._runs: list[Path] = []
        self._added = 0

    def add(self, key: str, value: str) -> None:
        """Queue one record; neither may hold a line break (the runs are line files), nor the key a tab."""
        if "\n" in key or "\n" in value or "\t" in key:
            raise ValueError(f"record {key!r}: keys and values must be single lines, keys without tabs")
        self._buffer.append((key.encode("utf-8"), self._added, value))
        self._added += 1
        if len(self._buffer) >= self.run_lines:
            self._flush()

    def _flush(self) -> None:
        self._buffer.sort()  # key bytes, then insertion number: a stable byte-order sort
        run = self.folder / f"run{len(self._runs):06d}"
        with run.open("w", encoding="utf-8", newline="\n") as out:
            for key, number, value in self._buffer:
                out.write(f"{key.decode('utf-8')}\t{number}\t{value}\n")
        self._runs.append(run)
        self._buffer = []

    def sorted_records(self) -> Iterator[tuple[str, str]]:
        """Every record added, sorted by key bytes (stable). Call once, after the last `add`."""
        if self._buffer:
            self._flush()
        streams = [_read_run(run) for run in self._runs]
        for _, _, key, value in heapq.merge(*streams):
            yield key, value

    def close(self) -> None:
        """Remove the run files."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> SortedSpool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _read_run(path: Path) -> Iterator[tuple[bytes, int, str, str]]:
    # Keys hold no whitespace and numbers no tabs, so the first two tabs split every line;
    # values may hold tabs (a lenient reader's records) and keep them.
    with path.open(encoding="utf-8", newline="\n") as lines:
        for line in lines:
            key, number, value = line[:-1].split("\t", 2)
            yield key.encode("utf-8"), int(number), key, value

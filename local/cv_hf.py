"""Common Voice from a Hugging Face `datasets` folder: no hub, no datasets' audio decoding.

Two layouts, told apart by what the corpus folder holds::

  (a) written by DatasetDict.save_to_disk, or one Dataset.save_to_disk folder per split:
    <corpus_dir>/dataset_dict.json              {"splits": ["train", "validation", "test"]} (optional)
    <corpus_dir>/<split>/state.json             names the split's Arrow files (`_data_files`)
    <corpus_dir>/<split>/data-00000-of-00001.arrow

  (b) the parquet shards of a dataset repository on the hub, downloaded as they are:
    <corpus_dir>/**/<split>-00000-of-00002.parquet    (push_to_hub: under data/ or <config>/)
    <corpus_dir>/**/<split>/0000.parquet              (the hub's own parquet conversion)

Split names: dev is read from datasets' "validation" (or "dev", "valid"); the others by their
own name (train, test, validated, ...). The columns are those of Common Voice's datasets:
client_id, path, sentence and audio, a struct {bytes, path} (datasets' Audio feature, stored
undecoded); the rest are ignored. Ids and text follow local/cv_rows.py, so a clip gets the same
utterance as from the release's TSVs.

The tables are read with pyarrow, a batch at a time. Each clip's bytes are written to a staging
folder and converted by our own audio code (soundfile + soxr), exactly as a clip of clips/ is:
datasets' decoding (torchcodec in datasets 4) is never used. A row whose audio holds no bytes is
read from its audio path when that file exists (absolute, or relative to the corpus folder).
Dropped and reported, the "line" being the row's number in its table: a table that cannot be
read, or lacks one of those columns (every row of it, the reason naming the file and the
columns it has), a row without audio, duplicate ids.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from local.cv_rows import clip_job
from utils.audio_jobs import ClipJob
from utils.errors import InputError
from utils.prep_report import PrepReport

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger(__name__)
SPLIT_NAMES = {"dev": ("validation", "dev", "valid")}  # our split -> the names datasets may give it
COLUMNS = ("client_id", "sentence")
BATCH_ROWS = 64  # rows decoded into Python at once: bounds memory whatever the shard's size


def hf_layout(corpus_dir: Path) -> str:
    """"save_to_disk", "parquet", or "" when `corpus_dir` holds neither."""
    if (corpus_dir / "dataset_dict.json").is_file() or any(corpus_dir.glob("*/state.json")):
        return "save_to_disk"
    if (corpus_dir / "state.json").is_file():
        raise InputError(f"{corpus_dir}: one Dataset.save_to_disk folder, which holds one split; put each "
                         f"split's folder under one corpus folder as <corpus_dir>/train, /validation, /test")
    return "parquet" if next(corpus_dir.rglob("*.parquet"), None) else ""


def check_hf(corpus_dir: Path, splits: tuple[str, ...]) -> dict[str, object]:
    """Check that every split has a table with the columns we need; describe the corpus.

    A table that cannot be used is logged here and reported by data prep; only a split with no
    usable table at all is an InputError.
    """
    layout = hf_layout(corpus_dir)
    counts = {}
    for split in splits:
        tables = split_tables(corpus_dir, split)
        problems = {table: _problem(table) for table in tables}
        for table, problem in problems.items():
            if problem:
                log.warning("%s: %s; its rows will be dropped and reported", table, problem)
        counts[split] = sum(1 for problem in problems.values() if not problem)
        if not counts[split]:
            found = "; ".join(f"{t}: {p}" for t, p in problems.items()) or "no table"
            raise InputError(f"{corpus_dir}: no usable {split} split in this datasets folder ({layout}); looked "
                             f"for {', '.join(_names(split))} ({found})")
    return {"name": f"Common Voice (Hugging Face datasets, {layout}) {corpus_dir.name}", "path": str(corpus_dir),
            "layout": f"hf_{layout}", "tables": counts}


def split_tables(corpus_dir: Path, split: str) -> list[Path]:
    """The Arrow or parquet files that hold `split`, in order."""
    if hf_layout(corpus_dir) == "save_to_disk":
        for name in _names(split):
            state = corpus_dir / name / "state.json"
            if state.is_file():
                files = json.loads(state.read_text(encoding="utf-8-sig")).get("_data_files", [])
                return [state.parent / f["filename"] for f in files]
        return []
    pattern = re.compile(rf"^({'|'.join(map(re.escape, _names(split)))})([-_.]|$)")
    return sorted(p for p in corpus_dir.rglob("*.parquet")
                  if pattern.match(p.stem) or set(p.relative_to(corpus_dir).parts[:-1]) & set(_names(split)))


def read_hf_split(corpus_dir: Path, split: str, report: PrepReport, stage_dir: Path | None,
                  wav_dir: Path | None = None) -> list[ClipJob]:
    """The ClipJobs of `split`, their audio written to `stage_dir` (None: not written, for
    listings only consulted); a clip whose `wav_dir/<utt_id>.wav` exists is not staged again."""
    jobs, seen = [], set()
    for table in split_tables(corpus_dir, split):
        for number, row, problem in _rows(table):
            report.total += 1
            if problem:
                report.drop(str(table), number, "", problem)
                continue
            audio = row["audio"] or {}
            name = Path(row.get("path") or audio.get("path") or f"row{number}.mp3").name
            job = clip_job(str(table), number, row["client_id"] or "", name, row["sentence"] or "",
                           Path(name), report)
            if job is None:
                continue
            if job.utt_id in seen:
                report.drop(str(table), number, job.utt_id, "duplicate utterance id (clip listed twice)")
                continue
            seen.add(job.utt_id)
            if stage_dir is not None:
                job = _stage(job, audio, corpus_dir, stage_dir, wav_dir, report)
            if job is not None:
                jobs.append(job)
    return jobs


def _stage(job: ClipJob, audio: dict, corpus_dir: Path, stage_dir: Path, wav_dir: Path | None,
           report: PrepReport) -> ClipJob | None:
    """`job` pointing at its audio: bytes written to `stage_dir`, or the file the audio path names."""
    staged = stage_dir / f"{job.utt_id}{Path(job.clip.name).suffix}"
    if wav_dir is not None and (wav_dir / f"{job.utt_id}.wav").is_file():
        return _with_clip(job, staged)  # converted by an earlier run: nothing to stage
    if audio.get("bytes"):
        stage_dir.mkdir(parents=True, exist_ok=True)
        staged.write_bytes(audio["bytes"])
        return _with_clip(job, staged)
    path = Path(audio.get("path") or "")
    path = path if path.is_absolute() else corpus_dir / path
    if audio.get("path") and path.is_file():
        return _with_clip(job, path)
    report.drop(job.source, job.line, job.utt_id, f"no audio bytes, and its audio path {audio.get('path')!r} "
                                                  "is not a file")
    return None


def _with_clip(job: ClipJob, clip: Path) -> ClipJob:
    return ClipJob(job.source, job.line, job.utt_id, job.speaker, clip, job.text, job.expected_duration)


def _names(split: str) -> tuple[str, ...]:
    return SPLIT_NAMES.get(split, (split,))


# pyarrow (about 60 MB resident) is imported by the functions that read tables, not with this
# module: data prep of a release folder (clips/ + TSVs) never needs it.


def _schema(table: Path) -> pa.Schema:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if table.suffix == ".parquet":
        return pq.read_schema(table)
    with pa.memory_map(str(table)) as source:
        return pa.ipc.open_stream(source).schema


def _audio_column(schema: pa.Schema) -> str | None:
    """The column holding datasets' Audio struct {bytes, path}: "audio", else the first such struct."""
    import pyarrow as pa

    structs = [f.name for f in schema if pa.types.is_struct(f.type)
               and {"bytes", "path"} <= {f.type.field(i).name for i in range(f.type.num_fields)}]
    return "audio" if "audio" in structs else next(iter(structs), None)


def _missing_columns(schema: pa.Schema) -> str:
    missing = [f"column {c}" for c in COLUMNS if c not in schema.names]
    if _audio_column(schema) is None:
        missing.append("an audio column (a struct of bytes and path, as datasets' Audio feature stores it)")
    return f"lacks {' and '.join(missing)}; its columns: {', '.join(schema.names)}" if missing else ""


def _problem(table: Path) -> str:
    """Why `table` cannot be read as a Common Voice split ("" when it can)."""
    import pyarrow as pa

    try:
        return _missing_columns(_schema(table))
    except (pa.ArrowException, OSError) as err:
        return _unreadable(table, err)


def _unreadable(table: Path, err: Exception) -> str:
    return f"not a readable {'parquet' if table.suffix == '.parquet' else 'Arrow'} table ({err})"


def _rows(table: Path) -> Iterator[tuple[int, dict, str]]:
    """(row number from 1, {client_id, sentence, path, audio}, problem or "") for every row of `table`."""
    import pyarrow as pa

    try:
        schema = _schema(table)
        problem = _missing_columns(schema)
        batches = _batches(table)
        if problem:  # every row is lost: count them, so the drop share is honest
            count = sum(batch.num_rows for batch in batches)
            yield from ((n, {}, problem) for n in range(1, count + 1))
            return
        audio = _audio_column(schema)
        number = 0
        for batch in batches:
            columns = {c: batch.column(c).to_pylist() for c in (*COLUMNS, "path") if c in schema.names}
            columns["audio"] = batch.column(audio).to_pylist()
            for index in range(batch.num_rows):
                number += 1
                yield number, {c: values[index] for c, values in columns.items()}, ""
    except (pa.ArrowException, OSError) as err:
        yield 0, {}, _unreadable(table, err)


def _batches(table: Path) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if table.suffix == ".parquet":
        yield from pq.ParquetFile(table).iter_batches(batch_size=BATCH_ROWS)
        return
    with pa.memory_map(str(table)) as source:
        yield from pa.ipc.open_stream(source)

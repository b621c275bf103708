"""NSC Parts 1-2 audio read straight from the per-speaker zips, as IMDA ships them.

    <corpus_dir>/PART1/DATA/CHANNEL0/WAVE/SPEAKER0001.zip
        SPEAKER0001/SESSION0/000010001.WAV          the unpacked folder's own layout, inside

A clip that is not on disk as WAVE/SPEAKER0001/SESSION0/000010001.WAV is looked up in its
speaker's zip (member SPEAKER0001/SESSION0/000010001.WAV, or SESSION0/000010001.WAV; names
compared without regard to case), written to a staging folder, converted like any clip and the
staged copy removed: what stays is the converted 16 kHz wav, written once, as for unpacked
audio. An unpacked speaker folder is used as it is. A clip whose wav an earlier run converted is
not extracted again. Dropped, reported with the zip, the member and the reason, the rest going
on: a zip that cannot be opened (not a zip, truncated), a member missing from it, a member that
does not extract (bad CRC, corrupt compressed data).
"""
from __future__ import annotations

import contextlib
import re
import zipfile
import zlib
from pathlib import Path

from utils.audio_jobs import ClipJob
from utils.prep_report import PrepReport

_SPEAKER_DIR = re.compile(r"^SPEAKER\d+$", re.IGNORECASE)


def stage_from_zips(jobs: list[ClipJob], stage_dir: Path, wav_dir: Path, report: PrepReport) -> list[ClipJob]:
    """`jobs` with each clip that only a speaker zip holds extracted to `stage_dir`; the jobs
    whose zip or member is unusable are reported as dropped and left out."""
    out = []
    with contextlib.ExitStack() as stack:
        archives: dict[Path, zipfile.ZipFile | str] = {}
        for job in jobs:
            archive = _archive_of(job.clip)
            if archive is None or job.clip.is_file() or (wav_dir / f"{job.utt_id}.wav").is_file() \
                    or not archive.is_file():
                out.append(job)  # on disk, converted already, or missing: conversion says which
                continue
            if archive not in archives:
                archives[archive] = _open(archive, stack)
            staged = _extract(archives[archive], archive, job, stage_dir, report)
            if staged is not None:
                out.append(ClipJob(job.source, job.line, job.utt_id, job.speaker, staged, job.text,
                                   job.expected_duration))
    return out


def _archive_of(clip: Path) -> Path | None:
    """WAVE/SPEAKER0001.zip for WAVE/SPEAKER0001/SESSION0/<id>.WAV; None for a clip of no speaker folder."""
    speaker_dir = clip.parents[1] if len(clip.parents) > 1 else clip.parent
    return speaker_dir.with_name(speaker_dir.name + ".zip") if _SPEAKER_DIR.match(speaker_dir.name) else None


def _open(archive: Path, stack: contextlib.ExitStack) -> zipfile.ZipFile | str:
    """The open zip, or why it cannot be opened."""
    try:
        return stack.enter_context(zipfile.ZipFile(archive))
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        return f"not a readable zip ({err})"


def _extract(opened: zipfile.ZipFile | str, archive: Path, job: ClipJob, stage_dir: Path,
             report: PrepReport) -> Path | None:
    """The staged copy of `job`'s member of `archive`, or None (reported as dropped)."""
    speaker_dir = job.clip.parents[1]
    wanted = (f"{speaker_dir.name}/{job.clip.relative_to(speaker_dir).as_posix()}",
              job.clip.relative_to(speaker_dir).as_posix())
    if isinstance(opened, str):
        report.drop(job.source, job.line, job.utt_id, f"{archive}: {opened}")
        return None
    members = {info.filename.lower(): info for info in opened.infolist()}
    info = next((members[name.lower()] for name in wanted if name.lower() in members), None)
    if info is None:
        report.drop(job.source, job.line, job.utt_id, f"{archive}: no member {wanted[0]}")
        return None
    # Named after the member, so that a repair the conversion reports names the zip's own file.
    staged = stage_dir / job.utt_id / info.filename
    try:
        data = opened.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as err:
        report.drop(job.source, job.line, job.utt_id, f"{archive}: member {info.filename} does not extract ({err})")
        return None
    staged.parent.mkdir(parents=True, exist_ok=True)
    staged.write_bytes(data)
    return staged

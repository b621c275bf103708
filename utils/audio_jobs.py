"""Convert a corpus's clips once to 16 kHz mono wavs, in parallel, reporting drops and repairs.

Shared by every data-prep module (local/common_voice.py, local/nsc.py): each lists its
utterances as `ClipJob`s, with the file and line they came from, and gets back the
`Utterance`s whose audio converted. A clip that cannot be used (missing, empty, corrupt,
silent, truncated) is dropped and its reason recorded in the `PrepReport` under that file and
line; a resample, a downmix or a wav re-encoded to 16-bit PCM (24-bit, float, ...) is recorded
as a repair. A wav already written by an interrupted earlier run is kept (each wav is written
atomically), so an interrupted prep resumes. `iter_converted` does the same for a stream of jobs
in memory that does not grow with their number (with `--cmd slurm`, the jobs handed out are
remembered until their array ends).
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf

from utils.audio import SAMPLE_RATE, AudioError, convert_to_wav
from utils.data_dir import Utterance
from pipeline.jobs import Jobs, as_jobs
from utils.prep_report import PrepReport


@dataclass(frozen=True, slots=True)
class ClipJob:
    """One utterance to convert. `source` and `line` say where it was listed, for the report;
    `expected_duration` is what the corpus's own metadata says the clip lasts (seconds, 0: unknown)."""

    source: str
    line: int
    utt_id: str
    speaker: str
    clip: Path
    text: str
    expected_duration: float = 0.0


def convert_clips(jobs: list[ClipJob], wav_dir: Path, nj: int | Jobs, report: PrepReport, desc: str,
                  native_rates: tuple[int, ...] = (SAMPLE_RATE,)) -> list[Utterance]:
    """Write `wav_dir/<utt_id>.wav` for each job; return the utterances that converted.

    `nj` is a number of local workers, or the stage's `Jobs` (`--cmd slurm`: a job array).
    `native_rates` are the rates the corpus ships: converting from them is not reported as a
    repair (Common Voice's 48 kHz mp3s, say). `text` becomes both text and text_raw.
    """
    return list(iter_converted(jobs, wav_dir, nj, report, desc, native_rates, total=len(jobs)))


def iter_converted(jobs: Iterable[ClipJob], wav_dir: Path, nj: int | Jobs, report: PrepReport, desc: str,
                   native_rates: tuple[int, ...] = (SAMPLE_RATE,), total: int | None = None) -> Iterator[Utterance]:
    """`convert_clips` as a stream: jobs are read as workers free up and each utterance is yielded
    as its wav is written, in the order of `jobs` (`total`: their number, for the progress bar).
    Drops and repairs go to `report` as they come."""
    pending: deque[ClipJob] = deque()  # jobs handed out whose results have not come back (the pool's window)

    def tasks() -> Iterator[dict]:
        for job in jobs:
            pending.append(job)
            yield {"clip": str(job.clip), "wav": str(wav_dir / f"{job.utt_id}.wav"),
                   "native_rates": list(native_rates), "expected": job.expected_duration}

    for wav, result, repaired in as_jobs(nj).map(convert_one, tasks(), desc=desc, total=total):
        job = pending.popleft()
        if isinstance(result, str):
            report.drop(job.source, job.line, job.utt_id, result)
            continue
        if repaired:
            report.repair(job.source, job.line, job.utt_id, repaired)
        yield Utterance(job.utt_id, job.speaker, str(Path(wav).resolve()), job.text, round(result, 3),
                        text_raw=job.text)


def convert_one(task: dict) -> tuple[str, float | str, str]:
    """(wav, duration or the reason it failed, what was repaired) for one {clip, wav, native_rates, expected};
    never raises. Arguments and result are JSON values: it runs in Slurm tasks too."""
    clip, wav = Path(task["clip"]), Path(task["wav"])
    try:
        if wav.is_file():
            return str(wav), sf.info(str(wav)).duration, ""
        info = convert_to_wav(clip, wav, expected_duration=task.get("expected", 0.0))
    except AudioError as err:
        return str(wav), str(err), ""
    except Exception as err:  # noqa: BLE001 - one bad clip must not end the run
        return str(wav), f"{clip}: unexpected {type(err).__name__}: {err}", ""
    repaired = []
    if info.source_rate not in task["native_rates"]:
        repaired.append(f"resampled {info.source_rate} Hz -> {SAMPLE_RATE} Hz")
    if info.source_channels != 1:
        repaired.append(f"downmixed {info.source_channels} channels")
    if info.source_format == "WAV" and info.source_subtype != "PCM_16":
        repaired.append(f"re-encoded {info.source_subtype} wav as PCM_16")
    return str(wav), info.duration, f"{clip}: {'; '.join(repaired)}" if repaired else ""

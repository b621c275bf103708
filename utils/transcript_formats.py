"""Write transcripts of whole files as Kaldi text, JSON, CTM or SRT.

  txt   OUT/text: Kaldi `file-id text`, one line per file, sorted by byte order (bare id if empty)
  ctm   OUT/ctm: NIST CTM, `<file-id> 1 <start> <dur> <word>` per word, seconds with 2 decimals
  json  OUT/<file-id>.json: {"file_id", "path", "duration", "text", "words": [{word, start, end}]}
  srt   OUT/<file-id>.srt: SubRip cues of consecutive words, each at most MAX_CUE_SECONDS long
        and MAX_CUE_WORDS words
Without an output folder, txt and ctm lines and json objects (one per line) go to stdout;
srt needs a folder. Every file is written atomically.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence, TextIO

from utils.ctc_timestamps import WordTime
from utils.errors import InputError
from utils.text_files import atomic_write_text

FORMATS = ("txt", "json", "ctm", "srt")
PER_FILE_FORMATS = ("json", "srt")
MAX_CUE_SECONDS = 7.0
MAX_CUE_WORDS = 12


@dataclass
class Transcript:
    """One file's result: its id, source path, duration in seconds, text and timed words."""

    file_id: str
    path: str
    duration: float
    text: str
    words: list[WordTime] = field(default_factory=list)


def ctm_lines(transcript: Transcript) -> list[str]:
    """CTM lines of one file (channel 1; no confidence column)."""
    return [f"{transcript.file_id} 1 {w.start:.2f} {max(w.end - w.start, 0.0):.2f} {w.word}"
            for w in transcript.words]


def json_record(transcript: Transcript) -> dict:
    """The JSON object of one file (see the module docstring)."""
    return {"file_id": transcript.file_id, "path": transcript.path,
            "duration": round(transcript.duration, 3), "text": transcript.text,
            "words": [{"word": w.word, "start": w.start, "end": w.end} for w in transcript.words]}


def srt_cues(words: Sequence[WordTime], max_seconds: float = MAX_CUE_SECONDS,
             max_words: int = MAX_CUE_WORDS) -> list[tuple[float, float, str]]:
    """Group consecutive words into (start, end, text) cues of at most `max_seconds` / `max_words`."""
    cues: list[tuple[float, float, str]] = []
    group: list[WordTime] = []
    for word in words:
        if group and (len(group) >= max_words or word.end - group[0].start > max_seconds):
            cues.append((group[0].start, group[-1].end, " ".join(w.word for w in group)))
            group = []
        group.append(word)
    if group:
        cues.append((group[0].start, group[-1].end, " ".join(w.word for w in group)))
    return cues


def srt_text(transcript: Transcript) -> str:
    """A SubRip document: numbered cues `HH:MM:SS,mmm --> HH:MM:SS,mmm` and one text line each."""
    blocks = [f"{index}\n{_srt_time(start)} --> {_srt_time(end)}\n{text}\n"
              for index, (start, end, text) in enumerate(srt_cues(transcript.words), 1)]
    return "\n".join(blocks)


def _srt_time(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d},{rest % 1000:03d}"


def write_file_output(transcript: Transcript, fmt: str, out_dir: Path) -> Path | None:
    """Write the per-file output (json, srt) of one transcript; None for the collected formats."""
    if fmt == "json":
        text = json.dumps(json_record(transcript), ensure_ascii=False, indent=2) + "\n"
        return atomic_write_text(out_dir / f"{transcript.file_id}.json", text)
    if fmt == "srt":
        return atomic_write_text(out_dir / f"{transcript.file_id}.srt", srt_text(transcript))
    return None


def collected_text(transcripts: Sequence[Transcript], fmt: str) -> str:
    """All files in one document: txt, ctm, or json lines; files in byte order of their ids."""
    ordered = sorted(transcripts, key=lambda t: t.file_id.encode("utf-8"))
    if fmt == "txt":
        lines = [f"{t.file_id} {t.text}" if t.text else t.file_id for t in ordered]
    elif fmt == "ctm":
        lines = [line for t in ordered for line in ctm_lines(t)]
    elif fmt == "json":
        lines = [json.dumps(json_record(t), ensure_ascii=False) for t in ordered]
    else:
        raise InputError(f"--format {fmt}: one document per file; give --out DIR")
    return "".join(line + "\n" for line in lines)


def write_collected(transcripts: Sequence[Transcript], fmt: str, out_dir: Path | None,
                    stream: TextIO | None = None) -> Path | None:
    """Write OUT/text or OUT/ctm; without `out_dir`, print txt/ctm/json lines to `stream` (stdout)."""
    if out_dir is None:
        (stream or sys.stdout).write(collected_text(transcripts, fmt))
        return None
    if fmt in PER_FILE_FORMATS:
        return None
    return atomic_write_text(out_dir / ("text" if fmt == "txt" else "ctm"), collected_text(transcripts, fmt))

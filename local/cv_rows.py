"""One Common Voice row -> a `ClipJob`: the id and text rules shared by every Common Voice reader.

Both readers (the release's TSVs in local/common_voice.py, a Hugging Face datasets folder in
local/cv_hf.py) go through `clip_job`, so the same clip gets the same utterance id, speaker
and text whichever form the corpus came in. Speaker id: the first 16 characters of client_id
(64 bits of its hex digest), made safe; utterance id: `<speaker>-<clip name without extension>`.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from utils.audio_jobs import ClipJob
from utils.format_chars import remove_format_chars
from utils.prep_report import PrepReport
from utils.text_files import strip_bom

log = logging.getLogger(__name__)

UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.-]+")
CLIP_DURATIONS = "clip_durations.tsv"  # recent releases: clip<TAB>duration[ms], one row per clip


def clip_job(source: str, line: int, client_id: str, clip_name: str, sentence: str, clip: Path,
             report: PrepReport, durations: dict[str, float] | None = None) -> ClipJob | None:
    """The ClipJob of one listed clip, or None (reported as dropped) when its sentence is empty.

    `clip_name` is the clip's path as listed (its file name makes the utterance id); `clip` the
    file to convert; `durations` maps clip file names to seconds (clip_durations.tsv).
    """
    speaker = UNSAFE_ID.sub("_", client_id)[:16] or "unknown"
    name = Path(clip_name).name
    utt_id = f"{speaker}-{UNSAFE_ID.sub('_', Path(name).stem)}"
    # A byte-order mark inside a field (files joined with `cat`) would break the Kaldi text
    # format; other invisible characters stay in text.raw for the normaliser to remove.
    text = " ".join(sentence.replace("\ufeff", "").split())
    if not any(ch.isalnum() for ch in text):
        report.drop(source, line, utt_id, "empty transcript (no letters or digits)")
        return None
    return ClipJob(source, line, utt_id, speaker, clip, text, (durations or {}).get(name, 0.0))


def clip_key(job: ClipJob) -> str:
    """What makes two listings the same clip: its name, which is the utterance id less the speaker."""
    return job.utt_id[len(job.speaker) + 1:]


def sentence_key(text: str) -> str:
    """A sentence as Common Voice's splits compare them, made insensitive to what users vary:
    case, punctuation, invisible characters, whitespace and Unicode composition."""
    text = unicodedata.normalize("NFC", remove_format_chars(text)).casefold()
    kept = "".join(ch if unicodedata.category(ch)[0] in "LNM" else " " for ch in text)
    return " ".join(kept.split())


def iter_clip_durations(path: Path) -> Iterator[tuple[str, float]]:
    """(clip file name, seconds) per line of clip_durations.tsv (`clip<TAB>duration[ms]`), in file
    order, read a line at a time; nothing when the file is absent. A name listed twice: the
    later line is the one to keep.

    Lines that do not parse are skipped (counted in a warning once all are read): the durations
    only sharpen the truncation check, they never decide what an utterance's duration is.
    """
    if not path.is_file():
        return
    lines = _text_lines(path)
    first = next(lines, None)
    header = [] if first is None else first.rstrip("\r").split("\t")
    if "clip" not in header or "duration[ms]" not in header:
        log.warning("%s line 1: expected the columns clip and duration[ms], got %s; not used", path, header)
        return
    clip, ms = header.index("clip"), header.index("duration[ms]")
    bad = 0
    for line in lines:
        fields = line.rstrip("\r").split("\t")
        try:
            name, seconds = fields[clip], float(fields[ms]) / 1000
        except (IndexError, ValueError):
            bad += 1
            continue
        yield name, seconds
    if bad:
        log.warning("%s: %d line(s) without a clip name and a number of ms; skipped", path, bad)


def _text_lines(path: Path) -> Iterator[str]:
    """The file's lines as str.splitlines() gives them from the whole text (BOM dropped, bad bytes
    replaced), one line of the file at a time."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle):
            text = (strip_bom(raw) if number == 0 else raw).decode("utf-8", errors="replace")
            yield from text.splitlines()  # never empty: every line but a lone BOM holds a character

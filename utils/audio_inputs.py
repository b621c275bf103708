"""Turn command-line inputs into (file id, audio path) items: files, folders, or a Kaldi wav.scp.

- an audio file: its id is the file name without extension;
- a folder: every file below it with an audio extension (utils.audio_stream.AUDIO_EXTENSIONS),
  recursively, sorted; the id is the path below the folder without extension, "/" -> "-";
- a `*.scp` file: Kaldi `utt-id path` lines (relative paths from the current folder, as in
  Kaldi); a piped entry (`... |`) cannot be read and is reported as a failed item. With a
  Kaldi `segments` file beside it (`utt-id reco-id start end`), wav.scp is keyed by recording
  and each segment is an item: its id the utterance id, its `span` (offset, duration).
Whitespace in ids becomes "_". An input that does not exist is a failed item, not an abort;
two items with one id, or no items at all, raise InputError.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from utils.audio_paths import resolve_path
from utils.audio_stream import AUDIO_EXTENSIONS
from utils.errors import InputError


@dataclass(frozen=True)
class AudioItem:
    """One file to transcribe; `problem` is set when it is known to be unreadable already."""

    file_id: str
    path: Path
    problem: str | None = None
    span: tuple[float, float] | None = None  # (offset, duration) in seconds: a segment of `path`


def resolve_inputs(inputs: Sequence[Path]) -> list[AudioItem]:
    """Items of every input in the given order (see the module docstring)."""
    items: list[AudioItem] = []
    for source in inputs:
        if source.is_dir():
            items += _folder_items(source)
        elif source.suffix == ".scp" and source.is_file():
            recordings = read_wav_scp(source)
            segments = source.parent / "segments"
            items += read_segments(segments, recordings) if segments.is_file() else recordings
        else:
            problem = None if source.exists() else "no such file or folder"
            items.append(AudioItem(_clean_id(source.stem or source.name), source, problem))
    if not items:
        raise InputError(f"no audio files found in {', '.join(map(str, inputs))} "
                         f"(extensions: {' '.join(sorted(AUDIO_EXTENSIONS))})")
    _check_unique(items)
    return items


def read_wav_scp(path: Path) -> list[AudioItem]:
    """Items of a Kaldi wav.scp (relative paths are relative to its folder, utils/audio_paths.py);
    InputError for a line without a path or a non-UTF-8 file."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not valid UTF-8 ({err})") from err
    items = []
    for number, line in enumerate(lines, start=1):
        parts = line.strip().split(maxsplit=1)
        if not parts:
            continue
        if len(parts) == 1:
            raise InputError(f"{path} line {number}: expected `utt-id path`, got {line.strip()!r}")
        utt_id, location = parts
        problem = ("a piped command, not a file; convert the audio first (data prep does)"
                   if location.rstrip().endswith("|") else None)
        where = location.strip() if problem else resolve_path(location.strip(), path.parent)  # relative: to wav.scp
        items.append(AudioItem(_clean_id(utt_id), Path(where), problem))
    return items


def read_segments(path: Path, recordings: list[AudioItem]) -> list[AudioItem]:
    """One item per line of a Kaldi segments file, over the `recordings` of its wav.scp.

    A segment whose recording wav.scp lacks (or cannot read) is a failed item; a line that is
    not `utt-id reco-id start end` with 0 <= start < end raises InputError naming file and line.
    """
    by_id = {item.file_id: item for item in recordings}
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        try:
            utt_id, reco_id, start, end = fields[0], fields[1], float(fields[2]), float(fields[3])
            if len(fields) != 4 or not 0 <= start < end:
                raise ValueError
        except (IndexError, ValueError):
            raise InputError(f"{path} line {number}: expected `utt-id reco-id start end` with "
                             f"0 <= start < end, got {line.strip()!r}") from None
        recording = by_id.get(reco_id)
        problem = f"recording {reco_id!r} is not in wav.scp" if recording is None else recording.problem
        items.append(AudioItem(_clean_id(utt_id), recording.path if recording else Path(reco_id), problem,
                               (start, end - start)))
    return items


def _folder_items(folder: Path) -> list[AudioItem]:
    paths = sorted((path for path in folder.rglob("*")
                    if path.is_file() and path.suffix.lower() in AUDIO_EXTENSIONS),
                   key=lambda path: path.relative_to(folder).as_posix())
    return [AudioItem(_clean_id(path.relative_to(folder).with_suffix("").as_posix().replace("/", "-")), path)
            for path in paths]


def _clean_id(text: str) -> str:
    return "_".join(text.split()) or "_"


def _check_unique(items: list[AudioItem]) -> None:
    seen: dict[str, Path] = {}
    for item in items:
        if item.file_id in seen:
            raise InputError(f"two inputs get the id {item.file_id!r}: {seen[item.file_id]} and {item.path}; "
                             f"rename one or list them in a wav.scp with distinct ids")
        seen[item.file_id] = item.path

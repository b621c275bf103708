"""Turn command-line inputs into (file id, audio path) items: files, folders, or a Kaldi wav.scp.

- an audio file: its id is the file name without extension;
- a folder: every file below it with an audio extension (utils.audio_stream.AUDIO_EXTENSIONS),
  recursively, sorted; the id is the path below the folder without extension, "/" -> "-";
- a `*.scp` file: Kaldi `utt-id path` lines (relative paths from the current folder, as in
  Kaldi); a piped entry (`... |`) cannot be read and is reported as a failed item.
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


def resolve_inputs(inputs: Sequence[Path]) -> list[AudioItem]:
    """Items of every input in the given order (see the module docstring)."""
    items: list[AudioItem] = []
    for source in inputs:
        if source.is_dir():
            items += _folder_items(source)
        elif source.suffix == ".scp" and source.is_file():
            items += read_wav_scp(source)
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
        lines = path.read_text(encoding="utf-8").splitlines()
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

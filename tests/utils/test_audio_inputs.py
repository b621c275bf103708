"""Inputs: folders (recursive, audio only, sorted), wav.scp, plain files, clashes and gaps."""
from __future__ import annotations

from pathlib import Path

import pytest

from utils.audio_inputs import resolve_inputs
from utils.errors import InputError


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_folder_is_searched_recursively_for_audio_only(tmp_path):
    for name in ["b.wav", "a/c.MP3", "a/d.flac", "notes.txt", "z.ogg"]:
        _touch(tmp_path / "in" / name)
    items = resolve_inputs([tmp_path / "in"])
    assert [item.file_id for item in items] == ["a-c", "a-d", "b", "z"]
    assert all(item.problem is None for item in items)


def test_wav_scp_and_files_and_missing_inputs(tmp_path):
    wav = _touch(tmp_path / "my clip.wav")
    scp = tmp_path / "wav.scp"
    scp.write_text(f"u1 {wav}\n\nu2 sox a.wav -t wav - |\n")
    items = resolve_inputs([scp, wav, tmp_path / "gone.flac"])
    assert [(i.file_id, i.problem is None) for i in items] == [("u1", True), ("u2", False),
                                                             ("my_clip", True), ("gone", False)]


def test_clashing_ids_and_empty_inputs_are_errors(tmp_path):
    a, b = _touch(tmp_path / "x" / "s.wav"), _touch(tmp_path / "y" / "s.wav")
    with pytest.raises(InputError, match="two inputs get the id 's'"):
        resolve_inputs([a, b])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no audio files"):
        resolve_inputs([tmp_path / "empty"])
    bad = tmp_path / "bad.scp"
    bad.write_text("only-an-id\n")
    with pytest.raises(InputError, match="line 1"):
        resolve_inputs([bad])

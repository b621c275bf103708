"""newest_complete_checkpoint: picks the newest complete one, sets incomplete ones aside."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

from utils.checkpoints import is_whole_safetensors, newest_complete_checkpoint


def make(work: Path, step: int, state: bool = True, weights: bool = True) -> Path:
    path = work / f"checkpoint-{step}"
    path.mkdir(parents=True)
    if state:
        (path / "trainer_state.json").write_text("{}")
    if weights:
        save_file({"w": np.arange(64, dtype=np.float32)}, str(path / "model.safetensors"))
    return path


def test_newest_by_step_number_not_name(tmp_path):
    make(tmp_path, 9)
    newest = make(tmp_path, 10)
    assert newest_complete_checkpoint(tmp_path) == newest


def test_incomplete_newer_checkpoints_are_moved_aside(tmp_path):
    good = make(tmp_path, 5)
    make(tmp_path, 10, weights=False)
    make(tmp_path, 15, state=False)
    (tmp_path / "incomplete-checkpoint-15").mkdir()
    assert newest_complete_checkpoint(tmp_path) == good
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "checkpoint-5", "incomplete-checkpoint-10", "incomplete-checkpoint-15", "incomplete-checkpoint-15.1"]


def test_weights_cut_short_make_a_checkpoint_incomplete(tmp_path):
    good = make(tmp_path, 5)
    weights = make(tmp_path, 10) / "model.safetensors"
    assert is_whole_safetensors(weights)
    weights.write_bytes(weights.read_bytes()[:-4])  # a crash half-way through writing the weights
    assert not is_whole_safetensors(weights)
    assert newest_complete_checkpoint(tmp_path) == good
    assert (tmp_path / "incomplete-checkpoint-10").is_dir()
    weights = make(tmp_path, 20) / "model.safetensors"
    weights.write_bytes(b"x")
    assert newest_complete_checkpoint(tmp_path) == good


def test_nothing_to_resume(tmp_path):
    assert newest_complete_checkpoint(tmp_path / "absent") is None
    (tmp_path / "checkpoint-x").mkdir()
    assert newest_complete_checkpoint(tmp_path) is None

"""Find the newest complete Hugging Face Trainer checkpoint in a work dir.

A checkpoint is `<work_dir>/checkpoint-<step>/`. One that a crash left half-written (no
`trainer_state.json`, no safetensors weights, or weights shorter than their header says) is
renamed to `incomplete-checkpoint-<step>` so that neither resuming nor the Trainer's rotation
of old checkpoints trips over it; it is kept, not deleted, for inspection.
"""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)

CHECKPOINT_RE = re.compile(r"^checkpoint-(\d+)$")


def is_complete_checkpoint(path: Path) -> bool:
    """True if `path` has the trainer state and whole model weights the Trainer resumes from."""
    has_state = (path / "trainer_state.json").is_file()
    weights = list(path.glob("model*.safetensors"))
    return has_state and bool(weights) and all(is_whole_safetensors(w) for w in weights)


def is_whole_safetensors(path: Path) -> bool:
    """True if the file holds every byte its safetensors header promises (not cut short)."""
    try:
        with open(path, "rb") as handle:
            size = int.from_bytes(handle.read(8), "little")
            header = json.loads(handle.read(size)) if 0 < size < 100_000_000 else None
    except (OSError, ValueError):
        return False
    if not isinstance(header, dict):
        return False
    ends = [entry["data_offsets"][1] for key, entry in header.items()
            if key != "__metadata__" and isinstance(entry, dict) and "data_offsets" in entry]
    return path.stat().st_size >= 8 + size + max(ends, default=0)


def checkpoints_by_step(work_dir: Path) -> list[tuple[int, Path]]:
    """(step, path) of every `checkpoint-<step>` dir in `work_dir`, oldest first."""
    if not work_dir.is_dir():
        return []
    found = []
    for path in work_dir.iterdir():
        match = CHECKPOINT_RE.match(path.name)
        if match and path.is_dir():
            found.append((int(match.group(1)), path))
    return sorted(found)


def newest_complete_checkpoint(work_dir: Path) -> Path | None:
    """The newest complete checkpoint in `work_dir`, or None; incomplete newer ones are set aside."""
    for step, path in reversed(checkpoints_by_step(work_dir)):
        if is_complete_checkpoint(path):
            return path
        aside = _free_name(work_dir / f"incomplete-checkpoint-{step}")
        log.warning("checkpoint %s is incomplete (crash while saving?); moved to %s", path, aside)
        path.rename(aside)
    return None


def _free_name(path: Path) -> Path:
    candidate, number = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{number}")
        number += 1
    return candidate

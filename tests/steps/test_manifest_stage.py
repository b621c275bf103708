"""Stage 3 bounds durations for training only: a dev/test utterance longer than data.max_duration is
kept in its manifest (decoded and scored), a train one is left out (and reported)."""
from __future__ import annotations

from pathlib import Path

from stages.manifest import manifest
from tests.steps.test_make_manifest import make_dir
from utils.text_files import read_manifest


class Ctx:
    """The slice of StageContext that stage 3 uses, over tmp_path/<set>."""

    def __init__(self, root: Path, sets: dict[str, Path]):
        self.root, self.sets = root, sets

    def values(self, field: str) -> tuple[str, ...]:
        return {"set": tuple(self.sets), "eval": ("dev", "test")}[field]

    def input(self, name: str, set: str) -> Path:
        return self.sets[set]

    def output(self, name: str, set: str) -> Path:
        return self.root / set / {"manifest": "manifest.jsonl", "dropped": "dropped.tsv"}[name]

    def setting(self, dotted: str) -> float:
        return {"data.min_duration": 0.1, "data.max_duration": 20.0, "data.max_drop_share": 0.1}[dotted]


def test_long_utterances_are_dropped_from_train_only(tmp_path: Path) -> None:
    sets = {name: make_dir(tmp_path / f"src_{name}", [1.0] * 19 + [25.0]) for name in ("train", "test")}
    manifest(Ctx(tmp_path, sets))
    train = read_manifest(tmp_path / "train/manifest.jsonl")
    test = read_manifest(tmp_path / "test/manifest.jsonl")
    assert len(train) == 19 and max(u["duration"] for u in train) == 1.0
    assert len(test) == 20 and max(u["duration"] for u in test) == 25.0
    assert "spk-19" in (tmp_path / "train/dropped.tsv").read_text()
    assert "spk-19" not in (tmp_path / "test/dropped.tsv").read_text()

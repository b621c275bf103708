"""Joint training sets: several manifests, the main one repeated; the repeatable launch flag."""
from __future__ import annotations

import json

import pytest

from pipeline.launch import _flags
from utils.collate import training_set
from utils.errors import InputError


def _manifest(path, texts, offset=False):
    rows = [{"audio_filepath": f"{t}.wav", "duration": 1.0 + i, "text": t, "utt_id": f"{path.stem}-{t}", **({"offset": 0.0} if offset else {})}
            for i, t in enumerate(texts)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_main_manifest_repeated_beside_the_extra_one(tmp_path):
    real = _manifest(tmp_path / "real.jsonl", ["a", "b"])
    synth = _manifest(tmp_path / "synth.jsonl", ["x", "y", "z"])
    data = training_set([(real, 3), (synth, 1)])
    assert sorted(data["text"]) == sorted(["a", "b"] * 3 + ["x", "y", "z"])
    assert training_set([(real, 1)])["text"] == ["a", "b"]


def test_segments_and_whole_files_do_not_mix(tmp_path):
    real = _manifest(tmp_path / "real.jsonl", ["a"])
    segs = _manifest(tmp_path / "segs.jsonl", ["s"], offset=True)
    with pytest.raises(InputError, match="segment manifests"):
        training_set([(real, 1), (segs, 1)])


def test_list_options_become_repeated_flags():
    assert _flags({"extra_train": ["a.jsonl", "b.jsonl"], "max_steps": None}) == \
        ["--extra-train", "a.jsonl", "--extra-train", "b.jsonl"]

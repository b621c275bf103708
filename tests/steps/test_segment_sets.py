"""Training, decoding and scoring on a set of segments (manifest offset/duration into a recording)."""
from __future__ import annotations

import json

import numpy as np

from steps.decode_ctc import decode_set
from steps.score import score
from steps.train_ctc import train_ctc
from tests.steps.test_train_ctc import write_config
from tests.utils.segment_audio import TEXTS, write_segment_sets
from utils.ctc_logits import compute_logits, load_logits


def test_logits_and_hypotheses_equal_those_of_cut_files(model_dir, tmp_path):
    sets = write_segment_sets(tmp_path / "sets")
    ours = load_logits(compute_logits(model_dir, sets["segments"], tmp_path / "seg.npz", max_batch_seconds=100))
    cut = load_logits(compute_logits(model_dir, sets["cut"], tmp_path / "cut.npz", max_batch_seconds=100))
    assert set(ours.logits) == set(TEXTS)
    for utt_id in TEXTS:
        np.testing.assert_allclose(ours.logits[utt_id], cut.logits[utt_id], atol=1e-5)
    decoded = decode_set(model_dir, sets["segments"], tmp_path / "decode_seg", "greedy")
    reference = decode_set(model_dir, sets["cut"], tmp_path / "decode_cut", "greedy")
    assert (decoded / "hyp").read_text() == (reference / "hyp").read_text()
    text = tmp_path / "text"
    text.write_text("".join(f"{utt} {TEXTS[utt]}\n" for utt in sorted(TEXTS)), encoding="utf-8")
    assert score(text, decoded / "hyp", tmp_path / "score", None)["wer"] == \
        score(text, reference / "hyp", tmp_path / "score_cut", None)["wer"]


def test_training_runs_on_segments(tmp_path):
    sets = write_segment_sets(tmp_path / "sets")
    chars = sorted(set("".join(TEXTS.values()).replace(" ", "|")))
    vocab = tmp_path / "vocab.json"
    vocab.write_text(json.dumps({c: i for i, c in enumerate(chars)} | {"[UNK]": len(chars), "[PAD]": len(chars) + 1}))
    config = write_config(tmp_path / "conf.yaml")
    model = train_ctc(sets["segments"], sets["segments"], vocab, config, tmp_path / "model", tmp_path / "work",
                      max_steps=2, num_threads=1)
    assert (model / "config.json").is_file()

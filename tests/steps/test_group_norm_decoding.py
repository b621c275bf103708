"""Group-norm wav2vec2 models (wav2vec2-base style) decode the same in a batch as alone.

Their first convolution normalises over the whole (padded) input and they take no attention
mask, so zero padding changes every frame of a shorter utterance; transformers documents that
such models must not be batched with padding. The sg_en `pretrained.yaml` path (base-960h as is)
is replayed on the hub replica: identical log-probs and hypotheses batched, one at a time, with
one job and with two worker processes.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import utils.ctc_forward as ctc_forward
from steps.decode_ctc import decode_set
from steps.train_ctc import train_ctc
from tests.steps import hub_replicas
from tests.steps.test_train_ctc import corpus  # noqa: F401 (fixture)
from utils.ctc_forward import forward_batch, load_ctc_frontend, pads_change_outputs, read_audio
from utils.text_files import read_manifest

RECIPES = Path(__file__).resolve().parents[2] / "recipes"


@pytest.fixture
def as_is_model(tmp_path, corpus) -> Path:  # noqa: F811
    """The sg_en pretrained.yaml model section, pointed at the base-960h replica, saved by stage 5."""
    doc = yaml.safe_load((RECIPES / "sg_en" / "conf" / "pretrained.yaml").read_text(encoding="utf-8"))
    assert doc["model"]["pretrained"] == "facebook/wav2vec2-base-960h" and doc["train"]["max_steps"] == 0
    doc["model"]["pretrained"] = str(hub_replicas.base_960h(tmp_path / "base_960h"))
    config = tmp_path / "pretrained.yaml"
    config.write_text(yaml.safe_dump(doc), encoding="utf-8")
    model_dir = tmp_path / "exp" / "model"
    return train_ctc(corpus["manifest"], corpus["manifest"], corpus["vocab"], config, model_dir,
                     tmp_path / "exp" / "work")


def test_padding_changes_a_group_norm_model_so_it_is_not_batched(as_is_model, corpus):  # noqa: F811
    import torch
    from transformers import AutoModelForCTC

    frontend = load_ctc_frontend(as_is_model)
    model = AutoModelForCTC.from_pretrained(as_is_model).eval()
    assert pads_change_outputs(model.config)
    records = read_manifest(corpus["manifest"])
    audios = [read_audio(record, corpus["manifest"], 16000) for record in records]
    with torch.inference_mode():
        alone = [forward_batch(model, frontend, [audio], "cpu")[0] for audio in audios]
        padded = forward_batch(model, frontend, audios, "cpu")
    # the hazard is real: the shortest utterance, padded to the longest, comes out different
    assert not np.allclose(alone[0], padded[0], atol=1e-3)


@pytest.mark.parametrize("nj, batch_seconds", [(1, 120.0), (1, 0.01), (2, 120.0)])
def test_as_is_decoding_is_the_same_batched_alone_and_in_two_jobs(as_is_model, corpus, tmp_path, monkeypatch,
                                                                    nj, batch_seconds):  # noqa: F811
    # one at a time: batches of at most 0.01 s of padded audio hold one utterance each
    reference = decode_set(as_is_model, corpus["manifest"], tmp_path / "ref", max_batch_seconds=0.01,
                           logits_file=tmp_path / "ref.npz")
    monkeypatch.setattr(ctc_forward, "MIN_PART_SECONDS", 0.1)  # two real worker processes on 4 clips
    out = decode_set(as_is_model, corpus["manifest"], tmp_path / "new", nj=nj, max_batch_seconds=batch_seconds,
                     logits_file=tmp_path / "new.npz")
    assert (out / "hyp").read_text(encoding="utf-8") == (reference / "hyp").read_text(encoding="utf-8")
    ref_logits, new_logits = np.load(tmp_path / "ref.npz"), np.load(tmp_path / "new.npz")
    for utt in (record["utt_id"] for record in read_manifest(corpus["manifest"])):
        np.testing.assert_allclose(new_logits[utt], ref_logits[utt], atol=1e-5)


def test_layer_norm_models_keep_batching(tmp_path):
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(hub_replicas.xlsr53(tmp_path / "xlsr53"))
    assert not pads_change_outputs(config)

"""Learning is proven, not assumed: each model family memorises a few espeak-ng utterances.

Three short Irish phrases, spoken once each, are the train and the test set; after a bounded number
of optimiser steps through train_ctc (dropout and SpecAugment off) the greedy decode of the same
clips must reach CER <= 5 %. Families: a tiny w2v-BERT trained from scratch, a wav2vec2 fine-tune
(the XLSR-53 replica), a w2v-BERT 2.0 fine-tune (its replica, with the recipe's adapter) and an
MMS language adapter (base frozen). The replicas (tests/steps/hub_replicas.py) hold random
weights, so a fine-tune here has everything to learn: the step budgets are upper bounds for that.
Each case took 3-5 s on an idle 2-core AMD EPYC (minutes when seven sessions share it): not slow.
"""
from __future__ import annotations

from pathlib import Path

import jiwer
import pytest
import yaml

from steps.decode_ctc import decode_set
from steps.train_ctc import train_ctc
from tests.steps import hub_replicas
from tests.steps.overfit_corpus import make_overfit_corpus
from utils.text_files import read_manifest

TEXTS = ["tá sé fuar", "bhí mé ann", "an bhfuil tú"]
SCRATCH = {"hidden_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 192}
FAMILIES = {  # name -> (replica builder or None, model settings, steps, learning rate)
    "w2v_bert_from_scratch": (None, SCRATCH, 80, 5e-3),
    "wav2vec2_finetune": (hub_replicas.xlsr53, {}, 250, 1e-2),
    "w2v_bert2_finetune": (hub_replicas.w2v_bert2, {"add_adapter": True}, 80, 5e-3),
    "mms_adapter": (hub_replicas.mms_1b_all, {"adapter_lang": "gle"}, 120, 3e-2),
}


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    return make_overfit_corpus(tmp_path_factory.mktemp("overfit"), TEXTS)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_memorises_a_few_utterances(family, clips, tmp_path):
    build, model, steps, rate = FAMILIES[family]
    model = {**model, "mask_time_prob": 0.0}
    if build:
        model["pretrained"] = str(build(tmp_path / "hub"))
    train = {"batch_size": len(TEXTS), "learning_rate": rate, "warmup_steps": 10, "max_steps": steps,
             "logging_steps": 20, "eval_steps": steps, "save_steps": steps}
    config = tmp_path / "overfit.yaml"
    config.write_text(yaml.safe_dump({"model": model, "train": train}), encoding="utf-8")
    model_dir = train_ctc(clips["manifest"], clips["manifest"], clips["vocab"], config, tmp_path / "model",
                          tmp_path / "work")
    out = decode_set(model_dir, clips["manifest"], tmp_path / "decode", logits_file=tmp_path / "logits.npz")
    hyps = dict(line.partition(" ")[::2] for line in (out / "hyp").read_text(encoding="utf-8").splitlines())
    records = read_manifest(clips["manifest"])
    references, hypotheses = [r["text"] for r in records], [hyps.get(r["utt_id"], "") for r in records]
    cer = jiwer.cer(references, hypotheses)
    assert cer <= 0.05, f"{family}: CER {cer:.1%} after {steps} steps: {hypotheses}"

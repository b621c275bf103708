"""The four hub checkpoints users start from, as the hub serves them (tests/steps/hub_replicas.py):
each replica fine-tunes (or adapter-trains) through train_ctc, decodes through decode_ctc, and the
result loads in a stock transformers ASR pipeline.

Hub layouts replicated (file sets and sources in hub_replicas' docstring):
facebook/wav2vec2-large-xlsr-53, facebook/wav2vec2-base-960h, facebook/w2v-bert-2.0,
facebook/mms-1b-all.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from steps.decode_ctc import decode_set
from tests.steps import hub_replicas
from tests.steps.test_train_ctc import corpus, read_wav, run, write_config  # noqa: F401 (fixture)
from utils.ctc_model import is_finished_model

CASES = {  # replica -> model settings of a config that starts from it
    "xlsr53": {"freeze_feature_encoder": True},
    "base_960h": {"freeze_feature_encoder": True},
    "w2v_bert2": {"add_adapter": True},
    "mms_1b_all": {"adapter_lang": "gle"},
}


@pytest.fixture(scope="module")
def replicas(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hub")
    return {name: build(root / name) for name, build in hub_replicas.BUILDERS.items()}


@pytest.mark.parametrize("name", sorted(hub_replicas.BUILDERS))
def test_replica_has_the_hub_file_set(replicas, name):
    directory = replicas[name]
    assert {path.name for path in directory.iterdir()} == hub_replicas.HUB_FILES[name]
    config = json.loads((directory / "config.json").read_text())
    architecture = {"xlsr53": "Wav2Vec2ForPreTraining", "base_960h": "Wav2Vec2ForCTC",
                    "w2v_bert2": "Wav2Vec2BertModel", "mms_1b_all": "Wav2Vec2ForCTC"}[name]
    assert config["architectures"] == [architecture]
    if name == "xlsr53":  # quantizer and projections, no CTC head
        keys = torch.load(directory / "pytorch_model.bin", weights_only=True).keys()
        assert any(key.startswith("quantizer.") for key in keys) and "project_q.weight" in keys
        assert not any(key.startswith("lm_head") for key in keys)


@pytest.mark.parametrize("name", sorted(CASES))
def test_replica_trains_decodes_and_loads_in_the_pipeline(replicas, corpus, name):  # noqa: F811
    from transformers import pipeline

    config = write_config(corpus["root"] / "conf.yaml", model={"pretrained": str(replicas[name]), **CASES[name],
                                                                "mask_time_prob": 0.0})
    model_dir = run(corpus, config, "model", max_steps=2)
    assert is_finished_model(model_dir)
    out = decode_set(model_dir, corpus["manifest"], corpus["root"] / "decode")
    assert len((out / "hyp").read_text(encoding="utf-8").splitlines()) == 4
    asr = pipeline("automatic-speech-recognition", model=str(model_dir), device="cpu")
    assert isinstance(asr(read_wav(corpus, 2))["text"], str)


def test_mms_adapter_saved_the_mms_way_with_the_base_frozen(replicas, corpus):  # noqa: F811
    from transformers import AutoTokenizer, Wav2Vec2ForCTC

    config = write_config(corpus["root"] / "conf.yaml", model={"pretrained": str(replicas["mms_1b_all"]),
                                                                "adapter_lang": "gle", "mask_time_prob": 0.0})
    model_dir = run(corpus, config, "model", max_steps=3)
    assert (model_dir / "adapter.gle.safetensors").is_file()
    vocab = json.loads((model_dir / "vocab.json").read_text(encoding="utf-8"))
    assert list(vocab) == ["gle"] and "[PAD]" in vocab["gle"]
    assert AutoTokenizer.from_pretrained(model_dir).target_lang == "gle"
    model = Wav2Vec2ForCTC.from_pretrained(model_dir, target_lang="gle")
    assert model.lm_head.out_features == len(vocab["gle"])
    before = load_file(replicas["mms_1b_all"] / "model.safetensors")
    after = load_file(model_dir / "model.safetensors")
    adapter = load_file(model_dir / "adapter.gle.safetensors")
    frozen = [key for key in after if "adapter_layer" not in key and not key.startswith("lm_head")]
    assert len(frozen) > 20 and all(torch.equal(before[key], after[key]) for key in frozen)
    assert all(torch.equal(adapter[key], after[key]) for key in adapter)  # the file is the trained adapter
    layer = next(key for key in adapter if "adapter_layer" in key)
    assert not torch.equal(before[layer], after[layer])


def test_mms_adapter_starts_from_an_existing_language(replicas, corpus):  # noqa: F811
    from utils.ctc_adapter import build_adapter_model
    from utils.ctc_model import load_tokenizer

    mms = replicas["mms_1b_all"]
    tokenizer = load_tokenizer(corpus["vocab"])
    model = build_adapter_model(str(mms), tokenizer, "gle", "eng")
    eng = load_file(mms / "adapter.eng.safetensors")
    eng_vocab = json.loads((mms / "vocab.json").read_text())["eng"]
    ours = tokenizer.get_vocab()
    assert torch.equal(model.lm_head.weight[ours["a"]], eng["lm_head.weight"][eng_vocab["a"]])
    assert torch.equal(model.lm_head.weight[ours["[PAD]"]], eng["lm_head.weight"][eng_vocab["<pad>"]])
    layer = next(key for key in eng if "adapter_layer" in key)
    assert torch.equal(dict(model.named_parameters())[layer], eng[layer])
    trainable = {name for name, param in model.named_parameters() if param.requires_grad}
    assert trainable == set(model._get_adapters())


def test_adapter_training_needs_a_model_with_adapters(replicas, corpus):  # noqa: F811
    from utils.ctc_adapter import build_adapter_model
    from utils.ctc_model import load_tokenizer
    from utils.errors import InputError

    tokenizer = load_tokenizer(corpus["vocab"])
    with pytest.raises(InputError, match="no language adapters"):
        build_adapter_model(str(replicas["xlsr53"]), tokenizer, "gle", None)
    with pytest.raises(InputError, match="adapter.xyz.safetensors"):
        build_adapter_model(str(replicas["mms_1b_all"]), tokenizer, "gle", "xyz")

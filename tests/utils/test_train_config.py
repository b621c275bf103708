"""load_ctc_config: reads only `model:` and `train:`, rejects unknown keys and wrong types."""
from __future__ import annotations

from pathlib import Path

import pytest

from utils.errors import InputError
from utils.train_config import load_ctc_config

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "conf.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_model_and_train_and_ignores_other_sections(tmp_path):
    config = load_ctc_config(write(tmp_path, "model:\n  hidden_size: 64\n  num_attention_heads: 4\n"
                                             "train:\n  learning_rate: 1\n  max_steps: 50\n"
                                             "decode:\n  beam_width: 32\n"))
    assert config.model.hidden_size == 64 and config.model.pretrained is None
    assert config.train.learning_rate == 1.0 and isinstance(config.train.learning_rate, float)
    assert config.to_dict()["train"]["max_steps"] == 50


def test_speed_perturb_list(tmp_path):
    config = load_ctc_config(write(tmp_path, "train:\n  speed_perturb: [0.9, 1, 1.1]\n"))
    assert config.train.speed_perturb == (0.9, 1.0, 1.1)
    assert config.to_dict()["train"]["speed_perturb"] == [0.9, 1.0, 1.1]


def test_max_steps_override(tmp_path):
    assert load_ctc_config(write(tmp_path, "train:\n  max_steps: 50\n"), max_steps=3).train.max_steps == 3


@pytest.mark.parametrize("text, message", [
    ("model:\n  hiden_size: 64\n", "unknown `model` setting"),
    ("train:\n  batch_size: many\n", "must be a int"),
    ("train:\n  group_by_length: 1\n", "must be a bool"),
    ("train: [1, 2]\n", "must be a mapping"),
    ("train:\n  mixed_precision: fp8\n", "mixed_precision"),
    ("model:\n  hidden_size: 30\n  num_attention_heads: 4\n", "multiple of"),
    ("- a list\n", "expected a mapping"),
    ("train:\n  speed_perturb: 1.1\n", "list of numbers"),
    ("train:\n  speed_perturb: [0.1]\n", "between 0.5 and 2.0"),
    ("model: {\n", "not valid"),
    ("model:\n  adapter_lang: gle\n", "adapter_lang` needs `model.pretrained"),
    ("model:\n  pretrained: x\n  adapter_init: eng\n", "adapter_init` needs `model.adapter_lang"),
])
def test_bad_configs_raise_input_error(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        load_ctc_config(write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_ctc_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize("name", ["tiny.yaml", "xlsr53.yaml", "w2v_bert2.yaml", "mms_adapter.yaml"])
def test_recipe_configs_load(name):
    config = load_ctc_config(ROOT / "recipes" / "ga_ie" / "conf" / name)
    assert config.train.batch_size >= 1


def test_relative_pretrained_dir_is_read_beside_the_config(tmp_path, monkeypatch):
    (tmp_path / "exp/synth/model").mkdir(parents=True)
    (tmp_path / "conf").mkdir()
    config = tmp_path / "conf/x.yaml"
    config.write_text("model:\n  pretrained: ../exp/synth/model\ntrain:\n  max_steps: 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "conf/..")  # elsewhere than the config's folder
    assert load_ctc_config(config).model.pretrained == str((tmp_path / "exp/synth/model").resolve())
    config.write_text("model:\n  pretrained: facebook/wav2vec2-base\ntrain:\n  max_steps: 1\n", encoding="utf-8")
    assert load_ctc_config(config).model.pretrained == "facebook/wav2vec2-base"  # a hub name stays

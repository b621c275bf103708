"""The ga_ie configs for the big hub models (w2v_bert2.yaml, mms_adapter.yaml) and their sg_en twins:
they load, dry-run, and with model.pretrained pointed at a local hub replica (tests/steps/hub_replicas.py)
run stages 5-7 end to end on a very small synthetic corpus."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.recipes.recipe_copy import REPO, copy_recipe, run_recipe, stages_run
from tests.steps import hub_replicas
from utils.train_config import load_ctc_config
from utils.train_plan import describe_training

CONFIGS = [("ga_ie", "w2v_bert2"), ("ga_ie", "mms_adapter"), ("sg_en", "w2v_bert2"), ("sg_en", "mms_adapter")]


@pytest.mark.parametrize("recipe, name", CONFIGS)
def test_config_loads_and_dry_run_explains_the_plan(recipe, name, tmp_path):
    settings = load_ctc_config(REPO / "recipes" / recipe / "conf" / f"{name}.yaml")
    assert settings.model.pretrained in ("facebook/w2v-bert-2.0", "facebook/mms-1b-all")
    assert (settings.model.adapter_lang is not None) == (name == "mms_adapter")
    plan, start = describe_training(settings)
    assert ("base frozen" in plan) == (name == "mms_adapter") and ("conv adapter" in plan) == (name == "w2v_bert2")
    assert start == f"start model {settings.model.pretrained}: a hub id, resolved (downloaded or read from the cache) " \
                    "at train time"  # nothing is downloaded to describe it
    copy = copy_recipe(recipe, tmp_path)
    proc = run_recipe(copy, "--config", f"conf/{name}.yaml", "--dry-run")
    assert "stage 5 train        RUN" in proc.stdout and f"exp/{name}/model" in proc.stdout
    assert f"      {plan}\n      {start}\n" in proc.stdout  # under stage 5's line


@pytest.mark.slow
def test_stages_5_to_7_run_from_local_replicas(tmp_path):
    (tmp_path / "repo").mkdir()
    recipe = copy_recipe("ga_ie", tmp_path / "repo")
    for name, replica in (("w2v_bert2", hub_replicas.w2v_bert2), ("mms_adapter", hub_replicas.mms_1b_all)):
        config = yaml.safe_load((recipe / f"conf/{name}.yaml").read_text(encoding="utf-8"))
        config["model"]["pretrained"] = str(replica(tmp_path / "hub" / name))
        config["model"]["gradient_checkpointing"] = False
        config["train"].update(batch_size=4, eval_steps=2, save_steps=2, logging_steps=1)
        config["corpus"].update(max_sentences=12, renditions={"train": 1, "dev": 1, "test": 1})
        config["decode"].update(beam_width=4, alphas=[0.5], betas=[1.0])
        (recipe / f"conf/{name}.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    first = run_recipe(recipe, "--config", "conf/w2v_bert2.yaml", "--max-steps", "2")
    assert stages_run(first) == [0, 1, 2, 3, 4, 5, 6, 7]
    second = run_recipe(recipe, "--config", "conf/mms_adapter.yaml", "--max-steps", "2")
    assert stages_run(second) == [5, 6, 7]  # same corpus, data and LM settings: only the model's stages
    for name in ("w2v_bert2", "mms_adapter"):
        score = json.loads((recipe / f"exp/{name}/decode_test_beam_lm/score/score.json").read_text())
        assert score["n_utts"] > 0
    model = recipe / "exp/mms_adapter/model"
    assert (model / "adapter.gle.safetensors").is_file()
    assert list(json.loads((model / "vocab.json").read_text(encoding="utf-8"))) == ["gle"]
    bert = json.loads((recipe / "exp/w2v_bert2/model/config.json").read_text())
    assert bert["architectures"] == ["Wav2Vec2BertForCTC"] and bert["add_adapter"] is True

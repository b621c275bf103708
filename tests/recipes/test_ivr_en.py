"""The ivr_en recipe end to end on the installed Asterisk prompts (a human voice), with tiny step
counts: a synthetic English model pretrained, then fine-tuned with its output rows transferred by
symbol, decoded greedy / beam / beam+LM and scored."""
from __future__ import annotations

import json

import pytest
import yaml

from local.asterisk_prompts import SOUNDS_DIRS, TRANSCRIPTS
from tests.recipes.recipe_copy import copy_recipe, run_recipe, stages_run

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not (TRANSCRIPTS.is_file() and any(d.is_dir() for d in SOUNDS_DIRS)),
    reason="asterisk-core-sounds-en(-wav) not installed (tools/setup.sh installs them with apt-get)")]

TINY_NET = {"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64,
            "conv_depthwise_kernel_size": 3, "fbank_stride": 3}
TINY_TRAIN = {"max_batch_seconds": 30.0, "warmup_steps": 0, "logging_steps": 1, "eval_steps": 2, "save_steps": 2,
              "max_steps": 2, "cache_features": True}


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> dict:
    recipe = copy_recipe("ivr_en", tmp_path_factory.mktemp("repo"))
    for name in ("synth", "tiny"):
        config = yaml.safe_load((recipe / f"conf/{name}.yaml").read_text(encoding="utf-8"))
        config["corpus"]["synth"].update(max_sentences=30, renditions={"train": 1, "dev": 1, "test": 0})
        config["decode"].update(beam_width=4, alphas=[0.5], betas=[1.0])
        config["train"].update(TINY_TRAIN)
        config["model"].update({} if name == "tiny" else TINY_NET)
        if name == "tiny":
            config["pretrain"]["config"] = "conf/synth_ci.yaml"
        (recipe / f"conf/{name}_ci.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    proc = run_recipe(recipe, "--config", "conf/tiny_ci.yaml", "--nj", "2", timeout=1500)
    return {"recipe": recipe, "proc": proc}


def test_all_stages_run_and_score_real_test_speech(finished: dict) -> None:
    recipe = finished["recipe"]
    assert stages_run(finished["proc"]) == [0, 1, 2, 3, 4, 5, 5, 6, 7]  # 5 pretrain, 5 train
    for name in ("dev", "test"):
        for decoder in ("greedy", "beam", "beam_lm"):
            score = json.loads((recipe / f"exp/tiny_ci/decode_{name}_{decoder}/score/score.json").read_text())
            assert score["n_utts"] > 40 and score["set"] == name
    assert "Asterisk" in (recipe / "RESULTS.md").read_text(encoding="utf-8")


def test_splits_share_no_sentence_and_are_recorded(finished: dict) -> None:
    recipe = finished["recipe"]
    texts = {}
    for name in ("train", "dev", "test"):
        lines = (recipe / f"data/{name}/text").read_text(encoding="utf-8").splitlines()
        texts[name] = {line.split(" ", 1)[1] for line in lines if " " in line}
    assert not (texts["train"] & texts["dev"] or texts["train"] & texts["test"] or texts["dev"] & texts["test"])
    record = json.loads((recipe / "data/local/splits.json").read_text())
    assert record["seed"] == 0 and record["splits"]["train"]["utterances"] > 400
    synthetic = (recipe / "data/local/synth_sentences.txt").read_text(encoding="utf-8")
    assert not any(text in synthetic.splitlines() for text in texts["test"])  # no test prompt is spoken by espeak


def test_fine_tuned_model_records_its_transferred_labels(finished: dict) -> None:
    recipe = finished["recipe"]
    assert (recipe / "exp/synth/model/config.json").is_file()
    settings = yaml.safe_load((recipe / "exp/tiny_ci/model/train_settings.yaml").read_text(encoding="utf-8"))
    transfer = settings["head_transfer"]
    assert transfer["source"] == str(recipe / "exp/synth/model")
    assert {"[PAD]", "|", "a", "e"} <= set(transfer["kept"])


def test_a_changed_fine_tune_keeps_the_pretrained_model(finished: dict) -> None:
    """The synthetic model is its own stage's output: a new fine-tune budget re-runs only 5 train, 6, 7."""
    recipe = finished["recipe"]
    synth = recipe / "exp/synth/model/model.safetensors"
    before = synth.stat().st_mtime_ns
    proc = run_recipe(recipe, "--config", "conf/tiny_ci.yaml", "--nj", "2", "--max-steps", "3", timeout=900)
    assert [line.split(": run,")[0].split("stage ")[1] for line in proc.stderr.splitlines() if ": run," in line] \
        == ["5 train", "6 decode", "7 score"]
    assert synth.stat().st_mtime_ns == before
    assert (recipe / "exp/.stages/05_pretrain.synth.json").is_file()

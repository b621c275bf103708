"""`run.py --dry-run` explains training: under stage 5 it names the start model's architecture class and
its exact parameter count, read from the checkpoint's files without torch; a broken checkpoint is an
error line for that stage, not a traceback."""
from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import yaml
from safetensors.numpy import save_file

from tests.recipes.recipe_copy import REPO, copy_recipe, run_recipe

SHAPES = {"encoder.layer.0.weight": (7, 3), "encoder.layer.0.bias": (7,), "lm_head.weight": (2, 3, 5),
          "masked_spec_embed": ()}
COUNT = sum(math.prod(shape) for shape in SHAPES.values())  # 21 + 7 + 30 + 1


def make_checkpoint(folder: Path) -> Path:
    """A model folder as save_pretrained writes one: config.json naming the class, model.safetensors."""
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"architectures": ["Wav2Vec2ForCTC"], "model_type": "wav2vec2"}),
                                        encoding="utf-8")
    save_file({name: np.zeros(shape, dtype=np.float32) for name, shape in SHAPES.items()},
              str(folder / "model.safetensors"), metadata={"format": "pt"})
    return folder


def write_config(recipe: Path, pretrained: Path) -> Path:
    config = yaml.safe_load((recipe / "conf/tiny.yaml").read_text(encoding="utf-8"))
    config["model"]["pretrained"] = str(pretrained)
    path = recipe / "conf/local.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def stage_lines(stdout: str, header: str) -> list[str]:
    """The indented lines printed under the stage line that starts with `header`."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    block = []
    for line in lines[start + 1:]:
        if not line.startswith("      "):
            break
        block.append(line.strip())
    return block


def test_dry_run_names_the_start_models_class_and_parameter_count(tmp_path):
    recipe = copy_recipe("ga_ie", tmp_path / "repo")
    write_config(recipe, make_checkpoint(tmp_path / "ckpt"))
    started = time.monotonic()
    proc = run_recipe(recipe, "--config", "conf/local.yaml", "--dry-run")
    assert time.monotonic() - started < 10
    plan = stage_lines(proc.stdout, "stage 5 train")
    assert plan[0].startswith(f"fine-tune {tmp_path / 'ckpt'}, CTC head sized to the vocab")
    assert plan[1] == f"start model {tmp_path / 'ckpt'}: Wav2Vec2ForCTC, {COUNT:,} parameters ({COUNT / 1e6:.2f}M)"
    assert stage_lines(proc.stdout, "stage 4 lang") == []  # a stage without `describe` prints nothing more


def test_a_broken_checkpoint_is_an_error_line_for_its_stage(tmp_path):
    recipe = copy_recipe("ga_ie", tmp_path / "repo")
    checkpoint = make_checkpoint(tmp_path / "ckpt")
    weights = checkpoint / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:40])  # cut inside the header
    write_config(recipe, checkpoint)
    proc = run_recipe(recipe, "--config", "conf/local.yaml", "--dry-run", check=False)
    assert proc.returncode == 1
    [error] = [line for line in stage_lines(proc.stdout, "stage 5 train") if line.startswith("error:")]
    assert str(weights) in error and "header length" in error
    assert "stage 7 score" in proc.stdout  # the plan goes on past the stage in error
    assert "Traceback" not in proc.stderr


def test_describing_a_checkpoint_imports_no_torch(tmp_path):
    recipe = copy_recipe("ga_ie", tmp_path / "repo")
    config = write_config(recipe, make_checkpoint(tmp_path / "ckpt"))
    code = ("import sys\nfrom pathlib import Path\nfrom utils.train_plan import describe_config\n"
            f"print(describe_config(Path({str(config)!r}))[1])\nprint('torch' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    described, torch_loaded = proc.stdout.strip().splitlines()
    assert described.endswith(f"Wav2Vec2ForCTC, {COUNT:,} parameters ({COUNT / 1e6:.2f}M)")
    assert torch_loaded == "False"

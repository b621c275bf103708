"""Every recipe has the same skeleton: run.py with stages 0-7 of the same names (a recipe may add
its own stage beside one, under the same number), conf/tiny.yaml,
README.md, and a normaliser (named in its config) with a test file."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
RECIPES = sorted(p for p in (REPO / "recipes").iterdir() if p.is_dir() and (p / "run.py").exists())
STAGE_NAMES = ["corpus", "data_prep", "text_norm", "manifest", "lang", "train", "decode", "score"]


def test_there_are_recipes() -> None:
    assert {p.name for p in RECIPES} >= {"ga_ie"}


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_skeleton(recipe: Path) -> None:
    for needed in ("run.py", "conf/tiny.yaml", "README.md"):
        assert (recipe / needed).is_file(), f"{recipe.name} lacks {needed}"
    listing = subprocess.run([sys.executable, str(recipe / "run.py"), "--list"], capture_output=True, text=True,
                             check=True).stdout.splitlines()
    stages = [(int(line.split()[0]), line.split()[1]) for line in listing]
    # Every standard stage under its number, in order; a recipe may add its own stage beside one
    # (ivr_en's "5 pretrain" before "5 train"), never a number outside 0-7.
    assert [n for n, _ in stages] == sorted(n for n, _ in stages)
    assert {n for n, _ in stages} == set(range(len(STAGE_NAMES)))
    assert [stage for stage in stages if stage[1] in STAGE_NAMES] == list(enumerate(STAGE_NAMES))


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_normaliser_named_in_config_exists_and_is_tested(recipe: Path) -> None:
    config = yaml.safe_load((recipe / "conf/tiny.yaml").read_text(encoding="utf-8"))
    module = config["text"]["normalizer"]
    assert module.startswith("local.normalizers.")
    name = module.rsplit(".", 1)[1]
    assert (REPO / "local/normalizers" / f"{name}.py").is_file()
    assert (REPO / "tests/local/normalizers" / f"test_{name}.py").is_file()


@pytest.mark.parametrize("config", sorted((REPO / "recipes").glob("*/conf/*.yaml")), ids=lambda p: p.name)
def test_every_config_has_the_recipe_sections(config: Path) -> None:
    sections = yaml.safe_load(config.read_text(encoding="utf-8"))
    if "model" not in sections:
        pytest.skip(f"{config.name} is not a recipe config")
    for needed in ("model", "train", "text", "corpus", "data", "lm", "decode"):
        assert needed in sections, f"{config} lacks the {needed!r} section"

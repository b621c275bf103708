"""Run a recipe in a temporary copy of the repo, so tests never touch the real data/ exp/ RESULTS.md."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def copy_recipe(name: str, root: Path) -> Path:
    """root/recipes/<name> with run.py and conf/ copied; utils, steps, local, tools linked."""
    root.mkdir(parents=True, exist_ok=True)
    for shared in ("pipeline", "stages", "utils", "steps", "local", "tools"):
        (root / shared).symlink_to(REPO / shared)
    recipe = root / "recipes" / name
    recipe.mkdir(parents=True)
    shutil.copy(REPO / "recipes" / name / "run.py", recipe / "run.py")
    shutil.copytree(REPO / "recipes" / name / "conf", recipe / "conf")
    return recipe


def real_copy(recipe: Path, target: Path) -> Path:
    """A copy of the repo copy holding `recipe` at `target`, its code folders copied too (not linked), so
    that a test may edit them; the copied recipe's path."""
    root = shutil.copytree(recipe.parents[1], target, symlinks=True)
    for linked in ("pipeline", "stages", "steps", "utils", "local"):
        (root / linked).unlink()
        shutil.copytree(Path(os.readlink(recipe.parents[1] / linked)), root / linked,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return root / "recipes" / recipe.name


def run_recipe(recipe: Path, *args: str, check: bool = True, timeout: int = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(recipe / "run.py"), *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nSTDOUT\n{proc.stdout[-3000:]}\nSTDERR\n{proc.stderr[-6000:]}")
    return proc


def stages_run(proc: subprocess.CompletedProcess) -> list[int]:
    return [int(line.split("stage ")[1].split()[0]) for line in proc.stderr.splitlines() if ": run," in line]


def write_tiny_config(recipe: Path, tag: str = "e2e", **train: object) -> Path:
    """conf/<tag>.yaml: conf/tiny.yaml on 60 sentences, 1 rendition per split, a one-point LM-weight grid
    and beam 8 (quick end-to-end runs), with `train` overriding train settings."""
    config = yaml.safe_load((recipe / "conf/tiny.yaml").read_text(encoding="utf-8"))
    config["corpus"].update(max_sentences=60, renditions={"train": 1, "dev": 1, "test": 1})
    config["decode"].update(beam_width=8, alphas=[0.5], betas=[1.0])
    config["train"].update(train)
    path = recipe / f"conf/{tag}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path

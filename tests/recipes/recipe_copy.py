"""Run a recipe in a temporary copy of the repo, so tests never touch the real data/ exp/ RESULTS.md."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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


def run_recipe(recipe: Path, *args: str, check: bool = True, timeout: int = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(recipe / "run.py"), *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nSTDOUT\n{proc.stdout[-3000:]}\nSTDERR\n{proc.stderr[-6000:]}")
    return proc


def stages_run(proc: subprocess.CompletedProcess) -> list[int]:
    return [int(line.split("stage ")[1].split()[0]) for line in proc.stderr.splitlines() if ": run," in line]

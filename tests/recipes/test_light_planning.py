"""Listing a recipe's stages loads none of the heavy libraries: stages import their steps when they run."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "torch", "transformers", "soundfile")


@pytest.mark.parametrize("recipe", ["ga_ie", "sg_en", "ivr_en"])
def test_list_imports_no_heavy_module(recipe: str) -> None:
    code = (f"import runpy, sys; sys.argv = ['run.py', '--list']\n"
            f"try:\n    runpy.run_path({str(REPO / 'recipes' / recipe / 'run.py')!r}, run_name='__main__')\n"
            f"except SystemExit:\n    pass\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr

"""utils sets OpenMP's wait policy to passive before torch loads OpenMP, and keeps a user's choice."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(code: str, **env: str) -> subprocess.CompletedProcess:
    environ = {key: value for key, value in os.environ.items() if key != "OMP_WAIT_POLICY"} | env
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ,
                          capture_output=True, text=True, check=True)


@pytest.mark.parametrize("env, expected", [({}, "PASSIVE"), ({"OMP_WAIT_POLICY": "ACTIVE"}, "ACTIVE")])
def test_policy(env, expected):
    assert run("import os, utils; print(os.environ['OMP_WAIT_POLICY'])", **env).stdout.strip() == expected


# What OMP_WAIT_POLICY holds at the moment something first imports torch (which loads OpenMP).
SPY = """
import os, sys
seen = []
class Spy:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" and not seen:
            seen.append(os.environ.get("OMP_WAIT_POLICY", "unset"))
sys.meta_path.insert(0, Spy())
import {module}
import torch  # modules that load torch lazily: it comes after them
print(seen[0])
"""


@pytest.mark.parametrize("module", ["steps.train_ctc", "steps.decode_ctc", "utils.ctc_logits"])
def test_policy_is_set_before_torch_loads(module):
    assert run(SPY.format(module=module)).stdout.strip() == "PASSIVE"

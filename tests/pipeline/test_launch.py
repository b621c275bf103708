"""pipeline.launch: the torchrun command line built from a step function's arguments.

The launch itself (2 CPU processes training) is tested in tests/steps/test_train_ddp.py.
"""
from __future__ import annotations

import sys
from pathlib import Path

from pipeline.launch import run_step, torchrun_argv


def test_torchrun_argv_runs_the_step_command_with_its_options(monkeypatch):
    calls = []
    monkeypatch.setattr("subprocess.run", lambda argv, **kw: calls.append(argv) or type("P", (), {"returncode": 0}))

    def train_ctc(*args, **kwargs):
        raise AssertionError("called in-process")

    run_step(train_ctc, Path("/d/train.jsonl"), "conf/x.yaml", nproc=4, max_steps=7, num_threads=None,
             cache=False, force=True)
    assert calls == [torchrun_argv("train_ctc", ["/d/train.jsonl", "conf/x.yaml", "--max-steps", "7",
                                                 "--no-cache", "--force"], 4)]
    assert calls[0][:7] == [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "4",
                            "-m"]


def test_one_process_calls_the_function_here():
    seen = []
    run_step(lambda *a, **k: seen.append((a, k)), "x", nproc=1, max_steps=None)
    assert seen == [(("x",), {"max_steps": None})]

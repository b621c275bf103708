"""train_ctc under torchrun: 2 CPU processes (DDP, gloo) train in lockstep, rank 0 alone writes, resume works;
and the same under `accelerate launch`.

The step runs unchanged, as a user would run it: first `python -m torch.distributed.run --standalone
--nproc_per_node 2 -m steps train_ctc ...`, then (the resume) through pipeline.launch.run_step, which is
what `run.py --ngpu 2` does. Both ranks log their steps (CURRACH_REPLICA_LOG_LEVEL=INFO;
each line is tagged with its rank), which is what the lockstep assertions read.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.steps.test_train_ctc import corpus, newest_state, write_config  # noqa: F401 (corpus: a fixture)
from steps.train_ctc import train_ctc
from utils.ctc_model import is_finished_model
from pipeline.launch import run_step

REPO = Path(__file__).resolve().parents[2]
STEP_LINE = re.compile(r"\[rank (\d)\] INFO \S+ step (\d+)/\d+ epoch ([\d.]+) .*train loss (\S+)")


TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
# `--multi_gpu` is what starts N processes (torchrun underneath); with no GPU they meet on gloo.
# (`--cpu` would start one process: accelerate's multi-CPU launch needs mpirun.)
ACCELERATE = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
              "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no"]


def torchrun(corpus: dict[str, Path], config: Path, model: str, max_steps: int, launcher: list[str] = TORCHRUN) -> str:
    """Run the step on 2 CPU processes; return their combined log (stderr)."""
    root = corpus["root"]
    argv = [*launcher, "-m", "steps", "train_ctc", str(corpus["manifest"]), str(corpus["manifest"]), str(corpus["vocab"]),
            str(config), str(root / model), str(root / "work"), "--max-steps", str(max_steps)]
    env = {**os.environ, "CURRACH_REPLICA_LOG_LEVEL": "INFO", "CUDA_VISIBLE_DEVICES": ""}
    # its own session, so that a hang is ended with the workers too, not only torchrun
    proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        _, log = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, log = proc.communicate()
        raise AssertionError(f"torchrun still running after 300 s:\n{log[-4000:]}") from None
    assert proc.returncode == 0, log[-4000:]
    return log


def steps_by_rank(log: str) -> dict[int, list[tuple[int, float, float]]]:
    """{rank: [(step, epoch, logged train loss), ...]} from the ProgressLogger lines."""
    found: dict[int, list[tuple[int, float, float]]] = {}
    for match in STEP_LINE.finditer(log):
        rank, step, epoch, loss = match.groups()
        found.setdefault(int(rank), []).append((int(step), float(epoch), float(loss)))
    return found


@pytest.mark.slow
def test_two_cpu_processes_train_in_lockstep_and_resume(corpus, tmp_path, capfd, monkeypatch):
    from transformers import AutoModelForCTC

    config = write_config(tmp_path / "tiny.yaml")
    log = torchrun(corpus, config, "first", max_steps=2)
    ranks = steps_by_rank(log)
    assert sorted(ranks) == [0, 1]
    assert ranks[0] == ranks[1]  # same steps, same all-reduced loss: one model, not two
    # 4 utterances, 2 per process per step: each step is a whole epoch, so the data was sharded
    assert [(step, epoch) for step, epoch, _ in ranks[0]] == [(1, 1.0), (2, 2.0)]
    threads = max(1, len(os.sched_getaffinity(0)) // 2)
    assert re.search(rf"\[rank 0\] INFO .*{threads} threads", log)

    work = tmp_path / "work"
    assert sorted(p.name for p in work.glob("checkpoint-*")) == ["checkpoint-1", "checkpoint-2"]
    assert newest_state(work)["global_step"] == 2
    assert re.search(r"\[rank 0\] INFO .*saved model to", log)
    assert not re.search(r"\[rank 1\] .*(saved model to|wrote )", log)  # rank 1 writes nothing
    assert is_finished_model(tmp_path / "first") and (work / "curves.json").is_file()
    assert not list(tmp_path.glob(".first.tmp-*"))
    model = AutoModelForCTC.from_pretrained(tmp_path / "first")
    assert model.config.vocab_size == len(json.loads(corpus["vocab"].read_text()))

    monkeypatch.setenv("CURRACH_REPLICA_LOG_LEVEL", "INFO")
    capfd.readouterr()
    run_step(train_ctc, corpus["manifest"], corpus["manifest"], corpus["vocab"], config, tmp_path / "second",
             work, max_steps=4, num_threads=None, nproc=2)
    log = capfd.readouterr().err
    assert re.search(r"\[rank 1\] INFO .*resuming from .*checkpoint-2", log)
    ranks = steps_by_rank(log)
    assert ranks[0] == ranks[1] and [step for step, _, _ in ranks[0]] == [3, 4]
    state = newest_state(work)
    assert state["global_step"] == 4
    assert [entry["step"] for entry in state["log_history"] if "loss" in entry] == [1, 2, 3, 4]
    assert is_finished_model(tmp_path / "second")


@pytest.mark.slow
def test_accelerate_launch_runs_the_same_step_on_two_processes(corpus, tmp_path):
    log = torchrun(corpus, write_config(tmp_path / "tiny.yaml"), "model", max_steps=2, launcher=ACCELERATE)
    ranks = steps_by_rank(log)
    assert sorted(ranks) == [0, 1] and ranks[0] == ranks[1]
    assert [(step, epoch) for step, epoch, _ in ranks[0]] == [(1, 1.0), (2, 2.0)]  # sharded, as under torchrun
    assert not re.search(r"\[rank 1\] .*(saved model to|wrote )", log)
    assert is_finished_model(tmp_path / "model")

"""pipeline.jobs: the local pool, and Jobs.map as a job array, here and on a real Slurm."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from utils.errors import CurrachError
from pipeline.job_array import JobsFailed, exit_status, task_log
from pipeline.jobs import CHUNK, WINDOW, Jobs, array_map, parallel_map

REPO = Path(__file__).resolve().parents[2]


def square(item: dict) -> dict:
    """An array task's function: module-level, JSON in and out."""
    if item.get("fail"):
        raise ValueError(f"item {item['n']} asked to fail")
    return {"n": item["n"], "square": item["n"] ** 2}


def double(number: int) -> int:
    return 2 * number


def test_the_pool_keeps_order_and_reads_items_only_as_workers_free_up():
    consumed = []

    def numbers():
        for number in range(2000):
            consumed.append(number)
            yield number

    results = parallel_map(double, numbers(), 2, "double")
    assert next(results) == 0
    assert len(consumed) <= (2 * WINDOW + 1) * CHUNK  # not the whole input, as Pool.imap's feeder takes
    assert list(results) == [2 * number for number in range(1, 2000)]


def test_a_killed_worker_is_an_error_naming_the_step_not_a_hang(tmp_path):
    script = tmp_path / "die.py"
    script.write_text(
        "import os, signal, sys\nsys.path.insert(0, sys.argv[1])\nfrom pipeline.jobs import parallel_map\n"
        "def work(n):\n    if n == 50:\n        os.kill(os.getpid(), signal.SIGKILL)\n    return n\n"
        "print(len(list(parallel_map(work, range(400), 2, 'audio train'))))\n")
    proc = subprocess.run([sys.executable, str(script), str(REPO)], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "CurrachError: audio train: a worker process died" in proc.stderr


def test_local_jobs_map_is_the_pool():
    assert list(Jobs(2).map(double, range(50), "double")) == [2 * n for n in range(50)]


@pytest.mark.parametrize("cmd", ["local", "slurm"])
def test_an_array_map_gives_the_results_in_order_with_a_log_per_task(cmd, tmp_path, request, monkeypatch):
    if cmd == "slurm":
        for name, value in request.getfixturevalue("slurm").items():
            monkeypatch.setenv(name, value)
    items = [{"n": n} for n in range(10)]
    results = list(array_map(square, items, Jobs(3, cmd, tmp_path / "log"), "squares"))
    assert results == [{"n": n, "square": n * n} for n in range(10)]
    for task in (1, 2, 3):
        log = task_log(tmp_path / "log", "squares", task)
        assert exit_status(log) == 0 and "tests.pipeline.test_jobs:square: " in log.read_text()
    if cmd == "slurm":
        assert "(Slurm job " in task_log(tmp_path / "log", "squares", 1).read_text()
    assert not (tmp_path / "log/squares.work").exists()


def test_fewer_items_than_jobs_start_fewer_tasks(tmp_path):
    assert list(array_map(square, [{"n": 7}], Jobs(4, "local", tmp_path), "one")) == [{"n": 7, "square": 49}]
    assert exit_status(task_log(tmp_path, "one", 1)) == 0 and not task_log(tmp_path, "one", 2).exists()


def test_a_failing_item_names_its_task_and_log_and_keeps_the_inputs(tmp_path):
    items = [{"n": n, "fail": n == 4} for n in range(6)]
    with pytest.raises(JobsFailed, match=r"squares: 1 task\(s\) failed \(1\); task 1: see .*squares\.1\.log"):
        list(array_map(square, items, Jobs(2, "local", tmp_path), "squares"))
    assert "ValueError: item 4 asked to fail" in task_log(tmp_path, "squares", 1).read_text()
    assert exit_status(task_log(tmp_path, "squares", 2)) == 0
    kept = (tmp_path / "squares.work/in.1.jsonl").read_text().splitlines()
    assert json.loads(kept[2]) == {"n": 4, "fail": True}  # items 0, 2, 4 went to task 1


def test_a_cluster_cmd_needs_a_log_dir_and_a_known_name(tmp_path):
    with pytest.raises(CurrachError, match="needs a log dir"):
        Jobs(2, "slurm")
    with pytest.raises(CurrachError, match="expected one of local, slurm"):
        Jobs(2, "pbs", tmp_path)
    assert Jobs.from_options(2, "slurm", tmp_path, "--partition=cpu --time='1:00:00'").sbatch_args == (
        "--partition=cpu", "--time=1:00:00")


def pid_after_a_pause(_: int) -> int:
    import os
    import time

    time.sleep(0.5)
    return os.getpid()


def test_a_few_known_items_go_to_different_workers():
    """Two parts of a set must run side by side, not as one chunk in one worker."""
    pids = list(parallel_map(pid_after_a_pause, range(2), 2, "parts", total=2))
    assert len(set(pids)) == 2

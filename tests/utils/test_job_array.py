"""utils.job_array: N tasks with per-task logs, one retry, a clear error; locally and on a real Slurm."""
from __future__ import annotations

import pytest

from utils.job_array import JobsFailed, exit_status, run_array, task_log

# Task 2 fails the first time it runs (it leaves a marker), then succeeds: the retry must rerun only it.
FLAKY = ["bash", "-c", "echo task JOB; if [ JOB = 2 ] && [ ! -e {marker} ]; then touch {marker}; exit 3; fi"]


def flaky(tmp_path):
    return [word.replace("{marker}", str(tmp_path / "marker")) for word in FLAKY]


@pytest.mark.parametrize("cmd", ["local", "slurm"])
def test_tasks_log_and_a_failed_task_is_retried(cmd, tmp_path, request, monkeypatch):
    if cmd == "slurm":
        for name, value in request.getfixturevalue("slurm").items():
            monkeypatch.setenv(name, value)
    run_array(flaky(tmp_path), nj=3, log_dir=tmp_path / "log", name="flaky", cmd=cmd)
    for task in (1, 2, 3):
        text = task_log(tmp_path / "log", "flaky", task).read_text()
        assert f"task {task}\n" in text and exit_status(task_log(tmp_path / "log", "flaky", task)) == 0
    assert (tmp_path / "marker").exists()  # task 2 did fail once


@pytest.mark.parametrize("cmd", ["local", "slurm"])
def test_a_task_failing_twice_is_named_with_its_log(cmd, tmp_path, request, monkeypatch):
    if cmd == "slurm":
        for name, value in request.getfixturevalue("slurm").items():
            monkeypatch.setenv(name, value)
    with pytest.raises(JobsFailed, match=r"1 task\(s\) failed \(3\); task 3: see .*bad\.3\.log") as failed:
        run_array(["bash", "-c", "echo task JOB; [ JOB != 3 ]"], nj=3, log_dir=tmp_path / "log", name="bad", cmd=cmd)
    assert exit_status(failed.value.failed[3]) == 1 and "task 3" in failed.value.failed[3].read_text()
    assert exit_status(task_log(tmp_path / "log", "bad", 1)) == 0


def test_unknown_cmd_is_refused(tmp_path):
    with pytest.raises(Exception, match="expected one of local, slurm"):
        run_array(["true"], nj=1, log_dir=tmp_path, name="x", cmd="pbs")

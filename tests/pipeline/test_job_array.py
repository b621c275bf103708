"""pipeline.job_array: N tasks with per-task logs, one retry, a clear error; locally and on a real Slurm."""
from __future__ import annotations

import pytest

from pipeline.job_array import JobsFailed, exit_status, run_array, task_log

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


def test_ctrl_c_while_waiting_on_slurm_cancels_the_array(slurm, tmp_path):
    """A run stopped with Ctrl-C must not leave its tasks running on the cluster, writing behind its back."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from tests.signals import sigint_as_at_a_terminal

    repo = Path(__file__).resolve().parents[2]
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path; "
            "from pipeline.job_array import run_array; "
            "run_array(['sleep', '300'], nj=2, log_dir=Path(sys.argv[2]), name='sleepy', cmd='slurm')")
    proc = subprocess.Popen([sys.executable, "-c", code, str(repo), str(tmp_path)], env={**os.environ, **slurm},
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=sigint_as_at_a_terminal)
    name = f"sleepy.{proc.pid}"

    def queued() -> list[str]:
        listing = subprocess.run(["squeue", "-h", "-o", "%j %T"], env=slurm, capture_output=True, text=True)
        return [line for line in listing.stdout.splitlines() if line.startswith(name + " ")]

    deadline = time.time() + 60
    while time.time() < deadline and not any(line.endswith("RUNNING") for line in queued()):
        time.sleep(0.5)
    assert queued(), "the array never started"
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "KeyboardInterrupt" in err and f"cancelled Slurm job array {name}" in err
    deadline = time.time() + 30
    while time.time() < deadline and queued():
        time.sleep(0.5)
    assert not queued()

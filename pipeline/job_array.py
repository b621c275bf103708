"""Run one shell command as N numbered tasks, here or on Slurm: Kaldi's run.pl / slurm.pl.

`run_array(["python", "-m", "steps", "x", "split/JOB"], nj=4, log_dir=exp/log, name="x", cmd=...)`
runs tasks 1..nj with every "JOB" in the command replaced by the task number, each task writing
`log_dir/<name>.<task>.log`, whose last line is `# exit status N` (as slurm.pl writes it).

- `cmd="local"`: the tasks run as subprocesses of this machine, `nj` at a time.
- `cmd="slurm"`: one `sbatch --array=1-nj --wait` job array; extra sbatch options (partition,
  time, memory) come from `sbatch_args`. The repo root must be on a filesystem the nodes share.

A failed task is run once more (`retries`); a task that fails again raises JobsFailed naming the
task and its log. Tasks that never wrote their status line (killed, node lost) count as failed.
"""
from __future__ import annotations

import logging
import os
import re
import shlex
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Sequence

from utils.errors import CurrachError

log = logging.getLogger(__name__)

STATUS_LINE = re.compile(r"^# exit status (\d+)$")
CMDS = ("local", "slurm")


class JobsFailed(CurrachError):
    """Some tasks of a job array failed after their retries; `failed` maps task -> log file."""

    def __init__(self, name: str, failed: dict[int, Path]):
        self.failed = failed
        first, log_file = next(iter(failed.items()))
        super().__init__(f"{name}: {len(failed)} task(s) failed ({', '.join(map(str, failed))}); "
                         f"task {first}: see {log_file}")


def run_array(command: Sequence[str], nj: int, log_dir: Path, name: str, cmd: str = "local",
              retries: int = 1, sbatch_args: Sequence[str] = ()) -> None:
    """Run `command` as tasks 1..`nj` ("JOB" -> task number); raise JobsFailed if any still fails."""
    if cmd not in CMDS:
        raise CurrachError(f"--cmd {cmd!r}: expected one of {', '.join(CMDS)}")
    log_dir.mkdir(parents=True, exist_ok=True)
    tasks = list(range(1, nj + 1))
    for attempt in range(retries + 1):
        if attempt:
            log.warning("%s: retrying failed task(s) %s", name, ",".join(map(str, tasks)))
        for task in tasks:
            task_log(log_dir, name, task).unlink(missing_ok=True)
        if cmd == "slurm":
            _submit_slurm(command, tasks, log_dir, name, sbatch_args)
        else:
            _run_local(command, tasks, log_dir, name, nj)
        tasks = [task for task in tasks if exit_status(task_log(log_dir, name, task)) != 0]
        if not tasks:
            return
    raise JobsFailed(name, {task: task_log(log_dir, name, task) for task in tasks})


def task_log(log_dir: Path, name: str, task: int) -> Path:
    """Where task `task` of array `name` logs."""
    return log_dir / f"{name}.{task}.log"


def exit_status(log_file: Path) -> int | None:
    """The `# exit status N` a finished task wrote last in its log; None if it never finished."""
    try:
        lines = log_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return None
    match = STATUS_LINE.match(lines[-1]) if lines else None
    return int(match.group(1)) if match else None


def _task_script(command: Sequence[str], task: str) -> str:
    """Shell text running `command` with "JOB" -> `task` (shell text), then echoing its exit status."""
    words = " ".join(task.join(shlex.quote(part) for part in word.split("JOB")) for word in command)
    return f"echo {shlex.quote('# ' + words)}; {words}; status=$?; echo \"# exit status $status\"; exit $status"


def _run_local(command: Sequence[str], tasks: list[int], log_dir: Path, name: str, nj: int) -> None:
    def run(task: int) -> None:
        with open(task_log(log_dir, name, task), "w", encoding="utf-8") as out:
            subprocess.run(["bash", "-c", _task_script(command, str(task))], stdout=out,
                           stderr=subprocess.STDOUT, check=False)

    with ThreadPoolExecutor(max_workers=max(1, nj)) as pool:
        list(pool.map(run, tasks))


def _submit_slurm(command: Sequence[str], tasks: list[int], log_dir: Path, name: str,
                  sbatch_args: Sequence[str]) -> None:
    """One job array of `tasks`; returns when every task has ended (sbatch --wait)."""
    job_name = f"{name}.{os.getpid()}"  # unique, so that an interrupted run cancels its own array only
    argv = ["sbatch", "--parsable", "--wait", f"--array={','.join(map(str, tasks))}", f"--job-name={job_name}",
            f"--output={log_dir.resolve() / name}.%a.log", *sbatch_args,
            "--wrap", _task_script(command, '"$SLURM_ARRAY_TASK_ID"')]
    log.info("%s: sbatch --array=%s, logs %s/%s.<task>.log", name, ",".join(map(str, tasks)), log_dir, name)
    try:  # its own session: Ctrl-C reaches this process, which then cancels the array
        sbatch = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  start_new_session=True)
    except FileNotFoundError:
        raise CurrachError("--cmd slurm: `sbatch` not found; install the Slurm client or use --cmd local") from None
    try:
        out, err = sbatch.communicate()
    except BaseException:  # Ctrl-C, or an error: tasks left running would write on behind our back
        subprocess.run(["scancel", f"--name={job_name}"], capture_output=True, check=False)
        sbatch.kill()
        sbatch.wait()
        log.warning("%s: cancelled Slurm job array %s", name, job_name)
        raise
    if not out.strip():  # no job id: the submission itself was refused
        raise CurrachError(f"{name}: sbatch refused the job array: {err.strip()}")
    log.info("%s: Slurm job %s ended (sbatch exit %d)", name, out.strip(), sbatch.returncode)

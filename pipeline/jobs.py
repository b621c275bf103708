"""Run a function over many items: N worker processes here, or an N-task job array on Slurm.

`parallel_map(func, items, nj, desc)` is the local pool. `Jobs` is what a stage gets from
`run.py --nj N --cmd local|slurm`: `jobs.map(func, items, desc)` runs the same module-level
function either in that pool (`local`) or as N Slurm tasks (`slurm`, see pipeline/job_array.py
and pipeline/array_task.py), where the items and results travel as JSON lines through files under
`log_dir` and each task logs to `log_dir/<name>.<task>.log`.
"""
from __future__ import annotations

import ctypes
import itertools
import json
import multiprocessing as mp
import os
import shlex
import shutil
import signal
import sys
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

from tqdm import tqdm

from utils.errors import CurrachError
from pipeline.job_array import CMDS, run_array
from pipeline.kill_points import kill_point

T = TypeVar("T")
R = TypeVar("R")


CHUNK = 8  # items per task sent to a worker (fewer when `total` says there are few)
WINDOW = 4  # chunks in flight per worker: enough to keep it busy, few enough to keep memory flat


def parallel_map(func: Callable[[T], R], items: Iterable[T], nj: int, desc: str,
                 total: int | None = None) -> Iterator[R]:
    """Yield func(item) in input order. `nj` 1 runs in-process (easy to debug and profile).

    Items are read from `items` only as workers free up, and results are consumed as they
    come, so memory holds what is in flight, not every item. `func` must be a module-level
    function (it is pickled to the workers). A worker that dies (the OOM killer, a signal)
    raises CurrachError rather than leaving the pool waiting for it.
    """
    bar = tqdm(total=total, desc=desc, unit="utt", mininterval=2.0, disable=not sys.stderr.isatty())
    try:
        if nj <= 1:
            for item in items:
                yield func(item)
                kill_point("parallel_map")
                bar.update()
            return
        # a known small number of items (parts of a set, decode dirs) goes one per task, or one
        # worker would get them all
        chunk = CHUNK if total is None else max(1, min(CHUNK, total // (nj * WINDOW)))
        for result in _pool_map(func, iter(items), nj, desc, chunk):
            yield result
            kill_point("parallel_map")
            bar.update()
    finally:
        bar.close()


def _pool_map(func: Callable[[T], R], items: Iterator[T], nj: int, desc: str, chunk: int) -> Iterator[R]:
    ctx = mp.get_context("fork" if sys.platform == "linux" else "spawn")
    pool = ProcessPoolExecutor(nj, mp_context=ctx, initializer=init_worker, initargs=(os.getpid(),))
    pending: deque[Future] = deque()
    try:
        while True:
            while len(pending) < nj * WINDOW:
                batch = list(itertools.islice(items, chunk))
                if not batch:
                    break
                pending.append(_submit(pool, func, batch))
            if not pending:
                break
            yield from pending.popleft().result()
    except BrokenProcessPool:  # from result(), or from submit() once the pool knows
        raise CurrachError(f"{desc}: a worker process died (killed by the OOM killer or a signal?); "
                           f"re-run to resume, with a smaller --nj if memory is short") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _submit(pool: ProcessPoolExecutor, func: Callable[[T], R], batch: list[T]) -> Future:
    """pool.submit, with Ctrl-C held back meanwhile: the first submit forks the workers, and Python
    swallows a KeyboardInterrupt raised in its fork handlers (the stage would go on and exit 0)."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return pool.submit(_run_chunk, func, batch)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _run_chunk(func: Callable[[T], R], chunk: list[T]) -> list[R]:
    return [func(item) for item in chunk]


def init_worker(parent: int) -> None:
    """Pool initializer: leave Ctrl-C to the parent, and end with the parent (Linux).

    Ctrl-C reaches every process of the terminal's group: the parent stops the pool and says
    how to resume; workers would each print a KeyboardInterrupt traceback. A parent killed
    outright (SIGKILL, the OOM killer) cannot stop its pool, and a worker blocked on the task
    queue would otherwise live on as an orphan.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os.kill(os.getpid(), signal.SIGKILL)


REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Jobs:
    """How parallel work runs: `nj` workers here (`cmd` local) or an `nj`-task Slurm job array.

    `log_dir` holds the array's per-task logs and its JSON-lines work files (needed for slurm,
    on a filesystem the nodes share); `sbatch_args` are extra sbatch options.
    """

    nj: int = 1
    cmd: str = "local"
    log_dir: Path | None = None
    sbatch_args: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.cmd not in CMDS:
            raise CurrachError(f"--cmd {self.cmd!r}: expected one of {', '.join(CMDS)}")
        if self.cmd != "local" and self.log_dir is None:
            raise CurrachError(f"--cmd {self.cmd}: the job array needs a log dir")

    @classmethod
    def from_options(cls, nj: int, cmd: str, log_dir: Path, sbatch_args: str = "") -> "Jobs":
        """From run.py's --nj, --cmd and --sbatch-args (one shell-quoted string)."""
        return cls(nj, cmd, log_dir, tuple(shlex.split(sbatch_args or "")))

    def map(self, func: Callable[[Any], Any], items: Iterable[Any], desc: str,
            total: int | None = None) -> Iterator[Any]:
        """Yield func(item) in input order. On Slurm, items and results must be JSON values
        (tuples come back as lists) and `desc` names the array; a failed task raises JobsFailed."""
        if self.cmd == "local":
            yield from parallel_map(func, items, self.nj, desc, total)
        else:
            yield from array_map(func, items, self, desc)


def as_jobs(nj: "int | Jobs") -> Jobs:
    """A plain worker count means that many local workers."""
    return nj if isinstance(nj, Jobs) else Jobs(max(1, nj))


def array_map(func: Callable[[Any], Any], items: Iterable[Any], jobs: Jobs, desc: str) -> Iterator[Any]:
    """Item i goes to task i % nj + 1; results come back from the tasks' files in the same order."""
    name = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in desc)
    work = jobs.log_dir / f"{name}.work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    inputs = [open(work / f"in.{task}.jsonl", "w", encoding="utf-8") for task in range(1, jobs.nj + 1)]
    count = 0
    try:
        for count, item in enumerate(items, start=1):
            inputs[(count - 1) % jobs.nj].write(json.dumps(item, ensure_ascii=False) + "\n")
    finally:
        for handle in inputs:
            handle.close()
    tasks = min(jobs.nj, count)
    if not tasks:
        return
    target = f"{func.__module__}:{func.__qualname__}"
    command = ["env", f"PYTHONPATH={REPO}", sys.executable, "-m", "pipeline.array_task", target,
               str(work / "in.JOB.jsonl"), str(work / "out.JOB.jsonl")]
    run_array(command, tasks, jobs.log_dir, name, jobs.cmd, sbatch_args=jobs.sbatch_args)
    outputs = [open(work / f"out.{task}.jsonl", encoding="utf-8") for task in range(1, tasks + 1)]
    try:
        for index in range(count):
            yield json.loads(outputs[index % tasks].readline())
    finally:
        for handle in outputs:
            handle.close()
    shutil.rmtree(work, ignore_errors=True)

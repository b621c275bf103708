"""Run one benchmark case in a fresh process; measure its wall time and peak memory.

Peak memory is the largest sum of proportional set sizes (PSS) over the process and its
children (worker pools count), sampled every 100 ms: a page shared by forked
workers counts once in the sum, where resident set sizes would count it in every worker. The case prints one JSON object as
its last stdout line (its own counts: clips, utterances, audio seconds ...), returned here
with `seconds` and `peak_mb` added.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

SAMPLE_SECONDS = 0.1
ROOT = Path(__file__).resolve().parent.parent


def run_case(module: str, *args: str, env: dict[str, str] | None = None) -> dict:
    """`python -m <module> <args>` from the repo root; its JSON line + seconds + peak_mb.

    Raises RuntimeError with the case's stderr tail if it fails.
    """
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", module, *map(str, args)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = _watch(proc)
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(map(str, args))} failed ({proc.returncode}):\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(seconds=seconds, peak_mb=peak / 2**20)
    return result


def _watch(proc: subprocess.Popen) -> int:
    """Poll until `proc` exits; the peak of its process tree's summed PSS, in bytes."""
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(_pss(pid) for pid in _family(proc.pid)))
        time.sleep(SAMPLE_SECONDS)
    return peak


def _family(pid: int) -> list[int]:
    """`pid` and its descendants, from /proc/PID/task/*/children (no scan of every process)."""
    family, todo = [], [pid]
    while todo:
        current = todo.pop()
        family.append(current)
        try:  # the process may end while we look: then it has no children to add
            for task in Path(f"/proc/{current}/task").glob("*/children"):
                todo.extend(int(child) for child in task.read_text().split())
        except OSError:
            pass
    return family


def _pss(pid: int) -> int:
    """The process's proportional set size in bytes, from /proc/PID/smaps_rollup (0 if gone).

    One small read per process: psutil's memory_full_info parses the whole smaps file,
    which at this sampling rate takes a good share of a core away from the case measured.
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0

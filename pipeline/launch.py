"""Call a step in this process, or run its command on N processes of this machine with torchrun.

`run.py --ngpu N` trains with DistributedDataParallel: N processes, one per GPU (or N CPU
processes on gloo where there is no GPU), started by PyTorch's own launcher:

    python -m torch.distributed.run --standalone --nproc_per_node N -m steps <step> <args> --<option> <value>

For several machines, start torchrun yourself on each of them (README, "Running on a cluster").
"""
from __future__ import annotations

import logging
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

from utils.errors import CurrachError

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]


def run_step(step: Callable[..., Any], *args: Any, nproc: int = 1, **options: Any) -> None:
    """`step(*args, **options)` here when `nproc` is 1; else its CLI under torchrun with `nproc` processes.

    `step` is a step function named like its command (`steps.train_ctc.train_ctc`); options map to
    `--kebab-case` flags, None ones are left out. Raises CurrachError naming the exit status when a
    launched process fails (its own error is in the log above it).
    """
    if nproc <= 1:
        step(*args, **options)
        return
    argv = torchrun_argv(step.__name__, [*map(str, args), *_flags(options)], nproc)
    log.info("launching %d processes: %s", nproc, shlex.join(argv))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    status = subprocess.run(argv, env=env, check=False).returncode
    if status:
        raise CurrachError(f"{step.__name__} on {nproc} processes (torchrun) failed with exit status {status}; "
                           "the failing rank's error is logged above")


def torchrun_argv(command: str, args: list[str], nproc: int) -> list[str]:
    """The torchrun command line running `python -m steps <command> <args>` on `nproc` local processes."""
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(nproc),
            "-m", "steps", command, *args]


def _flags(options: dict[str, Any]) -> list[str]:
    flags = []
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is None:
            continue
        if isinstance(value, bool):
            flags.append(flag if value else "--no-" + flag[2:])
        elif isinstance(value, (list, tuple)):  # a repeatable option: once per value
            flags += [part for item in value for part in (flag, str(item))]
        else:
            flags += [flag, str(value)]
    return flags

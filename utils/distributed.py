"""This process's place in a multi-process training run (torchrun, `accelerate launch`, Slurm + torchrun).

The launchers start one process per device and tell each where it stands in environment
variables: RANK (0 .. WORLD_SIZE-1 over all nodes), LOCAL_RANK and LOCAL_WORLD_SIZE (on this
node). A plain `python` run has none of them and is rank 0 of 1. Read here, before the
Trainer sets up torch.distributed, so that logging and the thread count can follow the rank.
"""
from __future__ import annotations

import os


def rank() -> int:
    """Global rank of this process; 0 outside a distributed launch."""
    return int(os.environ.get("RANK", "0"))


def world_size() -> int:
    """Number of training processes over all nodes; 1 outside a distributed launch."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def is_main_process() -> bool:
    """True for the one process that writes shared outputs (checkpoints, curves, the model dir)."""
    return rank() == 0


def threads_per_process() -> int:
    """This process's share of the usable CPU cores: the node's processes split them evenly."""
    processes = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    return max(1, len(os.sched_getaffinity(0)) // max(1, processes))

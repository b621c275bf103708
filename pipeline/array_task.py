"""One task of a job array: apply a module-level function to each JSON line of a file.

    python -m pipeline.array_task utils.audio_jobs:convert_one in.3.jsonl out.3.jsonl

Written by pipeline.jobs.Jobs.map for `--cmd slurm`: every input line is one item, every output
line the function's JSON result for it, in the same order. The output file appears only when
every item is done, so a task killed part-way leaves none (and the array runs it again).
"""
from __future__ import annotations

import importlib
import json
import logging
import os
import sys
from pathlib import Path

from utils.logs import setup_logging
from utils.text_files import atomic_write_text

log = logging.getLogger("currach")


def run_task(target: str, in_file: Path, out_file: Path) -> int:
    """Apply `target` ("module:function") to every line of `in_file`; return how many lines."""
    module, _, name = target.partition(":")
    func = getattr(importlib.import_module(module), name)
    results = []
    with open(in_file, encoding="utf-8") as lines:
        for line in lines:
            results.append(json.dumps(func(json.loads(line)), ensure_ascii=False))
    atomic_write_text(out_file, "".join(result + "\n" for result in results))
    return len(results)


if __name__ == "__main__":
    setup_logging()
    target, in_path, out_path = sys.argv[1:4]
    done = run_task(target, Path(in_path), Path(out_path))
    where = f"Slurm job {os.environ['SLURM_JOB_ID']} on {os.uname().nodename}" if "SLURM_JOB_ID" in os.environ else "here"
    log.info("%s: %d item(s) of %s -> %s (%s)", target, done, in_path, out_path, where)

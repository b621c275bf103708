"""A benchmark case for tests: a worker process holds MEGABYTES of memory for a moment."""
from __future__ import annotations

import json
import multiprocessing
import sys
import time

import numpy as np


def hold(megabytes: int) -> None:
    block = np.ones(megabytes * 2**20, dtype=np.uint8)
    time.sleep(0.5)
    del block


if __name__ == "__main__":
    size = int(sys.argv[1])
    worker = multiprocessing.get_context("spawn").Process(target=hold, args=(size,))
    worker.start()
    worker.join()
    if size < 0:
        sys.exit("negative size")
    print(json.dumps({"held_mb": size}))

"""Generic library code of the recipes: data dirs, stages, audio, text, jobs, training pieces (no CLI).

Importing it sets OpenMP's wait policy to passive (`OMP_WAIT_POLICY=PASSIVE`) unless the
user chose one. PyTorch's OpenMP threads otherwise spin while they wait for each other; on
a machine whose cores are shared with other jobs a spinning thread holds a core that the
thread it waits for needs, and a 2-thread training step of the tiny model ran 5x slower
than with 1 thread. Passive, 2 threads ran as fast as 1 or faster (bench/RESULTS.md, train
part). OpenMP reads the variable once, when torch loads it, so it is set here: every entry
point (run.py, `python -m steps`, the bench cases) imports utils before torch.
"""
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

"""Benchmarks: ours against the 2021 notebook approach; `python -m bench` writes bench/RESULTS.md."""

# The README's commands: `make demo`, `make demo-sg`, `make demo-real`, `make test` and `make bench`. All set up first (idempotent).
PY := .venv/bin/python
SETUP_STAMP := .venv/.currach-setup

.PHONY: setup demo demo-sg demo-real test bench
setup:
	bash tools/setup.sh

demo: setup
	$(PY) recipes/ga_ie/run.py

demo-sg: setup
	$(PY) recipes/sg_en/run.py

demo-real: setup
	$(PY) recipes/ivr_en/run.py

test: setup
	$(PY) -m pytest

# Benchmarks against the 2021 notebook's approach; decoding and training use `make demo`'s model.
bench: setup
	$(PY) -m pip install -q -r bench/requirements.txt
	test -f recipes/ga_ie/exp/tiny/model/config.json || $(PY) recipes/ga_ie/run.py
	$(PY) -m bench

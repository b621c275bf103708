# The two commands in the README: `make demo` and `make test`. Both set up first (idempotent).
PY := .venv/bin/python
SETUP_STAMP := .venv/.currach-setup

.PHONY: setup demo test
setup:
	bash tools/setup.sh

demo: setup
	$(PY) recipes/ga_ie/run.py

test: setup
	$(PY) -m pytest

# The README's commands: `make demo`, `make demo-sg` and `make test`. All set up first (idempotent).
PY := .venv/bin/python
SETUP_STAMP := .venv/.currach-setup

.PHONY: setup demo demo-sg test
setup:
	bash tools/setup.sh

demo: setup
	$(PY) recipes/ga_ie/run.py

demo-sg: setup
	$(PY) recipes/sg_en/run.py

test: setup
	$(PY) -m pytest

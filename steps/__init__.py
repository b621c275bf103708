"""Shared recipe steps: one Typer command per file (verb_noun), each also a Python function.

`python -m steps --help` lists them. A step module defines `main(...)` with `Annotated`
parameters (the shell command) and a plain function of the same verb_noun name that
`run.py` calls directly. Library code raises; `main` turns errors into exit codes.
"""

import utils  # noqa: F401  -- first, so OpenMP's wait policy is set before any step loads torch (utils/__init__.py)

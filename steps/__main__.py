"""Root of the steps CLI: composes every step module's `main` as a sub-command."""
from __future__ import annotations

import importlib
import logging

import typer

from utils.logs import setup_logging

# Explicit list, in the order `--help` shows them. Each module holds one command named after it.
COMMANDS = [
    "validate_data_dir",
    "fix_data_dir",
    "normalize_text",
    "make_manifest",
    "make_vocab",
    "train_lm",
    "train_ctc",
    "decode_ctc",
    "tune_lm_weights",
    "decode_with_lm",
    "save_processor_with_lm",
    "transcribe",
    "score",
    "select_oracle",
    "compare_hyps",
    "compare_scores",
    "make_results",
    "explore",
    "new_recipe",
    "doctor",
]

app = typer.Typer(
    help="currach steps: Kaldi-style data and model commands. Run `python -m steps CMD --help`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(verbose: bool = typer.Option(False, "--verbose", "-v", help="debug logging")) -> None:
    setup_logging(logging.DEBUG if verbose else logging.INFO)


for _name in COMMANDS:
    _module = importlib.import_module(f"steps.{_name}")
    app.command(_name, help=_module.main.__doc__)(_module.main)

if __name__ == "__main__":
    app(prog_name="python -m steps")

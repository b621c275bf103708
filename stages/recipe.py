"""What every recipe's run.py shares besides its stage table: the common options and path fields.

    sys.exit(recipe.main(STAGES, __file__, decoders=lambda args: ("greedy", "beam_lm")))

gives `run_recipe` the default config (conf/tiny.yaml), the sets (train, dev, test; dev and test
scored), the options --corpus-dir and --max-steps (plus the recipe's own, `add_options`) and the
path fields: corpus_dir (the option, or corpus/synthetic), tag (the config's stem), set, eval and
decoder.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable, Sequence

from pipeline.stage_cli import run_recipe
from pipeline.stages import Stage

SETS = ("train", "dev", "test")
EVAL_SETS = ("dev", "test")


def absolute_file(value: str) -> str:
    """An option's path made absolute (stage records and inputs must not depend on the cwd)."""
    return str(Path(value).expanduser().absolute())


def main(stages: Sequence[Stage], run_file: str, decoders: Callable[[argparse.Namespace], tuple[str, ...]],
         add_options: Callable[[argparse.ArgumentParser], None] | None = None,
         corpus_help: str = "the corpus folder; none: synthesise the demo corpus",
         argv: Sequence[str] | None = None,
         configure: Callable[[argparse.Namespace, dict], None] | None = None) -> int:
    """Run a recipe's stage table with the shared options; returns the exit code.

    `configure(args, config)` may adjust the loaded config from the recipe's own options before
    anything is planned (sg_en: --nsc-part 3 names the Part 3 corpus reader); the stages record
    the adjusted values, so changing the option re-runs what they feed.
    """
    recipe_dir = Path(run_file).absolute().parent

    def options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--corpus-dir", type=absolute_file, default=None, help=corpus_help)
        parser.add_argument("--max-steps", type=int, default=None, help="override train.max_steps (quick runs)")
        if add_options:
            add_options(parser)

    def variables(args: argparse.Namespace, config: dict) -> dict:
        if configure:
            configure(args, config)
        return {"corpus_dir": args.corpus_dir or "corpus/synthetic", "tag": args.config.stem,
                "eval": EVAL_SETS, "decoder": tuple(decoders(args))}

    return run_recipe(stages, recipe_dir, default_config=recipe_dir / "conf/tiny.yaml", sets=SETS,
                      add_options=options, variables=variables, argv=argv)

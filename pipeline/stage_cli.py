"""`run.py` command line: parse Kaldi/ESPnet-style options, plan the stages, run or explain them.

Options: --stage N, --stop-stage M, --only NAME[,NAME], --list, --dry-run, --force, --nj N,
--cmd local|slurm, --sbatch-args=ARGS, --ngpu N, --config FILE, plus the recipe's own (added by its
`add_options`). Unknown options are errors.
"""
from __future__ import annotations

import argparse
import errno
import logging
import os
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, Sequence

import yaml

from utils.errors import CurrachError, InputError
from pipeline.job_array import CMDS
from pipeline.lock import RecipeLock
from utils.logs import setup_logging
from pipeline.resume import Fingerprints, RecordStore, check_inputs, decide, execute
from pipeline.stages import Stage, StageContext

log = logging.getLogger("currach")


def build_parser(stages: Sequence[Stage], prog: str, default_config: Path,
                 add_options: Callable[[argparse.ArgumentParser], None] | None) -> argparse.ArgumentParser:
    table = "\n".join(f"  {s.number}  {s.name:<12} {s.doc}" for s in stages)
    parser = argparse.ArgumentParser(
        prog=prog, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run the recipe's stages in order; finished, unchanged stages are skipped.",
        epilog=f"stages:\n{table}\n\nexample: python {prog} --stage 3 --stop-stage 6")
    parser.add_argument("--stage", type=int, default=stages[0].number, help="first stage to run")
    parser.add_argument("--stop-stage", type=int, default=stages[-1].number, help="last stage to run")
    parser.add_argument("--only", default=None, help="run only these stages (names or numbers, comma-separated)")
    parser.add_argument("--list", action="store_true", help="list the stages and exit")
    parser.add_argument("--dry-run", action="store_true", help="say which stages would run or be skipped, and why")
    parser.add_argument("--force", action="store_true", help="re-run the selected stages even if up to date")
    parser.add_argument("--nj", type=int, default=max(1, min(4, os.cpu_count() or 1)), help="parallel jobs")
    parser.add_argument("--cmd", choices=CMDS, default="local",
                        help="where --nj jobs of data prep, decoding and scoring run: local (a process pool) "
                             "or slurm (an --nj-task sbatch job array, logs in exp/log/<stage>/)")
    parser.add_argument("--sbatch-args", default="", metavar="ARGS",
                        help="extra sbatch options for --cmd slurm, one string written with '=', e.g. "
                             "--sbatch-args=\"--partition=cpu --time=2:00:00\"")
    parser.add_argument("--ngpu", type=int, default=1,
                        help="training processes on this machine, one per GPU (torchrun); 1: in this process")
    parser.add_argument("--config", type=Path, default=default_config, help="recipe settings (YAML)")
    if add_options:
        add_options(parser)
    return parser


def select(stages: Sequence[Stage], args: argparse.Namespace) -> list[Stage]:
    if args.only:
        wanted = {w.strip() for w in args.only.split(",") if w.strip()}
        known = {s.name for s in stages} | {str(s.number) for s in stages}
        unknown = wanted - known
        if unknown:
            raise CurrachError(f"--only: unknown stage(s) {', '.join(sorted(unknown))}; known: "
                               + ", ".join(f"{s.number}:{s.name}" for s in stages))
        return [s for s in stages if s.name in wanted or str(s.number) in wanted]
    return [s for s in stages if args.stage <= s.number <= args.stop_stage]


def load_config(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            config = yaml.safe_load(f) or {}
    except FileNotFoundError:
        raise CurrachError(f"--config {path}: no such file") from None
    except yaml.YAMLError as err:
        raise CurrachError(f"--config {path}: not valid YAML: {err}") from None
    if not isinstance(config, dict):
        raise CurrachError(f"--config {path}: expected a mapping of sections at the top level")
    return config


def code_version(repo: Path) -> str:
    """Short commit, with -dirty when the tree has changes; "unknown" outside git."""
    try:
        commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return commit + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run_recipe(stages: Sequence[Stage], recipe_dir: Path, *, default_config: Path, sets: Sequence[str] = (),
               add_options: Callable[[argparse.ArgumentParser], None] | None = None,
               variables: Callable[[argparse.Namespace, dict], dict[str, str | tuple[str, ...]]] | None = None,
               argv: Sequence[str] | None = None) -> int:
    """Parse `argv`, then list, explain or run the selected stages. Returns an exit code.

    `sets` fills `{set}` in path templates; `variables(args, config)` gives the other fields (a
    string fills a field, a tuple expands it).
    """
    prog = str(Path(sys.argv[0]).name if argv is None else "run.py")
    parser = build_parser(stages, f"recipes/{recipe_dir.name}/{prog}", default_config, add_options)
    args = parser.parse_args(argv)
    if not args.config.exists() and (recipe_dir / args.config).exists():
        args.config = recipe_dir / args.config  # `--config conf/x.yaml` from the repo root means the recipe's
    args.config = args.config.absolute()
    setup_logging()
    if args.list:
        for s in stages:
            print(f"{s.number}  {s.name:<12} {s.doc}")
        return 0
    try:
        config = load_config(args.config)
        config["options"] = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
                             if k not in {"stage", "stop_stage", "only", "list", "dry_run", "force", "nj", "config"}}
        fields = {"set": tuple(sets), **(variables(args, config) if variables else {})}
        ctx = StageContext(recipe_dir=recipe_dir, config=config, config_path=args.config,
                           options=config["options"], nj=args.nj, variables=fields)
        ctx.owned = frozenset(_producers(stages, ctx))
        selected = select(stages, args)
        if args.dry_run:
            return _dry_run(stages, selected, ctx, args.force)
        with RecipeLock(recipe_dir / ".lock"):
            return _run(stages, selected, ctx, args.force)
    except KeyboardInterrupt:
        log.error("interrupted: the stage that was running kept none of its outputs. "
                  "Re-run the same command to resume: finished stages are skipped and training "
                  "continues from its last checkpoint.")
        return 130
    except CurrachError as err:
        log.error("%s", err)
        return 1


DISK_ERRORS = {errno.ENOSPC: "the disk is full", errno.EFBIG: "a file-size limit was reached",
               errno.EDQUOT: "the disk quota is used up", errno.EIO: "the disk reported an I/O error"}


def _failure(stage: Stage, err: Exception, log_file: Path) -> str:
    """The one-line message for a stage that raised something other than a CurrachError."""
    try:
        with open(log_file, "a", encoding="utf-8") as f:
            traceback.print_exc(file=f)
        where = f"the traceback is in {log_file}"
    except OSError:  # the disk that failed the stage may fail the log too
        where = f"the traceback could not be written to {log_file}"
    kept = "Nothing of it was kept; outputs of earlier stages are untouched"
    if isinstance(err, OSError) and err.errno in DISK_ERRORS:
        what = f"writing {err.filename}" if err.filename else "writing its outputs"
        return (f"stage {stage.number} ({stage.name}) failed {what}: {DISK_ERRORS[err.errno]} ({err.strerror}). "
                f"{kept}; free space and re-run the same command; {where}")
    return f"stage {stage.number} ({stage.name}) failed: {type(err).__name__}: {err}. {kept}; {where}"


def _producers(stages: Sequence[Stage], ctx: StageContext) -> dict[Path, Stage]:
    return {d.path: s for s in stages for which in ("outputs", "in_place") for d in ctx.declared(s, which)}


def _dry_run(stages: Sequence[Stage], selected: list[Stage], ctx: StageContext, force: bool) -> int:
    """Print each stage's decision and, under a stage that would run, its `describe` lines.

    Returns 1 when a stage's description found bad input (its error line says what), else 0.
    """
    store, fps = RecordStore(ctx.recipe_dir / "exp/.stages", ctx), Fingerprints.for_recipe(ctx.recipe_dir)
    dirty: dict[Path, int] = {}
    failed = False
    for s in stages:
        if s not in selected:
            print(f"stage {s.number} {s.name:<12} not selected")
            continue
        decision = decide(s, ctx, store.load(s), fps, force, dirty)
        if decision.run:
            dirty.update({d.path: s.number for w in ("outputs", "in_place") for d in ctx.declared(s, w)})
        print(f"stage {s.number} {s.name:<12} {'RUN ' if decision.run else 'skip'}  {decision.reason}")
        if decision.run and s.describe:
            lines, bad = _describe(s, ctx)
            failed |= bad
            for line in lines:
                print(f"      {line}")
    fps.save()
    return 1 if failed else 0


def _describe(stage: Stage, ctx: StageContext) -> tuple[list[str], bool]:
    """The stage's own account of what it would do, and whether it found bad input (one error line)."""
    try:
        said = stage.describe(ctx)
    except InputError as err:
        return [f"error: {line}" if i == 0 else f"  {line}" for i, line in enumerate(str(err).splitlines())], True
    return ([said] if isinstance(said, str) else list(said)), False


def _run(stages: Sequence[Stage], selected: list[Stage], ctx: StageContext, force: bool) -> int:
    store = RecordStore(ctx.recipe_dir / "exp/.stages", ctx)
    fps = Fingerprints.for_recipe(ctx.recipe_dir)
    producers = _producers(stages, ctx)
    version = code_version(ctx.recipe_dir)
    log.info("%s: stages %s, config %s, code %s", ctx.recipe_dir.name,
             ",".join(str(s.number) for s in selected), ctx.config_path, version)
    for s in selected:
        previous = store.load(s)
        decision = decide(s, ctx, previous, fps, force, {})
        if not decision.run:
            log.info("stage %d %s: skip, %s", s.number, s.name, decision.reason)
            if decision.code is not None:  # the same code, fingerprinted another way: say so in the record
                store.save(s, {**previous, **decision.code})
            continue
        check_inputs(s, ctx, producers)
        log_file = ctx.recipe_dir / "exp/log" / f"{ctx.stage_id(s)}.log"
        setup_logging(log_file=log_file)
        log.info("stage %d %s: run, %s", s.number, s.name, decision.reason)
        try:
            record = execute(s, ctx, store, fps, fresh=force or previous is not None)
        except (CurrachError, KeyboardInterrupt):
            raise
        except Exception as err:  # a bug or an unforeseen input: say where, keep the traceback in the log
            raise CurrachError(_failure(s, err, log_file)) from err
        record["commit"] = version
        store.save(s, record)
        log.info("stage %d %s: done in %.1f s; log %s", s.number, s.name, record["seconds"], log_file)
        setup_logging()
    return 0

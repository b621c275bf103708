"""A recipe run to the end, and the same run SIGKILLed once inside every stage (interruption tests).

`reference_and_chain` builds a tiny copy of a recipe and runs it twice at the same absolute
path (files hold absolute paths, so byte comparisons need one place):
  reference  one uninterrupted run of stages 0-7, then moved aside to `<name>.reference`;
  chain      a fresh copy; run k (k = 0..7) is the plain recipe command with
             CURRACH_KILL_AT set so that it dies inside stage k, after part of that stage's work;
             run k+1 therefore first resumes stage k, then dies in stage k+1; a last plain run
             finishes stage 7. Every stage is killed once and resumed once, as a user re-running
             the same command after each crash would.
What each kill left behind is recorded in `Kill` for the tests to check.
"""
from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from tests.recipes.recipe_copy import REPO, copy_recipe, write_tiny_config

TAG = "e2e"
ARGS = ("--config", f"conf/{TAG}.yaml", "--max-steps", "4", "--nj", "2")
WORK = f"exp/{TAG}/work"
STAGE_FILES = ["00_corpus", "01_data_prep", "02_text_norm", "03_manifest", "04_lang", f"05_train.{TAG}",
               f"06_decode.{TAG}", f"07_score.{TAG}"]  # stages 5-7 write under exp/{tag}: a record per tag


@dataclass(frozen=True)
class KillAt:
    """Where stage `stage` dies: the Nth call of kill_point(`point`), and what must exist then."""

    stage: int
    point: str
    count: Callable[[dict[str, int]], int]  # from the corpus sizes (see `sizes`)
    partial: tuple[str, ...]  # recipe-relative paths that prove the stage did part of its work


# N counts calls in the killed process. Run k resumes stage k-1 first: stage 0 restarts its
# synthesis from scratch (a staged output), so stage 1's parallel_map count starts after it.
KILLS = (
    KillAt(0, "parallel_map", lambda n: n["clips"] // 3, ("corpus/.synthetic.partial/clips",)),
    KillAt(1, "parallel_map", lambda n: n["clips"] + n["train"] + 2,
           ("data/.train.partial/wav.scp", "data/wavs/train", "data/wavs/dev")),
    KillAt(2, "normalize_text", lambda n: n["train"] + 2, ("data/train/.text.partial",)),
    KillAt(3, "make_manifest", lambda n: n["train"] + 2, ("data/train/.manifest.jsonl.partial",)),
    KillAt(4, "train_lm", lambda n: n["train"] // 2, ("data/.lang.partial/vocab.json",)),
    KillAt(5, "train_step", lambda n: 3, (f"{WORK}/checkpoint-1", f"{WORK}/checkpoint-2")),
    KillAt(6, "decode_set", lambda n: 2, (f"exp/{TAG}/.decode_dev_greedy.partial/hyp", f"exp/{TAG}/logits/dev.npz")),
    KillAt(7, "score", lambda n: 1, (f"exp/{TAG}/decode_dev_greedy/score/score.json",)),
)


@dataclass
class Kill:
    """What one killed run did and left, and what the run after it (which resumed it) said."""

    at: KillAt
    env: str
    returncode: int
    stderr: str
    existing: dict[str, bool]
    records: list[str]
    resumed_stderr: str = ""
    wav_mtimes: dict[str, int] = field(default_factory=dict)


@dataclass
class Runs:
    reference: Path
    chain: Path
    kills: dict[int, Kill]
    final_stderr: str


def make_recipe(name: str, root: Path) -> Path:
    """A tiny copy of recipe `name` under `root` with conf/e2e.yaml: 60 sentences, 1 rendition, a
    checkpoint every step, a one-point LM-weight grid (the settings of tests/recipes)."""
    recipe = copy_recipe(name, root)
    write_tiny_config(recipe, TAG, save_steps=1, logging_steps=1)
    return recipe


def run(recipe: Path, *args: str, kill_at: str = "", timeout: int = 1800) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "CURRACH_KILL_AT"}
    env.update(PYTHONWARNINGS="ignore", **({"CURRACH_KILL_AT": kill_at} if kill_at else {}))
    return subprocess.run([sys.executable, str(recipe / "run.py"), *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def checked(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    if proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nSTDERR\n{proc.stderr[-6000:]}")
    return proc


def sizes(recipe: Path) -> dict[str, int]:
    """Clips synthesised, and train utterances, of a finished reference run."""
    lines = (recipe / "corpus/synthetic/train.tsv").read_text(encoding="utf-8").splitlines()
    return {"clips": sum(1 for _ in (recipe / "corpus/synthetic/clips").iterdir()), "train": len(lines) - 1}


def reference_and_chain(name: str, root: Path,
                        after_kill: Callable[[int, Path], None] = lambda stage, recipe: None) -> Runs:
    """Both runs (see the module docstring); `after_kill(stage, recipe)` may damage what a kill left."""
    recipe = make_recipe(name, root)
    checked(run(recipe, *ARGS))
    reference = recipe.with_name(f"{name}.reference")
    recipe.rename(reference)
    recipe.mkdir()
    shutil.copy(reference / "run.py", recipe / "run.py")
    shutil.copytree(reference / "conf", recipe / "conf")
    n = sizes(reference)
    kills: dict[int, Kill] = {}
    for at in KILLS:
        spec = f"{at.point}:{at.count(n)}"
        proc = run(recipe, *ARGS, kill_at=spec)
        if at.stage:
            kills[at.stage - 1].resumed_stderr = proc.stderr
        kills[at.stage] = Kill(at, spec, proc.returncode, proc.stderr,
                               {path: (recipe / path).exists() for path in at.partial},
                               sorted(p.stem for p in (recipe / "exp/.stages").glob("0*.json")),
                               wav_mtimes={str(p): p.stat().st_mtime_ns for p in (recipe / "data/wavs").rglob("*.wav")})
        if proc.returncode != -9:
            raise AssertionError(f"CURRACH_KILL_AT={spec}: expected SIGKILL in stage {at.stage}, got exit "
                                 f"{proc.returncode}\n{proc.stderr[-4000:]}")
        after_kill(at.stage, recipe)
    final = checked(run(recipe, *ARGS))
    kills[7].resumed_stderr = final.stderr
    return Runs(reference, recipe, kills, final.stderr)


# What differs between two runs however they went: run logs and stage records (times), the
# fingerprint cache (inodes), the lock (holder), the training feature cache (entries named by a
# hash of each wav's path, size and mtime: only their number is compared), and wall-clock
# times inside JSON files (decode.json "seconds", score.json "created", the Trainer's state),
# which are compared without those keys. The logits caches (.npz) are compared array by array,
# their metadata without "fingerprint" (it hashes the wavs' mtimes too).
UNCOMPARED = ("exp/log/", "exp/.stages/", ".lock", f"{WORK}/features/")
TIME_KEYS = {"seconds", "date", "created", "train_runtime", "train_samples_per_second", "train_steps_per_second",
             "eval_runtime", "eval_samples_per_second", "eval_steps_per_second"}


def differences(reference: Path, other: Path) -> list[str]:
    """Recipe-relative paths whose content differs (or that exist on one side only)."""
    def files(root: Path) -> set[str]:
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and not p.is_symlink()
                and not str(p.relative_to(root)).startswith(UNCOMPARED)}

    ours, theirs = files(reference), files(other)
    found = sorted(ours ^ theirs)
    for rel in sorted(ours & theirs):
        a, b = reference / rel, other / rel
        if filecmp.cmp(a, b, shallow=False):
            continue
        if rel.endswith(".json") and _without_times(a) == _without_times(b):
            continue
        if rel.endswith("report/data.js") and _report_without_times(a) == _report_without_times(b):
            continue
        if rel.endswith(".npz") and _same_arrays(a, b):
            continue
        found.append(rel)
    count = [len(list((root / WORK / "features").glob("*.npz"))) for root in (reference, other)]
    if count[0] != count[1]:
        found.append(f"{WORK}/features/ ({count[0]} cached utterances, then {count[1]})")
    return found


def _same_arrays(a: Path, b: Path) -> bool:
    with np.load(a) as left, np.load(b) as right:
        if sorted(left.files) != sorted(right.files):
            return False
        for key in left.files:
            if left[key].dtype.kind == "U":  # the JSON metadata of a logits cache
                metas = [_strip(json.loads(str(side[key])) | {"fingerprint": None}) for side in (left, right)]
                if metas[0] != metas[1]:
                    return False
            elif not np.array_equal(left[key], right[key]):
                return False
    return True


def _strip(node: object) -> object:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in TIME_KEYS}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _report_without_times(path: Path) -> object:
    """The explorer's data.js (`window.X = {json};`) as JSON without its creation time."""
    text = path.read_text(encoding="utf-8")
    try:
        return _strip(json.loads(text[text.index("=") + 1:].strip().rstrip(";")))
    except ValueError:
        return None


def _without_times(path: Path) -> object:
    try:
        return _strip(json.loads(path.read_text(encoding="utf-8")))
    except ValueError:
        return None


def trainer_state(work: Path) -> dict:
    newest = max(work.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
    return json.loads((newest / "trainer_state.json").read_text(encoding="utf-8"))


__all__ = ["ARGS", "KILLS", "REPO", "STAGE_FILES", "TAG", "WORK", "Runs", "differences", "reference_and_chain",
           "run", "trainer_state"]

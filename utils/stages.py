"""The stage table and the decision to run or skip each stage (the resume contract).

A recipe declares `Stage`s: number, name, function, the files it reads (`inputs`), the files
it writes (`outputs`), the config keys it depends on (`settings`) and the modules whose code
decides its result (`code`). Path templates are relative to the recipe folder; `{set}`
expands over the recipe's data sets and `{name}` over its variables.

On success a stage's record (`exp/.stages/NN_name.json`) holds the fingerprints of its
inputs, settings, code and outputs. A stage is skipped only while all of them still match.
`in_place` paths (converted audio, training checkpoints) are written by the stage itself, a
file at a time, and kept when a stage is interrupted so that it resumes; they are wiped when a
finished stage re-runs because something changed, and when an interrupted stage is started
again with other inputs or settings than it was started with (`NN_name.started.json` holds
those; a code change alone keeps the work, so a bug fix can resume a long training). Other outputs are written to a staging path (`ctx.out(...)`: `.name.partial` beside the target)
and moved in place when the stage function returns; the record is removed before a stage
starts and written last, so an interrupted stage is never mistaken for a finished one.
"""
from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from utils.errors import InputError
from utils.fingerprint import MISSING, FingerprintCache, module_source_fingerprint, settings_fingerprint
from utils.jobs import Jobs
from utils.text_files import remove_partial_writes

log = logging.getLogger(__name__)

Paths = tuple[str, ...] | Callable[["StageContext"], Iterable[str]]


@dataclass(frozen=True)
class Stage:
    number: int
    name: str
    func: Callable[["StageContext"], None]
    inputs: Paths = ()
    outputs: Paths = ()
    in_place: Paths = ()  # written in place by the stage itself, kept across interruptions (resume)
    settings: tuple[str, ...] = ()
    code: tuple[str, ...] | Callable[["StageContext"], Iterable[str]] = ()  # module names
    doc: str = ""


@dataclass
class StageContext:
    """What a stage function gets: resolved paths, config, options, and its staging area."""

    recipe_dir: Path
    config: dict[str, Any]
    config_path: Path
    options: dict[str, Any]
    nj: int
    sets: tuple[str, ...]
    variables: dict[str, str] = field(default_factory=dict)
    owned: frozenset[Path] = frozenset()  # every stage's outputs, set by the runner
    stage: Stage | None = None
    _staged: dict[Path, Path] = field(default_factory=dict)

    def expand(self, template: str) -> list[Path]:
        """Template → absolute paths; `{set}` gives one path per data set."""
        names = self.sets if "{set}" in template else (None,)
        out = []
        for name in names:
            text = template.format(**self.variables, **({"set": name} if name else {}))
            if text:
                path = Path(text)
                out.append(path if path.is_absolute() else self.recipe_dir / path)
        return out

    def path(self, template: str) -> Path:
        """The one absolute path a template names (final location)."""
        paths = self.expand(template)
        if len(paths) != 1:
            raise ValueError(f"{template!r} names {len(paths)} paths; give the set explicitly")
        return paths[0]

    def setting(self, dotted: str) -> Any:
        """A config value by dotted key ("lm.order"); a missing key is an error naming the file."""
        value = resolve_setting(self.config, dotted)
        if value is None:
            raise InputError(f"{self.config_path}: missing setting {dotted!r}")
        return value

    def jobs(self) -> Jobs:
        """`--nj` local workers, or (`--cmd slurm`) a job array logging to exp/log/<NN>_<stage>/."""
        folder = self.recipe_dir / "exp/log" / (f"{self.stage.number:02d}_{self.stage.name}" if self.stage else "jobs")
        return Jobs.from_options(self.nj, self.options.get("cmd", "local"), folder, self.options.get("sbatch_args", ""))

    def out(self, template: str) -> Path:
        """Staging path for a declared output; moved to `path(template)` when the stage succeeds."""
        final = self.path(template)
        if final not in self._staged:
            raise ValueError(f"stage {self.stage.name if self.stage else '?'}: {final} is not a declared output")
        return self._staged[final]


def stage_paths(stage: Stage, which: str, ctx: StageContext) -> list[Path]:
    spec = getattr(stage, which)
    templates = spec(ctx) if callable(spec) else spec
    return [p for t in templates for p in ctx.expand(t)]


def stage_modules(stage: Stage, ctx: StageContext) -> list[str]:
    return list(stage.code(ctx) if callable(stage.code) else stage.code)


def staging_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.partial")


def resolve_setting(config: dict[str, Any], dotted: str) -> Any:
    node: Any = config
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


@dataclass
class Decision:
    run: bool
    reason: str


class RecordStore:
    """Reads and writes the per-stage records under `exp/.stages/`."""

    def __init__(self, folder: Path):
        self.folder = folder

    def file(self, stage: Stage) -> Path:
        return self.folder / f"{stage.number:02d}_{stage.name}.json"

    def load(self, stage: Stage) -> dict[str, Any] | None:
        try:
            return json.loads(self.file(stage).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def started_file(self, stage: Stage) -> Path:
        return self.folder / f"{stage.number:02d}_{stage.name}.started.json"

    def remove(self, stage: Stage) -> None:
        self.file(stage).unlink(missing_ok=True)

    def load_started(self, stage: Stage) -> dict[str, Any] | None:
        try:
            return json.loads(self.started_file(stage).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def save(self, stage: Stage, record: dict[str, Any], started: bool = False) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.started_file(stage) if started else self.file(stage)
        tmp = target.with_name("." + target.name + ".tmp")
        tmp.write_text(json.dumps(record, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
        tmp.replace(target)


def stage_state(stage: Stage, ctx: StageContext, cache: FingerprintCache) -> dict[str, Any]:
    """Fingerprints of what a stage depends on now (inputs, settings, code)."""
    settings = {key: resolve_setting(ctx.config, key) for key in stage.settings}
    inputs = stage_paths(stage, "inputs", ctx)
    return {
        "inputs": {str(p): _folder_fp(p, ctx, cache, keep=inputs) for p in inputs},
        "settings": settings,
        "settings_fp": settings_fingerprint(settings),
        "code_fp": module_source_fingerprint(stage_modules(stage, ctx)),
    }


def decide(stage: Stage, ctx: StageContext, record: dict[str, Any] | None,
           cache: FingerprintCache, force: bool, dirty: dict[Path, int]) -> Decision:
    """Run or skip, and why. `dirty` maps paths that an earlier planned stage rewrites to its number."""
    if force:
        return Decision(True, "--force")
    for path in stage_paths(stage, "inputs", ctx):
        for written, number in dirty.items():
            if path == written or written in path.parents or path in written.parents:
                return Decision(True, f"input {_rel(path, ctx)} is rewritten by stage {number} first")
    if record is None:
        return Decision(True, "no record of a finished run (never ran, or was interrupted)")
    now = stage_state(stage, ctx, cache)
    if record.get("code_fp") != now["code_fp"]:
        return Decision(True, f"code changed ({', '.join(stage_modules(stage, ctx))})")
    if record.get("settings_fp") != now["settings_fp"]:
        changed = [k for k in now["settings"] if record.get("settings", {}).get(k) != now["settings"][k]]
        return Decision(True, f"settings changed: {', '.join(changed) or 'set of keys'}")
    old_inputs = record.get("inputs", {})
    for path, fp in now["inputs"].items():
        if old_inputs.get(path) != fp:
            what = "is missing" if fp == MISSING else "changed"
            return Decision(True, f"input {_rel(Path(path), ctx)} {what} since the last run")
    for path, fp in record.get("outputs", {}).items():
        if _output_fp(Path(path), ctx, cache) != fp:
            return Decision(True, f"output {_rel(Path(path), ctx)} was removed or modified")
    when = record.get("finished", "?")
    return Decision(False, f"up to date (finished {when}; inputs, settings and code unchanged)")


def check_inputs(stage: Stage, ctx: StageContext, producers: dict[Path, Stage]) -> None:
    """Raise InputError naming the first missing input and the stage that makes it."""
    for path in stage_paths(stage, "inputs", ctx):
        if path.exists():
            continue
        maker = next((s for p, s in producers.items() if p == path or p in path.parents), None)
        hint = f"; it is made by stage {maker.number} ({maker.name})" if maker else ""
        raise InputError(f"stage {stage.number} ({stage.name}) needs {_rel(path, ctx)}, which does not exist{hint}")


def execute(stage: Stage, ctx: StageContext, store: RecordStore, cache: FingerprintCache,
            fresh: bool) -> dict[str, Any]:
    """Run one stage with staged outputs; write its record only after every output is in place.

    `fresh`: discard the stage's in-place work first (it finished before and is re-run because
    something changed, or --force); otherwise that work is resumed.
    """
    store.remove(stage)
    outputs = stage_paths(stage, "outputs", ctx)
    kept = stage_paths(stage, "in_place", ctx)
    before = stage_state(stage, ctx, cache)
    fresh = fresh or _started_otherwise(stage, store.load_started(stage), before)
    store.save(stage, {key: before[key] for key in ("inputs", "settings_fp")}, started=True)
    for path in kept:
        if fresh:
            _remove(path)
        path.mkdir(parents=True, exist_ok=True)
        remove_partial_writes(path)
    ctx.stage = stage
    ctx._staged = {final: staging_path(final) for final in outputs}
    for staged in ctx._staged.values():
        _remove(staged)
        staged.parent.mkdir(parents=True, exist_ok=True)
    started = time.time()
    try:
        stage.func(ctx)
        for final, staged in ctx._staged.items():
            if not staged.exists():
                raise InputError(f"stage {stage.number} ({stage.name}) did not write {_rel(final, ctx)}")
        for final, staged in ctx._staged.items():
            _remove(final)
            staged.replace(final)
    finally:
        for staged in ctx._staged.values():
            _remove(staged)
        ctx._staged = {}
    record = dict(before, stage=stage.number, name=stage.name,
                  outputs={str(p): _output_fp(p, ctx, cache) for p in outputs + kept},
                  finished=time.strftime("%Y-%m-%d %H:%M:%S"), seconds=round(time.time() - started, 2))
    store.save(stage, record)
    store.started_file(stage).unlink(missing_ok=True)
    cache.save()
    return record


def _started_otherwise(stage: Stage, started: dict[str, Any] | None, now: dict[str, Any]) -> bool:
    """Whether an interrupted run of `stage` began with other inputs or settings (its work is stale)."""
    if not started:
        return False
    if started.get("inputs") == now["inputs"] and started.get("settings_fp") == now["settings_fp"]:
        return False
    log.warning("stage %d %s: an interrupted run began with other inputs or settings; "
                "its partial work (%s) is discarded and the stage starts afresh", stage.number, stage.name,
                "in-place files" if stage.in_place else "none kept")
    return True


def _output_fp(path: Path, ctx: StageContext, cache: FingerprintCache) -> str:
    return _folder_fp(path, ctx, cache)


def _folder_fp(path: Path, ctx: StageContext, cache: FingerprintCache, keep: Iterable[Path] = ()) -> str:
    """A folder's fingerprint leaves out files inside it that other stages write (stage 2 writes
    data/<set>/text inside stage 1's data/<set>; stage 7 the model card inside stage 5's model),
    except those in `keep` (what the reading stage lists as inputs of its own)."""
    keep = set(keep)
    return cache.path(path, exclude=frozenset(p for p in ctx.owned
                                              if p != path and path in p.parents and p not in keep))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _rel(path: Path, ctx: StageContext) -> str:
    try:
        return str(path.relative_to(ctx.recipe_dir))
    except ValueError:
        return str(path)

"""The decision to run or skip each stage, and running one with staged outputs (the resume contract).

On success a stage's record (`exp/.stages/NN_name.json`, or `NN_name.<tag>.json` for a stage that
writes under exp/{tag}: one per model tag, StageContext.stage_id) holds the fingerprints of its inputs,
settings, code and outputs, every path keyed as declared (relative to the recipe folder unless
declared absolute), so a copied or moved recipe folder is still up to date. A stage is skipped
only while all of them still match.

`in_place` paths are written by the stage itself, a file at a time, and kept when a stage is
interrupted so that it resumes; they are wiped when a finished stage re-runs because something
changed, and when an interrupted stage is started again with other inputs or settings than it
was started with (`NN_name.started.json` holds those; a code change alone keeps the work, so a
bug fix can resume a long training). Outputs are written to a staging path (`.name.partial`
beside the target) and moved in place when the stage function returns; the record is removed
before a stage starts and written last, so an interrupted stage is never taken for a finished one.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from pipeline.code_deps import ImportGraph
from pipeline.fingerprint import MISSING, FingerprintCache, settings_fingerprint
from pipeline.read_guard import guarded
from pipeline.stages import READ_KINDS, Stage, StageContext, all_paths, resolve_setting, stage_settings
from utils.errors import InputError
from utils.text_files import remove_partial_writes

log = logging.getLogger(__name__)


@dataclass
class Decision:
    run: bool
    reason: str
    code: dict[str, Any] | None = None  # skipped, but its code is recorded otherwise: the record to refresh


class RecordStore:
    """Reads and writes the per-stage records under `exp/.stages/` (one per model tag where a stage
    writes under exp/{tag}: StageContext.stage_id)."""

    def __init__(self, folder: Path, ctx: StageContext):
        self.folder, self.ctx = folder, ctx

    def file(self, stage: Stage, started: bool = False) -> Path:
        return self.folder / f"{self.ctx.stage_id(stage)}{'.started' if started else ''}.json"

    def started_file(self, stage: Stage) -> Path:
        return self.file(stage, started=True)

    def load(self, stage: Stage, started: bool = False) -> dict[str, Any] | None:
        try:
            return json.loads(self.file(stage, started).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def load_started(self, stage: Stage) -> dict[str, Any] | None:
        return self.load(stage, started=True)

    def remove(self, stage: Stage) -> None:
        self.file(stage).unlink(missing_ok=True)

    def save(self, stage: Stage, record: dict[str, Any], started: bool = False) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.file(stage, started)
        tmp = target.with_name("." + target.name + ".tmp")
        tmp.write_text(json.dumps(record, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
        tmp.replace(target)


@dataclass
class Fingerprints:
    """The caches a run shares: file contents and the import graph."""

    files: FingerprintCache
    code: ImportGraph

    @classmethod
    def for_recipe(cls, recipe_dir: Path) -> "Fingerprints":
        folder = recipe_dir / "exp/.stages"
        return cls(FingerprintCache(folder / "fingerprints.json", root=recipe_dir), ImportGraph(folder / "imports.json"))

    def save(self) -> None:
        self.files.save()
        self.code.save()


def code_modules(stage: Stage, ctx: StageContext) -> list[str]:
    """The modules whose closure is the stage's code: its function's, and those named in settings.

    A function defined in a script (`run.py` run as `__main__`) is named "<its file's path>:<name>":
    its code is its own source and what it reaches (pipeline/code_deps.py), so editing the stage
    table or another stage of run.py does not re-run it.
    """
    module = stage.func.__module__
    if module == "__main__":  # a recipe's own stage in run.py: that function, not the whole script
        module = os.path.abspath(stage.func.__code__.co_filename)
        if stage.func.__name__.isidentifier():
            module += f":{stage.func.__name__}"
    named = [resolve_setting(ctx.config, key) for key in stage.modules]
    return [module] + [str(name) for name in named if name]


def stage_state(stage: Stage, ctx: StageContext, fps: Fingerprints) -> dict[str, Any]:
    """Fingerprints of what a stage depends on now (inputs, settings, code)."""
    settings = {key: resolve_setting(ctx.config, key) for key in stage_settings(stage, ctx) + stage.modules}
    inputs = all_paths(stage, ctx, READ_KINDS)  # an absent optional input is fingerprinted "missing"
    code_fp, modules = fps.code.fingerprint(code_modules(stage, ctx))
    keep = [d.path for d in inputs]
    return {"inputs": {d.key: _folder_fp(d.path, ctx, fps.files, keep) for d in inputs},
            "settings": settings, "settings_fp": settings_fingerprint(settings),
            "code_fp": code_fp, "code_modules": modules}


def decide(stage: Stage, ctx: StageContext, record: dict[str, Any] | None,
           fps: Fingerprints, force: bool, dirty: dict[Path, int]) -> Decision:
    """Run or skip, and why. `dirty` maps paths that an earlier planned stage rewrites to its number."""
    if force:
        return Decision(True, "--force")
    for declared in all_paths(stage, ctx, READ_KINDS):
        path = declared.path
        for written, number in dirty.items():
            if path == written or written in path.parents or path in written.parents:
                return Decision(True, f"input {declared.key} is rewritten by stage {number} first")
    if record is None:
        return Decision(True, "no record of a finished run (never ran, or was interrupted)")
    now = stage_state(stage, ctx, fps)
    if record.get("code_fp") != now["code_fp"] and _code_changed(record, now, fps.code):
        return Decision(True, f"code changed ({_changed_modules(record, now)})")
    if record.get("settings_fp") != now["settings_fp"]:
        changed = [k for k in now["settings"] if record.get("settings", {}).get(k) != now["settings"][k]]
        return Decision(True, f"settings changed: {', '.join(changed) or 'set of keys'}")
    old_inputs = record.get("inputs", {})
    for key, fp in now["inputs"].items():
        if old_inputs.get(key) != fp:
            return Decision(True, f"input {key} {'is missing' if fp == MISSING else 'changed'} since the last run")
    for key, fp in record.get("outputs", {}).items():
        if _output_fp(_path(key, ctx), ctx, fps.files) != fp:
            return Decision(True, f"output {key} was removed or modified")
    code = {"code_fp": now["code_fp"], "code_modules": now["code_modules"]}
    return Decision(False, f"up to date (finished {record.get('finished', '?')}; inputs, settings and code unchanged)",
                    code if record.get("code_fp") != now["code_fp"] else None)


def check_inputs(stage: Stage, ctx: StageContext, producers: dict[Path, Stage]) -> None:
    """Raise InputError naming the first missing input and the stage that makes it (optional ones may be absent)."""
    for declared in ctx.declared(stage, "inputs"):
        path = declared.path
        if path.exists():
            continue
        maker = next((s for p, s in producers.items() if p == path or p in path.parents), None)
        hint = f"; it is made by stage {maker.number} ({maker.name})" if maker else ""
        raise InputError(f"stage {stage.number} ({stage.name}) needs {declared.key}, which does not exist{hint}")


def execute(stage: Stage, ctx: StageContext, store: RecordStore, fps: Fingerprints, fresh: bool) -> dict[str, Any]:
    """Run one stage with staged outputs; write its record only after every output is in place.

    `fresh`: discard the stage's in-place work first (it finished before and is re-run because
    something changed, or --force); otherwise that work is resumed.
    """
    store.remove(stage)
    outputs, kept = ctx.declared(stage, "outputs"), ctx.declared(stage, "in_place")
    before = stage_state(stage, ctx, fps)
    fresh = fresh or _started_otherwise(stage, store.load_started(stage), before)
    store.save(stage, {key: before[key] for key in ("inputs", "settings_fp")}, started=True)
    for declared in kept:
        if fresh:
            _remove(declared.path)
        declared.path.mkdir(parents=True, exist_ok=True)
        remove_partial_writes(declared.path)
    ctx.stage = stage
    ctx._staged = {d.path: staging_path(d.path) for d in outputs}
    for staged in ctx._staged.values():
        _remove(staged)
        staged.parent.mkdir(parents=True, exist_ok=True)
    started = time.time()
    allowed = ([d.path for d in all_paths(stage, ctx, READ_KINDS + ("in_place",))] + list(ctx._staged.values())
               + [ctx.config_path, ctx.recipe_dir / "exp/log"])
    try:
        with guarded(f"{stage.number} ({stage.name})", ctx.recipe_dir, allowed):
            stage.func(ctx)
        for declared in outputs:
            if not ctx._staged[declared.path].exists():
                raise InputError(f"stage {stage.number} ({stage.name}) did not write {declared.key}")
        for final, staged in ctx._staged.items():
            _remove(final)
            staged.replace(final)
    finally:
        for staged in ctx._staged.values():
            _remove(staged)
        ctx._staged = {}
    record = dict(before, stage=stage.number, name=stage.name,
                  outputs={d.key: _output_fp(d.path, ctx, fps.files) for d in outputs + kept},
                  finished=time.strftime("%Y-%m-%d %H:%M:%S"), seconds=round(time.time() - started, 2))
    store.save(stage, record)
    store.started_file(stage).unlink(missing_ok=True)
    fps.save()
    if stage.after is not None:
        stage.after(ctx.recipe_dir)
    return record


def staging_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.partial")


def _code_changed(record: dict[str, Any], now: dict[str, Any], graph: ImportGraph) -> bool:
    """Whether a module the stage depends on now differs from the one it ran with. Modules the stage
    no longer reaches do not count; a function of a script that the record holds only as the whole
    script (recorded before functions were fingerprinted alone) is unchanged if that file is."""
    old = record.get("code_modules")
    if not isinstance(old, dict):
        return True
    for module, digest in now["code_modules"].items():
        if old.get(module) == digest:
            continue
        script = module.rsplit(":", 1)[0] if ":" in module else None
        if script is None or script not in old or old[script] != graph.file_digest(script):
            return True
    return False


def _changed_modules(record: dict[str, Any], now: dict[str, Any]) -> str:
    """The modules added, removed or edited since the record, for the reason line."""
    old, new = record.get("code_modules", {}), now["code_modules"]
    old = old if isinstance(old, dict) else {}
    named = sorted(m for m in set(old) | set(new) if old.get(m) != new.get(m))
    return ", ".join(named[:6]) + (" ..." if len(named) > 6 else "") if named else "its modules"


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


def _path(key: str, ctx: StageContext) -> Path:
    return Path(key) if Path(key).is_absolute() else ctx.recipe_dir / key


def _output_fp(path: Path, ctx: StageContext, cache: FingerprintCache) -> str:
    return _folder_fp(path, ctx, cache)


def _folder_fp(path: Path, ctx: StageContext, cache: FingerprintCache, keep: Iterable[Path] = ()) -> str:
    """A folder's fingerprint leaves out files inside it that other stages write (a text file
    written into an earlier stage's data folder, a model card into the model folder), except
    those in `keep` (what the reading stage lists as inputs of its own)."""
    keep = set(keep)
    return cache.path(path, exclude=frozenset(p for p in ctx.owned
                                              if p != path and path in p.parents and p not in keep))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()

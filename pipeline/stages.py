"""A stage declaration and what its function receives (declare once, read through the context).

A recipe lists `Stage`s. Each names every path it reads (`inputs`), writes (`outputs`) and
works on in place (`in_place`: converted audio, checkpoints, caches kept for resume) exactly
once, under a short name, and its function gets them from the context by that name, the way a
Snakemake rule uses `input.x` / `output.y`:

    Stage(2, "text_norm", text_norm,
          inputs={"raw": "data/{set}/text.raw"}, outputs={"text": "data/{set}/text"},
          settings=("text",), modules=("text.normalizer",), doc="text.raw -> text")

    def text_norm(ctx):
        for name in ctx.values("set"):
            normalize_text(ctx.input("raw", set=name), ctx.output("text", set=name), ...)

A declaration is a dict {name: template | [templates] | callable(ctx) -> template(s) or None},
or a callable(ctx) returning such a dict (for paths that depend on options). Templates are
relative to the recipe folder (or absolute); `{field}` is filled from the recipe's variables: a
string value fills it, a tuple value (`set: ("train", "dev", "test")`) makes one path per value.
An empty template or None declares nothing (an option not given). `optional` inputs are declared
like inputs and fingerprinted the same way when present; one that is absent is no error (its
fingerprint is "missing", so its appearing later re-runs the stage) and `ctx.optional` gives None.

`ctx.output(...)` is a staging path moved in place when the function returns; while the function
runs, opening a file or listing a folder inside the recipe folder that is not declared (nor the
config, nor exp/log/) raises `UndeclaredPathError` (pipeline/read_guard.py). The stage's code
fingerprint is its function's module plus every repo-local module that imports, transitively
(pipeline/code_deps.py), plus the modules named by the `modules` settings.
"""
from __future__ import annotations

import itertools
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence, Union

from utils.errors import InputError

Template = Union[str, Sequence[str], None, Callable[["StageContext"], Union[str, Sequence[str], None]]]
Declaration = Union[Mapping[str, Template], Callable[["StageContext"], Mapping[str, Template]]]
KINDS = ("inputs", "optional", "outputs", "in_place")
READ_KINDS = ("inputs", "optional")  # what a stage reads: fingerprinted, allowed by the guard


@dataclass(frozen=True)
class Stage:
    """One step of a recipe: its number, name, function and everything its result depends on.

    `optional`: inputs that may be absent (training curves of a model that was not trained here).
    `settings`: dotted config keys whose values are recorded (a change re-runs the stage).
    `modules`: dotted config keys whose values are module names ("text.normalizer"); those
    modules join the code fingerprint with their own imports (a missing key adds nothing).
    `after(recipe_dir)`: run once the stage's outputs are in place, outside the guard and the
    record (RESULTS.md, which covers every model tag).
    `describe(ctx)`: what the stage would do, in words (a line or a list of lines), which
    `--dry-run` prints under the stage's line when it would run. It reads only the config and
    small files (no torch); bad input raises InputError, shown as that stage's error line.
    """

    number: int
    name: str
    func: Callable[["StageContext"], None]
    inputs: Declaration = field(default_factory=dict)
    optional: Declaration = field(default_factory=dict)
    outputs: Declaration = field(default_factory=dict)
    in_place: Declaration = field(default_factory=dict)
    settings: tuple[str, ...] | Callable[["StageContext"], tuple[str, ...]] = ()
    modules: tuple[str, ...] = ()
    doc: str = ""
    after: Callable[[Path], None] | None = None  # a report over the whole recipe folder, run unguarded
    describe: Callable[["StageContext"], Union[str, Sequence[str]]] | None = None  # --dry-run's account


@dataclass(frozen=True)
class DeclaredPath:
    """One expanded path: `key` is what records store (recipe-relative unless declared absolute)."""

    name: str
    key: str
    path: Path
    fields: tuple[tuple[str, str], ...]
    scalars: tuple[tuple[str, str], ...] = ()  # the single-valued fields it uses ({tag})


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass
class StageContext:
    """What a stage function gets: its declared paths by name, the config, options and jobs."""

    recipe_dir: Path
    config: dict[str, Any]
    config_path: Path
    options: dict[str, Any]
    nj: int
    variables: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    stage: Stage | None = None
    owned: frozenset[Path] = frozenset()  # every stage's outputs, set by the runner
    _staged: dict[Path, Path] = field(default_factory=dict)

    # -- declared paths ------------------------------------------------------------------
    def declared(self, stage: Stage, kind: str) -> list[DeclaredPath]:
        """Every path `stage` declares as `kind` (inputs, optional, outputs or in_place), expanded."""
        spec = getattr(stage, kind)
        table = spec(self) if callable(spec) else spec
        out = []
        for name, template in table.items():
            value = template(self) if callable(template) else template
            for text in [value] if isinstance(value, str) or value is None else value:
                if text:
                    out.extend(self._expand(name, str(text)))
        return out

    def input(self, name: str, **fields: str) -> Path:
        """The one declared input `name` (with `fields` for its expanding fields, e.g. set="dev")."""
        return self._one("inputs", name, fields).path

    def inputs(self, name: str) -> list[Path]:
        """All paths declared as input `name` (one per value of its expanding fields)."""
        return [d.path for d in self._all("inputs", name)]

    def optional(self, name: str, **fields: str) -> Path | None:
        """The declared optional input `name`, or None when it does not exist."""
        path = self._one("optional", name, fields).path
        return path if path.exists() else None

    def output(self, name: str, **fields: str) -> Path:
        """The staging path of declared output `name`; moved to its final place on success."""
        final = self._one("outputs", name, fields).path
        return self._staged.get(final, final)

    def outputs(self, name: str) -> list[Path]:
        """Staging paths of every path declared as output `name`."""
        return [self._staged.get(d.path, d.path) for d in self._all("outputs", name)]

    def final(self, name: str, **fields: str) -> Path:
        """Where declared output `name` ends up (for messages and records, not for writing)."""
        return self._one("outputs", name, fields).path

    def work(self, name: str, **fields: str) -> Path:
        """The declared in-place folder `name` (kept across interruptions)."""
        return self._one("in_place", name, fields).path

    def works(self, name: str) -> list[Path]:
        """Every path declared in place as `name`."""
        return [d.path for d in self._all("in_place", name)]

    def stage_id(self, stage: Stage) -> str:
        """The stage's name in records and logs: "05_train", or "05_train.tiny" for a stage that writes
        under a single-valued field ({tag}), so each model tag keeps its own record and log and
        switching configs re-runs nothing that another tag finished."""
        scalars = dict(pair for kind in ("outputs", "in_place") for d in self.declared(stage, kind) for pair in d.scalars)
        # Only name-like values ({tag} = "tiny"); a path-valued field ({corpus} = "corpus/synthetic" or
        # an absolute --corpus-dir) is not a name and would make the record a nested path.
        names = [scalars[k] for k in sorted(scalars) if _NAME.fullmatch(scalars[k])]
        return ".".join([f"{stage.number:02d}_{stage.name}"] + names)

    # -- settings, options, jobs -------------------------------------------------------------
    def values(self, field_name: str) -> tuple[str, ...]:
        """The values of an expanding field ("set" -> ("train", "dev", "test"))."""
        value = self.variables.get(field_name, ())
        return (value,) if isinstance(value, str) else tuple(value)

    def setting(self, dotted: str) -> Any:
        """A config value by dotted key ("lm.order"); a missing key is an error naming the file."""
        value = resolve_setting(self.config, dotted)
        if value is None:
            raise InputError(f"{self.config_path}: missing setting {dotted!r}")
        return value

    def jobs(self):
        """`--nj` local workers, or (`--cmd slurm`) a job array logging to exp/log/<NN>_<stage>/."""
        from pipeline.jobs import Jobs

        folder = self.recipe_dir / "exp/log" / (self.stage_id(self.stage) if self.stage else "jobs")
        return Jobs.from_options(self.nj, self.options.get("cmd", "local"), folder, self.options.get("sbatch_args", ""))

    # -- internals ---------------------------------------------------------------------------------
    def _expand(self, name: str, template: str) -> list[DeclaredPath]:
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f]
        axes = [f for f in dict.fromkeys(names) if not isinstance(self.variables.get(f, ""), str)]
        scalars = {k: v for k, v in self.variables.items() if isinstance(v, str)}
        missing = [f for f in names if f not in self.variables]
        if missing:
            raise ValueError(f"path template {template!r} uses unknown field(s) {', '.join(missing)}")
        out = []
        for combo in itertools.product(*(self.values(a) for a in axes)):
            fields = dict(zip(axes, combo))
            key = Path(template.format(**scalars, **fields)).as_posix()
            path = Path(key) if Path(key).is_absolute() else self.recipe_dir / key
            used = tuple((f, scalars[f]) for f in dict.fromkeys(names) if f in scalars)
            out.append(DeclaredPath(name, key, path, tuple(sorted(fields.items())), used))
        return out

    def _all(self, kind: str, name: str) -> list[DeclaredPath]:
        if self.stage is None:
            raise ValueError("no stage is running")
        found = [d for d in self.declared(self.stage, kind) if d.name == name]
        if not found:
            known = sorted({d.name for d in self.declared(self.stage, kind)})
            raise UndeclaredName(f"stage {self.stage.number} ({self.stage.name}) declares no {kind} named "
                                 f"{name!r} (declared: {', '.join(known) or 'none'})")
        return found

    def _one(self, kind: str, name: str, fields: Mapping[str, str]) -> DeclaredPath:
        found = [d for d in self._all(kind, name) if all(dict(d.fields).get(k) == v for k, v in fields.items())]
        if len(found) != 1:
            options = ", ".join("/".join(f"{k}={v}" for k, v in d.fields) for d in self._all(kind, name))
            raise UndeclaredName(f"stage {self.stage.number} ({self.stage.name}): {kind.removesuffix('s')} "
                                 f"{name!r} with {dict(fields)} names {len(found)} declared paths ({options})")
        return found[0]


class UndeclaredName(ValueError):
    """A stage function asked its context for a path it did not declare."""


def resolve_setting(config: dict[str, Any], dotted: str) -> Any:
    """config["a"]["b"] for "a.b"; None where a key is missing."""
    node: Any = config
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def stage_settings(stage: Stage, ctx: StageContext) -> tuple[str, ...]:
    """The config keys a stage records (its `settings`, called when they depend on the config)."""
    return tuple(stage.settings(ctx) if callable(stage.settings) else stage.settings)


def all_paths(stage: Stage, ctx: StageContext, kinds: Iterable[str] = KINDS) -> list[DeclaredPath]:
    """The expanded paths a stage declares, over the given kinds."""
    return [d for kind in kinds for d in ctx.declared(stage, kind)]

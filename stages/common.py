"""What several shared stages read: the corpus module a config names, options that name files."""
from __future__ import annotations

import ast
from types import ModuleType

from pipeline.code_deps import ImportGraph, module_constant
from pipeline.stages import StageContext
from utils.errors import InputError


def corpus_module(ctx: StageContext) -> ModuleType:
    """The reader (with --corpus-dir) or demo corpus module the config names (see local/corpora)."""
    from local.corpora import load

    return load(ctx.setting("corpus.reader" if ctx.options.get("corpus_dir") else "corpus.demo"))


def corpus_settings(ctx: StageContext) -> tuple[str, ...]:
    """The config keys the chosen corpus module reads: its SETTINGS, read from its source (planning
    a run must not import the corpus code, which pulls in numpy and soundfile)."""
    name = ctx.setting("corpus.reader" if ctx.options.get("corpus_dir") else "corpus.demo")
    path = ImportGraph().module_file(name)
    if path is None:
        raise InputError(f"{ctx.config_path}: corpus module {name!r} not found (see local/corpora)")
    settings = module_constant(ast.parse(path.read_bytes()), "SETTINGS")
    if settings is not None:
        return tuple(settings)
    raise InputError(f"{path}: no SETTINGS tuple (a corpus module lists the config keys it reads)")

"""What several shared stages read: the corpus module a config names, options that name files."""
from __future__ import annotations

import ast
from types import ModuleType

from pipeline.code_deps import ImportGraph
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
    for node in ast.parse(path.read_bytes()).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == "SETTINGS" for t in targets) and node.value is not None:
            return tuple(ast.literal_eval(node.value))
    raise InputError(f"{path}: no SETTINGS tuple (a corpus module lists the config keys it reads)")

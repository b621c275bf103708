"""What several shared stages read: the corpus module a config names, options that name files."""
from __future__ import annotations

from types import ModuleType

from pipeline.stages import StageContext


def corpus_module(ctx: StageContext) -> ModuleType:
    """The reader (with --corpus-dir) or demo corpus module the config names (see local/corpora)."""
    from local.corpora import load

    return load(ctx.setting("corpus.reader" if ctx.options.get("corpus_dir") else "corpus.demo"))


def corpus_settings(ctx: StageContext) -> tuple[str, ...]:
    """The config keys the chosen corpus module reads."""
    return tuple(corpus_module(ctx).SETTINGS)

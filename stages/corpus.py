"""Stage 0: check the corpus folder given with --corpus-dir, or build the demo corpus."""
from __future__ import annotations

import json

from pipeline.stages import Stage, StageContext
from stages.common import corpus_module, corpus_settings


def corpus(ctx: StageContext) -> None:
    module = corpus_module(ctx)
    if ctx.options.get("corpus_dir"):
        folder = ctx.input("corpus")
    else:
        module.build(ctx.input("sentences"), ctx.output("corpus"), ctx.config, ctx.nj)
        folder = ctx.output("corpus")
    info = module.check(folder, ctx.config)
    info = {"name": info["name"], "path": ctx.variables["corpus_dir"], **info}
    ctx.output("info").write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n")


def _given(ctx: StageContext) -> bool:
    return bool(ctx.options.get("corpus_dir"))


def stage() -> Stage:
    return Stage(
        0, "corpus", corpus,
        inputs={"corpus": lambda c: "{corpus_dir}" if _given(c) else None,
                "sentences": lambda c: None if _given(c) else c.setting("corpus.sentences")},
        outputs={"info": "data/local/corpus.json", "corpus": lambda c: None if _given(c) else "{corpus_dir}"},
        settings=lambda c: ("corpus", "options.corpus_dir") + corpus_settings(c),
        modules=("corpus.reader", "corpus.demo"),
        doc="check the --corpus-dir folder, or synthesise the espeak-ng demo corpus")

"""Stage 1: Kaldi data dirs for every set, audio converted once to 16 kHz mono wav."""
from __future__ import annotations


from pipeline.stages import Stage, StageContext
from stages.common import corpus_module, corpus_settings


def data_prep(ctx: StageContext) -> None:
    module = corpus_module(ctx)
    for name in ctx.values("set"):
        module.prepare(ctx.input("corpus"), name, ctx.output("data", set=name), ctx.work("wavs", set=name),
                       ctx.jobs(), ctx.config)


def stage() -> Stage:
    return Stage(
        1, "data_prep", data_prep,
        inputs={"info": "data/local/corpus.json", "corpus": "{corpus_dir}"},
        outputs={"data": "data/{set}"}, in_place={"wavs": "data/wavs/{set}"},
        settings=lambda c: ("data.max_drop_share", "options.corpus_dir") + corpus_settings(c),
        modules=("corpus.reader", "corpus.demo"),
        doc="Kaldi data dirs, audio converted once to 16 kHz mono wav")

"""Stage 2: the language's normaliser, text.raw -> text, for every set."""
from __future__ import annotations

from pipeline.stages import Stage, StageContext


def text_norm(ctx: StageContext) -> None:
    from steps.normalize_text import normalize_text

    for name in ctx.values("set"):
        normalize_text(ctx.input("raw", set=name), ctx.output("text", set=name), ctx.setting("text.normalizer"))


def stage() -> Stage:
    return Stage(2, "text_norm", text_norm, inputs={"raw": "data/{set}/text.raw"}, outputs={"text": "data/{set}/text"},
                 settings=("text",), modules=("text.normalizer",), doc="the language's normaliser: text.raw -> text")

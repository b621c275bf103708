"""Stage 4: vocab.json from the train text, the in-domain KenLM (+ --lm-text), --lm-arpa as data/lang_ext."""
from __future__ import annotations


from pipeline.stages import Stage, StageContext


def lang(ctx: StageContext) -> None:
    from steps.make_vocab import make_vocab
    from steps.normalize_text import normalize_plain_text
    from steps.train_lm import train_lm

    out = ctx.output("lang")
    make_vocab(ctx.input("train_text"), out, ctx.inputs("eval_text"))
    texts = [ctx.input("train_text")]
    for number, source in enumerate(ctx.inputs("lm_text") if ctx.options.get("lm_text") else [], start=1):
        texts.append(ctx.output("lm_text_dir") / f"{number:02d}_{source.name}")  # normalised like the transcripts
        normalize_plain_text(source, texts[-1], ctx.setting("text.normalizer"))
    train_lm(texts, out, order=ctx.setting("lm.order"))
    if ctx.options.get("lm_arpa"):
        train_lm([], ctx.output("lang_ext"), lm_arpa=ctx.input("lm_arpa"))  # lowercased on import


def stage() -> Stage:
    return Stage(
        4, "lang", lang,
        inputs={"train_text": "data/train/text", "eval_text": "data/{eval}/text",
                "lm_text": lambda c: c.options.get("lm_text") or None, "lm_arpa": lambda c: c.options.get("lm_arpa")},
        outputs={"lang": "data/lang", "lm_text_dir": lambda c: "data/local/lm_text" if c.options.get("lm_text") else None,
                 "lang_ext": lambda c: "data/lang_ext" if c.options.get("lm_arpa") else None},
        settings=("lm", "text", "options.lm_text", "options.lm_arpa"), modules=("text.normalizer",),
        doc="vocab.json from train text; in-domain KenLM (+ --lm-text); --lm-arpa as data/lang_ext")

"""Stage 6: acoustic model once per set (cached logits), then greedy, beam and beam + LM decoding.

Decoders (the recipe's `decoder` field): greedy, beam (with --hotwords), beam_ext_lm (the
--lm-arpa LM in data/lang_ext) and beam_lm (data/lang); LM weights are tuned on dev and frozen
for the other sets. With `model_lm`, the model and the tuned LM are saved as one
Wav2Vec2ProcessorWithLM folder.
"""
from __future__ import annotations

from pathlib import Path

from pipeline.stages import Stage, StageContext

LM_DIRS = {"beam_ext_lm": "lang_ext", "beam_lm": "lang"}


def decode(ctx: StageContext, model_lm: bool = False) -> None:
    from steps.decode_ctc import decode_set  # torch: imported only when the stage runs
    from utils.ctc_logits import compute_logits

    model, cache, decoders = ctx.input("model"), ctx.work("logits"), ctx.values("decoder")
    for name in ctx.values("eval"):  # the acoustic model over --nj parts (a Slurm array with --cmd slurm), cached
        compute_logits(model, ctx.input("manifest", eval=name), cache / f"{name}.npz", nj=ctx.jobs())
    beam = _search_settings(ctx)
    for name in ctx.values("eval"):
        manifest, logits = ctx.input("manifest", eval=name), cache / f"{name}.npz"
        for decoder in [d for d in ("greedy", "beam") if d in decoders]:
            decode_set(model, manifest, ctx.output("decode", eval=name, decoder=decoder), decoder,
                       settings=beam if decoder == "beam" else _plain(), logits_file=logits, nj=ctx.nj)
    tuned = {d: _decode_with_lm(ctx, d, beam) for d in LM_DIRS if d in decoders}
    if model_lm:
        from steps.save_processor_with_lm import save_processor_with_lm

        save_processor_with_lm(model, ctx.input("lang_beam_lm"), *tuned["beam_lm"], out_dir=ctx.output("model_lm"))


def _plain():
    from utils.ctc_search import SearchSettings

    return SearchSettings()


def _search_settings(ctx: StageContext):
    """The beam search settings from the config (decode.*) and --hotwords."""
    from utils.ctc_search import SearchSettings

    hotwords = _hotwords(ctx)
    extra = {"hotwords": hotwords, "hotword_weight": ctx.setting("decode.hotword_weight")} if hotwords else {}
    return SearchSettings(beam_width=ctx.setting("decode.beam_width"), **extra)


def _decode_with_lm(ctx: StageContext, decoder: str, beam) -> tuple[float, float]:
    """Tune alpha/beta on dev (cached logits), then decode every eval set with them frozen."""
    from dataclasses import replace

    from steps.decode_with_lm import decode_with_lm

    nbest = ctx.config["decode"].get("nbest", 0) if decoder == "beam_lm" else 0
    return decode_with_lm(ctx.input("model"), ctx.input(f"lang_{decoder}"), ctx.input("manifest", eval="dev"),
                          ctx.input("dev_text"), ctx.output("decode", eval="dev", decoder=decoder),
                          [(ctx.input("manifest", eval=name), ctx.output("decode", eval=name, decoder=decoder))
                           for name in ctx.values("eval")],
                          ctx.setting("decode.alphas"), ctx.setting("decode.betas"), ctx.work("logits"),
                          replace(beam, nbest=nbest), nj=ctx.nj)


def _hotwords(ctx: StageContext) -> list[str]:
    """--hotwords FILE, one word or phrase per line, normalised like the transcripts."""
    if not ctx.options.get("hotwords"):
        return []
    from utils.text_files import read_plain_text
    from utils.transcripts import Normalizer

    norm = Normalizer(ctx.setting("text.normalizer"))
    return list(dict.fromkeys(w for w in map(norm, read_plain_text(Path(ctx.input("hotwords")))) if w))


def _lm(decoder: str):
    return lambda c: f"data/{LM_DIRS[decoder]}" if decoder in c.values("decoder") else None


def stage(model_lm: bool = False) -> Stage:
    """The decode stage; `model_lm`: also save exp/<tag>/model_lm (model + tuned beam_lm)."""
    def run(ctx: StageContext) -> None:
        decode(ctx, model_lm)

    return Stage(
        6, "decode", run,
        inputs={"model": "exp/{tag}/model", "manifest": "data/{eval}/manifest.jsonl", "audio": "data/wavs/{eval}", "dev_text": "data/dev/text",
                "lang_beam_lm": _lm("beam_lm"), "lang_beam_ext_lm": _lm("beam_ext_lm"),
                "hotwords": lambda c: c.options.get("hotwords")},
        outputs={"decode": "exp/{tag}/decode_{eval}_{decoder}",
                 "model_lm": "exp/{tag}/model_lm" if model_lm else None},
        in_place={"logits": "exp/{tag}/logits"},
        settings=("decode", "text", "options.hotwords", "options.lm_arpa"),
        modules=("text.normalizer",),
        doc="greedy, beam, beam + LM decoding (alpha/beta tuned on dev)")

#!/usr/bin/env python3
"""Singapore English (en-SG): a CTC model, greedy / beam / beam + external LM / beam + in-domain KenLM, WER.

With no --corpus-dir, stage 0 synthesises a small Singapore-English corpus with espeak-ng
in Common Voice's layout and the tiny from-scratch config trains on it (a demo that runs
offline on 2 CPU cores). With --corpus-dir pointing at the National Speech Corpus (Parts 1
and 2) or at a plain audio_clips/ + transcripts/ folder, it is the NSC recipe; with
--config conf/pretrained.yaml a pretrained English CTC model decodes as it is. The
in-domain LM (data/lang) is trained on the train transcripts plus any --lm-text; an
external ARPA (--lm-arpa, e.g. LibriSpeech's 3-gram) becomes data/lang_ext, decoded as
beam_ext_lm, to show what an out-of-domain LM does to local words.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

RECIPE = Path(__file__).resolve().parent
sys.path.insert(0, str(RECIPE.parents[1]))  # the repo root is the import root, as Kaldi's path.sh

from local.common_voice import prepare_common_voice  # noqa: E402
from local.nsc import check_nsc, make_synthetic_corpus_en_sg, prepare_nsc  # noqa: E402
from steps.compare_hyps import compare_hyps  # noqa: E402
from steps.decode_ctc import decode_set  # noqa: E402
from steps.decode_with_lm import decode_with_lm  # noqa: E402
from steps.make_manifest import make_manifest  # noqa: E402
from steps.make_results import make_results  # noqa: E402
from steps.make_vocab import make_vocab  # noqa: E402
from steps.normalize_text import normalize_plain_text, normalize_text  # noqa: E402
from steps.save_processor_with_lm import save_processor_with_lm  # noqa: E402
from steps.score import score_decode_dirs  # noqa: E402
from steps.select_oracle import select_oracle  # noqa: E402
from steps.train_ctc import train_ctc  # noqa: E402
from steps.train_lm import train_lm  # noqa: E402
from utils.ctc_logits import compute_logits  # noqa: E402
from pipeline.launch import run_step  # noqa: E402
from pipeline.stage_cli import run_recipe  # noqa: E402
from utils.model_card import write_model_card  # noqa: E402
from utils.provenance import collect_provenance  # noqa: E402
from pipeline.stages import Stage, StageContext  # noqa: E402
from utils.text_files import read_plain_text  # noqa: E402
from utils.transcripts import Normalizer  # noqa: E402

SETS = ("train", "dev", "test")
EVAL_SETS = ("dev", "test")


def corpus(ctx: StageContext) -> None:
    if ctx.options["corpus_dir"]:
        info = check_nsc(ctx.path("{corpus_dir}"), tuple(ctx.setting("nsc.channels")))
    else:
        out = make_synthetic_corpus_en_sg(ctx.path(ctx.setting("corpus.sentences")), ctx.out("{corpus_dir}"),
                                          ctx.setting("corpus.lang"), ctx.setting("corpus.renditions"),
                                          seed=ctx.setting("corpus.seed"), nj=ctx.nj,
                                          max_sentences=ctx.config["corpus"].get("max_sentences"))
        info = {"name": f"synthetic espeak-ng {ctx.setting('corpus.lang')} (Singapore English sentences)",
                "path": str(ctx.path("{corpus_dir}")), "layout": "common_voice",
                "clips": sum(1 for _ in (out / "clips").iterdir())}
    ctx.out("data/local/corpus.json").write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n")


def data_prep(ctx: StageContext) -> None:
    for name in SETS:
        if ctx.options["corpus_dir"]:  # NSC or a plain clips + transcripts folder: local.nsc tells them apart
            prepare_nsc(ctx.path("{corpus_dir}"), name, ctx.out(f"data/{name}"), ctx.path(f"data/wavs/{name}"),
                        shares=ctx.setting("nsc.shares"), nj=ctx.jobs(), max_drop_share=ctx.setting("data.max_drop_share"),
                        speaker_pattern=ctx.setting("nsc.speaker_pattern"), channels=tuple(ctx.setting("nsc.channels")))
        else:
            prepare_common_voice(ctx.path("{corpus_dir}"), name, ctx.out(f"data/{name}"),
                                 ctx.path(f"data/wavs/{name}"), nj=ctx.jobs(),
                                 max_drop_share=ctx.setting("data.max_drop_share"))


def text_norm(ctx: StageContext) -> None:
    for name in SETS:
        normalize_text(ctx.path(f"data/{name}/text.raw"), ctx.out(f"data/{name}/text"),
                       ctx.setting("text.normalizer"))


def manifest(ctx: StageContext) -> None:
    for name in SETS:
        make_manifest(ctx.path(f"data/{name}"), ctx.out(f"data/{name}/manifest.jsonl"),
                      ctx.out(f"data/{name}/manifest.dropped.tsv"),
                      ctx.setting("data.min_duration"), ctx.setting("data.max_duration"),
                      ctx.setting("data.max_drop_share"))


def lang(ctx: StageContext) -> None:
    out = ctx.out("data/lang")
    make_vocab(ctx.path("data/train/text"), out, [ctx.path(f"data/{s}/text") for s in EVAL_SETS])
    texts = [ctx.path("data/train/text")]
    for number, source in enumerate(ctx.options["lm_text"] or [], start=1):  # extra LM text, normalised alike
        texts.append(ctx.out("data/local/lm_text") / f"{number:02d}_{Path(source).name}")
        normalize_plain_text(Path(source), texts[-1], ctx.setting("text.normalizer"))
    train_lm(texts, out, order=ctx.setting("lm.order"))
    if ctx.options["lm_arpa"]:
        train_lm([], ctx.out("data/lang_ext"), lm_arpa=Path(ctx.options["lm_arpa"]))  # lowercased on import


def train(ctx: StageContext) -> None:
    run_step(train_ctc, ctx.path("data/train/manifest.jsonl"), ctx.path("data/dev/manifest.jsonl"),
             ctx.path("data/lang/vocab.json"), ctx.config_path, ctx.out("exp/{tag}/model"),
             ctx.path("exp/{tag}/work"), max_steps=ctx.options["max_steps"], nproc=ctx.options["ngpu"])


def decode(ctx: StageContext) -> None:
    model, cache = ctx.path("exp/{tag}/model"), ctx.path("exp/{tag}/logits")
    beam, hotwords = ctx.setting("decode.beam_width"), _hotwords(ctx)
    weight = ctx.setting("decode.hotword_weight")
    for name in EVAL_SETS:  # the acoustic model over --nj parts (a Slurm array with --cmd slurm), cached
        compute_logits(model, ctx.path(f"data/{name}/manifest.jsonl"), cache / f"{name}.npz", nj=ctx.jobs())
    for name in EVAL_SETS:
        manifest_file, logits = ctx.path(f"data/{name}/manifest.jsonl"), cache / f"{name}.npz"
        decode_set(model, manifest_file, ctx.out(f"exp/{{tag}}/decode_{name}_greedy"), "greedy",
                   logits_file=logits, nj=ctx.nj)
        decode_set(model, manifest_file, ctx.out(f"exp/{{tag}}/decode_{name}_beam"), "beam", beam_width=beam,
                   logits_file=logits, nj=ctx.nj, hotwords=hotwords, hotword_weight=weight)
    if ctx.options["lm_arpa"]:
        _decode_with_lm(ctx, "beam_ext_lm", ctx.path("data/lang_ext"), hotwords)
    alpha, beta = _decode_with_lm(ctx, "beam_lm", ctx.path("data/lang"), hotwords, nbest=ctx.setting("decode.nbest"))
    save_processor_with_lm(model, ctx.path("data/lang"), alpha, beta, out_dir=ctx.out("exp/{tag}/model_lm"))


def _decode_with_lm(ctx: StageContext, decoder: str, lm: Path, hotwords: list[str],
                    nbest: int = 0) -> tuple[float, float]:
    """Tune alpha/beta on dev (cached logits), then decode dev and test with them frozen."""
    return decode_with_lm(ctx.path("exp/{tag}/model"), lm, ctx.path("data/dev/manifest.jsonl"),
                          ctx.path("data/dev/text"), ctx.out(f"exp/{{tag}}/decode_dev_{decoder}"),
                          [(ctx.path(f"data/{name}/manifest.jsonl"), ctx.out(f"exp/{{tag}}/decode_{name}_{decoder}"))
                           for name in EVAL_SETS],
                          ctx.setting("decode.alphas"), ctx.setting("decode.betas"), ctx.path("exp/{tag}/logits"),
                          beam_width=ctx.setting("decode.beam_width"), nj=ctx.nj, hotwords=hotwords,
                          hotword_weight=ctx.setting("decode.hotword_weight"), nbest=nbest)


def _hotwords(ctx: StageContext) -> list[str]:
    """--hotwords FILE, one word or phrase per line, normalised like the transcripts."""
    if not ctx.options["hotwords"]:
        return []
    norm = Normalizer(ctx.setting("text.normalizer"))
    return list(dict.fromkeys(w for w in map(norm, read_plain_text(Path(ctx.options["hotwords"]))) if w))


def scoring(ctx: StageContext) -> None:
    normalizer = ctx.setting("text.normalizer")
    corpus_name = json.loads(ctx.path("data/local/corpus.json").read_text(encoding="utf-8"))["name"]
    provenance = collect_provenance(RECIPE.parents[1], ctx.config_path, corpus_name)
    for name in EVAL_SETS:
        select_oracle(ctx.path(f"data/{name}/text"), ctx.path(f"exp/{{tag}}/decode_{name}_beam_lm/nbest"),
                      ctx.path(f"exp/{{tag}}/decode_{name}_oracle"), normalizer)
    systems = _decoders(ctx) + ["oracle"]
    score_decode_dirs([(ctx.path(f"data/{name}"), ctx.path(f"exp/{{tag}}/decode_{name}_{decoder}"))
                       for name in EVAL_SETS for decoder in systems], normalizer, provenance, nj=ctx.jobs())
    for name in EVAL_SETS:
        compare_hyps([(decoder, ctx.path(f"exp/{{tag}}/decode_{name}_{decoder}/score/score.json"))
                      for decoder in systems], ctx.out(f"exp/{{tag}}/side_by_side_{name}.txt"))
    make_results(RECIPE)
    write_model_card(ctx.path("exp/{tag}/model"), sorted(ctx.path("exp/{tag}").glob("decode_*/score/score.json")),
                     ctx.setting("corpus.lang"), corpus_name, ctx.setting("text.normalizer"),
                     out_file=ctx.out("exp/{tag}/model/README.md"))


def _decoders(ctx: StageContext) -> list[str]:
    return ["greedy", "beam"] + (["beam_ext_lm"] if ctx.options["lm_arpa"] else []) + ["beam_lm"]


def _decode_dirs(ctx: StageContext) -> list[str]:
    return [f"exp/{{tag}}/decode_{s}_{d}" for s in EVAL_SETS for d in _decoders(ctx)]


STAGES = [
    Stage(0, "corpus", corpus, inputs=lambda c: [] if c.options["corpus_dir"] else [c.setting("corpus.sentences")],
          outputs=lambda c: ["data/local/corpus.json"] + ([] if c.options["corpus_dir"] else ["{corpus_dir}"]),
          settings=("corpus", "nsc.channels", "options.corpus_dir"), code=("local.synth_corpus", "local.nsc"),
          doc="check the NSC / plain folder, or synthesise the espeak-ng demo corpus"),
    Stage(1, "data_prep", data_prep, inputs=("data/local/corpus.json", "{corpus_dir}"), outputs=("data/{set}",),
          in_place=("data/wavs/{set}",), settings=("data.max_drop_share", "nsc"),
          code=("local.nsc", "local.common_voice", "utils.audio_jobs", "utils.audio", "utils.data_dir"),
          doc="Kaldi data dirs, audio converted once to 16 kHz mono wav"),
    Stage(2, "text_norm", text_norm, inputs=("data/{set}/text.raw",), outputs=("data/{set}/text",),
          settings=("text",), code=lambda c: ["steps.normalize_text", c.setting("text.normalizer")],
          doc="the language's normaliser: text.raw -> text"),
    Stage(3, "manifest", manifest, inputs=("data/{set}/text", "data/{set}/wav.scp", "data/{set}/utt2dur"),
          outputs=("data/{set}/manifest.jsonl", "data/{set}/manifest.dropped.tsv"), settings=("data",),
          code=("steps.make_manifest",), doc="JSON-lines manifests with duration limits"),
    Stage(4, "lang", lang, inputs=lambda c: ["data/train/text", "data/dev/text", "data/test/text",
                                             *(c.options["lm_text"] or []), "{lm_arpa}"],
          outputs=lambda c: ["data/lang"] + (["data/local/lm_text"] if c.options["lm_text"] else [])
          + (["data/lang_ext"] if c.options["lm_arpa"] else []),
          settings=("lm", "text", "options.lm_text", "options.lm_arpa"),
          code=lambda c: ["steps.make_vocab", "steps.train_lm", "steps.normalize_text", c.setting("text.normalizer")],
          doc="vocab.json from train text; in-domain KenLM (+ --lm-text); --lm-arpa as data/lang_ext"),
    Stage(5, "train", train, inputs=("data/train/manifest.jsonl", "data/dev/manifest.jsonl", "data/lang/vocab.json"),
          outputs=("exp/{tag}/model",), in_place=("exp/{tag}/work",), settings=("model", "train", "options.max_steps"),
          code=("steps.train_ctc",), doc="train / fine-tune the CTC model, or keep a pretrained one as is"),
    Stage(6, "decode", decode, inputs=lambda c: ["exp/{tag}/model", "data/lang", "data/dev/text",
                                                 "data/dev/manifest.jsonl", "data/test/manifest.jsonl", "{hotwords}"]
          + (["data/lang_ext"] if c.options["lm_arpa"] else []),
          outputs=lambda c: _decode_dirs(c) + ["exp/{tag}/model_lm"], in_place=("exp/{tag}/logits",),
          settings=("decode", "text", "options.hotwords", "options.lm_arpa"),
          code=("steps.decode_ctc", "steps.decode_with_lm", "steps.tune_lm_weights", "steps.save_processor_with_lm", "utils.ctc_search"),
          doc="greedy, beam, beam+external LM, beam+in-domain LM (alpha/beta tuned on dev); model_lm"),
    Stage(7, "score", scoring, inputs=lambda c: [f"{d}/hyp" for d in _decode_dirs(c)]
          + ["data/{set}/text", "data/local/corpus.json"] + [f"exp/{{tag}}/decode_{s}_beam_lm/nbest" for s in EVAL_SETS],
          outputs=lambda c: [f"exp/{{tag}}/side_by_side_{s}.txt" for s in EVAL_SETS] + ["exp/{tag}/model/README.md"],
          in_place=lambda c: [f"{d}/score" for d in _decode_dirs(c)]
          + [f"exp/{{tag}}/decode_{s}_oracle" for s in EVAL_SETS],
          settings=("text", "corpus.lang"),
          code=lambda c: ["steps.score", "steps.select_oracle", "steps.compare_hyps", "steps.make_results",
                          "utils.model_card", c.setting("text.normalizer")],
          doc="WER/CER reports, n-best oracle, side-by-side hypotheses, RESULTS.md, the model card"),
]


def _file(value: str) -> str:
    """An option's file path, made absolute (stage records and inputs must not depend on the cwd)."""
    return str(Path(value).expanduser().resolve())


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus-dir", type=_file, default=None,
                        help="NSC (PART1/DATA/...) or a plain audio_clips/ + transcripts/ folder; "
                             "none: synthesise the demo corpus")
    parser.add_argument("--lm-text", type=_file, action="append", default=None, metavar="FILE",
                        help="extra in-domain LM text, one sentence per line, normalised like the "
                             "transcripts (repeatable)")
    parser.add_argument("--lm-arpa", type=_file, default=None, metavar="FILE",
                        help="an external ARPA LM (.gz ok, e.g. LibriSpeech 3-gram): decoded as beam_ext_lm")
    parser.add_argument("--hotwords", type=_file, default=None, metavar="FILE",
                        help="words or phrases to favour in beam search, one per line")
    parser.add_argument("--max-steps", type=int, default=None, help="override train.max_steps (quick runs)")


def variables(args: argparse.Namespace, config: dict) -> dict[str, str]:
    return {"corpus_dir": args.corpus_dir or "corpus/synthetic", "tag": args.config.stem,
            "lm_arpa": args.lm_arpa or "", "hotwords": args.hotwords or ""}


if __name__ == "__main__":
    sys.exit(run_recipe(STAGES, RECIPE, default_config=RECIPE / "conf/tiny.yaml", sets=SETS,
                        add_options=add_options, variables=variables))

#!/usr/bin/env python3
"""Irish (ga-IE) on Common Voice: a CTC model on characters, greedy and KenLM beam decoding, WER.

With no --corpus-dir, stage 0 synthesises a small Irish corpus with espeak-ng in Common
Voice's layout and the tiny from-scratch config trains on it (a demo that runs offline on
2 CPU cores). With --corpus-dir pointing at an extracted Common Voice ga-IE release and
--config conf/xlsr53.yaml, it is the 2021 XLSR-53 fine-tuning recipe.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

RECIPE = Path(__file__).resolve().parent
sys.path.insert(0, str(RECIPE.parents[1]))  # the repo root is the import root, as Kaldi's path.sh

from local.common_voice import check_common_voice, prepare_common_voice  # noqa: E402
from local.synth_corpus import make_synthetic_corpus  # noqa: E402
from steps.decode_ctc import decode_set  # noqa: E402
from steps.decode_with_lm import decode_with_lm  # noqa: E402
from steps.make_manifest import make_manifest  # noqa: E402
from steps.make_results import make_results  # noqa: E402
from steps.make_vocab import make_vocab  # noqa: E402
from steps.normalize_text import normalize_text  # noqa: E402
from steps.score import score_decode_dirs  # noqa: E402
from steps.train_ctc import train_ctc  # noqa: E402
from steps.train_lm import train_lm  # noqa: E402
from utils.ctc_logits import compute_logits  # noqa: E402
from pipeline.launch import run_step  # noqa: E402
from pipeline.stage_cli import run_recipe  # noqa: E402
from utils.model_card import write_model_card  # noqa: E402
from utils.provenance import collect_provenance  # noqa: E402
from pipeline.stages import Stage, StageContext  # noqa: E402

SETS = ("train", "dev", "test")
EVAL_SETS = ("dev", "test")
DECODERS = ("greedy", "beam_lm")


def corpus(ctx: StageContext) -> None:
    if ctx.options["corpus_dir"]:
        info = check_common_voice(ctx.path("{corpus_dir}"), SETS)
    else:
        out = make_synthetic_corpus(ctx.path(ctx.setting("corpus.sentences")), ctx.out("{corpus_dir}"),
                                    ctx.setting("corpus.lang"), ctx.setting("corpus.renditions"),
                                    seed=ctx.setting("corpus.seed"),
                                    max_sentences=ctx.config["corpus"].get("max_sentences"), nj=ctx.nj)
        info = {"name": f"synthetic espeak-ng {ctx.setting('corpus.lang')}", "path": str(ctx.path("{corpus_dir}")),
                "clips": sum(1 for _ in (out / "clips").iterdir())}
    ctx.out("data/local/corpus.json").write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n")


def data_prep(ctx: StageContext) -> None:
    for name in SETS:
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
    train_lm([ctx.path("data/train/text")], out, order=ctx.setting("lm.order"))


def train(ctx: StageContext) -> None:
    run_step(train_ctc, ctx.path("data/train/manifest.jsonl"), ctx.path("data/dev/manifest.jsonl"),
             ctx.path("data/lang/vocab.json"), ctx.config_path, ctx.out("exp/{tag}/model"),
             ctx.path("exp/{tag}/work"), max_steps=ctx.options["max_steps"], nproc=ctx.options["ngpu"])


def decode(ctx: StageContext) -> None:
    model, cache = ctx.path("exp/{tag}/model"), ctx.path("exp/{tag}/logits")
    for name in EVAL_SETS:  # the acoustic model over --nj parts (a Slurm array with --cmd slurm), cached
        compute_logits(model, ctx.path(f"data/{name}/manifest.jsonl"), cache / f"{name}.npz", nj=ctx.jobs())
    for name in EVAL_SETS:
        decode_set(model, ctx.path(f"data/{name}/manifest.jsonl"), ctx.out(f"exp/{{tag}}/decode_{name}_greedy"),
                   "greedy", logits_file=cache / f"{name}.npz", nj=ctx.nj)
    decode_with_lm(model, ctx.path("data/lang"), ctx.path("data/dev/manifest.jsonl"), ctx.path("data/dev/text"),
                   ctx.out("exp/{tag}/decode_dev_beam_lm"),
                   [(ctx.path(f"data/{name}/manifest.jsonl"), ctx.out(f"exp/{{tag}}/decode_{name}_beam_lm"))
                    for name in EVAL_SETS],
                   ctx.setting("decode.alphas"), ctx.setting("decode.betas"), cache,
                   beam_width=ctx.setting("decode.beam_width"), nj=ctx.nj)


def scoring(ctx: StageContext) -> None:
    corpus_name = json.loads(ctx.path("data/local/corpus.json").read_text(encoding="utf-8"))["name"]
    provenance = collect_provenance(RECIPE.parents[1], ctx.config_path, corpus_name)
    score_decode_dirs([(ctx.path(f"data/{name}"), ctx.path(f"exp/{{tag}}/decode_{name}_{decoder}"))
                       for name in EVAL_SETS for decoder in DECODERS],
                      ctx.setting("text.normalizer"), provenance, nj=ctx.jobs())
    make_results(RECIPE)
    write_model_card(ctx.path("exp/{tag}/model"), sorted(ctx.path("exp/{tag}").glob("decode_*/score/score.json")),
                     ctx.setting("corpus.lang"), corpus_name, ctx.setting("text.normalizer"),
                     out_file=ctx.out("exp/{tag}/model/README.md"))


def _decode_dirs(ctx: StageContext) -> list[str]:
    return [f"exp/{{tag}}/decode_{s}_{d}" for s in EVAL_SETS for d in DECODERS]


STAGES = [
    Stage(0, "corpus", corpus, inputs=lambda c: [] if c.options["corpus_dir"] else [c.setting("corpus.sentences")],
          outputs=lambda c: ["data/local/corpus.json"] + ([] if c.options["corpus_dir"] else ["{corpus_dir}"]),
          settings=("corpus", "options.corpus_dir"), code=("local.synth_corpus",),
          doc="locate the Common Voice folder, or synthesise the espeak-ng demo corpus"),
    Stage(1, "data_prep", data_prep, inputs=("data/local/corpus.json", "{corpus_dir}"), outputs=("data/{set}",),
          in_place=("data/wavs/{set}",), settings=("data.max_drop_share",),
          code=("local.common_voice", "utils.audio_jobs", "utils.audio", "utils.data_dir"),
          doc="Kaldi data dirs, audio converted once to 16 kHz mono wav"),
    Stage(2, "text_norm", text_norm, inputs=("data/{set}/text.raw",), outputs=("data/{set}/text",),
          settings=("text",), code=lambda c: ["steps.normalize_text", c.setting("text.normalizer")],
          doc="the language's normaliser: text.raw -> text"),
    Stage(3, "manifest", manifest, inputs=("data/{set}/text", "data/{set}/wav.scp", "data/{set}/utt2dur"),
          outputs=("data/{set}/manifest.jsonl", "data/{set}/manifest.dropped.tsv"), settings=("data",), code=("steps.make_manifest",),
          doc="JSON-lines manifests with duration limits"),
    Stage(4, "lang", lang, inputs=("data/train/text", "data/dev/text", "data/test/text"), outputs=("data/lang",),
          settings=("lm",), code=("steps.make_vocab", "steps.train_lm"),
          doc="vocab.json from train text; KenLM n-gram (ARPA + binary)"),
    Stage(5, "train", train, inputs=("data/train/manifest.jsonl", "data/dev/manifest.jsonl", "data/lang/vocab.json"),
          outputs=("exp/{tag}/model",), in_place=("exp/{tag}/work",), settings=("model", "train", "options.max_steps"),
          code=("steps.train_ctc",), doc="train / fine-tune the CTC model (resumes from checkpoints)"),
    Stage(6, "decode", decode, inputs=("exp/{tag}/model", "data/lang", "data/dev/manifest.jsonl",
                                       "data/test/manifest.jsonl"),
          outputs=_decode_dirs, in_place=("exp/{tag}/logits",), settings=("decode",), code=("steps.decode_ctc",),
          doc="greedy and beam+LM decoding (alpha/beta tuned on dev)"),
    Stage(7, "score", scoring, inputs=lambda c: [f"{d}/hyp" for d in _decode_dirs(c)]
          + ["data/{set}/text", "data/local/corpus.json"],
          outputs=("exp/{tag}/model/README.md",), in_place=lambda c: [f"{d}/score" for d in _decode_dirs(c)],
          settings=("text", "corpus.lang"),
          code=lambda c: ["steps.score", "steps.make_results", "utils.model_card", c.setting("text.normalizer")],
          doc="WER/CER reports, RESULTS.md, the model card (exp/<tag>/model/README.md)"),
]


def add_options(parser) -> None:
    parser.add_argument("--corpus-dir", type=Path, default=None,
                        help="extracted Common Voice ga-IE folder; none: synthesise the demo corpus")
    parser.add_argument("--max-steps", type=int, default=None, help="override train.max_steps (quick runs)")


def variables(args, config: dict) -> dict[str, str]:
    return {"corpus_dir": str(args.corpus_dir.resolve()) if args.corpus_dir else "corpus/synthetic",
            "tag": args.config.stem}


if __name__ == "__main__":
    sys.exit(run_recipe(STAGES, RECIPE, default_config=RECIPE / "conf/tiny.yaml", sets=SETS,
                        add_options=add_options, variables=variables))

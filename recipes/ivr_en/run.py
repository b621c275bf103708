#!/usr/bin/env python3
"""English telephone prompts (Asterisk, one human voice): transfer from synthetic English, greedy / beam / beam+LM.

The seeds' method in miniature, on real speech that installs on any Debian machine: stage 0
finds the Asterisk English prompts (tools/setup.sh installs them; or --corpus-dir) and makes an
espeak-ng English corpus of the en_sg sentences plus the *train* prompts' texts, low-passed
like telephone audio; stage 5 trains a small CTC model on that synthetic speech
(exp/synth/model, skipped when it exists), then fine-tunes it on the real train split, its
output rows reused label by label (utils.head_transfer); stage 6 decodes greedy, beam, and
beam + a 3-gram from the train prompts with alpha/beta tuned on dev. Other configs:
conf/scratch.yaml (same network from random weights, same step budget) and
conf/synth_as_is.yaml (the synthetic model decoding real speech untouched).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

RECIPE = Path(__file__).resolve().parent
sys.path.insert(0, str(RECIPE.parents[1]))  # the repo root is the import root, as Kaldi's path.sh

from local.asterisk_prompts import (check_asterisk_prompts, prepare_asterisk_prompts, split_record,  # noqa: E402
                                    split_texts)
from local.common_voice import prepare_common_voice  # noqa: E402
from local.nsc import espeak_spelling  # noqa: E402
from local.synth_corpus import make_synthetic_corpus  # noqa: E402
from steps.decode_ctc import decode_set  # noqa: E402
from steps.decode_with_lm import decode_with_lm  # noqa: E402
from steps.make_manifest import make_manifest  # noqa: E402
from steps.make_results import make_results  # noqa: E402
from steps.make_vocab import make_vocab  # noqa: E402
from steps.normalize_text import normalize_text  # noqa: E402
from steps.save_processor_with_lm import save_processor_with_lm  # noqa: E402
from steps.score import score_decode_dirs  # noqa: E402
from steps.train_ctc import train_ctc  # noqa: E402
from steps.train_lm import train_lm  # noqa: E402
from utils.ctc_logits import compute_logits  # noqa: E402
from utils.ctc_search import SearchSettings  # noqa: E402
from utils.launch import run_step  # noqa: E402
from utils.provenance import collect_provenance  # noqa: E402
from utils.stage_cli import run_recipe  # noqa: E402
from utils.stages import Stage, StageContext  # noqa: E402
from utils.text_files import atomic_write_text  # noqa: E402

REAL_SETS = ("train", "dev", "test")
SYNTH_SETS = ("synth_train", "synth_dev")
SETS = REAL_SETS + SYNTH_SETS
EVAL_SETS = ("dev", "test")
DECODERS = ("greedy", "beam", "beam_lm")


def corpus(ctx: StageContext) -> None:
    info = check_asterisk_prompts(_corpus_dir(ctx))
    ctx.out("data/local/corpus.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    sentences = ctx.out("data/local/synth_sentences.txt")  # en_sg's sentences + the train prompts, never dev/test
    general = ctx.path(ctx.setting("corpus.synth.sentences")).read_text(encoding="utf-8").splitlines()
    prompts = split_texts(_corpus_dir(ctx), "train", ctx.setting("corpus.seed"), ctx.setting("corpus.shares"))
    atomic_write_text(sentences, "".join(f"{espeak_spelling(line)}\n" for line in general + prompts if line.strip()))
    synth = ctx.setting("corpus.synth")
    make_synthetic_corpus(sentences, ctx.out("corpus/synthetic"), synth["lang"], synth["renditions"], seed=synth["seed"],
                          nj=ctx.nj, lowpass_hz=synth.get("lowpass_hz"), max_sentences=synth.get("max_sentences"))


def data_prep(ctx: StageContext) -> None:
    seed, shares = ctx.setting("corpus.seed"), ctx.setting("corpus.shares")
    for name in REAL_SETS:
        prepare_asterisk_prompts(_corpus_dir(ctx), name, ctx.out(f"data/{name}"), ctx.path(f"data/wavs/{name}"),
                                 shares=shares, seed=seed, nj=ctx.jobs(), max_drop_share=ctx.setting("data.max_drop_share"))
    split_record(ctx.out("data/local/splits.json"), seed, shares, {n: ctx.out(f"data/{n}") for n in REAL_SETS})
    for name, source in zip(SYNTH_SETS, ("train", "dev")):
        prepare_common_voice(ctx.path("corpus/synthetic"), source, ctx.out(f"data/{name}"),
                             ctx.path(f"data/wavs/{name}"), nj=ctx.jobs(), max_drop_share=ctx.setting("data.max_drop_share"))


def text_norm(ctx: StageContext) -> None:
    for name in SETS:
        normalize_text(ctx.path(f"data/{name}/text.raw"), ctx.out(f"data/{name}/text"), ctx.setting("text.normalizer"))


def manifest(ctx: StageContext) -> None:
    for name in SETS:
        make_manifest(ctx.path(f"data/{name}"), ctx.out(f"data/{name}/manifest.jsonl"),
                      ctx.out(f"data/{name}/manifest.dropped.tsv"), ctx.setting("data.min_duration"),
                      ctx.setting("data.max_duration"), ctx.setting("data.max_drop_share"))


def lang(ctx: StageContext) -> None:
    make_vocab(ctx.path("data/train/text"), ctx.out("data/lang"), [ctx.path(f"data/{s}/text") for s in EVAL_SETS])
    train_lm([ctx.path("data/train/text")], ctx.out("data/lang"), order=ctx.setting("lm.order"))
    make_vocab(ctx.path("data/synth_train/text"), ctx.out("data/lang_synth"))  # the synthetic model's own labels


def train(ctx: StageContext) -> None:
    if ctx.config.get("pretrain"):  # the synthetic English model first; returns at once when it exists
        run_step(train_ctc, ctx.path("data/synth_train/manifest.jsonl"), ctx.path("data/synth_dev/manifest.jsonl"),
                 ctx.path("data/lang_synth/vocab.json"), ctx.path(ctx.setting("pretrain.config")),
                 ctx.path("exp/synth/model"), ctx.path("exp/synth/work"),
                 max_steps=ctx.options["pretrain_steps"], nproc=ctx.options["ngpu"])
    run_step(train_ctc, ctx.path("data/train/manifest.jsonl"), ctx.path("data/dev/manifest.jsonl"),
             ctx.path("data/lang/vocab.json"), ctx.config_path, ctx.out("exp/{tag}/model"),
             ctx.path("exp/{tag}/work"), max_steps=ctx.options["max_steps"], nproc=ctx.options["ngpu"])


def decode(ctx: StageContext) -> None:
    model, cache, beam = ctx.path("exp/{tag}/model"), ctx.path("exp/{tag}/logits"), ctx.setting("decode.beam_width")
    for name in EVAL_SETS:
        manifest_file, logits = ctx.path(f"data/{name}/manifest.jsonl"), cache / f"{name}.npz"
        compute_logits(model, manifest_file, logits, nj=ctx.jobs())
        decode_set(model, manifest_file, ctx.out(f"exp/{{tag}}/decode_{name}_greedy"), "greedy",
                   logits_file=logits, nj=ctx.nj)
        decode_set(model, manifest_file, ctx.out(f"exp/{{tag}}/decode_{name}_beam"), "beam", settings=SearchSettings(beam_width=beam),
                   logits_file=logits, nj=ctx.nj)
    alpha, beta = decode_with_lm(model, ctx.path("data/lang"), ctx.path("data/dev/manifest.jsonl"),
                                 ctx.path("data/dev/text"), ctx.out("exp/{tag}/decode_dev_beam_lm"),
                                 [(ctx.path(f"data/{n}/manifest.jsonl"), ctx.out(f"exp/{{tag}}/decode_{n}_beam_lm"))
                                  for n in EVAL_SETS], ctx.setting("decode.alphas"), ctx.setting("decode.betas"),
                                 cache, SearchSettings(beam_width=beam), nj=ctx.nj)
    save_processor_with_lm(model, ctx.path("data/lang"), alpha, beta, out_dir=ctx.out("exp/{tag}/model_lm"))


def scoring(ctx: StageContext) -> None:
    corpus_name = json.loads(ctx.path("data/local/corpus.json").read_text(encoding="utf-8"))["name"]
    provenance = collect_provenance(RECIPE.parents[1], ctx.config_path, corpus_name)
    score_decode_dirs([(ctx.path(f"data/{name}"), ctx.path(f"exp/{{tag}}/decode_{name}_{decoder}"))
                       for name in EVAL_SETS for decoder in DECODERS], ctx.setting("text.normalizer"), provenance,
                      nj=ctx.jobs())
    make_results(RECIPE)


def _corpus_dir(ctx: StageContext) -> Path | None:
    return Path(ctx.options["corpus_dir"]) if ctx.options["corpus_dir"] else None


DECODE_DIRS = [f"exp/{{tag}}/decode_{s}_{d}" for s in EVAL_SETS for d in DECODERS]
STAGES = [
    Stage(0, "corpus", corpus, inputs=lambda c: [c.setting("corpus.synth.sentences")] + ([c.options["corpus_dir"]] if
                                                                                   c.options["corpus_dir"] else []),
          outputs=("data/local/corpus.json", "data/local/synth_sentences.txt", "corpus/synthetic"),
          settings=("corpus", "text", "options.corpus_dir"),
          code=("local.asterisk_prompts", "local.synth_corpus", "local.nsc"),
          doc="find the Asterisk prompts; speak en_sg + train-prompt sentences with espeak-ng (pretraining)"),
    Stage(1, "data_prep", data_prep, inputs=("data/local/corpus.json", "corpus/synthetic"),
          outputs=("data/{set}", "data/local/splits.json"), in_place=("data/wavs/{set}",),
          settings=("data.max_drop_share", "corpus.seed", "corpus.shares"),
          code=("local.asterisk_prompts", "local.common_voice", "utils.audio_jobs", "utils.audio", "utils.data_dir"),
          doc="Kaldi data dirs: real train/dev/test split by prompt text, synthetic train/dev; 16 kHz wavs"),
    Stage(2, "text_norm", text_norm, inputs=("data/{set}/text.raw",), outputs=("data/{set}/text",),
          settings=("text",), code=lambda c: ["steps.normalize_text", c.setting("text.normalizer")],
          doc="the English IVR normaliser: text.raw -> text"),
    Stage(3, "manifest", manifest, inputs=("data/{set}/text", "data/{set}/wav.scp", "data/{set}/utt2dur"),
          outputs=("data/{set}/manifest.jsonl", "data/{set}/manifest.dropped.tsv"), settings=("data",),
          code=("steps.make_manifest",), doc="JSON-lines manifests with duration limits"),
    Stage(4, "lang", lang, inputs=("data/train/text", "data/dev/text", "data/test/text", "data/synth_train/text"),
          outputs=("data/lang", "data/lang_synth"), settings=("lm", "text"),
          code=lambda c: ["steps.make_vocab", "steps.train_lm", c.setting("text.normalizer")],
          doc="vocab.json and a KenLM 3-gram from the real train prompts; the synthetic model's vocab"),
    Stage(5, "train", train, inputs=("data/train/manifest.jsonl", "data/dev/manifest.jsonl", "data/lang/vocab.json",
                                     "data/synth_train/manifest.jsonl", "data/synth_dev/manifest.jsonl",
                                     "data/lang_synth/vocab.json"),
          outputs=("exp/{tag}/model",), in_place=("exp/{tag}/work", "exp/synth"),
          settings=("model", "train", "pretrain", "options.max_steps", "options.pretrain_steps"),
          code=("steps.train_ctc", "utils.head_transfer"),
          doc="synthetic English model (exp/synth, once), then fine-tune / train on the real prompts"),
    Stage(6, "decode", decode, inputs=("exp/{tag}/model", "data/lang", "data/dev/text", "data/dev/manifest.jsonl",
                                       "data/test/manifest.jsonl"),
          outputs=DECODE_DIRS + ["exp/{tag}/model_lm"], in_place=("exp/{tag}/logits",), settings=("decode", "text"),
          code=("steps.decode_ctc", "steps.decode_with_lm", "steps.tune_lm_weights", "utils.ctc_search", "utils.ctc_logits"),
          doc="greedy, beam, beam + in-domain 3-gram (alpha/beta tuned on dev); model_lm"),
    Stage(7, "score", scoring, inputs=[f"{d}/hyp" for d in DECODE_DIRS] + ["data/{set}/text", "data/local/corpus.json"],
          outputs=(), in_place=[f"{d}/score" for d in DECODE_DIRS], settings=("text",),
          code=lambda c: ["steps.score", "steps.make_results", c.setting("text.normalizer")],
          doc="WER/CER reports beside each decode; RESULTS.md"),
]


def _file(value: str) -> str:
    return str(Path(value).expanduser().resolve())


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus-dir", type=_file, default=None,
                        help="a copy of the Asterisk en sounds folder (default: the installed packages)")
    parser.add_argument("--max-steps", type=int, default=None, help="override train.max_steps (quick runs)")
    parser.add_argument("--pretrain-steps", type=int, default=None,
                        help="override the synthetic pretraining's train.max_steps (quick runs)")


def variables(args: argparse.Namespace, config: dict) -> dict[str, str]:
    return {"tag": args.config.stem}


if __name__ == "__main__":
    sys.exit(run_recipe(STAGES, RECIPE, default_config=RECIPE / "conf/tiny.yaml", sets=SETS,
                        add_options=add_options, variables=variables))

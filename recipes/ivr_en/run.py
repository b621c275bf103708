#!/usr/bin/env python3
"""English telephone prompts (Asterisk, one human voice): transfer from synthetic English, greedy / beam / beam+LM.

The seeds' method in miniature, on real speech that installs on any Debian machine: stage 0
finds the Asterisk English prompts (tools/setup.sh installs them; or --corpus-dir) and makes an
espeak-ng English corpus of the en_sg sentences plus the *train* prompts' texts, low-passed
like telephone audio; stage 5 trains a small CTC model on that synthetic speech
(5 pretrain: exp/synth/model, a record of its own, so it is not redone for another config or a
changed fine-tune), then (5 train) fine-tunes it on the real train split, its
output rows reused label by label (utils.head_transfer); stage 6 decodes greedy, beam, and
beam + a 3-gram from the train prompts with alpha/beta tuned on dev. Other configs:
conf/scratch.yaml (same network from random weights, same step budget) and
conf/synth_as_is.yaml (the synthetic model decoding real speech untouched). The real corpus is
read by the module the config names (corpus.reader, see local/corpora); stages 2, 3, 6 and 7 are
the shared ones (stages/).
"""
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).absolute().parents[2]))  # the repo root is the import root (path.sh)

from pipeline.stage_cli import run_recipe  # noqa: E402
from pipeline.stages import Stage, StageContext  # noqa: E402
from stages import decode, manifest, score, text_norm, train as shared_train  # noqa: E402
from stages.recipe import absolute_file  # noqa: E402
from utils.errors import InputError  # noqa: E402
from utils.train_plan import describe_config  # noqa: E402

RECIPE_DIR = Path(__file__).absolute().parent
REAL_SETS = ("train", "dev", "test")
SYNTH_SETS = ("synth_train", "synth_dev")
EVAL_SETS = ("dev", "test")
DECODERS = ("greedy", "beam", "beam_lm")


def _corpus_dir(ctx: StageContext) -> Path | None:
    return ctx.input("corpus") if ctx.options.get("corpus_dir") else None


def corpus(ctx: StageContext) -> None:
    from local.asterisk_prompts import split_texts
    from local.corpora import load
    from local.nsc import espeak_spelling
    from local.synth_corpus import make_synthetic_corpus
    from utils.text_files import atomic_write_text

    info = load(ctx.setting("corpus.reader")).check(_corpus_dir(ctx), ctx.config)
    ctx.output("info").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    sentences = ctx.output("sentences")  # en_sg's sentences + the train prompts, never dev/test
    general = ctx.input("general").read_text(encoding="utf-8").splitlines()
    prompts = split_texts(_corpus_dir(ctx), "train", ctx.setting("corpus.seed"), ctx.setting("corpus.shares"))
    atomic_write_text(sentences, "".join(f"{espeak_spelling(line)}\n" for line in general + prompts if line.strip()))
    synth = ctx.setting("corpus.synth")
    make_synthetic_corpus(sentences, ctx.output("synthetic"), synth["lang"], synth["renditions"], seed=synth["seed"],
                          nj=ctx.nj, lowpass_hz=synth.get("lowpass_hz"), max_sentences=synth.get("max_sentences"))


def data_prep(ctx: StageContext) -> None:
    from local.asterisk_prompts import split_record
    from local.common_voice import prepare_common_voice
    from local.corpora import load

    module = load(ctx.setting("corpus.reader"))
    for name in REAL_SETS:
        module.prepare(_corpus_dir(ctx), name, ctx.output("data", set=name), ctx.work("wavs", set=name),
                       ctx.jobs(), ctx.config)
    split_record(ctx.output("splits"), ctx.setting("corpus.seed"), ctx.setting("corpus.shares"),
                 {n: ctx.output("data", set=n) for n in REAL_SETS})
    for name, source in zip(SYNTH_SETS, ("train", "dev")):
        prepare_common_voice(ctx.input("synthetic"), source, ctx.output("data", set=name), ctx.work("wavs", set=name),
                             nj=ctx.jobs(), max_drop_share=ctx.setting("data.max_drop_share"))


def lang(ctx: StageContext) -> None:
    from steps.make_vocab import make_vocab
    from steps.train_lm import train_lm

    make_vocab(ctx.input("train_text"), ctx.output("lang"), ctx.inputs("eval_text"))
    train_lm([ctx.input("train_text")], ctx.output("lang"), order=ctx.setting("lm.order"))
    make_vocab(ctx.input("synth_text"), ctx.output("lang_synth"))  # the synthetic model's own labels


def pretrain(ctx: StageContext) -> None:
    """The synthetic English model that model.pretrained names (exp/synth/model), from pretrain.config."""
    from pipeline.launch import run_step
    from steps.train_ctc import train_ctc

    if not ctx.config.get("pretrain"):  # conf/scratch.yaml: nothing to pretrain
        return
    run_step(train_ctc, ctx.input("train"), ctx.input("dev"), ctx.input("vocab"), ctx.input("config"),
             ctx.output("model"), ctx.work("work"), max_steps=ctx.options.get("pretrain_steps"),
             nproc=ctx.options["ngpu"])


def train(ctx: StageContext) -> None:
    from pipeline.launch import run_step
    from steps.train_ctc import train_ctc

    extra = [ctx.input("synth_train")] if _joint(ctx) else []  # joint: the synthetic speech beside the real
    run_step(train_ctc, ctx.input("train"), ctx.input("dev"), ctx.input("vocab"), ctx.config_path,
             ctx.output("model"), ctx.work("work"), max_steps=ctx.options.get("max_steps"), nproc=ctx.options["ngpu"],
             extra_train=extra)


def describe_pretrain(ctx: StageContext) -> list[str] | str:
    """What pretraining would do (--dry-run), from pretrain.config alone."""
    if not ctx.config.get("pretrain"):
        return "nothing to pretrain (the config has no pretrain section)"
    return describe_config(ctx.recipe_dir / ctx.setting("pretrain.config"), max_steps=ctx.options.get("pretrain_steps"))


def _joint(ctx: StageContext) -> bool:
    return bool((ctx.config.get("joint") or {}).get("synthetic"))


def _if_pretrain(template: str):
    return lambda ctx: template if ctx.config.get("pretrain") else None


def _pretrain_folder(config_path: Path, config: dict) -> str:
    """exp/<name> of the model that model.pretrained names, which the pretrain stage makes ("" if none)."""
    if not config.get("pretrain"):
        return ""
    pretrained = (config.get("model") or {}).get("pretrained") or ""
    target = Path(os.path.normpath(config_path.parent / pretrained))
    if target.name != "model" or target.parent.parent != RECIPE_DIR / "exp":
        raise InputError(f"{config_path}: with a pretrain section, model.pretrained must name the model it makes, "
                         f"exp/<name>/model under {RECIPE_DIR} (it names {pretrained!r})")
    return target.parent.name


STAGES = [
    Stage(0, "corpus", corpus,
          inputs={"corpus": lambda c: c.options.get("corpus_dir") or None, "general": lambda c: c.setting("corpus.synth.sentences")},
          outputs={"info": "data/local/corpus.json", "sentences": "data/local/synth_sentences.txt",
                   "synthetic": "corpus/synthetic"},
          settings=("corpus", "text", "options.corpus_dir"), modules=("corpus.reader",),
          doc="find the Asterisk prompts; speak en_sg + train-prompt sentences with espeak-ng (pretraining)"),
    Stage(1, "data_prep", data_prep,
          inputs={"info": "data/local/corpus.json", "synthetic": "corpus/synthetic",
                  "corpus": lambda c: c.options.get("corpus_dir") or None},
          outputs={"data": "data/{set}", "splits": "data/local/splits.json"}, in_place={"wavs": "data/wavs/{set}"},
          settings=("data.max_drop_share", "corpus.seed", "corpus.shares", "corpus.reader", "options.corpus_dir"),
          modules=("corpus.reader",),
          doc="Kaldi data dirs: real train/dev/test split by prompt text, synthetic train/dev; 16 kHz wavs"),
    text_norm.stage(),   # 2  data/<set>/text (the English IVR normaliser)
    manifest.stage(),    # 3  data/<set>/manifest.jsonl
    Stage(4, "lang", lang,
          inputs={"train_text": "data/train/text", "eval_text": "data/{eval}/text", "synth_text": "data/synth_train/text"},
          outputs={"lang": "data/lang", "lang_synth": "data/lang_synth"}, settings=("lm", "text"),
          modules=("text.normalizer",),
          doc="vocab.json and a KenLM 3-gram from the real train prompts; the synthetic model's vocab"),
    Stage(5, "pretrain", pretrain,
          inputs={"train": _if_pretrain("data/synth_train/manifest.jsonl"), "dev": _if_pretrain("data/synth_dev/manifest.jsonl"),
                  "vocab": _if_pretrain("data/lang_synth/vocab.json"), "audio": _if_pretrain("data/wavs/{set}"),
                  "config": lambda c: c.setting("pretrain.config") if c.config.get("pretrain") else None},
          outputs={"model": _if_pretrain("exp/{pretrain}/model")}, in_place={"work": _if_pretrain("exp/{pretrain}/work")},
          settings=("pretrain", "options.pretrain_steps"),
          doc="the synthetic English model that model.pretrained names (exp/synth), from pretrain.config",
          describe=describe_pretrain),
    Stage(5, "train", train,
          inputs={"train": "data/train/manifest.jsonl", "dev": "data/dev/manifest.jsonl", "vocab": "data/lang/vocab.json",
                  "audio": "data/wavs/{set}", "pretrained": _if_pretrain("exp/{pretrain}/model"),
                  "synth_train": lambda c: "data/synth_train/manifest.jsonl" if _joint(c) else None},
          outputs={"model": "exp/{tag}/model"}, in_place={"work": "exp/{tag}/work"},
          settings=("model", "train", "joint", "options.max_steps"),
          doc="fine-tune that model on the real prompts (or train from scratch: conf/scratch.yaml)",
          describe=shared_train.describe),
    decode.stage(model_lm=True),   # 6  greedy, beam, beam + in-domain 3-gram (alpha/beta tuned on dev); model_lm
    score.stage(),                 # 7  WER/CER beside each decode, RESULTS.md, the model card, the report
]


def add_options(parser) -> None:
    parser.add_argument("--corpus-dir", type=absolute_file, default=None,
                        help="a copy of the Asterisk en sounds folder (default: the installed packages)")
    parser.add_argument("--max-steps", type=int, default=None, help="override train.max_steps (quick runs)")
    parser.add_argument("--pretrain-steps", type=int, default=None,
                        help="override the synthetic pretraining's train.max_steps (quick runs)")


def variables(args, config: dict) -> dict:
    return {"tag": args.config.stem, "pretrain": _pretrain_folder(args.config, config), "eval": EVAL_SETS,
            "decoder": DECODERS}


if __name__ == "__main__":
    sys.exit(run_recipe(STAGES, RECIPE_DIR, default_config=RECIPE_DIR / "conf/tiny.yaml", sets=REAL_SETS + SYNTH_SETS,
                        add_options=add_options, variables=variables))

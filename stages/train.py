"""Stage 5: train or fine-tune the CTC model; resumes from the newest checkpoint in exp/<tag>/work."""
from __future__ import annotations

from pipeline.stages import Stage, StageContext
from utils.train_plan import describe_config


def train(ctx: StageContext) -> None:
    from pipeline.launch import run_step
    from steps.train_ctc import train_ctc  # torch: imported only when the stage runs

    run_step(train_ctc, ctx.input("train"), ctx.input("dev"), ctx.input("vocab"), ctx.config_path,
             ctx.output("model"), ctx.work("work"), max_steps=ctx.options.get("max_steps"), nproc=ctx.options["ngpu"])


def describe(ctx: StageContext) -> list[str]:
    """What training would do and from which start model (--dry-run), read from the config alone."""
    return describe_config(ctx.config_path, max_steps=ctx.options.get("max_steps"))


def stage() -> Stage:
    return Stage(5, "train", train,
                 inputs={"train": "data/train/manifest.jsonl", "dev": "data/dev/manifest.jsonl",
                         "vocab": "data/lang/vocab.json", "audio": ("data/wavs/train", "data/wavs/dev")},
                 outputs={"model": "exp/{tag}/model"}, in_place={"work": "exp/{tag}/work"},
                 settings=("model", "train", "options.max_steps"),
                 doc="train / fine-tune the CTC model (resumes from checkpoints)", describe=describe)

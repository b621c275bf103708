"""Train a CTC acoustic model (Hugging Face Trainer) on manifests; write a standard HF model dir.

Inputs: train and dev manifests (stage 3), `vocab.json` (stage 4) and a config YAML whose
`model:` and `train:` sections are described in utils/train_config.py.
Outputs: `model_dir/` (model, feature extractor, tokenizer, train_settings.yaml), loadable with
`pipeline("automatic-speech-recognition", model=model_dir)`; `work_dir/` holds checkpoints,
`curves.json` and `curves.png`. Re-running resumes from the newest complete checkpoint, and
returns at once if `model_dir` already holds a finished model. `train.max_steps: 0` trains
nothing: the pretrained model is saved as `model_dir` with its own vocabulary and processor
(see utils.ctc_model.load_pretrained_as_is), to decode with it as it is.

Multi-process data-parallel training: run the same command under `torchrun --nproc_per_node N`
(or `accelerate launch`); the Trainer then uses DistributedDataParallel (gloo on CPU). Rank 0
alone writes the work dir claim, checkpoints, curves and `model_dir`; the other ranks wait for
it where they read what it wrote (utils.distributed).
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Sequence

import torch
import typer
import yaml
from transformers import PrinterCallback, TrainingArguments, set_seed

from utils.checkpoints import newest_complete_checkpoint
from utils.collate import LENGTH_COLUMN, CtcCollator, manifest_dataset, training_set
from utils.ctc_trainer import CtcTrainer, ReplanSchedule, StepKillPoint, greedy_error_rates
from utils.ctc_model import (build_model, build_processor, is_finished_model, load_pretrained_as_is, model_type,
                             save_model_dir)
from utils.distributed import is_main_process, threads_per_process, world_size
from utils.errors import CurrachError, InputError
from utils.precision import cpu_bf16_flags, precision_arguments
from utils.train_config import CtcConfig, TrainSettings, load_ctc_config
from utils.train_curves import ProgressLogger, dev_summary, write_curves
from utils.train_plan import describe_training

log = logging.getLogger(__name__)

WORK_SETTINGS = "model_settings.yaml"
FEATURES = "features"  # in work_dir: the feature cache (train.cache_features)


def train_ctc(
    train_manifest: Path,
    dev_manifest: Path,
    vocab: Path,
    config: Path,
    model_dir: Path,
    work_dir: Path,
    max_steps: int | None = None,
    num_threads: int | None = None,
    extra_train: Sequence[Path] = (),
) -> Path:
    """Train (or resume training) the model described by `config`; return `model_dir`.

    `max_steps` overrides `train.max_steps` (short test runs); `num_threads` defaults to the
    CPU cores this process may use. `extra_train`: more train manifests (joint training), each
    once per epoch beside `train_manifest` repeated `train.train_repeat` times. Raises InputError for missing or malformed inputs and for a
    `work_dir` whose checkpoints were made with different model settings or vocab.
    """
    if is_finished_model(model_dir):
        log.info("%s already trained; nothing to do", model_dir)
        return model_dir
    settings = load_ctc_config(config, max_steps=max_steps)
    log.info("settings: %s", settings.to_dict())
    log.info("plan: %s", "; ".join(describe_training(settings)))
    if settings.train.max_steps == 0:
        model, processor = load_pretrained_as_is(settings.model, work_dir)
        resolved = _resolved(settings, train_manifest, dev_manifest, vocab, extra_train)
        resolved["data"]["vocab"] = f"the pretrained model's own ({settings.model.pretrained})"
        if not is_main_process():
            return model_dir
        save_model_dir(model, processor, resolved, model_dir)
        log.info("train.max_steps is 0: saved %s untrained, with its own vocabulary, as %s",
                 settings.model.pretrained, model_dir)
        return model_dir
    threads = num_threads or threads_per_process()
    torch.set_num_threads(threads)
    set_seed(settings.train.seed)
    processor = build_processor(vocab, model_type(settings.model), settings.model.fbank_stride)
    train_set = training_set([(train_manifest, settings.train.train_repeat)] + [(p, 1) for p in extra_train],
                             settings.train.speed_perturb)
    dev_set = manifest_dataset(dev_manifest)
    args = _training_arguments(settings, work_dir)  # sets up torch.distributed under torchrun
    with args.main_process_first(local=False, desc="claiming the work dir"):
        _claim_work_dir(work_dir, settings, vocab)
    model = build_model(settings.model, processor.tokenizer)
    log.info("model %s: %.2fM parameters; %d train / %d dev utterances; %d threads",
             model.config.model_type, model.num_parameters() / 1e6, len(train_set), len(dev_set), threads)
    trainer = CtcTrainer(
        model=model,
        args=args,
        data_collator=CtcCollator(processor, work_dir / FEATURES if settings.train.cache_features else None),
        train_dataset=train_set,
        eval_dataset=dev_set,
        processing_class=processor,
        compute_metrics=greedy_error_rates(processor.tokenizer),
        callbacks=[ProgressLogger(), ReplanSchedule(), StepKillPoint()],
        max_batch_seconds=settings.train.max_batch_seconds,
    )
    trainer.remove_callback(PrinterCallback)
    with args.main_process_first(local=False, desc="choosing the checkpoint"):
        checkpoint = newest_complete_checkpoint(work_dir)  # rank 0 sets incomplete ones aside first
    if checkpoint:
        log.info("resuming from %s", checkpoint)
    else:
        log.info("no checkpoint in %s; starting from step 0", work_dir)
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    step = trainer.state.global_step
    if not any("eval_loss" in entry and entry["step"] == step for entry in trainer.state.log_history):
        trainer.evaluate()
    if not trainer.is_world_process_zero():
        trainer.accelerator.wait_for_everyone()
        return model_dir
    write_curves(trainer.state.log_history, work_dir)
    resolved = _resolved(settings, train_manifest, dev_manifest, vocab, extra_train)
    if getattr(model, "head_transfer", None):  # which output rows came from model.pretrained
        resolved["head_transfer"] = model.head_transfer.to_dict()
    save_model_dir(trainer.model, processor, resolved, model_dir)
    final = next((entry for entry in reversed(trainer.state.log_history) if "eval_loss" in entry), {})
    log.info("wrote %s (step %d, %s) and curves in %s", model_dir, trainer.state.global_step, dev_summary(final),
             work_dir)
    trainer.accelerator.wait_for_everyone()  # the other ranks return once model_dir is complete
    return model_dir


def _training_arguments(settings: CtcConfig, work_dir: Path) -> TrainingArguments:
    train: TrainSettings = settings.train
    return TrainingArguments(
        output_dir=str(work_dir),
        seed=train.seed,
        per_device_train_batch_size=train.batch_size,
        per_device_eval_batch_size=train.eval_batch_size,
        gradient_accumulation_steps=train.gradient_accumulation_steps,
        learning_rate=train.learning_rate,
        lr_scheduler_type=train.lr_scheduler_type,
        warmup_steps=train.warmup_steps,
        weight_decay=train.weight_decay,
        max_grad_norm=train.max_grad_norm,
        num_train_epochs=train.num_train_epochs,
        max_steps=train.max_steps,
        train_sampling_strategy="group_by_length" if train.group_by_length else "random",
        length_column_name=LENGTH_COLUMN,
        remove_unused_columns=False,
        activation_checkpointing=settings.model.gradient_checkpointing,
        logging_strategy="steps",
        logging_steps=train.logging_steps,
        eval_strategy="steps",
        eval_steps=train.eval_steps,
        save_strategy="steps",
        save_steps=train.save_steps,
        save_total_limit=train.save_total_limit,
        dataloader_num_workers=train.dataloader_num_workers,
        dataloader_pin_memory=torch.cuda.is_available(),
        report_to="none",
        torch_compile=train.torch_compile,
        disable_tqdm=not sys.stderr.isatty(),
        **_cpu_processes(),
        **_precision(train.mixed_precision),
    )


def _cpu_processes() -> dict[str, object]:
    """Several processes without a GPU: say so, or each process would train a model of its own."""
    if torch.cuda.is_available() or world_size() == 1:
        return {}
    return {"ddp_backend": "gloo"}


def _precision(setting: str) -> dict[str, bool]:
    """fp16/bf16 flags and use_cpu (utils.precision); use_cpu also for several CPU processes."""
    cuda = torch.cuda.is_available()
    flags = precision_arguments(setting, cuda, cpu_bf16=bool(cpu_bf16_flags()))
    if not cuda and world_size() > 1:
        flags["use_cpu"] = True
    return flags


def _claim_work_dir(work_dir: Path, settings: CtcConfig, vocab: Path) -> None:
    """Record the model settings and vocab in `work_dir`; refuse checkpoints made with others.

    Training settings (steps, learning rate) may change between runs; the network and its
    output labels may not, or the checkpoints would not fit the model.
    """
    claim = {"model": settings.to_dict()["model"], "vocab": vocab.read_text(encoding="utf-8")}
    path = work_dir / WORK_SETTINGS
    if path.is_file():
        previous = yaml.safe_load(path.read_text(encoding="utf-8"))
        if previous != claim:
            raise InputError(
                f"{work_dir}: holds checkpoints of a different model or vocab (see {path}); "
                "delete the work dir or choose another"
            )
        return
    work_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(claim, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _resolved(settings: CtcConfig, train_manifest: Path, dev_manifest: Path, vocab: Path,
              extra_train: Sequence[Path] = ()) -> dict:
    resolved = settings.to_dict()
    resolved["data"] = {"train_manifest": str(train_manifest), "dev_manifest": str(dev_manifest),
                        "vocab": str(vocab)}
    if extra_train:
        resolved["data"]["extra_train_manifests"] = [str(p) for p in extra_train]
    return resolved


def main(
    train_manifest: Annotated[Path, typer.Argument(help="train manifest.jsonl (stage 3)")],
    dev_manifest: Annotated[Path, typer.Argument(help="dev manifest.jsonl, for dev loss and WER")],
    vocab: Annotated[Path, typer.Argument(help="vocab.json (stage 4)")],
    config: Annotated[Path, typer.Argument(help="config YAML with `model:` and `train:` sections")],
    model_dir: Annotated[Path, typer.Argument(help="output: Hugging Face model dir")],
    work_dir: Annotated[Path, typer.Argument(help="output: checkpoints, curves.json, curves.png")],
    max_steps: Annotated[int | None, typer.Option(help="override train.max_steps (quick runs)")] = None,
    num_threads: Annotated[int | None, typer.Option(help="torch threads [default: usable cores]")] = None,
    extra_train: Annotated[list[Path] | None, typer.Option(help="another train manifest (joint training; repeatable)")] = None,
) -> None:
    """Train a CTC model from manifests; resume from the newest checkpoint in WORK_DIR.

    Example: python -m steps train_ctc data/train/manifest.jsonl data/dev/manifest.jsonl data/lang/vocab.json conf/tiny.yaml exp/tiny/model exp/tiny/work
    """
    log.info("command: %s", " ".join(sys.argv))
    try:
        train_ctc(train_manifest, dev_manifest, vocab, config, model_dir, work_dir,
                  max_steps=max_steps, num_threads=num_threads, extra_train=extra_train or ())
    except CurrachError as exc:
        log.error("%s", exc)
        raise typer.Exit(code=1) from exc

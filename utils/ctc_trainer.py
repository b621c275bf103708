"""Hugging Face Trainer pieces for CTC: greedy dev WER/CER without padding frames, LR re-planning."""
from __future__ import annotations

from typing import Any

import jiwer
import numpy as np
import torch
from torch.utils.data import DataLoader
from transformers import Trainer, TrainerCallback

from utils.batching import DurationBatchSampler
from pipeline.kill_points import kill_point


class CtcTrainer(Trainer):
    """A Trainer whose evaluation keeps greedy ids, not logits, and marks padding frames -100.

    In a padded batch the frames past an utterance's end still get (meaningless) outputs;
    read as letters they would add junk to the end of short utterances' hypotheses.
    `max_batch_seconds` > 0 trains on dynamic batches (utils.batching) instead of a fixed
    number of utterances per batch.
    """

    def __init__(self, *args, max_batch_seconds: float = 0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_batch_seconds = max_batch_seconds
        # The CTC loss is a mean that ignores `num_items_in_batch`; left True, the Trainer would
        # multiply it by the process count (DDP) and skip dividing it by gradient_accumulation_steps.
        self.model_accepts_loss_kwargs = False

    def get_train_dataloader(self) -> DataLoader:
        if not self.max_batch_seconds:
            return super().get_train_dataloader()
        durations = self.train_dataset[self.args.length_column_name]
        batches = DurationBatchSampler(durations, self.max_batch_seconds, seed=self.args.seed)
        return self.accelerator.prepare(DataLoader(
            self.train_dataset, batch_sampler=batches, collate_fn=self.data_collator,
            num_workers=self.args.dataloader_num_workers, pin_memory=self.args.dataloader_pin_memory))

    def prediction_step(self, model, inputs, prediction_loss_only, ignore_keys=None):
        loss, logits, labels = super().prediction_step(model, inputs, prediction_loss_only, ignore_keys)
        if logits is None:
            return loss, logits, labels
        ids = logits.argmax(dim=-1)
        mask = inputs.get("attention_mask")
        if mask is not None:
            network = self.accelerator.unwrap_model(model)
            frames = network._get_feat_extract_output_lengths(mask.sum(dim=-1)).to(ids.device)
            ids[torch.arange(ids.shape[1], device=ids.device)[None, :] >= frames[:, None]] = -100
        return loss, ids, labels


def greedy_error_rates(tokenizer: Any):
    """compute_metrics for CtcTrainer: dev greedy (best-path) WER and CER, as fractions."""

    def compute(prediction) -> dict[str, float]:
        ids = np.where(prediction.predictions == -100, tokenizer.pad_token_id, prediction.predictions)
        labels = np.where(prediction.label_ids == -100, tokenizer.pad_token_id, prediction.label_ids)
        hyps = tokenizer.batch_decode(ids)
        refs = tokenizer.batch_decode(labels, group_tokens=False)
        pairs = [(ref, hyp) for ref, hyp in zip(refs, hyps) if ref.strip()]
        refs, hyps = [ref for ref, _ in pairs], [hyp for _, hyp in pairs]
        return {"wer": jiwer.wer(refs, hyps), "cer": jiwer.cer(refs, hyps)}

    return compute


class ReplanSchedule(TrainerCallback):
    """On resume, set the learning rate that the schedule gives for the current step.

    A checkpoint stores the optimiser's last learning rate; when `max_steps` or the epochs
    changed since (a longer run continuing a shorter one), that rate belongs to the old plan.
    """

    def on_train_begin(self, args, state, control, optimizer=None, lr_scheduler=None, **kwargs):
        if not isinstance(lr_scheduler, torch.optim.lr_scheduler.LambdaLR):
            return
        step = lr_scheduler.last_epoch
        rates = [base * fn(step) for base, fn in zip(lr_scheduler.base_lrs, lr_scheduler.lr_lambdas)]
        for group, rate in zip(optimizer.param_groups, rates):
            group["lr"] = rate
        lr_scheduler._last_lr = rates


class StepKillPoint(TrainerCallback):
    """`pipeline.kill_points.kill_point("train_step")` after each optimiser step (interruption tests).

    on_step_end runs before the Trainer saves that step's checkpoint, so a kill at step N
    leaves the checkpoints of the steps before N.
    """

    def on_step_end(self, args, state, control, **kwargs):
        kill_point("train_step")

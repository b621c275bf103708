"""CTC model and training settings: the `model:` and `train:` sections of a recipe config YAML.

Other top-level sections of the same file (decoding, LM, ...) belong to other steps and are
ignored here. Unknown keys inside `model:` or `train:` are errors, so a typo never silently
falls back to a default.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from utils.errors import InputError

MIXED_PRECISION = ("auto", "no", "fp16", "bf16")


@dataclass(frozen=True)
class ModelSettings:
    """What network to train. `pretrained` (hub name or local dir) fine-tunes; absent builds from scratch.

    A relative `pretrained` that names a folder beside the config file (`../exp/synth/model`) is
    read from there, whatever the working directory.

    The size keys (hidden_size ... conv_depthwise_kernel_size) only apply when building a
    filterbank-input w2v-BERT 2.0 CTC model from scratch; a pretrained model keeps its own.
    `fbank_stride` stacks that many 10 ms filterbank frames into one model frame (w2v-BERT 2.0
    uses 2, 20 ms; 3 gives 30 ms frames and a third less computation); a pretrained w2v-BERT
    needs the stride it was trained with.
    `lowercase_labels`: the pretrained CTC model's uppercase letters are taken as lowercase ones,
    both when it is used as is (`train.max_steps: 0`, its own vocabulary) and when its output rows
    are matched to stage 4's vocabulary by symbol (utils.head_transfer).
    """

    pretrained: str | None = None
    hidden_size: int = 144
    num_hidden_layers: int = 4
    num_attention_heads: int = 4
    intermediate_size: int = 576
    conv_depthwise_kernel_size: int = 15
    fbank_stride: int = 2
    attention_dropout: float = 0.0
    hidden_dropout: float = 0.0
    activation_dropout: float = 0.0
    feat_proj_dropout: float = 0.0
    final_dropout: float = 0.0
    layerdrop: float = 0.0
    mask_time_prob: float = 0.05
    mask_time_length: int = 10
    mask_feature_prob: float = 0.0
    mask_feature_length: int = 10
    ctc_loss_reduction: str = "mean"
    freeze_feature_encoder: bool = False
    gradient_checkpointing: bool = False
    lowercase_labels: bool = False
    # a strided convolutional adapter on top of the encoder (w2v-BERT 2.0 recipe: 40 ms frames, not 20)
    add_adapter: bool = False
    # MMS-style models: train only a new language adapter and head named adapter_lang (e.g. "gle"), base
    # frozen, optionally starting from the existing adapter adapter_init (e.g. "eng"); utils.ctc_adapter
    adapter_lang: str | None = None
    adapter_init: str | None = None


@dataclass(frozen=True)
class TrainSettings:
    """How to train: optimiser, schedule, batching, checkpointing. Steps are optimiser updates.

    `speed_perturb` lists speed factors (Kaldi's 0.9, 1.0, 1.1): each training utterance is
    used once per factor, resampled on the fly (tempo and pitch change together). Empty: off.
    `cache_features` keeps each utterance's extracted inputs under the work dir and reads them
    back in later epochs (utils.feature_cache): filterbank extraction is then paid once, not
    every epoch, at a disk cost of about 115 MB per hour of audio (80 float32 values per
    10 ms). Off by default; the tiny configs turn it on.
    `max_batch_seconds` > 0: dynamic batches of similar-length utterances holding at most that
    many seconds of padded audio (utils.batching); `batch_size` is then unused for training.
    `mixed_precision`: "bf16" on a CPU autocasts to bf16 where the CPU has native bf16, else
    trains in float32 (utils.precision). `torch_compile` compiles the model (TorchInductor);
    its compile time (minutes on 2 cores) pays only in long runs. Both off by default: see
    bench/RESULTS.md (train part) for what each bought on the tiny model.
    """

    seed: int = 42
    batch_size: int = 16
    eval_batch_size: int = 16
    gradient_accumulation_steps: int = 1
    learning_rate: float = 1e-3
    lr_scheduler_type: str = "linear"
    warmup_steps: int = 100
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    num_train_epochs: float = 10.0
    max_steps: int = -1  # -1: train for num_train_epochs; 0: no training (pretrained model as is)
    group_by_length: bool = True
    logging_steps: int = 25
    eval_steps: int = 200
    save_steps: int = 200
    save_total_limit: int = 2
    mixed_precision: str = "auto"
    dataloader_num_workers: int = 0
    speed_perturb: tuple[float, ...] = ()
    cache_features: bool = False
    max_batch_seconds: float = 0.0
    torch_compile: bool = False
    train_repeat: int = 1  # with extra train manifests (joint training): the main one this many times per epoch


@dataclass(frozen=True)
class CtcConfig:
    """The resolved `model` and `train` sections of one config file."""

    model: ModelSettings = field(default_factory=ModelSettings)
    train: TrainSettings = field(default_factory=TrainSettings)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, the shape of the YAML it came from (for saving beside the outputs)."""
        sections = {"model": dataclasses.asdict(self.model), "train": dataclasses.asdict(self.train)}
        return {name: {key: list(value) if isinstance(value, tuple) else value for key, value in values.items()}
                for name, values in sections.items()}


def load_ctc_config(path: Path, max_steps: int | None = None) -> CtcConfig:
    """Read `model:` and `train:` from a YAML config; `max_steps` (if given) overrides train.max_steps.

    Raises InputError for a missing or unreadable file, a section that is not a mapping, an
    unknown key, or a value of the wrong type.
    """
    if not path.is_file():
        raise InputError(f"{path}: config file not found (recipes keep them in recipes/<id>/conf/)")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid UTF-8 YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a mapping with `model:` and `train:` sections")
    model = _section(path, doc, "model", ModelSettings)
    train = _section(path, doc, "train", TrainSettings)
    if max_steps is not None:
        train = dataclasses.replace(train, max_steps=max_steps)
    if model.pretrained and not Path(model.pretrained).is_absolute() and (path.parent / model.pretrained).is_dir():
        # another recipe's or stage's model dir, written relative to the config file (../exp/x/model)
        model = dataclasses.replace(model, pretrained=str((path.parent / model.pretrained).resolve()))
    _check_values(path, model, train)
    return CtcConfig(model=model, train=train)


def _section(path: Path, doc: dict, name: str, cls: type) -> Any:
    raw = doc.get(name) or {}
    if not isinstance(raw, dict):
        raise InputError(f"{path}: `{name}:` must be a mapping of settings, got {type(raw).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise InputError(f"{path}: unknown `{name}` setting(s) {unknown}; known: {sorted(fields)}")
    values = {}
    for key, value in raw.items():
        values[key] = _coerce(path, f"{name}.{key}", value, fields[key].default)
    return cls(**values)


def _coerce(path: Path, key: str, value: Any, default: Any) -> Any:
    """Check a YAML value against the default's type; ints are accepted where floats are expected."""
    if value is None or default is None:
        return None if value is None else str(value)
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif isinstance(default, tuple):
        if isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            return tuple(float(v) for v in value)
        raise InputError(f"{path}: `{key}` must be a list of numbers, got {value!r}")
    elif isinstance(value, type(default)):
        return value
    raise InputError(f"{path}: `{key}` must be a {type(default).__name__}, got {value!r}")


def _check_values(path: Path, model: ModelSettings, train: TrainSettings) -> None:
    if train.mixed_precision not in MIXED_PRECISION:
        raise InputError(f"{path}: `train.mixed_precision` must be one of {MIXED_PRECISION}")
    if model.ctc_loss_reduction not in ("mean", "sum"):
        raise InputError(f"{path}: `model.ctc_loss_reduction` must be 'mean' or 'sum'")
    if any(not 0.5 <= factor <= 2.0 for factor in train.speed_perturb):
        raise InputError(f"{path}: `train.speed_perturb` factors must lie between 0.5 and 2.0")
    if train.max_batch_seconds < 0:
        raise InputError(f"{path}: `train.max_batch_seconds` must be 0 (fixed batch_size) or positive")
    if model.fbank_stride < 1:
        raise InputError(f"{path}: `model.fbank_stride` must be at least 1")
    if model.hidden_size % model.num_attention_heads:
        raise InputError(f"{path}: `model.hidden_size` must be a multiple of num_attention_heads")
    for key in ("batch_size", "eval_batch_size", "gradient_accumulation_steps", "logging_steps",
                "eval_steps", "save_steps", "save_total_limit"):
        if getattr(train, key) < 1:
            raise InputError(f"{path}: `train.{key}` must be at least 1")
    if (model.adapter_lang or model.adapter_init) and model.pretrained is None:
        raise InputError(f"{path}: `model.adapter_lang` needs `model.pretrained` (an MMS-style model)")
    if model.adapter_init and not model.adapter_lang:
        raise InputError(f"{path}: `model.adapter_init` needs `model.adapter_lang` (the new adapter's name)")
    if train.max_steps == 0 and model.pretrained is None:
        raise InputError(f"{path}: `train.max_steps: 0` (no training) needs `model.pretrained`")
    if train.max_steps < 0 and train.num_train_epochs <= 0:
        raise InputError(f"{path}: set `train.max_steps` or a positive `train.num_train_epochs`")

"""What stage 5 will do with a config, in words, before anything heavy loads (the log's plan, --dry-run).

The start model (`model.pretrained`) is described from its files alone, without torch or
transformers: the architecture class its config.json names (`architectures`) and its parameter
count, read from the safetensors headers. A safetensors file begins with an 8-byte little-endian
unsigned length N, then N bytes of JSON: {tensor name: {"dtype", "shape", "data_offsets"}} plus an
optional "__metadata__"; a tensor holds the product of its shape's values. A checkpoint that has
only pytorch_model.bin (a pickle) cannot be counted without unpickling it, so that is said instead.
"""
from __future__ import annotations

import json
import math
import re
import struct
from pathlib import Path

from utils.errors import InputError
from utils.train_config import CtcConfig, load_ctc_config

SAFETENSORS = "model.safetensors"
SAFETENSORS_INDEX = "model.safetensors.index.json"  # sharded: {"weight_map": {tensor: shard file}}
PICKLES = ("pytorch_model.bin", "pytorch_model.bin.index.json")
HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")  # "org/name" (or a bare legacy "name")


def describe_config(config: Path, max_steps: int | None = None) -> list[str]:
    """describe_training for a config file (`max_steps` overrides train.max_steps, as train_ctc's does)."""
    return describe_training(load_ctc_config(config, max_steps=max_steps))


def describe_training(config: CtcConfig) -> list[str]:
    """What stage 5 will do with `config`: the plan in one line, then (fine-tuning) the start model.

    Raises InputError for a local start model whose config.json or weights cannot be read.
    """
    lines = [_plan(config)]
    if config.model.pretrained:
        lines.append(describe_start_model(config.model.pretrained))
    return lines


def describe_start_model(pretrained: str) -> str:
    """"start model X: <architecture class>, <n> parameters" for a local folder; a hub id or a folder
    not yet written is said as such (nothing is downloaded)."""
    folder = Path(pretrained)
    if folder.is_dir():
        return f"start model {pretrained}: {architecture(folder)}, {parameters(folder)}"
    if HUB_ID.fullmatch(pretrained):
        return f"start model {pretrained}: a hub id, resolved (downloaded or read from the cache) at train time"
    return (f"start model {pretrained}: no such folder yet (a relative path is read beside the config file); "
            "an earlier stage or run must write it before training starts")


def architecture(folder: Path) -> str:
    """The class names a model folder's config.json gives under `architectures`."""
    path = folder / "config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: not found; model.pretrained must name a Hugging Face model folder") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: not readable JSON: {exc}") from exc
    names = config.get("architectures") if isinstance(config, dict) else None
    if not names or not isinstance(names, list):
        model_type = config.get("model_type", "unknown") if isinstance(config, dict) else "unknown"
        return f"architecture not named in config.json (model_type {model_type})"
    return ", ".join(str(name) for name in names)


def parameters(folder: Path) -> str:
    """"<n> parameters (<m>M)" summed over the folder's safetensors headers; pickles are not counted."""
    if (folder / SAFETENSORS).is_file():
        files = [folder / SAFETENSORS]
    elif (folder / SAFETENSORS_INDEX).is_file():
        files = _shards(folder / SAFETENSORS_INDEX)
    elif any((folder / name).is_file() for name in PICKLES):
        return "parameters unknown (pytorch_model.bin)"
    else:
        raise InputError(f"{folder}: no {SAFETENSORS}, {SAFETENSORS_INDEX} or pytorch_model.bin: "
                         "not a Hugging Face model folder")
    count = sum(safetensors_parameters(path) for path in files)
    return f"{count:,} parameters ({count / 1e6:.2f}M)"


def safetensors_parameters(path: Path) -> int:
    """The number of values the tensors of a .safetensors file hold, from its header (no tensor is read)."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            start = f.read(8)
            if len(start) < 8:
                raise InputError(f"{path}: {size} bytes, too short for a safetensors file")
            (length,) = struct.unpack("<Q", start)
            if length > size - 8:
                raise InputError(f"{path}: header length {length} exceeds the file ({size} bytes): "
                                 "not a safetensors file, or cut short")
            header = json.loads(f.read(length).decode("utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: the safetensors header is not JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise InputError(f"{path}: the safetensors header is not a JSON object")
    total = 0
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        shape = entry.get("shape") if isinstance(entry, dict) else None
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            raise InputError(f"{path}: tensor {name!r} has no valid shape in the safetensors header")
        total += math.prod(shape)
    return total


def _shards(index: Path) -> list[Path]:
    try:
        weight_map = json.loads(index.read_text(encoding="utf-8"))["weight_map"]
        names = sorted(set(weight_map.values()))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{index}: not a safetensors index (a JSON object with a weight_map): {exc}") from exc
    missing = [name for name in names if not (index.parent / name).is_file()]
    if missing:
        raise InputError(f"{index}: names shard(s) {', '.join(missing)} that are not in {index.parent}")
    return [index.parent / name for name in names]


def _plan(config: CtcConfig) -> str:
    model, train = config.model, config.train
    if model.pretrained is None:
        what = f"train a {model.num_hidden_layers}x{model.hidden_size} w2v-BERT CTC model from scratch"
    elif train.max_steps == 0:
        return f"use {model.pretrained} as it is, with its own vocabulary (no training)"
    elif model.adapter_lang:
        start = f"from adapter {model.adapter_init!r}" if model.adapter_init else "from scratch"
        what = f"train a new language adapter {model.adapter_lang!r} ({start}) and CTC head on {model.pretrained}, " \
               f"base frozen"
    else:
        what = f"fine-tune {model.pretrained}, CTC head sized to the vocab" + (", conv adapter" if model.add_adapter else "")
    length = f"{train.max_steps} steps" if train.max_steps > 0 else f"{train.num_train_epochs:g} epochs"
    return (f"{what}; {length}, batch {train.batch_size} x {train.gradient_accumulation_steps} accumulated, "
            f"lr {train.learning_rate:g}, gradient checkpointing {'on' if model.gradient_checkpointing else 'off'}, "
            f"mixed precision {train.mixed_precision} (on a GPU only)")

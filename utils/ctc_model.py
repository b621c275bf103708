"""Build or load a CTC acoustic model and its processor; save and recognise finished model dirs.

Two kinds of input, chosen by the model type:
- raw waveform (wav2vec2, XLS-R, ...): `Wav2Vec2FeatureExtractor`, normalised samples;
- 80-dim log-mel filterbanks stacked by two frames (w2v-BERT 2.0): `SeamlessM4TFeatureExtractor`.
A model built from scratch is a small w2v-BERT 2.0 (Conformer) CTC model: filterbank input
learns far faster on a CPU than a raw-waveform convolutional front end.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

import yaml
from transformers import (
    AutoConfig,
    AutoFeatureExtractor,
    AutoModelForCTC,
    AutoTokenizer,
    PreTrainedModel,
    SeamlessM4TFeatureExtractor,
    Wav2Vec2BertConfig,
    Wav2Vec2BertForCTC,
    Wav2Vec2BertProcessor,
    Wav2Vec2CTCTokenizer,
    Wav2Vec2FeatureExtractor,
    Wav2Vec2Processor,
)

from utils.ctc_adapter import adapter_language, build_adapter_model, save_adapter_files
from utils.errors import InputError
from utils.head_transfer import load_ctc_model
from utils.train_config import ModelSettings

log = logging.getLogger(__name__)

FBANK_MODEL_TYPES = ("wav2vec2-bert",)
SETTINGS_FILE = "train_settings.yaml"
VOCAB_SPECIALS = ("[PAD]", "[UNK]", "|")


def load_tokenizer(vocab: Path) -> Wav2Vec2CTCTokenizer:
    """CTC character tokenizer from `vocab.json`: "|" between words, "[PAD]" is the CTC blank.

    Raises InputError if the file is missing, not a JSON object, or lacks a special token.
    Stage 4 (vocab) writes it.
    """
    if not vocab.is_file():
        raise InputError(f"{vocab}: vocab not found (stage 4, vocab, writes data/lang/vocab.json)")
    try:
        table = json.loads(vocab.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{vocab}: not a UTF-8 JSON object: {exc}") from exc
    missing = [token for token in VOCAB_SPECIALS if not isinstance(table, dict) or token not in table]
    if missing:
        raise InputError(f"{vocab}: missing special token(s) {missing}")
    return Wav2Vec2CTCTokenizer(
        str(vocab),
        unk_token="[UNK]",
        pad_token="[PAD]",
        word_delimiter_token="|",
        bos_token=None,
        eos_token=None,
    )


def model_type(settings: ModelSettings) -> str:
    """The transformers model type that `settings` will produce ("wav2vec2-bert" from scratch)."""
    if settings.pretrained is None:
        return "wav2vec2-bert"
    try:
        return AutoConfig.from_pretrained(settings.pretrained).model_type
    except (OSError, ValueError) as exc:
        raise InputError(f"model.pretrained={settings.pretrained!r}: cannot load its config: {exc}") from exc


def build_processor(vocab: Path, kind: str, fbank_stride: int = 2) -> Wav2Vec2Processor | Wav2Vec2BertProcessor:
    """Feature extractor + tokenizer for a model of type `kind` (see module docstring).

    `fbank_stride` consecutive 10 ms filterbank frames are stacked into one model frame.
    """
    tokenizer = load_tokenizer(vocab)
    if kind in FBANK_MODEL_TYPES:
        extractor = SeamlessM4TFeatureExtractor(
            feature_size=80, num_mel_bins=80, sampling_rate=16000, padding_value=0.0, stride=fbank_stride
        )
        return Wav2Vec2BertProcessor(feature_extractor=extractor, tokenizer=tokenizer)
    extractor = Wav2Vec2FeatureExtractor(
        feature_size=1,
        sampling_rate=16000,
        padding_value=0.0,
        do_normalize=True,
        return_attention_mask=True,
    )
    return Wav2Vec2Processor(feature_extractor=extractor, tokenizer=tokenizer)


def _regularisation(settings: ModelSettings) -> dict[str, Any]:
    """Dropout, SpecAugment, CTC and adapter options shared by all ways of making a model."""
    return {
        "add_adapter": settings.add_adapter,
        "attention_dropout": settings.attention_dropout,
        "hidden_dropout": settings.hidden_dropout,
        "activation_dropout": settings.activation_dropout,
        "feat_proj_dropout": settings.feat_proj_dropout,
        "final_dropout": settings.final_dropout,
        "layerdrop": settings.layerdrop,
        "apply_spec_augment": settings.mask_time_prob > 0 or settings.mask_feature_prob > 0,
        "mask_time_prob": settings.mask_time_prob,
        "mask_time_length": settings.mask_time_length,
        "mask_feature_prob": settings.mask_feature_prob,
        "mask_feature_length": settings.mask_feature_length,
        "ctc_loss_reduction": settings.ctc_loss_reduction,
        "ctc_zero_infinity": True,
    }


def build_model(settings: ModelSettings, tokenizer: Wav2Vec2CTCTokenizer) -> PreTrainedModel:
    """A CTC model with an output layer sized to the tokenizer: pretrained, or new (random) weights.

    With `settings.pretrained` the encoder comes from the hub name or local dir; a finished CTC
    model's output rows are reused for the labels both vocabularies share, by symbol
    (utils.head_transfer); `freeze_feature_encoder` freezes a wav2vec2-style convolutional front end.
    """
    labels = {
        "vocab_size": len(tokenizer),
        "pad_token_id": tokenizer.pad_token_id,
        "bos_token_id": None,
        "eos_token_id": None,
    }
    if settings.pretrained is None:
        config = Wav2Vec2BertConfig(
            hidden_size=settings.hidden_size,
            num_hidden_layers=settings.num_hidden_layers,
            num_attention_heads=settings.num_attention_heads,
            intermediate_size=settings.intermediate_size,
            conv_depthwise_kernel_size=settings.conv_depthwise_kernel_size,
            feature_projection_input_dim=80 * settings.fbank_stride,
            **labels,
            **_regularisation(settings),
        )
        model = Wav2Vec2BertForCTC(config)
    elif settings.adapter_lang:  # MMS-style: a new language adapter and head, base frozen
        model = build_adapter_model(settings.pretrained, tokenizer, settings.adapter_lang, settings.adapter_init,
                                    **_regularisation(settings))
    else:
        # the output layer is reused label by label, by symbol (utils.head_transfer); what was
        # kept is left on the model for train_settings.yaml
        model, transfer = load_ctc_model(settings.pretrained, tokenizer, settings.lowercase_labels,
                                         **_regularisation(settings))
        model.head_transfer = transfer
    if settings.freeze_feature_encoder and hasattr(model, "freeze_feature_encoder"):
        model.freeze_feature_encoder()
    return model


def load_pretrained_as_is(settings: ModelSettings, work_dir: Path) -> tuple[PreTrainedModel, Any]:
    """The pretrained CTC model `settings.pretrained` with its own processor, for decoding untrained.

    The output layer and vocabulary stay the model's own. `settings.lowercase_labels` renames
    its uppercase letters to lowercase (e.g. wav2vec2-base-960h's "A".."Z"), so its output
    matches lowercase references and LMs; the network is unchanged. The lowercased
    vocab.json is written to `work_dir`. Raises InputError when the model cannot be loaded,
    has no CTC tokenizer, or two labels would collide.
    """
    if settings.pretrained is None:
        raise InputError("train.max_steps 0 (no training) needs model.pretrained: a model to use as is")
    try:
        model = AutoModelForCTC.from_pretrained(settings.pretrained)
        extractor = AutoFeatureExtractor.from_pretrained(settings.pretrained)
        tokenizer = AutoTokenizer.from_pretrained(settings.pretrained)
    except (OSError, ValueError) as exc:
        raise InputError(f"model.pretrained={settings.pretrained!r}: cannot load model and processor: {exc}") from exc
    if not isinstance(tokenizer, Wav2Vec2CTCTokenizer):
        raise InputError(f"model.pretrained={settings.pretrained!r}: its tokenizer is a "
                         f"{type(tokenizer).__name__}, not a character CTC tokenizer")
    if settings.lowercase_labels:
        tokenizer = _lowercase_tokenizer(tokenizer, work_dir, settings.pretrained)
    if model.config.model_type in FBANK_MODEL_TYPES:
        return model, Wav2Vec2BertProcessor(feature_extractor=extractor, tokenizer=tokenizer)
    return model, Wav2Vec2Processor(feature_extractor=extractor, tokenizer=tokenizer)


def _lowercase_tokenizer(tokenizer: Wav2Vec2CTCTokenizer, work_dir: Path, name: str) -> Wav2Vec2CTCTokenizer:
    special = set(tokenizer.all_special_tokens) | {tokenizer.word_delimiter_token}
    vocab = {(token if token in special else token.lower()): index
             for token, index in sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])}
    if len(vocab) != len(tokenizer.get_vocab()):
        raise InputError(f"model.pretrained={name!r}: lowercase_labels would merge labels that differ "
                         f"only in case; set model.lowercase_labels: false")
    work_dir.mkdir(parents=True, exist_ok=True)
    vocab_file = work_dir / "vocab.lowercase.json"
    vocab_file.write_text(json.dumps(vocab, ensure_ascii=False, indent=1), encoding="utf-8")
    return Wav2Vec2CTCTokenizer(str(vocab_file), unk_token=tokenizer.unk_token, pad_token=tokenizer.pad_token,
                                word_delimiter_token=tokenizer.word_delimiter_token,
                                bos_token=tokenizer.bos_token, eos_token=tokenizer.eos_token)


def is_finished_model(model_dir: Path) -> bool:
    """True if `model_dir` holds a model saved by `save_model_dir` (config, weights, settings)."""
    return (
        (model_dir / "config.json").is_file()
        and (model_dir / SETTINGS_FILE).is_file()
        and any(model_dir.glob("model*.safetensors"))
    )


def save_model_dir(model: PreTrainedModel, processor: Any, settings: dict, model_dir: Path) -> None:
    """Write model (safetensors), processor and `train_settings.yaml` to a temporary dir, then rename.

    A model with a language adapter gets the MMS layout too (utils.ctc_adapter.save_adapter_files).

    A crash leaves either no `model_dir` or a complete one. An empty existing `model_dir` is
    replaced; a non-empty one that is not a finished model raises InputError.
    """
    if model_dir.exists() and any(model_dir.iterdir()):
        raise InputError(f"{model_dir}: exists and is not a finished model; move it away first")
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = model_dir.parent / f".{model_dir.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    model.save_pretrained(tmp)
    processor.save_pretrained(tmp)
    if adapter_language(model):
        save_adapter_files(model, tmp, adapter_language(model))
    with (tmp / SETTINGS_FILE).open("w", encoding="utf-8") as handle:
        yaml.safe_dump(settings, handle, sort_keys=False, allow_unicode=True)
    if model_dir.exists():
        model_dir.rmdir()
    os.replace(tmp, model_dir)
    log.info("saved model to %s", model_dir)

"""Language-adapter fine-tuning of MMS-style CTC models (wav2vec2 with `adapter_attn_dim`).

An MMS checkpoint (e.g. facebook/mms-1b-all) holds one small attention adapter per transformer
layer and, per language, a file `adapter.<lang>.safetensors` with that language's adapter weights
and CTC head; its `vocab.json` is nested, one vocabulary per language code, and
`tokenizer_config.json` names the `target_lang`. Adapting to a new language trains only a fresh
adapter and head (about 2M parameters of the 1B) with the base frozen (the Hugging Face MMS
adapter recipe, blog post "Fine-tuning MMS Adapter Models for Multi-Lingual ASR", 2023).

`model.adapter_lang` names the new adapter (e.g. "gle"); `model.adapter_init` optionally names an
existing one to start from (e.g. "eng"): its adapter layers are loaded and its head rows are
copied for the labels both vocabularies share, by symbol, as utils.head_transfer copies them
(`copy_rows`; a label whose id has no row in the adapter's head is an error); other rows start fresh.
The finished model dir follows the MMS convention (`save_adapter_files`), so
`Wav2Vec2ForCTC.from_pretrained(model_dir, target_lang=lang)` and the stock ASR pipeline both load it.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from utils.errors import InputError
from utils.head_transfer import copy_rows

log = logging.getLogger(__name__)

ADAPTER_FILE = "adapter.{}.safetensors"  # transformers' WAV2VEC2_ADAPTER_SAFE_FILE


def build_adapter_model(pretrained: str, tokenizer: Any, adapter_lang: str, adapter_init: str | None,
                        **config_kwargs: Any) -> Any:
    """The pretrained MMS-style model with a head sized to `tokenizer`, only adapters and head trainable.

    Raises InputError when `pretrained` cannot be loaded, has no adapter layers
    (`adapter_attn_dim` unset) or lacks the adapter file of `adapter_init`.
    """
    from transformers import Wav2Vec2ForCTC

    try:
        model = Wav2Vec2ForCTC.from_pretrained(
            pretrained, ignore_mismatched_sizes=True, vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id,
            bos_token_id=None, eos_token_id=None, **config_kwargs)
    except (OSError, ValueError) as exc:
        raise InputError(f"model.pretrained={pretrained!r}: cannot load as a wav2vec2 CTC model: {exc}") from exc
    if getattr(model.config, "adapter_attn_dim", None) is None:
        raise InputError(f"model.pretrained={pretrained!r}: has no language adapters (config adapter_attn_dim "
                         f"is unset); model.adapter_lang needs an MMS-style model such as facebook/mms-1b-all")
    model.init_adapter_layers()  # fresh adapters and head, as the MMS recipe does
    if adapter_init:
        _start_from(model, pretrained, adapter_init, tokenizer)
    model.freeze_base_model()
    trainable = model._get_adapters()
    for param in trainable.values():
        param.requires_grad = True
    model.target_lang = adapter_lang
    log.info("adapter %r: training %.2fM of %.2fM parameters (adapters and head; base frozen)%s", adapter_lang,
             sum(p.numel() for p in trainable.values()) / 1e6, model.num_parameters() / 1e6,
             f", starting from adapter {adapter_init!r}" if adapter_init else "")
    return model


def _start_from(model: Any, pretrained: str, lang: str, tokenizer: Any) -> None:
    """Load adapter `lang`'s layers; copy its head rows for the labels our vocabulary shares."""
    from safetensors.torch import load_file
    from transformers.utils import cached_file

    try:
        weights_file = cached_file(pretrained, ADAPTER_FILE.format(lang))
        weights = load_file(weights_file)
        vocab_file = cached_file(pretrained, "vocab.json")
        theirs = json.loads(Path(vocab_file).read_text(encoding="utf-8")).get(lang)
    except (OSError, ValueError) as exc:
        raise InputError(f"model.adapter_init={lang!r}: {pretrained} has no {ADAPTER_FILE.format(lang)} "
                         f"or vocab.json: {exc}") from exc
    if not isinstance(theirs, dict):
        raise InputError(f"model.adapter_init={lang!r}: {pretrained}/vocab.json has no vocabulary for {lang!r}")
    if "lm_head.weight" not in weights:
        raise InputError(f"{weights_file}: holds no CTC head (lm_head.weight) to start adapter {lang!r} from")
    layers = {name: value for name, value in weights.items() if not name.startswith("lm_head.")}
    missing, unexpected = model.load_state_dict(layers, strict=False)
    if unexpected:
        raise InputError(f"{weights_file}: unexpected weights {sorted(unexpected)[:5]}")
    ours = tokenizer.get_vocab()
    pairs = _by_symbol(ours, theirs, tokenizer)
    labels = {index: symbol for symbol, index in theirs.items()}
    copy_rows(model.lm_head, weights["lm_head.weight"], weights.get("lm_head.bias"), pairs, labels,
              source=f"{vocab_file} ({lang!r}) against {weights_file}")
    log.info("adapter %r: head rows kept for %d of %d labels (by symbol); the others start fresh",
             lang, len(pairs), len(ours))


def _by_symbol(ours: dict[str, int], theirs: dict[str, int], tokenizer: Any) -> dict[int, int]:
    """our id -> their id for each label both vocabularies hold; the blank and unknown by role."""
    pairs = {ours[symbol]: theirs[symbol] for symbol in ours if symbol in theirs}
    for role, their_name in (("pad_token", "<pad>"), ("unk_token", "<unk>")):
        our_name = getattr(tokenizer, role)
        if our_name in ours and their_name in theirs:
            pairs[ours[our_name]] = theirs[their_name]
    return pairs


def adapter_language(model: Any) -> str | None:
    """The language adapter `model` carries (set by build_adapter_model or from_pretrained(target_lang=...)),
    or None for a model without language adapters."""
    if getattr(getattr(model, "config", None), "adapter_attn_dim", None) is None:
        return None
    return getattr(model, "target_lang", None)


def save_adapter_files(model: Any, model_dir: Path, lang: str) -> None:
    """Write the MMS layout into a saved model dir: `adapter.<lang>.safetensors`, a vocabulary nested
    under `lang`, and `target_lang` in tokenizer_config.json (model and tokenizer already saved there)."""
    from safetensors.torch import save_file

    tensors = {name: param.detach().cpu().contiguous() for name, param in model._get_adapters().items()}
    save_file(tensors, str(model_dir / ADAPTER_FILE.format(lang)), metadata={"format": "pt"})
    vocab_path = model_dir / "vocab.json"
    vocab = json.loads(vocab_path.read_text(encoding="utf-8"))
    vocab_path.write_text(json.dumps({lang: vocab}, ensure_ascii=False, indent=2), encoding="utf-8")
    config_path = model_dir / "tokenizer_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["target_lang"] = lang
    config_path.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")

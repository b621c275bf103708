"""Start a CTC model from a pretrained one, reusing its output layer label by label, by symbol.

`model.pretrained` may be
(a) a pretraining checkpoint without a CTC head (wav2vec2-base, XLS-R, w2v-BERT 2.0): the encoder
    is loaded and the output layer is new;
(b) a finished CTC model with its own character tokenizer (another recipe's exp/<tag>/model, a
    hub fine-tune): the new output layer takes the trained row (weight and bias) of every label
    the two vocabularies share, by symbol; only labels the source never had start fresh. The
    blank/pad, unknown and word-delimiter tokens are matched by role ("[PAD]" <-> "<pad>"), every
    other label by its exact symbol. A row is never kept by position: two vocabularies of the same
    size in another order would otherwise give every letter another letter's row;
(c) a CTC model without a CTC tokenizer: nothing says which row is which symbol, so the whole
    output layer starts fresh (logged as a warning).
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any, Mapping

import torch
from transformers import AutoConfig, AutoModelForCTC, AutoTokenizer, PreTrainedModel, Wav2Vec2CTCTokenizer

from utils.errors import InputError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HeadTransfer:
    """Which labels of the new vocabulary took the source model's row, and which are new."""

    source: str
    kept: list[str]      # new-vocabulary labels whose row is the source's row for the same symbol
    new: list[str]       # labels the source does not have: fresh rows
    dropped: list[str]   # source labels the new vocabulary does not have

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for train_settings.yaml."""
        return asdict(self)


def load_ctc_model(pretrained: str, tokenizer: Wav2Vec2CTCTokenizer, lowercase_labels: bool,
                   **config_overrides: Any) -> tuple[PreTrainedModel, HeadTransfer | None]:
    """Load `pretrained` as a CTC model whose output layer fits `tokenizer` (cases a-c above).

    `config_overrides` (dropout, SpecAugment, CTC options) go to `from_pretrained`.
    `lowercase_labels` matches the source's uppercase letters to lowercase ones (wav2vec2-base-960h).
    Returns the model and, for a finished CTC source, what was kept. Raises InputError when the
    model cannot be loaded.
    """
    source_tokenizer, is_ctc = _source_tokenizer(pretrained)
    labels = {"vocab_size": len(tokenizer), "pad_token_id": tokenizer.pad_token_id,
              "bos_token_id": None, "eos_token_id": None}
    try:
        if not is_ctc:
            return AutoModelForCTC.from_pretrained(pretrained, ignore_mismatched_sizes=True, **labels,
                                                   **config_overrides), None
        model = AutoModelForCTC.from_pretrained(pretrained, **config_overrides)  # its own head, all rows
    except (OSError, ValueError) as exc:
        raise InputError(f"model.pretrained={pretrained!r}: cannot load: {exc}") from exc
    if source_tokenizer is None:
        log.warning("model.pretrained=%r is a CTC model without a CTC tokenizer: no row can be matched "
                    "to a symbol, so its whole output layer starts fresh", pretrained)
        pairs: dict[int, int] = {}
        labels: dict[int, str] = {}
    else:
        pairs = match_labels(source_tokenizer, tokenizer, lowercase_labels)
        labels = {index: symbol for symbol, index in source_tokenizer.get_vocab().items()}
    replace_head(model, pairs, tokenizer, labels, source=f"{pretrained}/vocab.json against {pretrained}'s weights")
    transfer = _report(pretrained, pairs, source_tokenizer, tokenizer)
    log.info("output layer from %s: %d labels kept %s; %d new %s; %d source labels dropped %s", pretrained,
             len(transfer.kept), transfer.kept, len(transfer.new), transfer.new, len(transfer.dropped),
             transfer.dropped)
    return model, transfer


def match_labels(source: Wav2Vec2CTCTokenizer, target: Wav2Vec2CTCTokenizer,
                 lowercase_source: bool = False) -> dict[int, int]:
    """{target id: source id} for every label both share: special tokens by role, others by symbol.

    Raises InputError if lowercasing would give two source rows one symbol.
    """
    roles = {}
    for role in ("pad_token", "unk_token", "word_delimiter_token"):
        mine, theirs = getattr(target, role), getattr(source, role)
        if mine is not None and theirs is not None:
            roles[mine] = theirs
    role_symbols = set(roles.values())
    by_symbol: dict[str, int] = {}
    for symbol, index in source.get_vocab().items():
        key = symbol if symbol in role_symbols or not lowercase_source else symbol.lower()
        if key in by_symbol and by_symbol[key] != index:
            raise InputError(f"source vocabulary: labels {symbol!r} and another map to {key!r} "
                             "when lowercased; set model.lowercase_labels: false")
        by_symbol[key] = index
    pairs = {}
    for index in range(len(target)):
        symbol = target.convert_ids_to_tokens(index)
        wanted = roles.get(symbol, symbol)
        if wanted in by_symbol:
            pairs[index] = by_symbol[wanted]
    return pairs


def replace_head(model: PreTrainedModel, pairs: dict[int, int], tokenizer: Wav2Vec2CTCTokenizer,
                 labels: Mapping[int, str], source: str) -> None:
    """Give `model` an output layer of len(tokenizer) rows: row t = old row pairs[t], others fresh.

    Fresh rows are drawn as the model's own initialisation draws them (normal, std
    `initializer_range`; bias 0), so under a fixed seed the result is reproducible. `labels`
    (source id -> symbol) and `source` (its files) name a source id without a row (copy_rows).
    """
    old = model.lm_head
    rows = len(tokenizer)
    new = torch.nn.Linear(old.in_features, rows, bias=old.bias is not None,
                          device=old.weight.device, dtype=old.weight.dtype)
    with torch.no_grad():
        new.weight.normal_(mean=0.0, std=getattr(model.config, "initializer_range", 0.02))
        if new.bias is not None:
            new.bias.zero_()
    copy_rows(new, old.weight, old.bias, pairs, labels, source)
    model.lm_head = new
    model.config.vocab_size = rows
    model.config.pad_token_id = tokenizer.pad_token_id
    model.config.bos_token_id = None
    model.config.eos_token_id = None


def copy_rows(head: torch.nn.Linear, weight: torch.Tensor, bias: torch.Tensor | None, pairs: dict[int, int],
              labels: Mapping[int, str], source: str) -> None:
    """Row t of `head` (weight, and bias where both have one) becomes source row pairs[t] of `weight` / `bias`.

    Every pair is checked before any row is copied: a source id without a row in `weight` means the
    source's vocabulary and weights disagree, and raises InputError naming `source` (its files) and
    the label (`labels`: source id -> symbol), rather than leaving that label's row fresh unsaid.
    """
    rows = weight.shape[0]
    for source_id in sorted(set(pairs.values())):
        if not 0 <= source_id < rows:
            raise InputError(f"{source}: label {labels.get(source_id, '?')!r} has id {source_id}, but the source "
                             f"output layer has {rows} rows: its vocabulary and its weights disagree")
    with torch.no_grad():
        for target_id, source_id in pairs.items():
            head.weight[target_id] = weight[source_id]
            if head.bias is not None and bias is not None:
                head.bias[target_id] = bias[source_id]


def _source_tokenizer(pretrained: str) -> tuple[Wav2Vec2CTCTokenizer | None, bool]:
    """(the source's CTC tokenizer or None, whether the source is a CTC model)."""
    try:
        config = AutoConfig.from_pretrained(pretrained)
    except (OSError, ValueError) as exc:
        raise InputError(f"model.pretrained={pretrained!r}: cannot load its config: {exc}") from exc
    if not any(name.endswith("ForCTC") for name in (config.architectures or [])):
        return None, False
    try:
        tokenizer = AutoTokenizer.from_pretrained(pretrained)
    except (OSError, ValueError, TypeError):  # no tokenizer files: case (c)
        return None, True
    return (tokenizer if isinstance(tokenizer, Wav2Vec2CTCTokenizer) else None), True


def _report(pretrained: str, pairs: dict[int, int], source: Wav2Vec2CTCTokenizer | None,
            target: Wav2Vec2CTCTokenizer) -> HeadTransfer:
    targets = [target.convert_ids_to_tokens(index) for index in range(len(target))]
    used = set(pairs.values())
    dropped = [] if source is None else [symbol for symbol, index in sorted(source.get_vocab().items(),
                                                                             key=lambda item: item[1])
                                         if index not in used]
    return HeadTransfer(source=pretrained, kept=[targets[i] for i in sorted(pairs)],
                        new=[s for i, s in enumerate(targets) if i not in pairs], dropped=dropped)

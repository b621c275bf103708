"""utils.head_transfer: a finished CTC model's output rows are reused by symbol, never by position."""
from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from utils.ctc_model import build_model, load_tokenizer
from utils.train_config import ModelSettings

LETTERS = list("abcdefghijklmnopqrstuvwxyz'")
TINY = {"hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 32,
        "conv_depthwise_kernel_size": 3, "mask_time_prob": 0.0}


def _tokenizer(root: Path, table: dict[str, int], hub_style: bool):
    """A CTC tokenizer as a hub fine-tune (<pad>, <unk>, <s>, </s>) or currach (stage 4) writes it."""
    from transformers import Wav2Vec2CTCTokenizer

    root.mkdir(parents=True, exist_ok=True)
    (root / "vocab.json").write_text(json.dumps(table), encoding="utf-8")
    if hub_style:
        return Wav2Vec2CTCTokenizer(str(root / "vocab.json"), unk_token="<unk>", pad_token="<pad>",
                                    bos_token="<s>", eos_token="</s>", word_delimiter_token="|")
    return load_tokenizer(root / "vocab.json")


def make_source(root: Path, symbols: list[str], hub_style: bool = False) -> Path:
    """A finished random Wav2Vec2BertForCTC with its processor, whose head has a row per symbol."""
    from transformers import SeamlessM4TFeatureExtractor, Wav2Vec2BertConfig, Wav2Vec2BertForCTC, Wav2Vec2BertProcessor

    specials = ["<pad>", "<s>", "</s>", "<unk>", "|"] if hub_style else ["[PAD]", "[UNK]", "|"]
    table = {symbol: index for index, symbol in enumerate(specials + symbols)}
    tokenizer = _tokenizer(root / "tok", table, hub_style)
    torch.manual_seed(1)
    config = Wav2Vec2BertConfig(vocab_size=len(table), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                intermediate_size=32, feature_projection_input_dim=160, conv_depthwise_kernel_size=3,
                                add_adapter=False, pad_token_id=tokenizer.pad_token_id)
    model = Wav2Vec2BertForCTC(config)
    with torch.no_grad():  # distinct, non-zero biases so a bias copied from the wrong row shows
        model.lm_head.bias.copy_(torch.randn(len(table)))
    model_dir = root / "model"
    model.save_pretrained(model_dir)
    extractor = SeamlessM4TFeatureExtractor(feature_size=80, num_mel_bins=80, sampling_rate=16000, stride=2)
    Wav2Vec2BertProcessor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(model_dir)
    return model_dir


def target_tokenizer(root: Path, symbols: list[str]):
    table = {symbol: index for index, symbol in enumerate(symbols)}
    return _tokenizer(root, table, hub_style=False)


def source_rows(model_dir: Path) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    from transformers import AutoModelForCTC, AutoTokenizer

    model, tokenizer = AutoModelForCTC.from_pretrained(model_dir), AutoTokenizer.from_pretrained(model_dir)
    return {symbol: (model.lm_head.weight[index].detach().clone(), model.lm_head.bias[index].detach().clone())
            for symbol, index in tokenizer.get_vocab().items()}


ROLE = {"[PAD]": "<pad>", "[UNK]": "<unk>"}


@pytest.mark.parametrize("seed, keep, extra, hub_style", [
    (0, 27, [], False),            # same labels, another order
    (1, 20, ["é", "ü", "-"], False),  # fewer shared, some new: a larger vocab
    (2, 12, [], True),             # a smaller vocab from a hub-style source (<pad>, <unk>, <s>, </s>)
    (3, 27, ["ñ"], True),
])
def test_every_shared_label_takes_the_source_row(tmp_path, seed, keep, extra, hub_style):
    source = make_source(tmp_path / "src", LETTERS, hub_style)
    rng = random.Random(seed)
    symbols = rng.sample(LETTERS, keep) + extra + ["[PAD]", "[UNK]", "|"]
    rng.shuffle(symbols)
    tokenizer = target_tokenizer(tmp_path / "tgt", symbols)
    model = build_model(ModelSettings(pretrained=str(source), **TINY), tokenizer)
    rows = source_rows(source)
    assert model.lm_head.weight.shape[0] == len(symbols) == model.config.vocab_size
    assert model.config.pad_token_id == tokenizer.pad_token_id
    for index, symbol in enumerate(symbols):
        if symbol in extra:
            continue
        weight, bias = rows[ROLE.get(symbol, symbol) if hub_style else symbol]
        assert torch.equal(model.lm_head.weight[index], weight), symbol
        assert torch.equal(model.lm_head.bias[index], bias), symbol
    transfer = model.head_transfer
    assert sorted(transfer.new) == sorted(extra)
    assert sorted(transfer.kept) == sorted(set(symbols) - set(extra))
    assert sorted(transfer.dropped) == sorted(set(rows) - {ROLE.get(s, s) if hub_style else s for s in symbols})


def test_equal_size_reordered_vocab_decodes_as_the_source_before_training(tmp_path):
    from transformers import AutoModelForCTC, AutoProcessor

    source = make_source(tmp_path / "src", LETTERS)
    symbols = ["[PAD]", "[UNK]", "|", *LETTERS]
    random.Random(7).shuffle(symbols)
    tokenizer = target_tokenizer(tmp_path / "tgt", symbols)
    assert tokenizer.get_vocab() != AutoProcessor.from_pretrained(source).tokenizer.get_vocab()
    model = build_model(ModelSettings(pretrained=str(source), **TINY), tokenizer).eval()
    reference, processor = AutoModelForCTC.from_pretrained(source).eval(), AutoProcessor.from_pretrained(source)
    audio = np.random.default_rng(0).standard_normal(16000 * 3).astype("float32") * 0.1
    features = processor.feature_extractor(audio, sampling_rate=16000, return_tensors="pt")
    with torch.no_grad():
        theirs = processor.tokenizer.decode(reference(**features).logits[0].argmax(-1))
        ours = tokenizer.decode(model(**features).logits[0].argmax(-1))
    assert len(theirs.replace(" ", "")) >= 5  # a random head emits letters: the comparison means something
    assert ours == theirs


def test_ctc_model_without_tokenizer_starts_a_fresh_head(tmp_path):
    source = make_source(tmp_path / "src", LETTERS)
    for name in ("vocab.json", "tokenizer_config.json", "special_tokens_map.json"):
        (source / name).unlink(missing_ok=True)
    tokenizer = target_tokenizer(tmp_path / "tgt", ["[PAD]", "[UNK]", "|", *LETTERS])
    model = build_model(ModelSettings(pretrained=str(source), **TINY), tokenizer)
    rows = source_rows_by_position(source)
    assert model.head_transfer.kept == []
    assert not any(torch.equal(model.lm_head.weight[i], rows[i]) for i in range(len(rows)))


def source_rows_by_position(model_dir: Path) -> list[torch.Tensor]:
    from transformers import AutoModelForCTC

    return list(AutoModelForCTC.from_pretrained(model_dir).lm_head.weight.detach())


def test_train_settings_record_kept_and_new_labels(tmp_path):
    import soundfile

    from steps.train_ctc import train_ctc

    source = make_source(tmp_path / "src", LETTERS)
    wav = tmp_path / "a.wav"
    soundfile.write(wav, np.random.default_rng(0).standard_normal(16000).astype("float32") * 0.1, 16000)
    row = {"audio_filepath": str(wav), "duration": 1.0, "text": "ab é", "utt_id": "s-1", "speaker": "s"}
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(json.dumps(row) + "\n", encoding="utf-8")
    target_tokenizer(tmp_path / "lang", ["[PAD]", "[UNK]", "|", "é", "b", "a"])
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump({"model": {"pretrained": str(source), **TINY}, "train": {
        "batch_size": 1, "warmup_steps": 0, "logging_steps": 1, "eval_steps": 1, "save_steps": 1}}))
    model_dir = train_ctc(manifest, manifest, tmp_path / "lang/vocab.json", config, tmp_path / "model",
                          tmp_path / "work", max_steps=1, num_threads=1)
    recorded = yaml.safe_load((model_dir / "train_settings.yaml").read_text(encoding="utf-8"))["head_transfer"]
    assert recorded["source"] == str(source) and recorded["new"] == ["é"]
    assert sorted(recorded["kept"]) == ["[PAD]", "[UNK]", "a", "b", "|"]


def test_copy_rows_copies_weight_and_bias_by_pair_and_checks_every_pair_first():
    from utils.errors import InputError
    from utils.head_transfer import copy_rows

    weight, bias = torch.arange(12.0).reshape(4, 3), torch.tensor([10.0, 11.0, 12.0, 13.0])
    head = torch.nn.Linear(3, 3)
    copy_rows(head, weight, bias, {0: 3, 2: 1}, {}, "src")
    assert torch.equal(head.weight[0], weight[3]) and torch.equal(head.weight[2], weight[1])
    assert head.bias[0] == 13.0 and head.bias[2] == 11.0
    before = head.weight.detach().clone()
    with pytest.raises(InputError, match=r"^src/vocab.json: label 'x' has id 4, but the source output layer has 4 rows"):
        copy_rows(head, weight, bias, {1: 0, 0: 4}, {4: "x"}, "src/vocab.json")
    assert torch.equal(head.weight, before)  # nothing copied: the pair that fits is not applied either


def test_a_source_label_without_a_row_names_the_vocab_file_and_the_label(tmp_path):
    from utils.errors import InputError

    source = make_source(tmp_path / "src", LETTERS)
    vocab = json.loads((source / "vocab.json").read_text(encoding="utf-8"))
    vocab["ñ"] = len(vocab) + 3  # the tokenizer has a label the saved head has no row for
    (source / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    tokenizer = target_tokenizer(tmp_path / "tgt", ["[PAD]", "[UNK]", "|", "a", "ñ"])
    with pytest.raises(InputError, match="label 'ñ' has id 33") as caught:
        build_model(ModelSettings(pretrained=str(source), **TINY), tokenizer)
    assert f"{source}/vocab.json" in str(caught.value)


def test_an_adapter_label_without_a_head_row_names_the_files_and_the_label(tmp_path):
    """MMS adapter_init: a label of vocab.json's language with no row in adapter.<lang>.safetensors is an error
    (it used to be skipped, leaving that label a fresh row without a word)."""
    from tests.steps.hub_replicas import mms_1b_all
    from utils.ctc_adapter import build_adapter_model
    from utils.errors import InputError

    mms = mms_1b_all(tmp_path / "mms")
    vocabs = json.loads((mms / "vocab.json").read_text(encoding="utf-8"))
    vocabs["eng"]["ñ"] = len(vocabs["eng"])  # one past the eng head's last row
    (mms / "vocab.json").write_text(json.dumps(vocabs), encoding="utf-8")
    tokenizer = target_tokenizer(tmp_path / "tgt", ["[PAD]", "[UNK]", "|", "a", "ñ"])
    with pytest.raises(InputError, match="label 'ñ' has id 32, but the source output layer has 32 rows") as caught:
        build_adapter_model(str(mms), tokenizer, "gle", "eng")
    assert "vocab.json" in str(caught.value) and "adapter.eng.safetensors" in str(caught.value)

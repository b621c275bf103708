"""Tiny stand-ins for four hub checkpoints: the hub's file set, file formats and config keys, random weights.

Each builder writes the files a user gets from `snapshot_download` of that repository, with the
config and preprocessor keys and values the hub serves and only the sizes shrunk (hidden size,
layers, heads, conv channels, codebooks: SHRUNK). The weights are random, saved by the
architecture class the hub's `architectures` names, in the hub's weight format. The code under
test never writes these files: the configs below are transcribed from the hub pages.

Sources (read 2026-12 from the Hugging Face hub pages and their copies in public repositories):
- facebook/wav2vec2-large-xlsr-53 — config.json (architectures ["Wav2Vec2ForPreTraining"],
  do_stable_layer_norm, layer-norm feature encoder, codebooks 2 x 320 of dim 768, vocab_size 32
  but no CTC head in the weights), preprocessor_config.json (Wav2Vec2FeatureExtractor,
  return_attention_mask true), pytorch_model.bin (the original 2021 upload; no safetensors, no
  tokenizer files). Files: config.json, preprocessor_config.json, pytorch_model.bin.
- facebook/wav2vec2-base-960h — config.json (Wav2Vec2ForCTC, feat_extract_norm "group",
  do_stable_layer_norm false, vocab_size 32), preprocessor_config.json (return_attention_mask
  false), vocab.json (<pad> <s> </s> <unk> | then UPPERCASE letters by frequency and '),
  tokenizer_config.json, special_tokens_map.json, pytorch_model.bin and model.safetensors.
- facebook/w2v-bert-2.0 — config.json (architectures ["Wav2Vec2BertModel"], model_type
  "wav2vec2-bert", feature_projection_input_dim 160, Conformer with relative_key positions,
  depthwise kernel 31, add_adapter false), preprocessor_config.json (SeamlessM4TFeatureExtractor,
  80 mel bins, stride 2, padding_value 1, processor_class Wav2Vec2BertProcessor),
  model.safetensors; no head, no tokenizer. (The hub also holds conformer_shaw.pt, the fairseq2
  checkpoint, which transformers never reads: not replicated.)
- facebook/mms-1b-all — config.json (Wav2Vec2ForCTC, adapter_attn_dim 16, layer-norm encoder,
  stable layer norm, vocab_size 154), preprocessor_config.json (return_attention_mask true),
  vocab.json nested by ISO 639-3 code ({"eng": {...}, "fra": {...}, ...}), tokenizer_config.json
  with target_lang "eng", special_tokens_map.json, model.safetensors (base, adapter layers and a
  154-row head), and one adapter.<lang>.safetensors per language (attention adapter layers +
  lm_head, the head sized to that language's vocabulary). Here: two languages, eng and fra.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

SHRUNK = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64}
CONV = {"conv_dim": [16] * 7, "conv_kernel": [10, 3, 3, 3, 3, 2, 2], "conv_stride": [5, 2, 2, 2, 2, 2, 2],
        "num_conv_pos_embeddings": 16, "num_conv_pos_embedding_groups": 4, "num_feat_extract_layers": 7}
WAV2VEC2_EXTRACTOR = {"do_normalize": True, "feature_extractor_type": "Wav2Vec2FeatureExtractor", "feature_size": 1,
                      "padding_side": "right", "padding_value": 0.0, "sampling_rate": 16000}
# the base-960h vocabulary: specials, word delimiter, then letters in LibriSpeech frequency order
BASE_960H_LETTERS = list("ETAONIHSRDLUMWCFGYPBVK'XJQZ")
MMS_LETTERS = {"eng": list("etaoinshrdlcumwfgypbvk'xjqz"), "fra": list("esaitnrulodcmpévqfbghjàxèyêzç'")}


def _write_json(path: Path, doc: dict) -> None:
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _wav2vec2_config(architecture: str, **values) -> dict:
    """The wav2vec2 config.json keys as the 2021-era hub files have them, sizes SHRUNK."""
    config = {
        "activation_dropout": 0.0, "apply_spec_augment": True, "architectures": [architecture],
        "attention_dropout": 0.1, "bos_token_id": 1, "codevector_dim": 768, "contrastive_logits_temperature": 0.1,
        "conv_bias": True, "ctc_loss_reduction": "sum", "ctc_zero_infinity": False, "diversity_loss_weight": 0.1,
        "do_stable_layer_norm": True, "eos_token_id": 2, "feat_extract_activation": "gelu",
        "feat_extract_dropout": 0.0, "feat_extract_norm": "layer", "feat_proj_dropout": 0.1,
        "feat_quantizer_dropout": 0.0, "final_dropout": 0.0, "gradient_checkpointing": False, "hidden_act": "gelu",
        "hidden_dropout": 0.1, "initializer_range": 0.02, "layer_norm_eps": 1e-05, "layerdrop": 0.1,
        "mask_channel_length": 10, "mask_channel_min_space": 1, "mask_channel_other": 0.0, "mask_channel_prob": 0.0,
        "mask_channel_selection": "static", "mask_feature_length": 10, "mask_feature_prob": 0.0,
        "mask_time_length": 10, "mask_time_min_space": 1, "mask_time_other": 0.0, "mask_time_prob": 0.075,
        "mask_time_selection": "static", "model_type": "wav2vec2", "num_codevector_groups": 2,
        "num_codevectors_per_group": 320, "num_negatives": 100, "pad_token_id": 0, "proj_codevector_dim": 768,
        "transformers_version": "4.7.0.dev0", "vocab_size": 32,
    }
    config.update(values)
    config.update(SHRUNK)
    config.update(CONV)
    return config


def _save_weights(model: torch.nn.Module, directory: Path, *, bin_file: bool, safetensors: bool) -> None:
    if bin_file:  # the legacy format: a pickled state dict, read with torch.load(weights_only=True)
        torch.save(model.state_dict(), directory / "pytorch_model.bin")
    if safetensors:
        from safetensors.torch import save_file

        tensors = {name: tensor.contiguous() for name, tensor in model.state_dict().items()}
        save_file(tensors, str(directory / "model.safetensors"), metadata={"format": "pt"})


def xlsr53(directory: Path) -> Path:
    """facebook/wav2vec2-large-xlsr-53: a pretraining checkpoint (quantizer, projections), no CTC head."""
    from transformers import Wav2Vec2Config, Wav2Vec2ForPreTraining

    directory.mkdir(parents=True, exist_ok=True)
    _write_json(directory / "config.json", _wav2vec2_config(
        "Wav2Vec2ForPreTraining", codevector_dim=16, proj_codevector_dim=16, num_codevectors_per_group=8))
    _write_json(directory / "preprocessor_config.json", {**WAV2VEC2_EXTRACTOR, "return_attention_mask": True})
    torch.manual_seed(0)
    model = Wav2Vec2ForPreTraining(Wav2Vec2Config.from_pretrained(directory))
    _save_weights(model, directory, bin_file=True, safetensors=False)
    return directory


def base_960h(directory: Path) -> Path:
    """facebook/wav2vec2-base-960h: a finished English CTC model, group-norm encoder, no attention mask."""
    from transformers import Wav2Vec2Config, Wav2Vec2ForCTC

    directory.mkdir(parents=True, exist_ok=True)
    _write_json(directory / "config.json", _wav2vec2_config(
        "Wav2Vec2ForCTC", do_stable_layer_norm=False, feat_extract_norm="group", conv_bias=False,
        ctc_loss_reduction="sum", mask_time_prob=0.05, layerdrop=0.1, feat_proj_dropout=0.1))
    _write_json(directory / "preprocessor_config.json", {**WAV2VEC2_EXTRACTOR, "return_attention_mask": False})
    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3, "|": 4}
    vocab.update({letter: 5 + i for i, letter in enumerate(BASE_960H_LETTERS)})
    _write_json(directory / "vocab.json", vocab)
    _write_json(directory / "tokenizer_config.json", {
        "unk_token": "<unk>", "bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>",
        "do_lower_case": False, "return_attention_mask": False, "do_normalize": True})
    _write_json(directory / "special_tokens_map.json",
                {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"})
    torch.manual_seed(0)
    model = Wav2Vec2ForCTC(Wav2Vec2Config.from_pretrained(directory))
    _save_weights(model, directory, bin_file=True, safetensors=True)
    return directory


def w2v_bert2(directory: Path) -> Path:
    """facebook/w2v-bert-2.0: a bare Conformer encoder (Wav2Vec2BertModel) on stacked filterbanks."""
    from transformers import Wav2Vec2BertConfig, Wav2Vec2BertModel

    directory.mkdir(parents=True, exist_ok=True)
    config = {
        "activation_dropout": 0.0, "adapter_act": "relu", "adapter_kernel_size": 3, "adapter_stride": 2,
        "add_adapter": False, "apply_spec_augment": False, "architectures": ["Wav2Vec2BertModel"],
        "attention_dropout": 0.0, "bos_token_id": 1, "classifier_proj_size": 768, "codevector_dim": 768,
        "conformer_conv_dropout": 0.1, "contrastive_logits_temperature": 0.1, "conv_depthwise_kernel_size": 31,
        "ctc_loss_reduction": "sum", "ctc_zero_infinity": False, "diversity_loss_weight": 0.1, "eos_token_id": 2,
        "feat_proj_dropout": 0.0, "feat_quantizer_dropout": 0.0, "feature_projection_input_dim": 160,
        "final_dropout": 0.1, "hidden_act": "swish", "hidden_dropout": 0.0, "initializer_range": 0.02,
        "layer_norm_eps": 1e-05, "layerdrop": 0.1, "left_max_position_embeddings": 64, "mask_feature_length": 10,
        "mask_feature_min_masks": 0, "mask_feature_prob": 0.0, "mask_time_length": 10, "mask_time_min_masks": 2,
        "mask_time_prob": 0.05, "max_source_positions": 5000, "model_type": "wav2vec2-bert",
        "num_adapter_layers": 1, "num_codevector_groups": 2, "num_codevectors_per_group": 320,
        "num_negatives": 100, "output_hidden_size": 32, "pad_token_id": 0, "position_embeddings_type": "relative_key",
        "proj_codevector_dim": 768, "right_max_position_embeddings": 8, "rotary_embedding_base": 10000,
        "tdnn_dilation": [1, 2, 3, 1, 1], "tdnn_dim": [512, 512, 512, 512, 1500], "tdnn_kernel": [5, 3, 3, 1, 1],
        "transformers_version": "4.37.0.dev0", "use_intermediate_ffn_before_adapter": False,
        "use_weighted_layer_sum": False, "vocab_size": None, "xvector_output_dim": 512,
        **SHRUNK, "conv_depthwise_kernel_size": 5,
    }
    _write_json(directory / "config.json", config)
    _write_json(directory / "preprocessor_config.json", {
        "feature_extractor_type": "SeamlessM4TFeatureExtractor", "feature_size": 80, "num_mel_bins": 80,
        "padding_side": "right", "padding_value": 1, "processor_class": "Wav2Vec2BertProcessor",
        "return_attention_mask": True, "sampling_rate": 16000, "stride": 2})
    torch.manual_seed(0)
    model = Wav2Vec2BertModel(Wav2Vec2BertConfig.from_pretrained(directory))
    _save_weights(model, directory, bin_file=False, safetensors=True)
    return directory


def mms_1b_all(directory: Path) -> Path:
    """facebook/mms-1b-all: a CTC model with per-language attention adapters and a nested vocabulary."""
    from safetensors.torch import save_file
    from transformers import Wav2Vec2Config, Wav2Vec2ForCTC

    directory.mkdir(parents=True, exist_ok=True)
    _write_json(directory / "config.json", _wav2vec2_config(
        "Wav2Vec2ForCTC", adapter_attn_dim=16, adapter_kernel_size=3, adapter_stride=2, add_adapter=False,
        activation_dropout=0.05, attention_dropout=0.0, classifier_proj_size=256, ctc_loss_reduction="mean",
        feat_proj_dropout=0.0, final_dropout=0.05, hidden_dropout=0.0, layerdrop=0.0, mask_time_prob=0.05,
        vocab_size=154, transformers_version="4.30.0.dev0"))
    _write_json(directory / "preprocessor_config.json", {**WAV2VEC2_EXTRACTOR, "return_attention_mask": True,
                                                         "processor_class": "Wav2Vec2Processor"})
    vocabs = {lang: {"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3, "|": 4,
                     **{letter: 5 + i for i, letter in enumerate(letters)}} for lang, letters in MMS_LETTERS.items()}
    _write_json(directory / "vocab.json", vocabs)
    _write_json(directory / "tokenizer_config.json", {
        "bos_token": "<s>", "clean_up_tokenization_spaces": True, "do_lower_case": False, "eos_token": "</s>",
        "model_max_length": 1000000000000000019884624838656, "pad_token": "<pad>",
        "processor_class": "Wav2Vec2Processor", "replace_word_delimiter_char": " ", "target_lang": "eng",
        "tokenizer_class": "Wav2Vec2CTCTokenizer", "unk_token": "<unk>", "word_delimiter_token": "|"})
    _write_json(directory / "special_tokens_map.json",
                {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"})
    torch.manual_seed(0)
    for lang, vocab in vocabs.items():  # each language: its own adapter layers and a head of its size
        config = Wav2Vec2Config.from_pretrained(directory, vocab_size=len(vocab))
        adapters = Wav2Vec2ForCTC(config)._get_adapters()
        save_file({name: param.detach().contiguous() for name, param in adapters.items()},
                  str(directory / f"adapter.{lang}.safetensors"), metadata={"format": "pt"})
    # model.safetensors: base weights, adapter layers and a head of config.vocab_size (154) rows;
    # from_pretrained(target_lang=...) then swaps in that language's adapter and head
    model = Wav2Vec2ForCTC(Wav2Vec2Config.from_pretrained(directory))
    _save_weights(model, directory, bin_file=False, safetensors=True)
    return directory


HUB_FILES = {
    "xlsr53": {"config.json", "preprocessor_config.json", "pytorch_model.bin"},
    "base_960h": {"config.json", "preprocessor_config.json", "vocab.json", "tokenizer_config.json",
                  "special_tokens_map.json", "pytorch_model.bin", "model.safetensors"},
    "w2v_bert2": {"config.json", "preprocessor_config.json", "model.safetensors"},
    "mms_1b_all": {"config.json", "preprocessor_config.json", "vocab.json", "tokenizer_config.json",
                   "special_tokens_map.json", "model.safetensors", "adapter.eng.safetensors",
                   "adapter.fra.safetensors"},
}
BUILDERS = {"xlsr53": xlsr53, "base_960h": base_960h, "w2v_bert2": w2v_bert2, "mms_1b_all": mms_1b_all}

"""Tiny fixtures for the decoding tests: a random Wav2Vec2ForCTC model dir, wavs, peaky logits."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import soundfile

LETTERS = list("abdeiotu")
LABELS = [*LETTERS, "|", "[UNK]", "[PAD]"]
BLANK = "[PAD]"


def _tokenizer(root: Path):
    from transformers import Wav2Vec2CTCTokenizer

    root.mkdir(parents=True, exist_ok=True)
    vocab_file = root / "vocab.json"
    vocab_file.write_text(json.dumps({label: i for i, label in enumerate(LABELS)}), encoding="utf-8")
    return Wav2Vec2CTCTokenizer(str(vocab_file), unk_token="[UNK]", pad_token="[PAD]",
                                word_delimiter_token="|", bos_token=None, eos_token=None)


def make_model_dir(root: Path) -> Path:
    """Save a ~10k-parameter random Wav2Vec2ForCTC (raw audio) with its processor: root/model."""
    from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor, Wav2Vec2ForCTC, Wav2Vec2Processor

    tokenizer = _tokenizer(root)
    extractor = Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16000, padding_value=0.0,
                                         do_normalize=True, return_attention_mask=True)
    config = Wav2Vec2Config(
        vocab_size=len(LABELS), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, conv_dim=(8, 8), conv_stride=(5, 4), conv_kernel=(10, 8),
        conv_bias=False, num_conv_pos_embeddings=4, num_conv_pos_embedding_groups=2,
        feat_extract_norm="layer", do_stable_layer_norm=True, pad_token_id=tokenizer.pad_token_id)
    model_dir = root / "model"
    Wav2Vec2ForCTC(config).save_pretrained(model_dir)
    Wav2Vec2Processor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(model_dir)
    return model_dir


def make_bert_model_dir(root: Path, stride: int = 2) -> Path:
    """Save a tiny random Wav2Vec2BertForCTC (80-bin filterbanks, `stride` frames stacked) with its processor."""
    from transformers import (SeamlessM4TFeatureExtractor, Wav2Vec2BertConfig, Wav2Vec2BertForCTC,
                              Wav2Vec2BertProcessor)

    tokenizer = _tokenizer(root)
    extractor = SeamlessM4TFeatureExtractor(feature_size=80, num_mel_bins=80, sampling_rate=16000,
                                            stride=stride, padding_value=1.0)
    config = Wav2Vec2BertConfig(
        vocab_size=len(LABELS), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, feature_projection_input_dim=80 * stride, conv_depthwise_kernel_size=3,
        add_adapter=False, pad_token_id=tokenizer.pad_token_id)
    model_dir = root / "model"
    Wav2Vec2BertForCTC(config).save_pretrained(model_dir)
    Wav2Vec2BertProcessor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(model_dir)
    return model_dir


def make_set(root: Path, name: str, texts: dict[str, str], seed: int = 0) -> tuple[Path, Path]:
    """Write root/<name>/{*.wav, manifest.jsonl, text} (noise, 0.3 s longer each); -> manifest, text."""
    rng = np.random.default_rng(seed)
    set_dir = root / name
    set_dir.mkdir(parents=True, exist_ok=True)
    records = []
    for index, (utt_id, text) in enumerate(sorted(texts.items())):
        duration = 0.3 + 0.3 * index
        wav = set_dir / f"{utt_id}.wav"
        noise = 0.1 * rng.standard_normal(int(16000 * duration))
        soundfile.write(wav, noise.astype("float32"), 16000)
        records.append({"audio_filepath": str(wav), "duration": duration, "text": text,
                        "utt_id": utt_id, "speaker": utt_id.split("-")[0]})
    manifest = set_dir / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    text_file = set_dir / "text"
    text_file.write_text("".join(f"{r['utt_id']} {r['text']}\n" for r in records), encoding="utf-8")
    return manifest, text_file


def peaky_logits(text: str, labels: list[str] = LABELS, low: float = -12.0) -> np.ndarray:
    """Log-probs [frames, labels] that spell `text`: each symbol for 2 frames, then a blank frame."""
    frames: list[int] = [labels.index(BLANK)]
    for char in text:
        symbol = labels.index("|" if char == " " else char)
        frames += [symbol, symbol, labels.index(BLANK)]
    log_probs = np.full((len(frames), len(labels)), low, dtype=np.float32)
    log_probs[np.arange(len(frames)), frames] = 0.0
    return log_probs


def b_sounds_like_d(text: str) -> np.ndarray:
    """Peaky log-probs for `text` in which every "b" looks a little more like "d" (an LM must fix it)."""
    log_probs = peaky_logits(text)
    b, d = LABELS.index("b"), LABELS.index("d")
    frames = np.flatnonzero(log_probs[:, b] == 0)
    log_probs[frames, b], log_probs[frames, d] = np.log(0.4), np.log(0.6)
    return log_probs


BE_IT_LM = ["to be", "be it", "dub it", "to be it"] * 4 + ["de"]  # knows "be", barely "de"

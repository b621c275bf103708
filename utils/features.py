"""Model inputs for a batch of waveforms, the same whichever batch an utterance lands in.

Used by training (utils.collate, utils.feature_cache) and decoding (utils.ctc_forward).

- Stacked-filterbank extractors (SeamlessM4T / w2v-BERT 2.0, `stride` frames per input) pad a
  batch to a multiple of 2 and then cut the remainder modulo `stride`, so an utterance's last
  frames would depend on the longest utterance of its batch; padding to a multiple of
  `stride` keeps them all.
- Their Kaldi-style filterbanks come from `transformers.audio_utils.spectrogram`, which loops
  over frames in Python (about half the decoding time of the tiny model). `kaldi_fbank` is the
  same computation on all frames at once; it replaces the loop while the extractor runs here,
  and gives the same features (to float32 rounding: tests/utils/test_features.py).
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

FRAME, HOP, FFT, PREEMPHASIS, MEL_FLOOR = 400, 160, 512, 0.97, 1.192092955078125e-07


def extract_features(extractor: Any, audio: list[np.ndarray], sampling_rate: int,
                     return_attention_mask: bool | None = None) -> Any:
    """`extractor(audio)` as padded torch tensors (a BatchFeature); the attention mask as the
    extractor's config says unless `return_attention_mask` is given."""
    with _vectorized_fbank(extractor):
        return extractor(audio, sampling_rate=sampling_rate, padding=True,
                         pad_to_multiple_of=getattr(extractor, "stride", None),
                         return_attention_mask=return_attention_mask, return_tensors="pt")


def kaldi_fbank(waveform: np.ndarray, window: np.ndarray, mel_filters: np.ndarray) -> np.ndarray:
    """Log mel filterbanks [frames, mels] (float32) of a mono float waveform in [-1, 1], computed
    as SeamlessM4TFeatureExtractor does (16-bit scale, 25 ms / 10 ms frames, DC offset removed,
    pre-emphasis 0.97, povey window, 512-point FFT power spectrum, Kaldi mel banks, natural log)."""
    samples = np.squeeze(waveform[0] if waveform.ndim == 2 else waveform).astype(np.float64) * 2**15
    if len(samples) < FRAME:
        return np.zeros((0, mel_filters.shape[1]), dtype=np.float32)
    frames = sliding_window_view(samples, FRAME)[::HOP]
    frames = frames - frames.mean(axis=1, keepdims=True)
    emphasised = np.empty_like(frames)
    emphasised[:, 1:] = frames[:, 1:] - PREEMPHASIS * frames[:, :-1]
    emphasised[:, 0] = frames[:, 0] * (1 - PREEMPHASIS)
    spectrum = np.fft.rfft(emphasised * window.astype(np.float64), n=FFT, axis=1).astype(np.complex64)
    power = np.abs(spectrum, dtype=np.float64) ** 2
    return np.log(np.maximum(MEL_FLOOR, power @ mel_filters)).astype(np.float32)


@contextmanager
def _vectorized_fbank(extractor: Any) -> Iterator[None]:
    """While the block runs, a SeamlessM4T-style extractor computes its filterbanks with
    `kaldi_fbank`; any other extractor is left as it is."""
    if not (hasattr(extractor, "_extract_fbank_features") and hasattr(extractor, "mel_filters")
            and getattr(extractor, "window", None) is not None):
        yield
        return
    extractor._extract_fbank_features = lambda waveform: kaldi_fbank(waveform, extractor.window,
                                                                     extractor.mel_filters)
    try:
        yield
    finally:
        del extractor._extract_fbank_features

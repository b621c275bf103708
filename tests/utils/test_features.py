"""utils.features: the vectorised filterbanks equal transformers' frame loop; a batch changes nothing."""
from __future__ import annotations

import numpy as np
import pytest
from transformers import SeamlessM4TFeatureExtractor, Wav2Vec2FeatureExtractor

from utils.features import extract_features, kaldi_fbank


@pytest.fixture(scope="module")
def extractor():
    return SeamlessM4TFeatureExtractor(feature_size=80, num_mel_bins=80, sampling_rate=16000, stride=3,
                                       padding_value=1.0)


@pytest.mark.parametrize("samples", [400, 401, 559, 560, 16000, 48123])
def test_kaldi_fbank_equals_the_extractors_own(extractor, samples):
    rng = np.random.default_rng(samples)
    audio = (0.1 * rng.standard_normal(samples) + 0.01).astype(np.float32)  # a DC offset too
    ours = kaldi_fbank(audio, extractor.window, extractor.mel_filters)
    theirs = extractor._extract_fbank_features(audio)
    assert ours.dtype == theirs.dtype == np.float32 and ours.shape == theirs.shape == (1 + (samples - 400) // 160, 80)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5)


def test_shorter_than_a_frame_gives_no_frames(extractor):
    assert kaldi_fbank(np.zeros(399, np.float32), extractor.window, extractor.mel_filters).shape == (0, 80)


def test_an_utterance_gets_the_same_inputs_alone_or_beside_a_longer_one(extractor):
    rng = np.random.default_rng(0)
    short, long = (0.1 * rng.standard_normal(n).astype(np.float32) for n in (16000, 27000))
    alone = extract_features(extractor, [short], 16000)
    batch = extract_features(extractor, [short, long], 16000)
    frames = int(alone["attention_mask"][0].sum())
    assert frames == (1 + (16000 - 400) // 160 + 2) // 3  # padded up to the stack of 3, never cut
    np.testing.assert_allclose(batch["input_features"][0, :frames], alone["input_features"][0, :frames], atol=1e-5)
    assert int(batch["attention_mask"][0].sum()) == frames
    assert "_extract_fbank_features" not in vars(extractor)  # the extractor is left as it was


def test_a_raw_waveform_extractor_is_used_as_it_is():
    raw = Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16000, padding_value=0.0, do_normalize=True,
                                   return_attention_mask=False)
    audio = [np.ones(100, np.float32), np.ones(300, np.float32)]
    inputs = extract_features(raw, audio, 16000)
    assert inputs["input_values"].shape == (2, 300) and "attention_mask" not in inputs

"""transcribe's chunking: stitched = unchunked log-probs for a local model, close to it with
attention, equal to the transformers pipeline, and no frame lost on filterbank models."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile

from steps.transcribe import load_recognizer
from tests.steps.tiny_ctc import make_bert_model_dir
from tests.steps.transcribe_fixtures import (NEEDS_TOOLS, RATE, assert_equals_decode_ctc, cer, clips,  # noqa: F401
                                             context_model, local_model, log_probs_of, long_wav, text_of)

pytestmark = NEEDS_TOOLS


@pytest.mark.parametrize("chunk,stride", [(10.0, 2.0), (4.3, 0.7), (30.0, 5.0)])
def test_stitchedlog_probs_of_equal_unchunked_when_context_is_local(local_model, long_wav, chunk, stride):
    whole = log_probs_of(local_model, long_wav, 0)
    stitched = log_probs_of(local_model, long_wav, chunk, stride)
    assert stitched.shape == whole.shape  # no frame dropped or repeated at a seam
    np.testing.assert_allclose(stitched, whole, atol=1e-5)
    assert text_of(local_model, long_wav, chunk, stride) == text_of(local_model, long_wav, 0)


def test_long_file_chunked_is_close_to_unchunked_with_attention(context_model, long_wav):
    whole = text_of(context_model, long_wav, 0)
    assert len(whole) > 100
    for chunk, stride in [(10.0, 2.0), (30.0, 5.0)]:
        assert cer(whole, text_of(context_model, long_wav, chunk, stride)) < 10.0  # measured 5.4 and 2.1


@pytest.mark.parametrize("chunk,stride", [(10.0, 2.0), (4.3, 0.7)])
def test_chunked_text_equals_the_transformers_pipeline(context_model, long_wav, chunk, stride):
    from transformers import pipeline

    asr = pipeline("automatic-speech-recognition", model=str(context_model), device="cpu")
    audio = soundfile.read(long_wav, dtype="float32")[0]
    theirs = asr({"raw": audio, "sampling_rate": RATE}, chunk_length_s=chunk, stride_length_s=stride)["text"]
    assert text_of(context_model, long_wav, chunk, stride) == " ".join(theirs.replace("[UNK]", "⁇").split())


@pytest.mark.parametrize("stride, frame", [(2, 320), (3, 480)])  # 20 ms and 30 ms frames (the tiny configs)
def test_w2v_bert_filterbank_model_chunks_without_losing_frames(tmp_path, long_wav, clips, stride, frame):
    model_dir = make_bert_model_dir(tmp_path / "bert", stride=stride)
    assert load_recognizer(model_dir, device="cpu").plan.frame == frame
    chunked, whole = log_probs_of(model_dir, long_wav, 10.0), log_probs_of(model_dir, long_wav, 0)
    # Known limitation with 30 ms frames: the filterbank window's edge frame makes a stitched
    # file up to one frame longer per chunk boundary than an unchunked pass (20 ms: exact).
    assert 0 <= len(chunked) - len(whole) <= (0 if stride == 2 else len(whole) * frame // (10 * RATE))
    assert_equals_decode_ctc(model_dir, clips[:3], tmp_path)

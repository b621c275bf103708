"""Strided chunking: the pipeline's chunk boundaries, seamless frame bookkeeping, bounded buffers."""
from __future__ import annotations

import numpy as np
import pytest

from utils.chunking import ChunkPlan, FrameBuffer, iter_chunks, kept_frames, make_chunk_plan
from utils.errors import InputError

FRAME = 320


def _frames(n_samples: int) -> int:
    """wav2vec2's frame count: a 400-sample receptive field every 320 samples."""
    return max(0, (n_samples - 400) // FRAME + 1)


def _blocks(samples: np.ndarray, size: int):
    return (samples[i: i + size] for i in range(0, len(samples), size))


class _FakeExtractor:
    sampling_rate = 16000

    def __call__(self, chunk, **kwargs):
        return {}


@pytest.mark.parametrize("total", [1000, 159_999, 160_000, 160_001, 300_000, 1_234_567])
def test_chunks_are_those_of_the_transformers_pipeline(total):
    from transformers.pipelines.automatic_speech_recognition import chunk_iter

    plan = make_chunk_plan(10.0, 2.0, 16000, FRAME)
    samples = np.arange(total, dtype=np.float32)
    ours = [(len(c.samples), c.left, c.right, c.is_last, float(c.samples[0]))
            for c in iter_chunks(_blocks(samples, 7777), plan)]
    theirs = [(*item["stride"], item["is_last"]) for item in
              chunk_iter(samples, _FakeExtractor(), plan.chunk, plan.left, plan.right)]
    assert [row[:4] for row in ours] == theirs
    assert ours[0][4] == 0 and all(b[4] - a[4] == plan.step for a, b in zip(ours, ours[1:]))


@pytest.mark.parametrize("total", [500, 50_000, 160_000, 160_321, 987_654])
@pytest.mark.parametrize("chunk,stride", [(10.0, 2.0), (4.3, 0.7)])
def test_kept_frames_cover_the_file_once_in_order(total, chunk, stride):
    plan = make_chunk_plan(chunk, stride, 16000, FRAME)
    kept = []
    for c in iter_chunks(_blocks(np.zeros(total, np.float32), 4096), plan):
        frames = kept_frames(c, _frames(len(c.samples)), plan)
        kept += range(c.start // FRAME + frames.start, c.start // FRAME + frames.stop)
    assert kept == list(range(_frames(total)))


def test_block_size_does_not_change_the_chunks():
    plan = make_chunk_plan(3.0, 0.5, 16000, FRAME)
    samples = np.random.default_rng(0).standard_normal(200_000).astype(np.float32)
    runs = [[(c.start, c.samples.copy()) for c in iter_chunks(_blocks(samples, size), plan)]
            for size in (1000, 48_000, 500_000)]
    for other in runs[1:]:
        assert [s for s, _ in other] == [s for s, _ in runs[0]]
        assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(other, runs[0]))


def test_whole_plan_is_one_chunk_of_everything():
    plan = make_chunk_plan(0, 5.0, 16000, FRAME)
    assert plan.whole
    (chunk,) = list(iter_chunks(_blocks(np.ones(100_000, np.float32), 333), plan))
    assert len(chunk.samples) == 100_000 and chunk.is_last and kept_frames(chunk, 312, plan) == slice(0, 312)


def test_plan_rounds_to_frames_and_rejects_bad_strides():
    assert make_chunk_plan(10.0, 1.01, 16000, FRAME) == ChunkPlan(160_000, 16_000, 16_000, FRAME)
    with pytest.raises(InputError, match="too short"):
        make_chunk_plan(10.0, 0.05, 16000, FRAME)
    with pytest.raises(InputError, match="longer than two strides"):
        make_chunk_plan(4.0, 2.0, 16000, FRAME)


def test_frame_buffer_grows_when_the_guess_was_short():
    buffer = FrameBuffer(expected_frames=10, n_labels=3)
    parts = [np.full((n, 3), n, np.float32) for n in (40, 70, 5)]
    for part in parts:
        buffer.append(part)
    np.testing.assert_array_equal(buffer.array(), np.concatenate(parts))

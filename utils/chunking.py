"""Strided chunking of long audio for a CTC model, the way transformers' ASR pipeline does it.

The pipeline's `chunk_length_s` / `stride_length_s`: audio is cut into chunks of CHUNK
samples, consecutive chunks overlapping by LEFT + RIGHT samples. The model runs on each whole
chunk, so every kept frame has context on both sides; only the frames of a chunk's central
part are kept (the first chunk keeps its left edge, the last one its right edge), and the
kept frames are concatenated into one [frames, labels] array that is decoded once.

All three lengths are rounded to whole model frames (`samples_per_frame`), so frame i of the
chunk starting at sample s is frame s / samples_per_frame + i of the whole file and the kept
parts abut exactly. A file no longer than one chunk is a single chunk with nothing cut: the
result is exactly that of unchunked decoding. Unlike the pipeline, which rounds
input / ratio, the bookkeeping uses the model's real frame counts, so no frame is dropped or
repeated at a seam.

Memory: audio arrives in blocks (utils.audio_stream); at most one chunk plus one block of
samples per pending chunk (`batch_size` of them) and their logits are held at a time, besides
the output array of frames x labels float32, preallocated from the header's length.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

import numpy as np

from utils.ctc_forward import MIN_SECONDS, CtcFrontend
from utils.errors import CurrachError, InputError


@dataclass(frozen=True)
class ChunkPlan:
    """Chunk and stride lengths in samples, whole multiples of `frame`; chunk 0: the whole file."""

    chunk: int
    left: int
    right: int
    frame: int  # input samples per output frame

    @property
    def whole(self) -> bool:
        return self.chunk == 0

    @property
    def step(self) -> int:
        return self.chunk - self.left - self.right


@dataclass
class Chunk:
    """Samples of one chunk, its first sample's index in the file, its strides in samples."""

    samples: np.ndarray
    start: int
    left: int
    right: int
    is_last: bool


def make_chunk_plan(chunk_seconds: float, stride_seconds: float, sample_rate: int,
                    samples_per_frame: int) -> ChunkPlan:
    """A plan with both strides `stride_seconds`; `chunk_seconds` <= 0 means no chunking.

    Raises InputError when the stride is shorter than one frame (or than the 0.1 s a last
    chunk needs) or the chunk not longer than two strides.
    """
    if chunk_seconds <= 0:
        return ChunkPlan(0, 0, 0, samples_per_frame)

    def aligned(seconds: float) -> int:
        return int(round(seconds * sample_rate / samples_per_frame)) * samples_per_frame

    chunk, stride = aligned(chunk_seconds), aligned(stride_seconds)
    if stride < max(samples_per_frame, MIN_SECONDS * sample_rate):
        raise InputError(f"--stride-seconds {stride_seconds:g} is too short: at least "
                         f"{max(samples_per_frame / sample_rate, MIN_SECONDS):g} s")
    if chunk <= 2 * stride:
        raise InputError(f"--chunk-seconds {chunk_seconds:g} must be longer than two strides "
                         f"(2 x {stride_seconds:g} s)")
    return ChunkPlan(chunk, stride, stride, samples_per_frame)


def iter_chunks(blocks: Iterable[np.ndarray], plan: ChunkPlan) -> Iterator[Chunk]:
    """Cut a stream of sample blocks into the plan's overlapping chunks (one chunk if `whole`)."""
    blocks = iter(blocks)
    if plan.whole:
        parts = list(blocks)
        yield Chunk(np.concatenate(parts) if parts else np.zeros(0, np.float32), 0, 0, 0, True)
        return
    buffer, start, exhausted = np.zeros(0, np.float32), 0, False
    while True:
        while not exhausted and len(buffer) <= plan.chunk:  # one sample more tells if this is the last
            block = next(blocks, None)
            if block is None:
                exhausted = True
            else:
                buffer = np.concatenate((buffer, block))
        is_last = len(buffer) <= plan.chunk
        # a chunk after a non-last one holds more than left + right samples, so it keeps frames
        yield Chunk(buffer[: plan.chunk], start, 0 if start == 0 else plan.left,
                    0 if is_last else plan.right, is_last)
        if is_last:
            return
        buffer, start = buffer[plan.step:], start + plan.step


def kept_frames(chunk: Chunk, n_frames: int, plan: ChunkPlan) -> slice:
    """The frames of a chunk's logits that belong to the stitched result (see module docstring)."""
    first = chunk.left // plan.frame
    if chunk.is_last:
        return slice(first, n_frames)
    return slice(first, min(n_frames, (len(chunk.samples) - chunk.right) // plan.frame))


class FrameBuffer:
    """A float32 [frames, labels] array filled front to back; grows by half if the guess was short."""

    def __init__(self, expected_frames: int, n_labels: int):
        self._data = np.empty((max(expected_frames, 64), n_labels), dtype=np.float32)
        self._size = 0

    def append(self, frames: np.ndarray) -> None:
        """Copy `frames` after those already held."""
        need = self._size + len(frames)
        if need > len(self._data):
            grown = np.empty((max(need, len(self._data) * 3 // 2), self._data.shape[1]), np.float32)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size: need] = frames
        self._size = need

    @property
    def capacity_bytes(self) -> int:
        return self._data.nbytes

    def array(self) -> np.ndarray:
        """The frames appended so far (a view)."""
        return self._data[: self._size]


COMMON_HOP = 1920  # least common multiple of 320, 160, 320, 480 and 640 samples


def samples_per_frame(model: Any, frontend: CtcFrontend) -> int:
    """Input samples per output frame of `model` (320 for wav2vec2 and w2v-BERT at 16 kHz).

    Measured as the ratio of input to output lengths of two long inputs, through the feature
    extractor and the model's length formula (or the model itself if it has none). The two
    lengths differ by a multiple of every usual hop (320 for wav2vec2's convolutions, 160 x 1-4
    stacked filterbank frames), so edge effects cancel (30 ms w2v-BERT frames: 480).
    Raises CurrachError when that ratio is not a whole number of samples.
    """
    rate = frontend.sampling_rate
    short, long = 8 * rate, 8 * rate + 50 * COMMON_HOP
    ratio = (long - short) / (_output_frames(model, frontend, long) - _output_frames(model, frontend, short))
    if abs(ratio - round(ratio)) > 1e-6:
        raise CurrachError(f"{frontend.model_dir}: {ratio:.4f} input samples per output frame; "
                           f"chunking needs a whole number")
    return int(round(ratio))


def _output_frames(model: Any, frontend: CtcFrontend, n_samples: int) -> int:
    import torch

    inputs = frontend.feature_extractor(np.zeros(n_samples, np.float32), sampling_rate=frontend.sampling_rate,
                                        return_tensors="pt", return_attention_mask=True)
    mask = inputs.get("attention_mask")
    length = int(mask.sum()) if mask is not None else int(next(iter(inputs.values())).shape[1])
    if hasattr(model, "_get_feat_extract_output_lengths"):
        return int(model._get_feat_extract_output_lengths(torch.tensor([length]))[0])
    with torch.inference_mode():
        device = next(model.parameters()).device
        return int(model(**{key: value.to(device) for key, value in inputs.items()}).logits.shape[1])


def chunked_log_probs(model: Any, frontend: CtcFrontend, blocks: Iterable[np.ndarray], plan: ChunkPlan,
                      device: str, expected_samples: int = 0, batch_size: int = 4) -> tuple[np.ndarray, int]:
    """Stitched log-probs (float32 [frames, labels]) of a block stream, and its number of samples.

    Chunks of equal length are run `batch_size` at a time through the project's forward pass
    (utils.ctc_forward: log-softmax, padding trimmed). A whole file shorter than 0.1 s is
    zero-padded as decode_ctc does. `expected_samples` (0: unknown) sizes the output array.
    """
    import torch

    from utils.ctc_forward import forward_batch  # the one forward pass decode_ctc uses too

    out = FrameBuffer(expected_samples // plan.frame + 2, len(frontend.labels))
    minimum = int(MIN_SECONDS * frontend.sampling_rate)
    n_samples, pending = 0, []

    def run(batch: list[Chunk]) -> None:
        audios = [np.pad(c.samples, (0, minimum - len(c.samples))) if c.start == 0 and c.is_last
                  and len(c.samples) < minimum else c.samples for c in batch]
        for chunk, log_probs in zip(batch, forward_batch(model, frontend, audios, device)):
            out.append(log_probs[kept_frames(chunk, len(log_probs), plan)])

    with torch.inference_mode():
        for chunk in iter_chunks(blocks, plan):
            n_samples = chunk.start + len(chunk.samples)
            if pending and (len(pending) >= batch_size or len(chunk.samples) != len(pending[0].samples)):
                run(pending)
                pending = []
            pending.append(chunk)
        run(pending)
    return out.array(), n_samples

"""Stream an audio file as mono float32 blocks at a target rate, in bounded memory.

libsndfile (through soundfile) decodes wav, flac, ogg (vorbis, opus) and mp3 block by block,
so a one-hour file is never in memory whole: mp3 too is decoded incrementally by libsndfile's
mpg123 back end. Channels are averaged (as `utils.audio.load_audio` does) and soxr's
streaming resampler converts each block; its output equals `soxr.resample` over the whole
file, so a file streamed in blocks gives the same samples as one loaded at once. Everything
that can go wrong with a file raises `AudioError` naming it and the reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import soundfile as sf
import soxr

from utils.audio import AudioError

AUDIO_EXTENSIONS = frozenset({".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".aif", ".aiff"})
BLOCK_SECONDS = 5.0
_DECODE_ERRORS = (sf.LibsndfileError, RuntimeError, ValueError, OSError)


@dataclass(frozen=True)
class StreamInfo:
    """A file's source rate and channels, and its expected length at the target rate."""

    source_rate: int
    source_channels: int
    expected_samples: int  # from the header; 0 when the format does not say


def probe_audio(path: Path, sample_rate: int) -> StreamInfo:
    """Open `path` far enough to read its header; AudioError if it is missing, empty or undecodable."""
    if not path.is_file():
        raise AudioError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: zero-byte file")
    try:
        info = sf.info(str(path))
    except _DECODE_ERRORS as err:
        raise AudioError(f"{path}: cannot decode audio ({_one_line(err)})") from None
    frames = info.frames if 0 < info.frames < 2**62 else 0
    expected = int(np.ceil(frames * sample_rate / info.samplerate)) if frames else 0
    return StreamInfo(int(info.samplerate), int(info.channels), expected)


def stream_audio(path: Path, sample_rate: int, block_seconds: float = BLOCK_SECONDS,
                 span: tuple[float, float] | None = None) -> Iterator[np.ndarray]:
    """Yield mono float32 blocks of `path` at `sample_rate` (about `block_seconds` each).

    `span` = (offset, duration) in seconds streams only that stretch (a Kaldi segment).
    Raises AudioError (from the generator, possibly after some blocks) when the file cannot
    be decoded, holds NaN or infinite samples, decodes to no samples at all, or ends before
    the span does.
    """
    probe_audio(path, sample_rate)
    total = 0
    try:
        with sf.SoundFile(str(path)) as handle:
            rate = int(handle.samplerate)
            resampler = (soxr.ResampleStream(rate, sample_rate, 1, dtype="float32", quality="HQ")
                         if rate != sample_rate else None)
            blocksize = max(1, int(block_seconds * rate))
            left = _seek_span(handle, path, span) if span is not None else None
            # not handle.blocks(): for mp3, whose header overstates the length, its last block
            # carries stale samples from the one before
            while len(block := handle.read(blocksize if left is None else min(blocksize, left),
                                           dtype="float32", always_2d=True)):
                if left is not None:
                    left -= len(block)
                mono = block.mean(axis=1) if block.shape[1] > 1 else block[:, 0]
                if not np.isfinite(mono).all():
                    raise AudioError(f"{path}: contains NaN or infinite samples")
                out = resampler.resample_chunk(mono) if resampler is not None else mono
                total += len(out)
                if len(out):
                    yield out.astype(np.float32, copy=False)
            if resampler is not None:
                tail = resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
                total += len(tail)
                if len(tail):
                    yield tail.astype(np.float32, copy=False)
    except _DECODE_ERRORS as err:
        raise AudioError(f"{path}: cannot decode audio ({_one_line(err)})") from None
    if total == 0:
        raise AudioError(f"{path}: decodes to no samples")


def _seek_span(handle: sf.SoundFile, path: Path, span: tuple[float, float]) -> int:
    """Seek `handle` to the span's start; the number of frames it holds. AudioError past the end."""
    rate = handle.samplerate
    start, frames = round(span[0] * rate), round(span[1] * rate)
    if start + frames > handle.frames + round(0.011 * rate):  # times are written to the millisecond
        raise AudioError(f"{path}: segment {span[0]:.3f}-{span[0] + span[1]:.3f} s ends after the "
                         f"recording ({handle.frames / rate:.3f} s)")
    handle.seek(min(start, handle.frames))
    return frames


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())

"""Read any common audio file as 16 kHz mono float32, and write 16-bit PCM wav.

Decoding is soundfile (libsndfile 1.2: wav, flac, ogg, mp3); resampling is soxr. Everything that can go wrong with a clip raises `AudioError` whose
message is the reason a data-prep report records (zero bytes, undecodable, silent, ...).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from utils.errors import InputError

log = logging.getLogger(__name__)
SAMPLE_RATE = 16000
SILENCE_PEAK = 1e-4  # below this peak amplitude (about -80 dBFS) a clip holds no speech


class AudioError(InputError):
    """A clip that cannot be used; the message says why."""


@dataclass(frozen=True)
class AudioInfo:
    """What a conversion did: the source rate and channels, and the result's duration."""

    source_rate: int
    source_channels: int
    duration: float


def load_audio(path: Path, sample_rate: int = SAMPLE_RATE) -> tuple[np.ndarray, AudioInfo]:
    """Decode `path`, downmix to mono, resample to `sample_rate`. Returns (samples, info)."""
    if not path.is_file():
        raise AudioError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: zero-byte file")
    data, rate = _decode(path)
    if data.ndim == 2:
        channels = data.shape[1]
        data = data.mean(axis=1)
    else:
        channels = 1
    if data.size == 0:
        raise AudioError(f"{path}: decodes to no samples")
    if not np.isfinite(data).all():
        raise AudioError(f"{path}: contains NaN or infinite samples")
    if rate != sample_rate:
        data = soxr.resample(data, rate, sample_rate, quality="HQ")
    data = data.astype(np.float32, copy=False)
    if float(np.abs(data).max()) < SILENCE_PEAK:
        raise AudioError(f"{path}: silent (peak below {SILENCE_PEAK})")
    return data, AudioInfo(rate, channels, len(data) / sample_rate)


def _decode(path: Path) -> tuple[np.ndarray, int]:
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=False)
    except (sf.LibsndfileError, RuntimeError, ValueError) as err:
        raise AudioError(f"{path}: cannot decode audio ({err})") from None
    return data, int(rate)


def write_wav(path: Path, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    """Write 16-bit PCM mono wav atomically (temp file beside it, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("." + path.name + ".tmp")
    sf.write(str(tmp), np.clip(samples, -1.0, 1.0), sample_rate, subtype="PCM_16", format="WAV")
    tmp.replace(path)


def convert_to_wav(src: Path, dst: Path, sample_rate: int = SAMPLE_RATE) -> AudioInfo:
    """Decode, repair (downmix, resample) and write `src` as 16 kHz mono PCM `dst`."""
    samples, info = load_audio(src, sample_rate)
    write_wav(dst, samples, sample_rate)
    return info

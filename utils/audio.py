"""Read any common audio file as 16 kHz mono float32, and write 16-bit PCM wav.

Decoding is soundfile (libsndfile 1.2: wav, flac, ogg, mp3); resampling is soxr. Everything that can go wrong with a clip raises `AudioError` whose
message is the reason a data-prep report records (zero bytes, undecodable, silent, ...).
`convert_to_wav` also refuses a truncated file: one that decodes to less than its header
declares (the transcript would describe audio that is not there).
`load_audio(path, span=(offset, duration))` reads one stretch of a long recording (a Kaldi
segment) without decoding the rest: libsndfile seeks to it.
"""
from __future__ import annotations

import errno
import io
import logging
import os
import struct
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
    """What a conversion did: the source rate, channels and encoding, and the result's duration.

    `declared_duration` is what the source's header promises (seconds; 0.0 when it does not say).
    """

    source_rate: int
    source_channels: int
    duration: float
    source_format: str = ""
    source_subtype: str = ""
    declared_duration: float = 0.0


def load_audio(path: Path, sample_rate: int = SAMPLE_RATE,
               span: tuple[float, float] | None = None) -> tuple[np.ndarray, AudioInfo]:
    """Decode `path`, downmix to mono, resample to `sample_rate`. Returns (samples, info).

    `span` = (offset, duration) in seconds reads only that stretch (a segment of a long
    recording); AudioError if the file ends before it does. A silent span is returned as it
    is (a pause between words is not a broken file); a silent whole file is an AudioError.
    """
    if not path.is_file():
        raise AudioError(f"{path}: {_why_not_a_file(path)}")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: zero-byte file")
    data, rate, (fmt, subtype, declared) = _decode(path, span)
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
    if span is None and float(np.abs(data).max()) < SILENCE_PEAK:
        raise AudioError(f"{path}: silent (peak below {SILENCE_PEAK})")
    return data, AudioInfo(rate, channels, len(data) / sample_rate, fmt, subtype, declared / rate)


def _why_not_a_file(path: Path) -> str:
    try:
        path.stat()
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "symlink loop"
        return f"dangling symlink (to {os.readlink(path)})" if path.is_symlink() else "no such file"
    return "not a regular file"


def _decode(path: Path, span: tuple[float, float] | None = None) -> tuple[np.ndarray, int, tuple[str, str, int]]:
    """(samples, rate, (format, subtype, frames the header declares, 0 if unknown)); see load_audio."""
    try:
        with sf.SoundFile(str(path)) as f:
            # libsndfile sizes a WAV by the bytes present, so read the header's own count.
            declared = _wav_declared_frames(path) if f.format == "WAV" else f.frames
            if span is None:
                data = f.read(dtype="float32", always_2d=False)
            else:
                data = _read_span(f, path, span)
            return data, int(f.samplerate), (f.format, f.subtype, declared)
    except (sf.LibsndfileError, RuntimeError, ValueError) as err:
        # libsndfile says "File does not exist or is not a regular file" for any format it cannot place.
        why = "not an audio format libsndfile recognises" if "not a regular file" in str(err) else str(err)
        raise AudioError(f"{path}: cannot decode audio ({why})") from None


def _read_span(f: sf.SoundFile, path: Path, span: tuple[float, float]) -> np.ndarray:
    """The frames of `span` (offset, duration in seconds) of an open file; AudioError past its end."""
    rate = f.samplerate
    start, frames = round(span[0] * rate), round(span[1] * rate)
    if start + frames > f.frames + round(0.011 * rate):  # times are written to the millisecond
        raise AudioError(f"{path}: segment {span[0]:.3f}-{span[0] + span[1]:.3f} s ends after the "
                         f"recording ({f.frames / rate:.3f} s)")
    f.seek(min(start, f.frames))
    return f.read(frames, dtype="float32", always_2d=False)


def _wav_declared_frames(path: Path) -> int:
    """Frames the RIFF `data` chunk header declares; 0 when unknown (streamed: size 0 or 0xFFFFFFFF)."""
    with open(path, "rb") as f:
        if f.read(12)[:4] != b"RIFF":
            return 0
        block_align = 0
        while len(chunk := f.read(8)) == 8:
            name, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if name == b"fmt ":
                body = f.read(size + size % 2)
                block_align = struct.unpack("<H", body[12:14])[0] if len(body) >= 14 else 0
            elif name == b"data":
                unknown = size in (0, 0xFFFFFFFF) or not block_align
                return 0 if unknown else size // block_align
            else:
                f.seek(size + size % 2, os.SEEK_CUR)
    return 0


def write_wav(path: Path, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    """Write 16-bit PCM mono wav atomically (temp file beside it, then rename).

    libsndfile encodes into memory and Python writes the bytes: closing a file it wrote itself,
    libsndfile fsyncs it, which cost more than decoding and resampling a short clip (2-3 ms a
    wav). The rename still keeps a killed run from leaving half a wav.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("." + path.name + ".tmp")
    encoded = io.BytesIO()
    sf.write(encoded, np.clip(samples, -1.0, 1.0), sample_rate, subtype="PCM_16", format="WAV")
    tmp.write_bytes(encoded.getbuffer())
    tmp.replace(path)


def convert_to_wav(src: Path, dst: Path, sample_rate: int = SAMPLE_RATE, expected_duration: float = 0.0) -> AudioInfo:
    """Decode, repair (downmix, resample) and write `src` as 16 kHz mono PCM `dst`.

    Raises AudioError as `load_audio` does, and for a truncated `src`: one that decodes to less
    than its header declares, or than `expected_duration` (seconds, from the corpus's metadata;
    0: unknown), by more than 2 % or 50 ms.
    """
    samples, info = load_audio(src, sample_rate)
    for declared, by in ((info.declared_duration, "its header declares"), (expected_duration, "the corpus lists")):
        if declared - info.duration > max(0.05, 0.02 * declared):
            raise AudioError(f"{src}: truncated (decodes to {info.duration:.2f} s of the {declared:.2f} s {by})")
    write_wav(dst, samples, sample_rate)
    return info

"""write_wav: the bytes libsndfile writes to a file of its own, without its fsync, atomically."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from utils.audio import write_wav


def test_same_bytes_as_libsndfile_writing_the_file(tmp_path: Path) -> None:
    samples = np.random.default_rng(0).uniform(-1.3, 1.3, 16_003).astype(np.float32)  # some out of range
    write_wav(tmp_path / "ours.wav", samples)
    sf.write(tmp_path / "libsndfile.wav", np.clip(samples, -1.0, 1.0), 16_000, subtype="PCM_16", format="WAV")
    assert (tmp_path / "ours.wav").read_bytes() == (tmp_path / "libsndfile.wav").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["libsndfile.wav", "ours.wav"]  # no temporary left
    info = sf.info(str(tmp_path / "ours.wav"))
    assert (info.samplerate, info.channels, info.frames, info.subtype) == (16_000, 1, 16_003, "PCM_16")

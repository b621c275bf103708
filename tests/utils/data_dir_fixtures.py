"""Tiny Kaldi data dirs for tests: real 16 kHz mono wavs, Irish text, speaker-prefixed ids."""
from __future__ import annotations

import wave
from collections.abc import Callable
from pathlib import Path

from utils.data_dir import Segment, Utterance, read_kv, write_data_dir

# Deliberately out of order: the writer must sort by bytes ("Aoife" < "aoife" < "spk10" < "spk9" < "éamon").
SAMPLES = [
    ("spk9-0001", "spk9", "cá bhfuil tú", "Cá bhfuil tú?", 1.5),
    ("éamon-0001", "éamon", "slán abhaile", "Slán abhaile!", 0.75),
    ("Aoife-0002", "Aoife", "dia duit", "Dia duit.", 1.25),
    ("Aoife-0001", "Aoife", "tá an t-uisce fuar", "Tá an t-uisce fuar.", 2.0),
    ("aoife-0001", "aoife", "go raibh maith agat", "Go raibh maith agat", 1.0),
    ("spk10-0001", "spk10", "ceart go leor", "Ceart go leor", 0.5),
]


def make_wav(path: Path, seconds: float = 0.25) -> str:
    """Write a silent 16 kHz mono 16-bit wav; return its absolute path as a string."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16000)
        handle.writeframes(b"\0\0" * int(16000 * seconds))
    return str(path.resolve())


def sample_utterances(audio_dir: Path, with_raw: bool = True) -> list[Utterance]:
    """SAMPLES as Utterances, each with its own wav under `audio_dir`."""
    return [
        Utterance(utt_id, speaker, make_wav(audio_dir / f"{utt_id}.wav"), text, duration,
                  raw if with_raw else None)
        for utt_id, speaker, text, raw, duration in SAMPLES
    ]


def write_sample_dir(root: Path, with_raw: bool = True) -> Path:
    """A valid data dir at root/data/train (audio under root/audio); returns the dir."""
    data_dir = root / "data" / "train"
    write_data_dir(data_dir, sample_utterances(root / "audio", with_raw))
    return data_dir


def set_line(path: Path, key: str, line: bytes | None) -> None:
    """Replace the line for `key` in a Kaldi file by raw `line` (without "\\n"), or delete it if None."""
    prefix = key.encode("utf-8") + b" "
    out = []
    for raw in path.read_bytes().split(b"\n")[:-1]:
        if raw.startswith(prefix) or raw == key.encode("utf-8"):
            if line is not None:
                out.append(line)
        else:
            out.append(raw)
    path.write_bytes(b"".join(raw + b"\n" for raw in out))


def replace_line(name: str, key: str, line: bytes | None) -> Callable[[Path], None]:
    """Corruption: set the line of `key` in file `name` to raw `line` (None deletes it)."""
    return lambda data_dir: set_line(data_dir / name, key, line)


def swap_first_lines(name: str) -> Callable[[Path], None]:
    """Corruption: swap the first two lines of file `name`."""
    def corrupt(data_dir: Path) -> None:
        lines = (data_dir / name).read_bytes().splitlines(keepends=True)
        (data_dir / name).write_bytes(b"".join([lines[1], lines[0], *lines[2:]]))
    return corrupt


def append_bytes(name: str, raw: bytes) -> Callable[[Path], None]:
    """Corruption: append raw bytes to file `name`."""
    return lambda data_dir: (data_dir / name).write_bytes((data_dir / name).read_bytes() + raw)


def rewrite_bytes(name: str, change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    """Corruption: replace the bytes of file `name` by change(bytes)."""
    return lambda data_dir: (data_dir / name).write_bytes(change((data_dir / name).read_bytes()))


def delete_wav(data_dir: Path) -> None:
    """Corruption: delete the audio file of Aoife-0002."""
    Path(read_kv(data_dir / "wav.scp")["Aoife-0002"]).unlink()


# Two conversations of two speakers each; utterances overlap where the speakers talk at once.
# (utt_id, speaker, reco_id, start, end, text)
SEGMENTS = [
    ("A01-r1-0001", "A01", "r1", 0.5, 2.0, "dia duit"),
    ("B02-r1-0001", "B02", "r1", 1.5, 3.25, "tá an t-uisce fuar"),
    ("A01-r2-0001", "A01", "r2", 0.0, 1.0, "slán abhaile"),
    ("B02-r2-0001", "B02", "r2", 1.25, 3.5, "go raibh maith agat"),
]
RECORDING_SECONDS = {"r1": 4.0, "r2": 3.5}


def segmented_utterances(audio_dir: Path) -> list[Utterance]:
    """SEGMENTS as Utterances of two silent recordings under `audio_dir` (r1.wav, r2.wav)."""
    wavs = {reco: make_wav(audio_dir / f"{reco}.wav", seconds) for reco, seconds in RECORDING_SECONDS.items()}
    return [Utterance(utt_id, speaker, wavs[reco], text, end - start,
                      segment=Segment(reco, start, RECORDING_SECONDS[reco]))
            for utt_id, speaker, reco, start, end, text in SEGMENTS]


def write_segmented_dir(root: Path) -> Path:
    """A valid segmented data dir at root/data/conv (recordings under root/audio); returns the dir."""
    data_dir = root / "data" / "conv"
    write_data_dir(data_dir, segmented_utterances(root / "audio"))
    return data_dir

"""Fixtures for the bad-input catalogue: tiny corpora with one bad item planted in each.

Every corpus holds GOOD clean utterances, so one dropped item stays under the default 5 %
drop share. Audio is a tone made here with numpy and written by soundfile (wav, or mp3 through
libsndfile's LAME encoder, as Common Voice ships). Each `plant_*` function adds one bad item
to a corpus and returns a `Planted` saying where the stage's report must find it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import soundfile as sf

from local.common_voice import UNSAFE_ID
from utils.kaldi_files import read_kv, write_kv

GOOD = 20
CLIENT = "c0ffee"  # the Common Voice client id of every planted row
HEADER = ["client_id", "path", "sentence", "up_votes", "down_votes"]
SENTENCE = "Tá an aimsir go breá inniu."
TRAIN_TEXT = ["Tá an aimsir go breá inniu.", "Bhí sé fuar agus fliuch inné.", "Is maith liom tae agus arán.",
              "Chuaigh mé go Gaillimh ar an Aoine.", "Beidh an cluiche ar siúl amárach."]


@dataclass(frozen=True)
class Planted:
    """Where the report must find the bad item: `file` (a suffix of the path it names) and
    `line` (None when the report has no line for it), the utterance id ("" when the item
    never gets one), and `name`, text the report row must contain (a clip name, a character)."""

    file: str
    line: int | None
    utt_id: str
    name: str


def tone(seconds: float = 0.6, rate: int = 16000, channels: int = 1) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    mono = 0.3 * np.sin(2 * np.pi * 220 * t)
    return np.stack([mono, 0.5 * mono], axis=1) if channels == 2 else mono


def write_audio(path: Path, samples: np.ndarray, rate: int, subtype: str | None = None) -> Path:
    """wav (PCM_16 unless `subtype`) or, for a .mp3 name, MP3."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = "MP3" if path.suffix == ".mp3" else "WAV"
    sf.write(str(path), samples, rate, format=fmt, subtype=subtype or ("MPEG_LAYER_III" if fmt == "MP3" else "PCM_16"))
    return path


# --- Common Voice: clips/*.mp3 and train.tsv ---------------------------------------------------

def common_voice(root: Path) -> Path:
    """clips/good_NN.mp3 (48 kHz, as Common Voice ships) and train.tsv listing them."""
    corpus = root / "cv"
    for n in range(GOOD):
        write_audio(corpus / "clips" / f"good_{n:02d}.mp3", tone(rate=48000), 48000)
    lines = ["\t".join(HEADER)] + [f"goodspeaker{n % 2}\tgood_{n:02d}.mp3\t{SENTENCE}\t2\t0" for n in range(GOOD)]
    (corpus / "train.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus


def raw_row(corpus: Path, raw: bytes) -> Planted:
    """Append the bytes of one row to train.tsv; a row that cannot be parsed is known by its line."""
    tsv = corpus / "train.tsv"
    line = len(tsv.read_bytes().splitlines()) + 1
    with open(tsv, "ab") as f:
        f.write(raw + b"\n")
    return Planted("train.tsv", line, "", "")


def cv_row(corpus: Path, path: str, sentence: str = SENTENCE) -> Planted:
    """Append a row by client CLIENT to train.tsv: its utterance id is CLIENT-<clip stem>."""
    at = raw_row(corpus, f"{CLIENT}\t{path}\t{sentence}\t2\t0".encode())
    return Planted(at.file, at.line, f"{CLIENT}-{UNSAFE_ID.sub('_', Path(path).stem)}", path)


def cv_clip(corpus: Path, name: str, data: bytes | np.ndarray, rate: int = 48000, sentence: str = SENTENCE) -> Planted:
    """Write clips/<name> (raw bytes, or samples to encode) and list it in train.tsv."""
    clip = corpus / "clips" / name
    if isinstance(data, bytes):
        clip.write_bytes(data)
    else:
        write_audio(clip, data, rate)
    return cv_row(corpus, name, sentence)


def cv_text(corpus: Path, name: str, sentence: str) -> Planted:
    """A good clip with a bad sentence: the report knows it by utterance id, file and line."""
    planted = cv_clip(corpus, name, tone(rate=48000), sentence=sentence)
    return replace(planted, name=planted.utt_id)


def truncated_mp3(corpus: Path) -> Planted:
    whole = write_audio(corpus / "whole.mp3", tone(2.0, 48000), 48000).read_bytes()
    return cv_clip(corpus, "cut.mp3", whole[: len(whole) * 2 // 5])


def path_escape(corpus: Path) -> Planted:
    """`../../etc/passwd` from clips/ lands on a real, decodable wav: only the refusal stops it."""
    write_audio(corpus.parent / "etc" / "passwd.wav", tone(), 16000).rename(corpus.parent / "etc" / "passwd")
    return cv_row(corpus, "../../etc/passwd")


def cv_symlink_loop(corpus: Path) -> Planted:
    os.symlink("loop.mp3", corpus / "clips" / "loop.mp3")
    return cv_row(corpus, "loop.mp3")


def crlf_tsv(corpus: Path) -> Planted:
    """train.tsv saved on Windows with only the columns we need: the CR ends each sentence."""
    tsv = corpus / "train.tsv"
    rows = [line.split("\t")[:3] for line in tsv.read_text(encoding="utf-8").splitlines()]
    tsv.write_bytes("".join("\t".join(row) + "\r\n" for row in rows).encode())
    return Planted("train.tsv", 2, "goodspeaker0-good_00", "good_00.mp3")


def duplicate_id(corpus: Path) -> Planted:
    """good_00 listed again by its speaker: the same utterance id as line 2 (which is kept)."""
    again = raw_row(corpus, f"goodspeaker0\tgood_00.mp3\t{SENTENCE}\t2\t0".encode())
    return Planted(again.file, again.line, "", "goodspeaker0-good_00")


def too_many_drops(corpus: Path) -> Planted:
    """Two zero-byte clips among GOOD good ones: 2/22 = 9 % > 5 %."""
    cv_clip(corpus, "zero_a.mp3", b"")
    return cv_clip(corpus, "zero_b.mp3", b"")


# --- plain folder (local/nsc.py layout a): audio_clips/ + transcripts/ ----------------------------

def plain_folder(root: Path) -> Path:
    """audio_clips/amy_NNN.wav (16 kHz mono PCM_16) with transcripts/amy_NNN.txt."""
    corpus = root / "folder"
    (corpus / "transcripts").mkdir(parents=True)
    for n in range(GOOD):
        write_audio(corpus / "audio_clips" / f"amy_{n:03d}.wav", tone(), 16000)
        (corpus / "transcripts" / f"amy_{n:03d}.txt").write_text("the weather is fine today\n", encoding="utf-8")
    return corpus


def folder_clip(corpus: Path, stem: str, samples: np.ndarray | None = None, rate: int = 16000,
                subtype: str | None = None, text: bytes = b"the weather is fine today\n",
                raw: bytes | None = None) -> Planted:
    """audio_clips/<stem>.wav (samples, or raw bytes) and its transcript; speaker "odd"."""
    clip = corpus / "audio_clips" / f"{stem}.wav"
    if raw is not None:
        clip.write_bytes(raw)
    elif samples is not None:
        write_audio(clip, samples, rate, subtype)
    (corpus / "transcripts" / f"{stem}.txt").write_bytes(text)
    return Planted(f"transcripts/{stem}.txt", 1, f"odd-{stem}", f"{stem}.wav")


def odd_duration(corpus: Path, stem: str, seconds: float) -> Planted:
    """A clip stage 1 keeps and stage 3 judges: its report knows it by utterance id."""
    folder_clip(corpus, stem, tone(seconds))
    return Planted("", None, f"odd-{stem}", f"odd-{stem}")


def truncated_wav(corpus: Path) -> Planted:
    whole = write_audio(corpus / "whole.wav", tone(2.0), 16000).read_bytes()
    return folder_clip(corpus, "odd_cut", raw=whole[: len(whole) // 2])


def corrupt_wav(corpus: Path) -> Planted:
    header = write_audio(corpus / "whole.wav", tone(), 16000).read_bytes()[:36]  # RIFF, WAVE, fmt chunk
    return folder_clip(corpus, "odd_corrupt", raw=header + b"\x00garbage" * 250)


def folder_symlink_loop(corpus: Path) -> Planted:
    """A clip linking to itself, and a folder linking back up (a walk that follows it never ends)."""
    os.symlink("odd_loop.wav", corpus / "audio_clips" / "odd_loop.wav")
    os.symlink("..", corpus / "audio_clips" / "up")
    return folder_clip(corpus, "odd_loop")


# --- transcripts for stage 4: train/text.raw and dev/text.raw ------------------------------------

def texts(root: Path) -> Path:
    """train/text.raw and dev/text.raw (Kaldi `utt_id text`), as data prep writes them."""
    corpus = root / "texts"
    for split in ("train", "dev"):
        (corpus / split).mkdir(parents=True)
        write_kv(corpus / split / "text.raw", {f"{split}-{n:03d}": s for n, s in enumerate(TRAIN_TEXT)})
    return corpus


def dev_sentence(corpus: Path, sentence: str, char: str) -> Planted:
    """Add `sentence` to dev; `char` is what the vocabulary (from train) lacks."""
    dev = read_kv(corpus / "dev" / "text.raw")
    dev["dev-bad"] = sentence
    write_kv(corpus / "dev" / "text.raw", dev)
    return Planted("dev/text", None, "dev-bad", f"U+{ord(char):04X}")

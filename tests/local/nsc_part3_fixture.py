"""A tiny NSC Part 3 in the released layout, spoken by espeak-ng: three conversations of two speakers.

Same room: conversation 3000 (speakers 3000-1, 3000-2): a close-talk recording per speaker
and one boundary recording of both. Separate rooms: two sessions, conf_2500_2500 and
conf_2501_2501, of two speakers each: a standing-mic recording per speaker and the
telephone's (8 kHz here, to exercise resampling) in a folder per session. Each speaker's
turns are spoken with espeak-ng, placed on a timeline with silence between (and one turn
overlapping the other speaker's), and described by a UTF-16 TextGrid written from Praat's
format (tests/local/textgrid_spec.py) holding `<S>` silences, an empty and a zero-length
interval and an annotation-only `<FIL/>` one besides the words.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import soundfile
import soxr

from tests.local.textgrid_spec import write_textgrid

NEEDS_ESPEAK = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
SENTENCES = Path(__file__).resolve().parents[2] / "local" / "sentences" / "en_sg.txt"
RATE = 16000
VOICES = ("en+m3", "en+f2")


@dataclass
class Channel:
    """One speaker's audio timeline and TextGrid intervals."""

    name: str
    samples: np.ndarray
    intervals: list[tuple[float, float, str]] = field(default_factory=list)


def _speak(text: str, voice: str) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "170", "-w", str(wav), text], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        samples, rate = soundfile.read(wav, dtype="float32")
    return soxr.resample(samples, rate, RATE).astype(np.float32)


def _conversation(names: tuple[str, str], sentences: list[str], seconds: float) -> list[Channel]:
    """Two channels taking turns over `seconds`; the third turn starts 1 s into the second (overlap)."""
    channels = [Channel(name, np.zeros(int(seconds * RATE), dtype=np.float32)) for name in names]
    slot = seconds / len(sentences)
    for turn, sentence in enumerate(sentences):
        channel = channels[turn % 2]
        speech = 0.5 * _speak(sentence, VOICES[turn % 2])
        start = round((slot + 1.0 if turn == 2 else turn * slot) + 0.3, 3)
        end = round(start + len(speech) / RATE, 3)
        channel.samples[int(start * RATE):int(start * RATE) + len(speech)] += speech
        channel.intervals.append((start, end, sentence))
    for channel in channels:
        channel.intervals = _with_silences(channel.intervals, seconds)
    channels[0].intervals[1:1] = [(channels[0].intervals[0][1], channels[0].intervals[0][1], "zero")]
    channels[1].intervals.append((seconds, seconds, ""))
    return channels


def _with_silences(speech: list[tuple[float, float, str]], seconds: float) -> list[tuple[float, float, str]]:
    """Fill the gaps with `<S>` (and one gap with `<FIL/>`), as NSC's transcribers did."""
    intervals, time = [], 0.0
    for number, (start, end, text) in enumerate(speech):
        if start > time:
            intervals.append((time, start, "<FIL/>" if number == 1 else "<S>"))
        intervals.append((start, end, text))
        time = end
    intervals.append((time, seconds, "<S>"))
    return intervals


def write_part3(root: Path, seconds: float = 60.0, turns: int = 6, spaces: bool = True) -> Path:
    """PART3 under `root` (folder names with spaces, or lhotse's without); returns `root`.

    Each recording lasts `seconds` and holds `turns` turns; sentences are taken in file order.
    """
    lines = [line.strip() for line in SENTENCES.read_text(encoding="utf-8").splitlines() if line.strip()]

    def folder(name: str) -> Path:
        path = root / "PART3" / (name if spaces else name.replace(" ", ""))
        path.mkdir(parents=True, exist_ok=True)
        return path

    conversations = {"3000": ("3000-1", "3000-2"), "conf_2500_2500": ("conf_2500_2500_00862025", "conf_2500_2500_00862177"),
                     "conf_2501_2501": ("conf_2501_2501_00862070", "conf_2501_2501_00862370")}
    for index, (conv, names) in enumerate(conversations.items()):
        channels = _conversation(names, lines[index * turns:(index + 1) * turns], seconds)
        same = conv.isdigit()
        scripts = folder("Scripts Same" if same else "Scripts Separate")
        for number, channel in enumerate(channels):
            write_textgrid(scripts / f"{channel.name}.TextGrid", {channel.name: channel.intervals}, seconds,
                           big_endian=number == 1)
            if same:
                soundfile.write(folder("Audio Same CloseMic") / f"{channel.name}.wav", channel.samples, RATE)
            else:
                soundfile.write(folder("Audio Separate StandingMic") / f"{channel.name}.wav", channel.samples, RATE)
                phone = soxr.resample(channel.samples, RATE, 8000)
                ivr = folder("Audio Separate IVR") / conv / f"{channel.name[len(conv) + 1:]}.wav"
                ivr.parent.mkdir(parents=True, exist_ok=True)
                soundfile.write(ivr, phone, 8000)
        if same:
            soundfile.write(folder("Audio Same BoundaryMic") / f"{conv}.wav",
                            0.7 * (channels[0].samples + channels[1].samples), RATE)
    return root


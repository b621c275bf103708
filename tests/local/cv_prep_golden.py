"""Frozen Common Voice data prep outputs: what tests/local/test_common_voice_golden.py compares against.

The corpus is written here from the release format (tests/local/cv_fixtures.py: the columns of
Common Voice 17-18, a BOM, clip_durations.tsv), with audio made of sine tones so that every
duration is exact whatever the machine: 40 clips in train.tsv from 7 speakers listed in no
order, plus the rows real dumps have (an empty, a corrupt, a missing and a truncated clip, a
44.1 kHz stereo one, a path out of clips/, a short and a long row, bytes that are not UTF-8,
an empty sentence, a clip listed twice, a clip also in test.tsv); dev.tsv, test.tsv and a
validated.tsv holding all of them plus clips by a dev speaker or of a test sentence.

tests/fixtures/cv_prep_golden/expected.txt holds every file of the four data dirs (train, dev,
test, and train from validated.tsv) and the names of the wavs written, with the corpus folder
written as $CORPUS. It was written once, by the data prep that kept every clip in memory
(before the streaming one, at commit 4540ab4):
    .venv/bin/python -m tests.local.cv_prep_golden expected
Never rewrite expected.txt to make the test pass: a difference is a change of data prep's output.
"""
from __future__ import annotations

import hashlib
import random
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from tests.local.cv_fixtures import write_tsv
from tests.local.cv_fixtures import row as release_row

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "cv_prep_golden"
FILES = ("wav.scp", "text", "text.raw", "utt2spk", "spk2utt", "utt2dur", "prep_report.tsv")
# (name of the data dir, split, train_set)
CASES = (("train", "train", "train"), ("dev", "dev", "train"), ("test", "test", "train"),
         ("validated", "train", "validated"))
SENTENCES = [
    "Tá an aimsir go breá inniu.", "Bhí sé fuar agus fliuch inné.", "Tá an t-uisce fuar.",
    "Chuaigh mé go Gaillimh ar an Aoine.", "Is maith liom tae agus arán.", "Tá ár n-athair sa bhaile.",
    "Beidh an cluiche ar siúl amárach.", "D’ól sé cupán tae.", "Tá an tUachtarán i mBaile Átha Cliath.",
    "Rugadh í i nÉirinn.", "Tá na hoileáin go hálainn.", "An bhfuil tú tuirseach?",
]


def client(number: int) -> str:
    """A client_id as releases write them: 128 hex digits."""
    return hashlib.sha512(f"speaker {number}".encode()).hexdigest()


def tone(path: Path, seconds: float, rate: int = 48_000, channels: int = 1) -> None:
    """A 220 Hz sine of `seconds` (a whole number of samples at `rate`), 16-bit wav."""
    t = np.arange(round(seconds * rate)) / rate
    wave = 0.3 * np.sin(2 * np.pi * 220 * t)
    sf.write(path, wave if channels == 1 else np.stack([wave, 0.5 * wave], axis=1), rate, subtype="PCM_16")


def _row(speaker: int, path: str, sentence: str) -> dict[str, str]:
    return {**release_row("a", path, sentence), "client_id": client(speaker)}


def write_corpus(corpus: Path) -> Path:
    """The Common Voice folder described in the module docstring; returns it."""
    clips = corpus / "clips"
    clips.mkdir(parents=True)
    names = [f"common_voice_ga-IE_{4000 + n}.wav" for n in range(53)]
    for n, name in enumerate(names):
        tone(clips / name, 0.6 + 0.013 * n)
    rng = random.Random(7)
    train = [_row(n % 7, names[n], SENTENCES[n % len(SENTENCES)]) for n in range(40)]
    rng.shuffle(train)
    tone(clips / "stereo_44k.wav", 1.25, rate=44_100, channels=2)
    (clips / "empty.mp3").write_bytes(b"")
    (clips / "broken.mp3").write_bytes(b"ID3\x03\x00\x00\x00" + b"\x00garbage" * 50)
    odd = [
        _row(2, "stereo_44k.wav", "  Fuaim   steiréó \ufeffanseo. "),
        _row(3, "empty.mp3", "Tá sé folamh."),
        _row(4, "broken.mp3", "Tá sé briste."),
        _row(5, "missing.mp3", "Níl sé ann."),
        _row(6, "../../etc/passwd", "Éalú."),
        _row(1, names[40], "?!"),                                    # no letters: empty transcript
        _row(0, names[41], "Tá an ghrian ag taitneamh."),             # truncated, says clip_durations.tsv
        _row(3, names[44], "Is maith liom tae agus arán."),          # also in test.tsv: kept there
        train[3],                                                    # listed twice
        _row(5, names[45], "Tá an fharraige ciúin."),
    ]
    train[5:5] = odd[:5]
    train[20:20] = odd[5:]
    write_tsv(corpus / "train.tsv", train, bom=True)
    with open(corpus / "train.tsv", "ab") as tsv:
        tsv.write(b"\t".join([client(1).encode(), names[46].encode()]) + b"\n")              # too few columns
        tsv.write("\t".join(["x"] * 20).encode() + b"\n")                                     # too many
        tsv.write(b"\t".join([client(2).encode(), names[47].encode(), b"id", b"\xff\xfe caint"])
                  + b"\t" * 9 + b"\n")                                                         # not UTF-8
        tsv.write(b"\n")                                                                     # a blank line
    dev = [_row(10, names[48], "Rugadh í i nÉirinn."), _row(11, names[49], "Tá sé ag cur báistí."),
           _row(3, names[44], "Is maith liom tae agus arán."),                               # also in test
           _row(10, names[52], "Tá an lá go hálainn.")]                                      # speaker 10 again
    test = [_row(12, names[50], "An bhfuil tú tuirseach?"), _row(3, names[44], "Is maith liom tae agus arán."),
            _row(13, names[51], "Tá an oíche dorcha.")]
    write_tsv(corpus / "dev.tsv", dev, newline="\r\n")
    write_tsv(corpus / "test.tsv", test)
    extra = [_row(10, names[42], "Tá an bád sa chuan."),                  # a dev speaker: held out
             _row(8, names[43], "an BHFUIL tú   tuirseach"),              # the test sentence, typed otherwise
             _row(9, names[45], "Tá an fharraige ciúin.")]               # kept
    write_tsv(corpus / "validated.tsv", train[:12] + dev + extra + train[12:] + test)
    lines = ["clip\tduration[ms]"]
    for name in sorted(set(names) - {names[3]}, reverse=True):
        lines.append(f"{name}\t{round(sf.info(str(clips / name)).duration * 1000)}")
    lines.append(f"{names[41]}\t9000")                     # listed again, longer: the last line counts
    lines.append("not a line of clip_durations")
    (corpus / "clip_durations.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus


def prepare_all(corpus: Path, out: Path, nj: int = 1) -> str:
    """Every case of CASES prepared into `out`; their files and wav names as one text (see FIXTURE)."""
    from local.common_voice import prepare_common_voice

    parts = []
    for name, split, train_set in CASES:
        data = prepare_common_voice(corpus, split, out / name, out / "wavs" / name, nj=nj, max_drop_share=0.5,
                                    train_set=train_set)
        for file in FILES:
            text = (data / file).read_text(encoding="utf-8")
            text = text.replace(str(corpus.resolve()), "$CORPUS").replace(str(corpus), "$CORPUS")
            parts.append(f"== {name}/{file}\n{text}")
        wavs = sorted(p.name for p in (out / "wavs" / name).iterdir())
        parts.append(f"== {name}: wavs\n" + "".join(f"{wav}\n" for wav in wavs))
    return "".join(parts)


def prepared_now(nj: int = 1) -> str:
    """prepare_all on a fresh corpus in a temporary folder."""
    with tempfile.TemporaryDirectory() as scratch:
        corpus = write_corpus(Path(scratch) / "cv-corpus-99.0" / "ga-IE")
        return prepare_all(corpus, Path(scratch) / "data", nj)


if __name__ == "__main__":
    if sys.argv[1:] != ["expected"]:
        sys.exit("usage: python -m tests.local.cv_prep_golden expected")
    FIXTURE.mkdir(parents=True, exist_ok=True)
    (FIXTURE / "expected.txt").write_text(prepared_now(), encoding="utf-8")
    print(f"wrote {FIXTURE / 'expected.txt'}")

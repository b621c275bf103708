"""The Asterisk core sound prompts in English (one human voice, telephone band) -> Kaldi data dirs.

Debian and Ubuntu ship them as two packages (CC-BY-SA-3.0; `tools/setup.sh` installs them)::

    asterisk-core-sounds-en-wav:
      /usr/share/asterisk/sounds/en_US_f_Allison/<name>.wav      8 kHz 16-bit mono, one prompt each
      /usr/share/asterisk/sounds/en_US_f_Allison/digits/1.wav    (sub-folders: digits, letters, ...)
    asterisk-core-sounds-en:
      /usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz

The transcript list holds one `<name>: <text>` line per prompt, <name> being the wav's path
below the sounds folder without `.wav` (`digits/1: one`); lines starting with `;` are comments,
and a text that is wholly in `[...]` or `(...)` is a tone or a silence (`beep: [this is a simple
beep tone]`), not speech: such prompts are skipped, and counted in the log. About 550 spoken
prompts, 25 minutes, one professional speaker (Allison Smith).

`--corpus-dir` may point at another copy of the sounds folder; its transcript list is then
`core-sounds-en.txt` or `.txt.gz` inside it, or else the installed one.

There are no official splits. Each distinct normalised text (local.normalizers.en_ivr) goes to
train, dev or test by a seeded hash, so prompts that say the same thing share a split and no
sentence is in two splits; `split_record` writes the seed, shares and counts beside the data.
Per split `prepare_asterisk_prompts` writes `out_dir` (wav.scp, text, text.raw, utt2spk,
spk2utt, utt2dur, prep_report.tsv) and the wavs, converted once to 16 kHz mono, under
`wav_dir`. Dropped, with file, line and reason: a transcript line without its wav, a malformed
line, a text with no words after normalisation, and unusable audio. Utterance id:
`allison-<name>`, `/` in the name written as `__`.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path

from local.common_voice import UNSAFE_ID
from local.normalizers.en_ivr import normalize
from utils.audio_jobs import ClipJob, convert_clips
from utils.data_dir import write_data_dir
from utils.errors import InputError
from pipeline.jobs import Jobs
from utils.prep_report import PrepReport

log = logging.getLogger(__name__)
SOUNDS_DIRS = (Path("/usr/share/asterisk/sounds/en_US_f_Allison"), Path("/usr/share/asterisk/sounds/en"))
TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
PACKAGES = "asterisk-core-sounds-en-wav asterisk-core-sounds-en"
SPEAKER = "allison"
DEFAULT_SHARES = {"train": 0.8, "dev": 0.1, "test": 0.1}
_NOT_SPEECH = re.compile(r"^\s*(\[[^\]]*\]|\([^)]*\))\s*$")


def find_asterisk_prompts(corpus_dir: Path | None = None) -> Path:
    """The sounds folder: `corpus_dir` if given, else the installed one; InputError naming the packages."""
    if corpus_dir is not None:
        if not corpus_dir.is_dir():
            raise InputError(f"{corpus_dir}: no such folder (expected the Asterisk en sounds folder)")
        return corpus_dir
    for candidate in SOUNDS_DIRS:
        if (candidate / "hello.wav").is_file() or any(candidate.glob("*.wav")):
            return candidate
    raise InputError(f"the Asterisk English prompts are not installed (looked in {', '.join(map(str, SOUNDS_DIRS))}): "
                     f"run tools/setup.sh, or `sudo apt-get install {PACKAGES}`, or pass --corpus-dir")


def transcript_file(corpus_dir: Path) -> Path:
    """`core-sounds-en.txt[.gz]` in `corpus_dir`, else the installed list; InputError if neither."""
    for candidate in (corpus_dir / "core-sounds-en.txt", corpus_dir / "core-sounds-en.txt.gz", TRANSCRIPTS):
        if candidate.is_file():
            return candidate
    raise InputError(f"{corpus_dir}: no core-sounds-en.txt(.gz) in it and none at {TRANSCRIPTS} "
                     f"(package asterisk-core-sounds-en)")


def check_asterisk_prompts(corpus_dir: Path | None = None) -> dict[str, object]:
    """Find the prompts and their transcript list; describe them (name, path, transcripts, prompts)."""
    found = find_asterisk_prompts(corpus_dir)
    listing = transcript_file(found)
    entries, _ = read_transcripts(listing)
    if not entries:
        raise InputError(f"{listing}: no `name: text` lines of speech")
    return {"name": "Asterisk core sounds, English (Allison), CC-BY-SA-3.0", "path": str(found),
            "transcripts": str(listing), "prompts": len(entries), "speakers": 1}


def read_transcripts(listing: Path) -> tuple[list[tuple[int, str, str]], list[tuple[int, str]]]:
    """([(line number, name, text)] per spoken prompt, [(line number, reason)] per malformed line).

    Comments, blank lines and tone/silence lines are left out. InputError if unreadable.
    """
    try:
        raw = gzip.decompress(listing.read_bytes()) if listing.suffix == ".gz" else listing.read_bytes()
        lines = raw.decode("utf-8-sig").splitlines()
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as exc:
        raise InputError(f"{listing}: cannot read the transcript list: {exc}") from exc
    entries, malformed = [], []
    skipped = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith(";"):
            continue
        name, colon, text = line.partition(":")
        if not colon or not name.strip() or " " in name.strip():
            malformed.append((number, "not a `name: text` line"))
        elif _NOT_SPEECH.match(text):
            skipped += 1
        else:
            entries.append((number, name.strip(), " ".join(text.split())))
    log.info("%s: %d prompts listed, %d tone/silence lines skipped", listing, len(entries), skipped)
    return entries, malformed


def split_of(text: str, seed: int, shares: Mapping[str, float]) -> str:
    """The split of a normalised text: sha256(seed, text) placed on the cumulative shares."""
    point = int(hashlib.sha256(f"{seed}\t{text}".encode()).hexdigest()[:15], 16) / 16**15
    total = 0.0
    for name, share in shares.items():
        total += share
        if point < total:
            return name
    return list(shares)[-1]


def prepare_asterisk_prompts(corpus_dir: Path | None, split: str, out_dir: Path, wav_dir: Path,
                             shares: Mapping[str, float] = DEFAULT_SHARES, seed: int = 0, nj: int | Jobs = 1,
                             max_drop_share: float = 0.05, limit: int | None = None) -> Path:
    """Write the Kaldi data dir `out_dir` for `split` (a key of `shares`) and its wavs under `wav_dir`.

    `limit` keeps the first N prompts of the list before splitting (quick tests). Raises
    InputError for a missing corpus, bad shares, or when more than `max_drop_share` of the split
    is unusable (the report is written to `out_dir` first).
    """
    if split not in shares or abs(sum(shares.values()) - 1) > 1e-6:
        raise InputError(f"shares {dict(shares)}: must name split {split!r} and sum to 1")
    sounds = find_asterisk_prompts(corpus_dir)
    listing = transcript_file(sounds)
    report, jobs = PrepReport(f"data prep {split}"), []
    entries, malformed = read_transcripts(listing)
    if split == list(shares)[0]:  # a malformed line has no text to split by: reported once, in the first
        for number, reason in malformed:
            report.total += 1
            report.drop(str(listing), number, "", reason)
    for number, name, text in entries[:limit]:
        key = normalize(text)
        utt_id = f"{SPEAKER}-{UNSAFE_ID.sub('_', name.replace('/', '__'))}"
        if split_of(key or name, seed, shares) != split:
            continue
        report.total += 1
        wav = sounds / f"{name}.wav"
        if not key:
            report.drop(str(listing), number, utt_id, "empty transcript (no words after normalisation)")
        elif not (wav.is_file() or wav.is_symlink()):
            report.drop(str(listing), number, utt_id, f"no audio {wav}")
        else:
            jobs.append(ClipJob(str(listing), number, utt_id, SPEAKER, wav, text))
    utts = convert_clips(jobs, wav_dir, nj, report, desc=f"audio {split}", native_rates=(8000,))
    report.write(out_dir / "prep_report.tsv")
    report.check_share(max_drop_share, out_dir / "prep_report.tsv")
    write_data_dir(out_dir, utts)
    return out_dir


def split_record(out_file: Path, seed: int, shares: Mapping[str, float], data_dirs: Mapping[str, Path]) -> None:
    """Write how the splits were made (seed, shares, utterances and distinct texts per split) as JSON."""
    counts = {}
    for name, data_dir in data_dirs.items():
        texts = [line.split(" ", 1)[1] if " " in line else "" for line in
                 (data_dir / "text.raw").read_text(encoding="utf-8").splitlines()]
        counts[name] = {"utterances": len(texts), "distinct_texts": len({normalize(t) for t in texts})}
    record = {"split_by": "seeded sha256 of the normalised text (local.asterisk_prompts.split_of)",
              "seed": seed, "shares": dict(shares), "splits": counts}
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def split_texts(corpus_dir: Path | None, split: str, seed: int = 0,
                shares: Mapping[str, float] = DEFAULT_SHARES) -> list[str]:
    """The distinct normalised texts that `prepare_asterisk_prompts` puts in `split`, in list order.

    For text-only uses of one split (speaking the train prompts with espeak-ng for pretraining):
    the same seeded hash, so no dev or test sentence leaks into them.
    """
    entries, _ = read_transcripts(transcript_file(find_asterisk_prompts(corpus_dir)))
    texts = (normalize(text) for _, name, text in entries)
    return list(dict.fromkeys(text for text in texts if text and split_of(text, seed, shares) == split))

"""National Speech Corpus (IMDA, Singapore English), or a plain clips + transcripts folder -> Kaldi data dirs.

Two raw layouts are read; `prepare_nsc` tells them apart by what `corpus_dir` holds.

(a) A plain folder, as the original experiment had it::

    <corpus_dir>/
      audio_clips/<name>.wav       any rate and channel count (.flac, .mp3, .ogg also read)
      transcripts/<name>.txt       the words of that clip, UTF-8 (a BOM is allowed); the
                                   lines of one file are joined with spaces

    Speaker id: a group of a regex applied to <name> (`speaker_pattern`, its group named
    "speaker" or else group 1); by default everything before the last "_" or "-"
    (`amy_003` -> `amy`), else "spk".

(b) NSC Parts 1 and 2 (prompted read speech), unpacked::

    <corpus_dir>/PART1/DATA/CHANNEL0/SCRIPT/000010.TXT
    <corpus_dir>/PART1/DATA/CHANNEL0/WAVE/SPEAKER0001/SESSION0/000010001.WAV

    A script is named <channel digit><4-digit speaker><session digit>.TXT and lists that
    session's utterances, UTF-8 with or without a BOM, each as a line
    `<utterance id>\\t<text as prompted>`, optionally followed by a line `\\t<transcription>`
    (empty id: what the transcriber heard, NSC annotations included), which is preferred
    when present. The audio of utterance <id> is WAVE/SPEAKER<speaker>/SESSION<session>/<id>.WAV.
    PART2 is read the same way; `channels` picks CHANNEL0 (headset), 1 (boundary) or 2
    (phone). Each WAVE/SPEAKERxxxx may stay the zip NSC ships (WAVE/SPEAKERxxxx.zip, read by
    local/nsc_zips.py) or be unpacked. A WAV no script lists is ignored. Part 3 (TextGrid
    conversations): local/nsc_part3.py; Parts 4-6 are not read.

Speaker id: `part1_speaker0001`; utterance id: `<speaker>-<name or NSC id>`. There are no
official splits, so each utterance goes to train/dev/test by a hash of its normalised
transcript (`local.normalizers.en_sg`) and `shares`: the same sentence always lands in the
same split, so no sentence is shared between splits. An utterance dropped before its text is
known (missing or unreadable transcript) is hashed by its file name instead, so it is reported
in exactly one split. Per split this writes `out_dir` (wav.scp, text, text.raw, utt2spk,
spk2utt, utt2dur, prep_report.tsv) and the wavs, converted once to 16 kHz mono, under
`wav_dir`. Dropped, with file, line and reason: a clip without a transcript or a transcript
without a clip, non-UTF-8 or empty transcripts (nothing left after normalisation, e.g. only
`<NON/> (ppb)`), missing/corrupt/truncated/silent audio or a clip that is a symlink loop,
duplicate ids; line 0 in the report means the whole file. Resampling, downmixing and
re-encoding (24-bit or float wav) are reported as repairs.

The synthetic demo corpus is made by `make_synthetic_corpus_en_sg` in Common Voice's layout:
prepare it with `local.common_voice.prepare_common_voice`, not with `prepare_nsc`.
"""
from __future__ import annotations

import hashlib
import logging
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from local.common_voice import UNSAFE_ID
from local.normalizers.en_sg import normalize
from local.nsc_zips import stage_from_zips
from local.synth_corpus import make_synthetic_corpus
from utils.audio_jobs import ClipJob, convert_clips
from utils.data_dir import write_data_dir
from utils.errors import InputError
from pipeline.jobs import Jobs
from utils.prep_report import PrepReport

log = logging.getLogger(__name__)
DEFAULT_SHARES = {"train": 0.8, "dev": 0.1, "test": 0.1}
DEFAULT_SPEAKER_PATTERN = r"^(?P<speaker>.+)[_-][^_-]*$"
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg")
_SCRIPT_NAME = re.compile(r"^(?P<channel>\d)(?P<speaker>\d{4})(?P<session>\d)$")


@dataclass(frozen=True)
class _Drop:
    """An utterance unusable before conversion; `key` places it in a split."""

    source: str
    line: int
    utt_id: str
    reason: str
    key: str


def check_nsc(corpus_dir: Path, channels: tuple[int, ...] = (0,)) -> dict[str, object]:
    """Check the layout and describe the corpus (name, path, layout); InputError if neither layout."""
    layout = _layout(corpus_dir)
    if layout == "nsc":
        scripts = list(_nsc_scripts(corpus_dir, channels))
        if not scripts:
            raise InputError(f"{corpus_dir}: no PART*/DATA/CHANNEL<n>/SCRIPT/*.TXT for channels {channels}")
        return {"name": "National Speech Corpus", "path": str(corpus_dir), "layout": layout, "scripts": len(scripts)}
    clips = [p for p in (corpus_dir / "audio_clips").iterdir() if p.suffix.lower() in AUDIO_SUFFIXES]
    return {"name": f"clips + transcripts folder {corpus_dir.name}", "path": str(corpus_dir), "layout": layout,
            "clips": len(clips)}


def prepare_nsc(corpus_dir: Path, split: str, out_dir: Path, wav_dir: Path,
                shares: Mapping[str, float] = DEFAULT_SHARES, nj: int | Jobs = 1, max_drop_share: float = 0.05,
                speaker_pattern: str = DEFAULT_SPEAKER_PATTERN, channels: tuple[int, ...] = (0,)) -> Path:
    """Write the Kaldi data dir `out_dir` for `split` (a key of `shares`) and its wavs under `wav_dir`.

    Raises InputError for an unknown layout, bad shares, or when more than `max_drop_share`
    of the split's utterances are unusable (the report is written to `out_dir` first).
    """
    _check_shares(split, shares)
    if _layout(corpus_dir) == "nsc":
        items = _nsc_items(corpus_dir, channels)
    else:
        items = _plain_items(corpus_dir, _speaker_regex(speaker_pattern))
    report = PrepReport(f"data prep {split}")
    jobs, seen = [], set()
    for item in items:
        key = item.key if isinstance(item, _Drop) else normalize(item.text)
        if _split_of(key, shares) != split:
            continue
        report.total += 1
        if not isinstance(item, _Drop) and item.utt_id in seen:
            item = _Drop(item.source, item.line, item.utt_id, "duplicate utterance id", key)
        if isinstance(item, _Drop):
            report.drop(item.source, item.line, item.utt_id, item.reason)
            continue
        seen.add(item.utt_id)
        jobs.append(item)
    jobs = stage_from_zips(jobs, wav_dir / ".zip_clips", wav_dir, report)  # zipped speakers, extracted
    utts = convert_clips(jobs, wav_dir, nj, report, desc=f"audio {split}")
    shutil.rmtree(wav_dir / ".zip_clips", ignore_errors=True)
    report.write(out_dir / "prep_report.tsv")
    report.check_share(max_drop_share, out_dir / "prep_report.tsv")
    write_data_dir(out_dir, utts)
    return out_dir


def _layout(corpus_dir: Path) -> str:
    if (corpus_dir / "audio_clips").is_dir() and (corpus_dir / "transcripts").is_dir():
        return "plain"
    if any(corpus_dir.glob("PART*/DATA/CHANNEL*/SCRIPT")):
        return "nsc"
    raise InputError(f"{corpus_dir}: neither a plain folder (audio_clips/ + transcripts/) nor the National "
                     "Speech Corpus (PART1/DATA/CHANNEL0/SCRIPT, .../WAVE); see local/nsc.py for both layouts")


def _check_shares(split: str, shares: Mapping[str, float]) -> None:
    if split not in shares or any(share < 0 for share in shares.values()) or abs(sum(shares.values()) - 1) > 1e-6:
        raise InputError(f"split shares {dict(shares)}: expected non-negative shares summing to 1, "
                         f"with one for {split!r}")


def _speaker_regex(pattern: str) -> re.Pattern:
    try:
        regex = re.compile(pattern)
    except re.error as err:
        raise InputError(f"speaker pattern {pattern!r} is not a valid regular expression: {err}") from None
    if not regex.groups:
        raise InputError(f"speaker pattern {pattern!r} has no group; the speaker id is its group "
                         "named 'speaker', or else its group 1")
    return regex


def _split_of(key: str, shares: Mapping[str, float]) -> str:
    """Deterministic: the first 60 bits of sha256(key) as a fraction, placed on the cumulative shares."""
    point = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:15], 16) / 16**15
    total = 0.0
    for name, share in shares.items():
        total += share
        if point < total:
            return name
    return list(shares)[-1]


def _speaker(stem: str, pattern: re.Pattern) -> str:
    match = pattern.search(stem)
    if not match:
        return "spk"
    found = match.group("speaker") if "speaker" in pattern.groupindex else match.group(1)
    return UNSAFE_ID.sub("_", found or "") or "spk"


def _read_text(raw: bytes) -> str | None:
    """Decoded, whitespace-collapsed text (BOM stripped); None when not UTF-8."""
    try:
        return " ".join(raw.decode("utf-8-sig").split())
    except UnicodeDecodeError:
        return None


def _plain_items(corpus_dir: Path, pattern: re.Pattern) -> Iterator[ClipJob | _Drop]:
    clips_dir, texts_dir = corpus_dir / "audio_clips", corpus_dir / "transcripts"
    # A broken or looping symlink is listed too, so the report says why it was dropped.
    clips = sorted(p for p in clips_dir.iterdir()
                   if (p.is_file() or p.is_symlink()) and p.suffix.lower() in AUDIO_SUFFIXES)
    stems = {clip.stem for clip in clips}
    for clip in clips:
        speaker = _speaker(clip.stem, pattern)
        utt_id = f"{speaker}-{UNSAFE_ID.sub('_', clip.stem)}"
        transcript = texts_dir / f"{clip.stem}.txt"
        if not transcript.is_file():
            yield _Drop(str(clip), 0, utt_id, f"no transcript {transcript}", clip.name)
            continue
        text = _read_text(transcript.read_bytes())
        if text is None:
            yield _Drop(str(transcript), 1, utt_id, "transcript is not valid UTF-8", clip.name)
        elif not normalize(text):
            yield _Drop(str(transcript), 1, utt_id, "empty transcript (no words after normalisation)", clip.name)
        else:
            yield ClipJob(str(transcript), 1, utt_id, speaker, clip, text)
    for transcript in sorted(texts_dir.glob("*.txt")):
        if transcript.stem not in stems:
            yield _Drop(str(transcript), 0, "", f"no audio clip {clips_dir}/{transcript.stem}.*", transcript.name)


def _nsc_scripts(corpus_dir: Path, channels: tuple[int, ...]) -> Iterator[Path]:
    for channel in channels:
        yield from sorted(corpus_dir.glob(f"PART*/DATA/CHANNEL{channel}/SCRIPT/*.[Tt][Xx][Tt]"))


def _nsc_items(corpus_dir: Path, channels: tuple[int, ...]) -> Iterator[ClipJob | _Drop]:
    for script in _nsc_scripts(corpus_dir, channels):
        name = _SCRIPT_NAME.match(script.stem)
        if not name:
            log.warning("%s: not named <channel><speaker4><session>.TXT; skipped", script)
            continue
        part = UNSAFE_ID.sub("_", script.parents[3].name.lower())
        speaker = f"{part}_speaker{name['speaker']}"
        session_dir = script.parents[1] / "WAVE" / f"SPEAKER{name['speaker']}" / f"SESSION{name['session']}"
        for number, nsc_id, text, problem in _script_entries(script):
            utt_id = f"{speaker}-{UNSAFE_ID.sub('_', nsc_id)}"
            if problem or not normalize(text):
                yield _Drop(str(script), number, utt_id, problem or "empty transcript (no words after normalisation)",
                            f"{script.name}:{number}")
                continue
            wav = next((p for p in (session_dir / f"{nsc_id}.WAV", session_dir / f"{nsc_id}.wav") if p.is_file()),
                       session_dir / f"{nsc_id}.WAV")
            yield ClipJob(str(script), number, utt_id, speaker, wav, text)


def _script_entries(script: Path) -> list[tuple[int, str, str, str]]:
    """(line number, utterance id, text, problem or "") per utterance of one NSC script.

    A line `\t<transcription>` (empty id) replaces the text of the entry above it: it is what
    was said, where the entry's own line holds the prompt.
    """
    entries: list[tuple[int, str, str, str]] = []
    for number, raw in enumerate(script.read_bytes().split(b"\n"), start=1):
        raw = raw.rstrip(b"\r").removeprefix(b"\xef\xbb\xbf")
        if not raw.strip():
            continue
        nsc_id, _, rest = raw.partition(b"\t")
        nsc_id = nsc_id.strip()
        text = _read_text(rest)
        problem = "" if text is not None else "line is not valid UTF-8"
        if not nsc_id and entries:
            entries[-1] = (number, entries[-1][1], text or "", problem)
        elif not re.fullmatch(rb"[A-Za-z0-9_.-]+", nsc_id):
            entries.append((number, f"line{number}", "", "not `<utterance id>\\t<text>`"))
        else:
            entries.append((number, nsc_id.decode("ascii"), text or "", problem))
    return entries


_ESPEAK_RESPELLINGS = (
    (re.compile(r"(?<![\d.])(\d{1,2})\.(\d{2})(?=\s*[ap]\.?m\b)", re.IGNORECASE), r"\1:\2"),
    (re.compile(r"(?<![\w$])S?\$1(?!\d|\.\d)"), "1 dollar"),
    (re.compile(r"(?<![\w$])S?\$(\d+)(?!\d|\.\d)"), r"\1 dollars"),
)


def espeak_spelling(line: str) -> str:
    """Respell what espeak-ng misreads so its audio says what the normaliser writes.

    espeak-ng reads "10.30 am" as "ten point three zero am" and "$5" as "dollar five"; the
    respellings "10:30 am" and "5 dollars" are spoken "ten thirty am" and "five dollars",
    which is exactly what `local.normalizers.en_sg.normalize` makes of either spelling.
    Amounts with cents are left as they are (the sentence list has none).
    """
    for pattern, replacement in _ESPEAK_RESPELLINGS:
        line = pattern.sub(replacement, line)
    return line


def make_synthetic_corpus_en_sg(sentences_file: Path, out_dir: Path, lang: str, renditions: dict[str, int],
                                seed: int = 0, nj: int = 2, max_sentences: int | None = None) -> Path:
    """The espeak-ng demo corpus in Common Voice's layout, from `espeak_spelling` of each sentence.

    The respelt sentence list is kept as `<out_dir>/sentences.espeak.txt`; the rest is
    `local.synth_corpus.make_synthetic_corpus` (`lang` an espeak-ng English voice: en, en-us,
    en-gb-x-rp, ...; `max_sentences` keeps the first N sentences, for small test corpora).
    Prepare the result with `local.common_voice.prepare_common_voice`.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    respelt = out_dir / "sentences.espeak.txt"
    lines = sentences_file.read_text(encoding="utf-8-sig").splitlines()
    respelt.write_text("".join(espeak_spelling(line) + "\n" for line in lines), encoding="utf-8")
    return make_synthetic_corpus(respelt, out_dir, lang, renditions, seed=seed, nj=nj,
                                 max_sentences=max_sentences)

"""NSC Part 3 (conversations): Praat TextGrids over long recordings -> segmented Kaldi data dirs.

Layout, from the corpus README (as Kaldi's egs/nsc ships it) and the released file names::

    <corpus_dir>/PART3/
      Scripts Same/3000-1.TextGrid              speaker 1 of same-room conversation 3000
      Audio Same CloseMic/3000-1.wav            that speaker's close-talk microphone
      Audio Same BoundaryMic/3000.wav           one boundary microphone for both speakers
      Scripts Separate/conf_2500_2500_00862025.TextGrid      one speaker of separate-room session
      Audio Separate StandingMic/conf_2500_2500_00862025.wav   conf_2500_2500, standing microphone
      Audio Separate IVR/conf_2500_2500/00862025.wav           the same speaker's telephone line

Folder names are also read without their spaces (lhotse's copy: `ScriptsSame`,
`AudioSameCloseMic`, ...), the TextGrid suffix in any case. Every microphone folder present
is read (`mics` narrows it): each gives its own recordings of the same utterances.

A TextGrid is UTF-16 with a BOM (UTF-8 is read too) in Praat's long or short text format; its
tier named after the file (or its only tier) holds the speaker's intervals (xmin, xmax,
text). Parsed with praatio's `textgrid_io.parseTextgridStr`: praatio is maintained (6.2,
2026; `textgrid` and `tgt` last released in 2023-24), reads both text formats and Praat's
quoting, and its parser returns the intervals without validating them, so one zero-length
interval (NSC has some) costs that interval, not the file (praatio's own `openTextgrid`
rejects the whole grid for it).

Recordings are converted once to 16 kHz mono (`<wav_dir>/<reco_id>.wav`); utterances are Kaldi
segments of them. Skipped and counted (in `<out_dir>/skipped.tsv`, not losses): `<S>`/`<Z>`
silence, empty intervals, zero-length ones, and those the normaliser empties (annotation
only, e.g. `<FIL/>`). Intervals of the two speakers that overlap in time are kept as they are.
Dropped and reported in prep_report.tsv with file and reason: a TextGrid that does not
parse or has no such tier, a missing or unusable recording, an interval ending after its
recording (one ending within TRIM_SECONDS of the end is trimmed to it, as lhotse does, and
reported as a repair when it passes the end by more than the millisecond rounding).

Ids: speaker = the TextGrid's name (`3000-1`, `conf_2500_2500_00862025`); conversation = the
name less its last `-`/`_` part; recording = `<mic>-<audio path below its folder>` (`/` -> `_`); utterance =
`<speaker>-<mic>-<interval number>`. Splits are by conversation, so no speaker, recording or
conversation is in two splits: the conversations shuffled with `seed` and cut by `shares`
(each split gets one while there are enough; see `split_conversations`). `<out_dir>/conversations` records the split.
"""
from __future__ import annotations

import logging
import random
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from local.normalizers.en_sg import normalize
from local.nsc_textgrid import Interval, read_tier
from utils.audio_jobs import ClipJob, convert_clips
from utils.data_dir import Segment, Utterance, write_data_dir
from utils.data_dir_checks import SEGMENT_TOLERANCE
from utils.errors import InputError
from pipeline.jobs import Jobs
from utils.prep_report import PrepReport
from utils.text_files import atomic_write_text

log = logging.getLogger(__name__)
SILENCE = ("<S>", "<Z>")
TRIM_SECONDS = 0.5
# mic -> (scripts folder, audio folder, audio path below it for TextGrid `name` of conversation `conv`)
MICS = {
    "closemic": ("Scripts Same", "Audio Same CloseMic", lambda name, conv: f"{name}.wav"),
    "boundarymic": ("Scripts Same", "Audio Same BoundaryMic", lambda name, conv: f"{conv}.wav"),
    "standingmic": ("Scripts Separate", "Audio Separate StandingMic", lambda name, conv: f"{name}.wav"),
    "ivr": ("Scripts Separate", "Audio Separate IVR",
            lambda name, conv: f"{conv}/{name[len(conv) + 1:]}.wav"),
}
_CONVERSATION = re.compile(r"^(?P<conv>.+)[-_][^-_]+$")


@dataclass(frozen=True)
class _Channel:
    """One speaker's TextGrid heard through one microphone's recording."""

    mic: str
    textgrid: Path
    speaker: str
    conversation: str
    audio: Path
    audio_name: str  # the audio path below its folder, without suffix, "/" -> "_"

    @property
    def reco_id(self) -> str:
        return f"{self.mic}-{self.audio_name}"


def is_part3(corpus_dir: Path) -> bool:
    """True when `corpus_dir` holds PART3 with at least one scripts folder."""
    return any(_folder(corpus_dir, name) is not None for name in ("Scripts Same", "Scripts Separate"))


def check_part3(corpus_dir: Path, mics: tuple[str, ...] = tuple(MICS)) -> dict[str, object]:
    """Describe Part 3 (name, path, layout, counts); InputError when no TextGrid has a recording."""
    channels = _channels(corpus_dir, mics)
    if not channels:
        raise InputError(f"{corpus_dir}: no PART3 TextGrid with a recording in any of "
                         f"{', '.join(MICS[m][1] for m in mics)} (see local/nsc_part3.py for the layout)")
    return {"name": "National Speech Corpus Part 3", "path": str(corpus_dir), "layout": "nsc_part3",
            "mics": sorted({c.mic for c in channels}), "textgrids": len({c.textgrid for c in channels}),
            "conversations": len({c.conversation for c in channels})}


def prepare_part3(corpus_dir: Path, split: str, out_dir: Path, wav_dir: Path, shares: Mapping[str, float],
                  seed: int = 0, nj: int | Jobs = 1, max_drop_share: float = 0.05,
                  mics: tuple[str, ...] = tuple(MICS)) -> Path:
    """Write the segmented data dir `out_dir` for `split` (a key of `shares`), recordings under `wav_dir`.

    Raises InputError for an unknown split, no Part 3 layout, or when more than `max_drop_share`
    of the split's intervals are unusable (prep_report.tsv is written to `out_dir` first).
    """
    if split not in shares:
        raise InputError(f"unknown split {split!r}; expected one of {', '.join(shares)}")
    channels = _channels(corpus_dir, mics)
    conversations = split_conversations(sorted({c.conversation for c in channels}), shares, seed)[split]
    mine = [c for c in channels if c.conversation in conversations]
    report, skipped = PrepReport(f"data prep {split}"), Counter()
    tiers = {}
    for textgrid in sorted({c.textgrid for c in mine}):
        try:
            tiers[textgrid] = read_tier(textgrid)
        except InputError as err:
            report.total += 1
            report.drop(str(textgrid), 0, "", str(err))
    recordings = {c.reco_id: c for c in mine if c.textgrid in tiers}
    jobs = [ClipJob(str(c.audio), 0, reco_id, c.speaker, c.audio, "") for reco_id, c in sorted(recordings.items())]
    converted = {utt.utt_id: utt for utt in convert_clips(jobs, wav_dir, nj, report, desc=f"audio {split}")}
    utts = []
    for channel in sorted(mine, key=lambda c: (c.speaker, c.mic)):
        if channel.textgrid in tiers:
            utts += _utterances(channel, tiers[channel.textgrid], converted.get(channel.reco_id), report, skipped)
    _write_skipped(out_dir / "skipped.tsv", skipped)
    atomic_write_text(out_dir / "conversations", f"# seed {seed}, shares {dict(shares)}\n"
                      + "".join(f"{conv}\n" for conv in sorted(conversations)))
    report.write(out_dir / "prep_report.tsv")
    report.check_share(max_drop_share, out_dir / "prep_report.tsv")
    write_data_dir(out_dir, utts)
    log.info("NSC Part 3 %s: %d utterances of %d recordings; skipped %s", split, len(utts), len(converted),
             dict(skipped) or "none")
    return out_dir


def split_conversations(conversations: list[str], shares: Mapping[str, float], seed: int) -> dict[str, set[str]]:
    """Conversations per split: shuffled with `seed`, cut by `shares` (splits in name order, so
    the config's key order does not matter), each split given at least one while there are
    enough; the largest share takes what rounding leaves over."""
    order = sorted(conversations)
    random.Random(seed).shuffle(order)
    total = sum(shares.values())
    counts = {name: round(share / total * len(order)) for name, share in shares.items()}
    if len(order) >= len(shares):
        for name in shares:
            counts[name] = max(1, counts[name])
    largest = max(sorted(shares), key=lambda name: shares[name])
    counts[largest] = len(order) - sum(n for name, n in counts.items() if name != largest)
    result, start = {}, 0
    for name in sorted(shares):
        result[name] = set(order[start:start + max(0, counts[name])])
        start += max(0, counts[name])
    return result


def _folder(corpus_dir: Path, name: str) -> Path | None:
    """PART3/<name>, or its spelling without spaces (lhotse's copy); None when neither exists."""
    for candidate in (corpus_dir / "PART3" / name, corpus_dir / "PART3" / name.replace(" ", "")):
        if candidate.is_dir():
            return candidate
    return None


def _channels(corpus_dir: Path, mics: tuple[str, ...]) -> list[_Channel]:
    """Every (TextGrid, microphone) pair whose recording exists; a TextGrid without one is logged."""
    unknown = [mic for mic in mics if mic not in MICS]
    if unknown:
        raise InputError(f"unknown NSC Part 3 microphone(s) {unknown}; expected some of {', '.join(MICS)}")
    channels = []
    for mic in mics:
        scripts_name, audio_name, audio_of = MICS[mic]
        scripts, audio = _folder(corpus_dir, scripts_name), _folder(corpus_dir, audio_name)
        if scripts is None or audio is None:
            continue
        for textgrid in sorted(p for p in scripts.iterdir() if p.suffix.lower() == ".textgrid"):
            match = _CONVERSATION.match(textgrid.stem)
            conv = match["conv"] if match else textgrid.stem
            relative = audio_of(textgrid.stem, conv)
            wav = audio / relative
            if not wav.is_file() and wav.with_suffix(".WAV").is_file():
                wav = wav.with_suffix(".WAV")
            if wav.is_file():
                channels.append(_Channel(mic, textgrid, textgrid.stem, conv, wav,
                                         relative.removesuffix(".wav").replace("/", "_")))
            else:
                log.info("%s: no %s recording %s; that microphone skipped for it", textgrid, mic, wav)
    return channels


def _utterances(channel: _Channel, intervals: list[Interval], recording: Utterance | None,
                report: PrepReport, skipped: Counter) -> list[Utterance]:
    """The segments of one channel's intervals worth keeping; drops reported, skips counted."""
    utts = []
    for number, (start, end, text) in enumerate(intervals, start=1):
        reason = _skip_reason(start, end, text)
        if reason:
            skipped[reason] += 1
            continue
        utt_id = f"{channel.speaker}-{channel.mic}-{number:05d}"
        report.total += 1
        if recording is None:
            report.drop(str(channel.textgrid), 0, utt_id, f"recording {channel.audio} unusable (see its row)")
            continue
        if end > recording.duration:
            if end - recording.duration > TRIM_SECONDS or start >= recording.duration:
                report.drop(str(channel.textgrid), 0, utt_id, f"interval {number} ({start:.3f}-{end:.3f} s) "
                            f"ends after the recording {channel.audio} ({recording.duration:.3f} s)")
                continue
            if end - recording.duration > SEGMENT_TOLERANCE:  # within it: rounding, not worth a row
                report.repair(str(channel.textgrid), 0, utt_id, f"interval {number} trimmed to the recording's end")
            end = recording.duration
        utts.append(Utterance(utt_id, channel.speaker, recording.wav, text, round(end - start, 3), text_raw=text,
                              segment=Segment(channel.reco_id, start, recording.duration)))
    return utts


def _skip_reason(start: float, end: float, text: str) -> str | None:
    """Why an interval is not an utterance (silence, empty, zero-length, annotation only), or None."""
    if text.strip() in SILENCE:
        return "silence <S>/<Z>"
    if not text.strip():
        return "empty"
    if round(end, 3) <= round(start, 3):
        return "zero or negative length"
    if not normalize(text):
        return "annotation only (nothing left after normalisation)"
    return None


def _write_skipped(path: Path, skipped: Counter) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, "reason\tintervals\n" + "".join(f"{r}\t{n}\n" for r, n in sorted(skipped.items())))

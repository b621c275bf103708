"""Kaldi segments: utterances as stretches of long recordings (conversations, lectures).

A segmented data dir has, besides text, utt2spk, spk2utt and utt2dur (per utterance):

    segments   utt_id reco_id start end    seconds, "%.3f", 0 <= start < end <= recording length
    wav.scp    reco_id /abs/path/reco.wav   keyed by RECORDING; each one used by some segment
    reco2dur   reco_id seconds              the recording's length

The recordings are converted once (16 kHz mono); utterances are never cut into files of
their own (see utils.audio.load_segment and the manifest's offset/duration). utils.data_dir
writes, reads and repairs these files with the helpers below; the rules are checked in
utils/data_dir_checks.py.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from utils.data_dir_checks import RECORDING_FILES, SEGMENT_TOLERANCE, parse_segment, unusable_lines
from utils.errors import InputError
from utils.kaldi_files import KvTable, scan_kv


@dataclass(frozen=True, slots=True)
class Segment:
    """Where an utterance lies: its recording's id, its start (s) and the recording's length (s)."""

    reco_id: str
    start: float
    reco_duration: float


class _Segmented(Protocol):
    utt_id: str
    wav: str
    duration: float
    segment: Segment | None


def format_seconds(seconds: float) -> str:
    """Times in segments: milliseconds, as Kaldi's own scripts write them."""
    return f"{seconds:.3f}"


def segment_files(utts: Iterable[_Segmented]) -> dict[str, dict[str, str]]:
    """wav.scp (by recording), segments, reco2dur and utt2dur for utterances that all have a segment.

    utt2dur is end - start of the times as written (to the millisecond), so the files agree
    exactly. Raises InputError when a recording is given two audio paths or two lengths.
    """
    files: dict[str, dict[str, str]] = {"wav.scp": {}, "segments": {}, "reco2dur": {}, "utt2dur": {}}
    lengths: dict[str, float] = {}
    for utt in utts:
        seg = utt.segment
        assert seg is not None  # checked by the caller: all or none
        if files["wav.scp"].setdefault(seg.reco_id, utt.wav) != utt.wav:
            raise InputError(f"recording {seg.reco_id!r} is given two audio files: "
                             f"{files['wav.scp'][seg.reco_id]} and {utt.wav} ({utt.utt_id!r})")
        if lengths.setdefault(seg.reco_id, seg.reco_duration) != seg.reco_duration:
            raise InputError(f"recording {seg.reco_id!r} is given two lengths: {lengths[seg.reco_id]} "
                             f"and {seg.reco_duration} ({utt.utt_id!r})")
        start, end = round(seg.start, 3), round(seg.start + utt.duration, 3)
        files["segments"][utt.utt_id] = f"{seg.reco_id} {format_seconds(start)} {format_seconds(end)}"
        files["utt2dur"][utt.utt_id] = format_seconds(end - start)
    files["reco2dur"] = {reco: format_seconds(seconds) for reco, seconds in lengths.items()}
    return files


def read_segments(segments: Mapping[str, str], reco2dur: Mapping[str, str]) -> dict[str, Segment]:
    """utt_id -> Segment from the raw values of a validated dir's segments and reco2dur."""
    result = {}
    for utt_id, value in segments.items():
        reco_id, start, _ = parse_segment(value)
        result[utt_id] = Segment(reco_id, start, float(reco2dur[reco_id]))
    return result


def plan_segments(data_dir: Path, segments: KvTable, utt2dur: Mapping[str, str],
                  dropped: set[str]) -> tuple[dict[str, tuple[str, Segment]], list[tuple[str, str, int, str]]]:
    """What fix_data_dir keeps of a segmented dir: utt_id -> (recording path, Segment), and
    (utt_id, file, line, reason) for each further segment it drops.

    A segment goes when its recording has no usable entry in wav.scp or reco2dur, when it ends
    past the recording, or when utt2dur disagrees with its length. Ids in `dropped` (already
    dropped for other reasons) are neither kept nor reported again.
    """
    entries: dict[str, dict[str, str]] = {}
    bad: dict[str, str] = {}
    for name in RECORDING_FILES:
        table = scan_kv(data_dir / name, repair_crlf=True)
        for issue in unusable_lines(name, table):
            bad.setdefault(issue.key or "", f"{name} line {issue.line}: {issue.reason}")
        entries[name] = {record.key: record.value for record in table.lines}
    recordings = {reco: (wav, float(entries["reco2dur"][reco])) for reco, wav in entries["wav.scp"].items()
                  if reco in entries["reco2dur"] and reco not in bad}
    places, drops = {}, []
    for record in segments.lines:
        if record.key in dropped:
            continue
        reco_id, start, end = parse_segment(record.value)  # malformed lines are in `dropped` already
        reason = _segment_reason(reco_id, end - start, end, recordings, bad, utt2dur.get(record.key))
        if reason:
            drops.append((record.key, "segments", record.line, reason))
        else:
            places[record.key] = (recordings[reco_id][0], Segment(reco_id, start, recordings[reco_id][1]))
    return places, drops


def _segment_reason(reco_id: str, length: float, end: float, recordings: Mapping[str, tuple[str, float]],
                    bad: Mapping[str, str], utt2dur: str | None) -> str | None:
    """Why a well-formed segment cannot be kept, or None."""
    if reco_id in bad:
        return f"recording {reco_id!r}: {bad[reco_id]}"
    if reco_id not in recordings:
        return f"recording {reco_id!r} lacks an entry in wav.scp or reco2dur"
    if end > recordings[reco_id][1] + SEGMENT_TOLERANCE:
        return f"ends at {end:.3f} s, past the end of {reco_id!r} ({recordings[reco_id][1]:.3f} s)"
    if utt2dur is not None and _differs(utt2dur, length):
        return f"utt2dur {utt2dur} differs from the segment's length {length:.3f}"
    return None


def _differs(value: str, seconds: float) -> bool:
    try:
        return abs(float(value) - seconds) > SEGMENT_TOLERANCE
    except ValueError:
        return False  # a bad utt2dur value is reported by the utt2dur checks

"""validate_data_dir: every rule of utils/data_dir_checks.py, checked while reading each file once
and then walking the files side by side by key (utils/data_dir_scan.py): the per-file rules as
each file is read, the cross-file ones (the same utterances everywhere, spk2utt against
utt2spk, utt2spk sorted by speaker too, segments against their recordings) in lockstep walks.
Memory does not grow with the number of utterances; the messages are those the rules define.
"""
from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path

from utils.data_dir_checks import (
    PRODUCER,
    RECORDING_FILES,
    SEGMENT_TOLERANCE,
    TEXT_FILES,
    entry_check,
    has_segments,
    parse_segment,
    per_utterance_files,
)
from utils.data_dir_scan import FileScan, Group, keyed, records, scan_file, temporary_spool
from utils.kaldi_files import KvLine, byte_order
from utils.sorted_spool import lockstep


class _Count:
    """How many ids broke a rule, and the first of them in byte order (the order of a lockstep walk)."""

    def __init__(self) -> None:
        self.n, self.first = 0, ""

    def add(self, key: str, times: int = 1) -> None:
        self.first = self.first if self.n else key
        self.n += times


def _differing_sets(scans: Mapping[str, FileScan]) -> list[str]:
    """One problem per file whose utterance ids differ from utt2spk's, with the first such id."""
    reference = "utt2spk" if "utt2spk" in scans else next(iter(scans), None)
    others = [name for name in scans if name not in (reference, "spk2utt")]
    if reference is None or not others:
        return []
    counts = {pair: _Count() for name in others for pair in ((reference, name), (name, reference))}
    for key, present in lockstep({name: keyed(scans[name]) for name in (reference, *others)}):
        for name in others:
            if (reference in present) != (name in present):
                counts[(reference, name) if reference in present else (name, reference)].add(key)
    return [f"{only_in} has {count.n} utterance(s) that {other} lacks, e.g. {count.first!r}"
            for (only_in, other), count in counts.items() if count.n]


def _speaker_order(utt2spk: Path) -> list[str]:
    """Kaldi also needs utt2spk sorted by speaker (its `sort -k2 -C` check)."""
    previous: KvLine | None = None
    for record in records(utt2spk):
        if previous is not None and byte_order(record.value) < byte_order(previous.value):
            return [f"utt2spk line {record.line}: speaker {record.value!r} comes after "
                    f"{previous.value!r} (line {previous.line}); Kaldi needs utt2spk sorted by "
                    "speaker too: make speaker ids prefixes of utterance ids, then a separator like '-'"]
        previous = record
    return []


def _speaker_problems(utt2spk: FileScan, spk2utt: FileScan) -> list[str]:
    """spk2utt must list exactly utt2spk's utterances, each once, under the same speaker."""
    problems = [] if utt2spk.order_problems else _speaker_order(utt2spk.path)
    counts = {what: _Count() for what in ("listed more than once in spk2utt", "in utt2spk but not in spk2utt",
                                          "in spk2utt but not in utt2spk",
                                          "under another speaker in spk2utt than in utt2spk")}
    repeated, only_utt2spk, only_spk2utt, elsewhere = counts.values()
    with temporary_spool() as listed:  # utterance -> the speakers listing it, in file order
        for record in records(spk2utt.path):
            for utt_id in record.value.split():
                listed.add(utt_id, record.key)
        for utt_id, present in lockstep({"utt2spk": keyed(utt2spk), "spk2utt": listed.grouped()}):
            speakers, speaker = present.get("spk2utt"), present.get("utt2spk")
            if speakers and len(speakers) > 1:
                repeated.add(utt_id, len(speakers) - 1)
            if speakers is None:
                only_utt2spk.add(utt_id)
            elif speaker is None:
                only_spk2utt.add(utt_id)
            elif speakers[0] != speaker[-1][1]:  # its first listing against utt2spk's last line
                elsewhere.add(utt_id)
    return problems + [f"spk2utt does not match utt2spk: {count.n} utterance(s) {what}, e.g. {count.first!r} "
                       "(regenerate it: fix_data_dir)" for what, count in counts.items() if count.n]


def _number(group: Group | None) -> float | None:
    """The value of the last line of `group` that holds a number (others are reported elsewhere)."""
    number = None
    for _, value in group or []:
        try:
            number = float(value)
        except ValueError:
            continue
    return number


def _segment(group: Group | None) -> tuple[str, float, float, int, int] | None:
    """(reco_id, start, end, line) of the last line of `group` that parses, and the first such line."""
    found, first = None, 0
    for line, value in group or []:
        try:
            found = (*parse_segment(value), line)
        except ValueError:
            continue
        first = first or line
    return None if found is None else (*found, first)


def segment_problems(scans: Mapping[str, FileScan]) -> list[str]:
    """Cross-file rules of a segmented dir: recordings named alike in segments, wav.scp and
    reco2dur (Kaldi's rule: every wav.scp recording has a segment), each segment inside its
    recording, utt2dur equal to the segment's length. Segment problems come in the order of
    the segments' first lines."""
    late: list[tuple[int, int, str]] = []  # (the segment's first line, which rule, problem)
    with temporary_spool() as named:  # recording -> its segments
        by_utt = {name: keyed(scans[name]) for name in ("segments", "utt2dur") if name in scans}
        for utt_id, present in lockstep(by_utt):
            segment = _segment(present.get("segments"))
            if segment is None:
                continue
            reco, start, end, line, first = segment
            named.add(reco.encode("utf-8").hex(), f"{first}\t{line}\t{end!r}\t{utt_id}")  # hex: ids may hold tabs
            seconds = _number(present.get("utt2dur"))
            if seconds is not None and abs(seconds - (end - start)) > SEGMENT_TOLERANCE:
                late.append((first, 1, f"utt2dur: {utt_id!r} lasts {seconds:.3f} s but its segment "
                                       f"(segments line {line}) lasts {end - start:.3f} s"))
        files = [name for name in RECORDING_FILES if name in scans]
        counts = {(name, lacks): _Count() for name in files for lacks in (True, False)}
        by_reco = {"segments": ((bytes.fromhex(key).decode("utf-8"), values) for key, values in named.grouped()),
                   **{name: keyed(scans[name]) for name in files}}
        for reco, present in lockstep(by_reco):
            for name in files:
                if ("segments" in present) != (name in present):
                    counts[(name, "segments" in present)].add(reco)
            seconds = _number(present.get("reco2dur"))
            for entry in present.get("segments", []) if seconds is not None else []:
                first, line, end, utt_id = entry.split("\t", 3)
                if float(end) > seconds + SEGMENT_TOLERANCE:
                    late.append((int(first), 0, f"segments line {line}: {utt_id!r} ends at {float(end):.3f} s, "
                                                f"after the end of recording {reco!r} ({seconds:.3f} s in reco2dur)"))
    problems = [f"segments name {count.n} recording(s) that {name} lacks, e.g. {count.first!r}" if lacks else
                f"{name} has {count.n} recording(s) that no segment uses, e.g. {count.first!r}"
                for (name, lacks), count in counts.items() if count.n]
    return problems + [problem for *_, problem in sorted(late)]


def validate_data_dir(data_dir: Path) -> list[str]:
    """Every way `data_dir` breaks the data contract, as readable sentences; [] when valid.

    Reads the files only (and stats the audio paths), line by line: memory does not grow with
    their length (utils/data_dir_scan.py). Never raises for bad content.
    """
    if not data_dir.is_dir():
        return [f"{data_dir}: no such directory ({PRODUCER})"]
    problems: list[str] = []
    scans: dict[str, FileScan] = {}
    segmented = has_segments(data_dir)
    with ExitStack() as stack:
        for name in per_utterance_files(data_dir) + ["spk2utt"] + (list(RECORDING_FILES) if segmented else []):
            path = data_dir / name
            if not path.is_file():
                problems.append(f"{name}: missing required file ({PRODUCER})")
                continue
            scans[name] = scan_file(path, name not in TEXT_FILES, entry_check(name, data_dir), stack)
            problems.extend(f"{name} line {issue.line}: {issue.reason}" for issue in scans[name].issues)
        not_per_utterance = ("spk2utt", *RECORDING_FILES) if segmented else ("spk2utt",)
        problems.extend(_differing_sets({n: s for n, s in scans.items() if n not in not_per_utterance}))
        if segmented:
            problems.extend(segment_problems(scans))
        if "utt2spk" in scans and "spk2utt" in scans:
            problems.extend(_speaker_problems(scans["utt2spk"], scans["spk2utt"]))
    utt2spk = scans.get("utt2spk")
    if utt2spk is not None and not utt2spk.records and not utt2spk.format_issues:
        problems.append("utt2spk: no utterances (the data dir is empty)")
    return problems

"""Write a Kaldi data dir from a stream of utterances, in memory that does not grow with their number.

`write_data_dir` (utils.data_dir) holds every utterance and five dicts of them to sort;
at millions of clips that is gigabytes. `stream_data_dir` sends each file's lines through a
`SortedSpool` (sorted run files on disk, merged lazily) and writes the same bytes: keys in
byte order, spk2utt's utterances in byte order per speaker. It checks as it goes what
`write_data_dir` checks before writing (duplicate ids, text_raw for all utterances or none,
values that fit on a line; audio paths beside the dir stored relative to it, as
utils/audio_paths.py says) and raises InputError before any file of the dir is replaced.
It does not validate the dir it wrote: the caller runs `validate_data_dir`, as `write_data_dir`
does (which reads the files line by line too: utils/data_dir_validate.py).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path

from utils.audio_paths import portable_path
from utils.data_dir import Utterance, format_duration
from utils.errors import InputError
from utils.kaldi_files import format_line
from utils.sorted_spool import SortedSpool

PER_UTTERANCE = ("wav.scp", "text", "utt2spk", "utt2dur", "text.raw")


def stream_data_dir(data_dir: Path, utts: Iterable[Utterance], run_lines: int = 5_000,
                    before_replace: Callable[[], None] | None = None) -> int:
    """Write wav.scp, text, utt2spk, spk2utt, utt2dur (and text.raw when utterances carry it)
    for `utts`, an iterable read once; return the number of utterances written.

    Memory: six spools of at most `run_lines` records each (about 6 MB at 5,000, whatever the
    number of utterances), none when the utterances come in byte order of their ids (with
    speaker ids that are prefixes of them, as the data contract asks): see utils/sorted_spool.py.

    Files are written to temporary names and renamed into place only when every one is
    complete and `before_replace` (if given) has returned, so an error, or an exception from
    `before_replace`, leaves the old files. A stale text.raw, segments or reco2dur goes (the dir
    written is not segmented). Raises InputError for duplicate ids, text_raw on some utterances
    but not others, or a key or value that cannot be stored on one line.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        spools = {name: stack.enter_context(SortedSpool(data_dir, run_lines)) for name in (*PER_UTTERANCE, "spk2utt")}
        count, raw_count = 0, 0
        for utt in utts:
            count += 1
            raw_count += utt.text_raw is not None
            if raw_count not in (0, count):
                raise InputError(f"text_raw is set for some utterances but not for {utt.utt_id!r}; "
                                 "give it for all utterances or none")
            format_line(utt.utt_id, utt.text)  # the checks of write_data_dir, before the spools see it
            for name, value in (("wav.scp", portable_path(utt.wav, data_dir)), ("text", utt.text), ("utt2spk", utt.speaker),
                                ("utt2dur", format_duration(utt.duration)), ("text.raw", utt.text_raw)):
                if value is not None:
                    spools[name].add(utt.utt_id, format_line(utt.utt_id, value)[len(utt.utt_id) + 1:-1])
            # a space sorts below every character a key may hold: speakers group, in byte order
            spools["spk2utt"].add(f"{format_line(utt.speaker, '')[:-2]} {utt.utt_id}", "")
        names = [name for name in (*PER_UTTERANCE, "spk2utt") if name != "text.raw" or raw_count]
        written: dict[str, Path] = {}
        try:
            for name in names:
                written[name] = _write_temporary(data_dir / name, _lines(name, spools[name]))
            if before_replace is not None:
                before_replace()
        except BaseException:
            for temporary in written.values():
                temporary.unlink(missing_ok=True)
            raise
    for stale in ("segments", "reco2dur", *(() if raw_count else ("text.raw",))):
        (data_dir / stale).unlink(missing_ok=True)
    for name, temporary in written.items():
        os.replace(temporary, data_dir / name)
    return count


def _lines(name: str, spool: SortedSpool) -> Iterator[str]:
    if name == "spk2utt":
        yield from _spk2utt(spool)
        return
    previous = None
    for key, value in spool.sorted_records():
        if key == previous:
            raise InputError(f"duplicate utterance id {key!r}: utterance ids must be unique")
        previous = key
        yield f"{key} {value}\n"


def _spk2utt(spool: SortedSpool) -> Iterator[str]:
    speaker, members = None, []
    for key, _ in spool.sorted_records():
        who, utt_id = key.split(" ", 1)
        if who != speaker and members:
            yield f"{speaker} {' '.join(members)}\n"
            members = []
        speaker = who
        members.append(utt_id)
    if members:
        yield f"{speaker} {' '.join(members)}\n"


def _write_temporary(path: Path, lines: Iterator[str]) -> Path:
    """Write `lines` beside `path` under a temporary name; the caller renames it. Removed on error."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(temporary, "w", encoding="utf-8", newline="\n") as out:
            out.writelines(lines)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary

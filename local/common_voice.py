"""Common Voice (any locale) -> Kaldi data dirs with 16 kHz mono wavs.

Raw corpus layout, as Common Voice ships it (and as local/synth_corpus.py writes it)::

    <corpus_dir>/
      clips/*.mp3                      48 kHz mp3 clips
      train.tsv dev.tsv test.tsv       tab-separated UTF-8 (a byte-order mark is allowed), header
      validated.tsv ...                  row; we need client_id, path, sentence (others are ignored)

Per split this writes `<out_root>/<split>/` (wav.scp, text, text.raw, utt2spk, spk2utt,
utt2dur, prep_report.tsv) and the audio once, as `<wav_root>/<split>/<utt_id>.wav`.
Speaker id is the first 16 hex digits of client_id; utterance id is `<speaker>-<clip stem>`.
Rows that cannot be used are dropped and reported with file, line and reason: wrong
column count, a path leaving clips/ (refused, never opened), a symlink loop,
missing/empty/corrupt/truncated/silent audio, empty text, duplicate ids. Already-converted
wavs are kept, so an interrupted prep resumes.

No clip is in two splits: a clip that test.tsv lists is excluded from every other split, one
that dev.tsv lists from all but test (`held_out`, in order of precedence). Such rows are
reported as "excluded" with the other file and line, and are not counted as losses.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from utils.audio_jobs import ClipJob, convert_clips
from utils.data_dir import write_data_dir
from utils.errors import InputError
from utils.jobs import Jobs
from utils.prep_report import PrepReport
from utils.text_files import strip_bom

log = logging.getLogger(__name__)
REQUIRED_COLUMNS = ("client_id", "path", "sentence")
UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.-]+")
HELD_OUT = ("test", "dev")  # a clip listed in several splits stays in the first of these that lists it


def check_common_voice(corpus_dir: Path, splits: tuple[str, ...]) -> dict[str, object]:
    """Check the layout (clips/, a TSV per split with the columns we need); describe the corpus."""
    if not (corpus_dir / "clips").is_dir():
        raise InputError(f"{corpus_dir}: no clips/ folder; --corpus-dir must be an extracted Common Voice "
                         f"locale folder holding clips/ and {', '.join(s + '.tsv' for s in splits)}")
    for split in splits:
        _header(corpus_dir / f"{split}.tsv")
    version = next((p.name for p in corpus_dir.parents if p.name.startswith("cv-corpus")), "")
    return {"name": f"Common Voice {version} {corpus_dir.name}".replace("  ", " "), "path": str(corpus_dir)}


def prepare_common_voice(corpus_dir: Path, split: str, out_dir: Path, wav_dir: Path, nj: int | Jobs = 1,
                         max_drop_share: float = 0.05, *, held_out: tuple[str, ...] = HELD_OUT) -> Path:
    """Write the Kaldi data dir `out_dir` for one split and its wavs under `wav_dir`.

    `nj`: local workers, or the stage's `Jobs` (`--cmd slurm` converts the audio in a job array).
    `held_out`: splits whose clips no other split may hold, in order of precedence (a split's
    TSV that is absent is skipped). Raises InputError for a bad corpus or when more than
    `max_drop_share` of the rows are unusable (the report is written to `out_dir/prep_report.tsv` first).
    """
    tsv = corpus_dir / f"{split}.tsv"
    report = PrepReport(f"data prep {split}")
    rows = _read_tsv(tsv, corpus_dir / "clips", report)
    rows = _exclude_held_out(rows, corpus_dir, _winners(split, held_out), report)
    # 48 kHz is what Common Voice ships: converting from it is not a repair.
    utts = convert_clips(rows, wav_dir, nj, report, desc=f"audio {tsv.stem}", native_rates=(16000, 48000))
    report.write(out_dir / "prep_report.tsv")
    report.check_share(max_drop_share, out_dir / "prep_report.tsv")
    write_data_dir(out_dir, utts)
    return out_dir


def _header(tsv: Path) -> list[str]:
    if not tsv.is_file():
        raise InputError(f"{tsv}: missing; a Common Voice folder has clips/ and one TSV per split")
    with open(tsv, "rb") as f:
        header = strip_bom(f.readline()).decode("utf-8", errors="replace").rstrip("\r\n").split("\t")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(f"{tsv} line 1: header lacks column(s) {', '.join(missing)} (got {header})")
    return header


def _read_tsv(tsv: Path, clips: Path, report: PrepReport) -> list[ClipJob]:
    header = _header(tsv)
    raw_lines = strip_bom(tsv.read_bytes()).split(b"\n")
    col = {name: header.index(name) for name in REQUIRED_COLUMNS}
    rows, seen = [], set()
    for number, raw in enumerate(raw_lines[1:], start=2):
        if not raw.strip():
            continue
        report.total += 1
        row = _parse_row(raw, number, tsv, header, col, clips, report)
        if row is None:
            continue
        if row.utt_id in seen:
            report.drop(str(tsv), number, row.utt_id, "duplicate utterance id (clip listed twice)")
            continue
        seen.add(row.utt_id)
        rows.append(row)
    return rows


def _winners(split: str, held_out: tuple[str, ...]) -> tuple[str, ...]:
    """The held-out splits that take precedence over `split`."""
    return held_out[:held_out.index(split)] if split in held_out else held_out


def _exclude_held_out(rows: list[ClipJob], corpus_dir: Path, winners: tuple[str, ...],
                      report: PrepReport) -> list[ClipJob]:
    """`rows` less those whose clip a split of `winners` lists; each exclusion reported."""
    owner: dict[Path, tuple[str, int]] = {}
    for name in reversed(winners):  # the first winner's claim overwrites the later ones'
        tsv = corpus_dir / f"{name}.tsv"
        if tsv.is_file():
            for row in _read_tsv(tsv, corpus_dir / "clips", PrepReport(f"held-out {name}")):
                owner[row.clip] = (tsv.name, row.line)
    kept = []
    for row in rows:
        if row.clip in owner:
            report.exclude(row.source, row.line, row.utt_id, "clip also in {} (line {}): kept there only"
                           .format(*owner[row.clip]))
        else:
            kept.append(row)
    if len(kept) < len(rows):
        log.warning("%s: %d clip(s) also listed in %s; excluded here, kept there (see prep_report.tsv)",
                    rows[0].source, len(rows) - len(kept), ", ".join(f"{w}.tsv" for w in winners))
    return kept


def _parse_row(raw: bytes, number: int, tsv: Path, header: list[str], col: dict[str, int],
               clips: Path, report: PrepReport) -> ClipJob | None:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        report.drop(str(tsv), number, "", "not valid UTF-8")
        return None
    if line.endswith("\r"):
        line = line[:-1]
    fields = line.split("\t")
    if len(fields) != len(header):
        report.drop(str(tsv), number, "", f"{len(fields)} columns, the header has {len(header)}")
        return None
    rel = fields[col["path"]]
    try:
        clip = (clips / rel).resolve()
    except (OSError, RuntimeError) as err:  # a symlink loop: RuntimeError before Python 3.13
        report.drop(str(tsv), number, "", f"{clips / rel}: cannot resolve ({err}); symlink loop?")
        return None
    if not rel or clips.resolve() not in clip.parents:
        report.drop(str(tsv), number, "", f"path {rel!r} is outside {clips}: refused")
        return None
    speaker = UNSAFE_ID.sub("_", fields[col["client_id"]])[:16] or "unknown"
    utt_id = f"{speaker}-{UNSAFE_ID.sub('_', Path(rel).stem)}"
    # A byte-order mark inside a field (files joined with `cat`) would break the Kaldi text
    # format; other invisible characters stay in text.raw for the normaliser to remove.
    sentence = " ".join(fields[col["sentence"]].replace("\ufeff", "").split())
    if not any(ch.isalnum() for ch in sentence):
        report.drop(str(tsv), number, utt_id, "empty transcript (no letters or digits)")
        return None
    return ClipJob(str(tsv), number, utt_id, speaker, clip, sentence)

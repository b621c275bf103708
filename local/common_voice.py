"""Common Voice (any locale) -> Kaldi data dirs with 16 kHz mono wavs.

Raw corpus layout, as Common Voice ships it (and as local/synth_corpus.py writes it)::

    <corpus_dir>/
      clips/*.mp3                      48 kHz mp3 clips
      train.tsv dev.tsv test.tsv       tab-separated, header row; we need the columns
      validated.tsv ...                  client_id, path, sentence (others are ignored)

Per split this writes `<out_root>/<split>/` (wav.scp, text, text.raw, utt2spk, spk2utt,
utt2dur, prep_report.tsv) and the audio once, as `<wav_root>/<split>/<utt_id>.wav`.
Speaker id is the first 16 hex digits of client_id; utterance id is `<speaker>-<clip stem>`.
Rows that cannot be used are dropped and reported with file, line and reason: wrong
column count, a path leaving clips/ (refused, never opened), a symlink loop,
missing/empty/corrupt/truncated/silent audio, empty text, duplicate ids. Already-converted
wavs are kept, so an interrupted prep resumes.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from utils.audio_jobs import ClipJob, convert_clips
from utils.data_dir import write_data_dir
from utils.errors import InputError
from pipeline.jobs import Jobs
from utils.prep_report import PrepReport

log = logging.getLogger(__name__)
REQUIRED_COLUMNS = ("client_id", "path", "sentence")
UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.-]+")


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
                         max_drop_share: float = 0.05) -> Path:
    """Write the Kaldi data dir `out_dir` for one split and its wavs under `wav_dir`.

    `nj`: local workers, or the stage's `Jobs` (`--cmd slurm` converts the audio in a job array).
    Raises InputError for a bad corpus or when more than `max_drop_share` of the rows are
    unusable (the report is written to `out_dir/prep_report.tsv` first).
    """
    tsv = corpus_dir / f"{split}.tsv"
    report = PrepReport(f"data prep {split}")
    rows = _read_tsv(tsv, corpus_dir / "clips", report)
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
        header = f.readline().decode("utf-8", errors="replace").rstrip("\r\n").split("\t")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(f"{tsv} line 1: header lacks column(s) {', '.join(missing)} (got {header})")
    return header


def _read_tsv(tsv: Path, clips: Path, report: PrepReport) -> list[ClipJob]:
    header = _header(tsv)
    raw_lines = tsv.read_bytes().split(b"\n")
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
    sentence = " ".join(fields[col["sentence"]].split())
    if not any(ch.isalnum() for ch in sentence):
        report.drop(str(tsv), number, utt_id, "empty transcript (no letters or digits)")
        return None
    return ClipJob(str(tsv), number, utt_id, speaker, clip, sentence)

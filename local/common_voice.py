"""Common Voice (any locale) -> Kaldi data dirs with 16 kHz mono wavs.

Raw corpus layout, as Common Voice ships it (and as local/synth_corpus.py writes it)::

    <corpus_dir>/
      clips/*.mp3                      48 kHz mp3 clips
      train.tsv dev.tsv test.tsv       tab-separated UTF-8 (a byte-order mark is allowed), header
      validated.tsv ...                  row; we need client_id, path, sentence; the rest (up_votes,
                                         accent(s), sentence_id, sentence_domain, variant, ...) is
                                         ignored, whichever release's set it is
      clip_durations.tsv               recent releases: clip<TAB>duration[ms]; optional

Per split this writes `<out_root>/<split>/` (wav.scp, text, text.raw, utt2spk, spk2utt,
utt2dur, prep_report.tsv) and the audio once, as `<wav_root>/<split>/<utt_id>.wav`; ids as
local/cv_rows.py makes them. Rows that cannot be used are dropped and reported with file, line
and reason: wrong column count, a path leaving clips/ (refused, never opened), a symlink loop,
missing/empty/corrupt/truncated/silent audio (shorter than clip_durations.tsv says counts as
truncated), empty text, duplicate ids. Already-converted wavs are kept, so an interrupted prep
resumes. No clip is in two splits, and `train_set="validated"` trains on validated.tsv less
every clip, speaker and sentence of dev and test: see local/cv_splits.py. A split is read a
line at a time and sorted through files on disk (local/cv_stream.py), so memory does not grow
with its number of clips (only with the dev and test sets held out).

A Hugging Face `datasets` folder (save_to_disk, or a hub repository's parquet shards) in place of
the release is read by local/cv_hf.py, chosen by what `corpus_dir` holds, into the same data dir.
"""
from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

from local.cv_hf import check_hf, hf_layout, read_hf_split, split_tables
from local.cv_rows import CLIP_DURATIONS, UNSAFE_ID, clip_job
from local.cv_splits import HELD_OUT, HeldOut, winners
from local.cv_stream import Listing, stream_split
from utils.audio_jobs import ClipJob
from utils.data_dir import validate_data_dir
from utils.errors import DataDirError, InputError
from pipeline.jobs import Jobs
from utils.prep_report import PrepReport
from utils.text_files import strip_bom

__all__ = ["HELD_OUT", "TRAIN_SETS", "UNSAFE_ID", "check_common_voice", "prepare_common_voice"]
log = logging.getLogger(__name__)
REQUIRED_COLUMNS = ("client_id", "path", "sentence")
TRAIN_SETS = ("train", "validated")  # what `train_set` may name: the TSV the train split is read from


def check_common_voice(corpus_dir: Path, splits: tuple[str, ...]) -> dict[str, object]:
    """Check the layout (clips/, a TSV per split with the columns we need, or a datasets folder
    with those splits); describe the corpus."""
    if not (corpus_dir / "clips").is_dir() and hf_layout(corpus_dir):
        return check_hf(corpus_dir, splits)
    if not (corpus_dir / "clips").is_dir():
        raise InputError(f"{corpus_dir}: no clips/ folder; --corpus-dir must be an extracted Common Voice "
                         f"locale folder holding clips/ and {', '.join(s + '.tsv' for s in splits)}, or a "
                         "Hugging Face datasets folder (save_to_disk, or parquet shards)")
    for split in splits:
        _header(corpus_dir / f"{split}.tsv")
    version = next((p.name for p in corpus_dir.parents if p.name.startswith("cv-corpus")), "")
    return {"name": f"Common Voice {version} {corpus_dir.name}".replace("  ", " "), "path": str(corpus_dir)}


def prepare_common_voice(corpus_dir: Path, split: str, out_dir: Path, wav_dir: Path, nj: int | Jobs = 1,
                         max_drop_share: float = 0.05, *, held_out: tuple[str, ...] = HELD_OUT,
                         train_set: str = "train") -> Path:
    """Write the Kaldi data dir `out_dir` for one split and its wavs under `wav_dir`.

    `nj`: local workers, or the stage's `Jobs` (`--cmd slurm` converts the audio in a job array).
    `held_out`: splits whose clips no other split may hold, in order of precedence (a split's
    TSV that is absent is skipped). `train_set`: the TSV the "train" split is read from,
    "train" or "validated" (then less every clip, speaker and sentence of the held-out splits).
    Raises InputError for a bad corpus or when more than `max_drop_share` of the rows are
    unusable (the report is written to `out_dir/prep_report.tsv` first).
    """
    if train_set not in TRAIN_SETS:
        raise InputError(f"train set {train_set!r}: expected one of {', '.join(TRAIN_SETS)}")
    source = train_set if split == "train" else split
    report = PrepReport(f"data prep {split}" + (f" (from {source}.tsv)" if source != split else ""))
    stage_dir = wav_dir / ".hf_clips"  # a datasets folder's audio bytes, written out for conversion
    listing = _listing(corpus_dir, source, stage_dir, wav_dir)
    held = HeldOut({name: (job for job, _ in _listing(corpus_dir, split_name)(PrepReport(split_name)))
                    for split_name in winners(split, held_out) if (name := _listing_name(corpus_dir, split_name))},
                   speakers_and_sentences=source == "validated")
    durations = corpus_dir / CLIP_DURATIONS
    if not (corpus_dir / "clips").is_dir() or not durations.is_file():
        durations = None

    def finish() -> None:
        shutil.rmtree(stage_dir, ignore_errors=True)
        report.write(out_dir / "prep_report.tsv")
        report.check_share(max_drop_share, out_dir / "prep_report.tsv")

    # 48 kHz is what Common Voice ships: converting from it is not a repair.
    stream_split(listing, durations, held, report, out_dir, wav_dir, nj, f"audio {source}", (16000, 48000), finish)
    problems = validate_data_dir(out_dir)
    if problems:
        raise DataDirError(str(out_dir), problems)
    return out_dir


def _listing(corpus_dir: Path, split: str, stage_dir: Path | None = None, wav_dir: Path | None = None) -> Listing:
    """How to read `split`'s rows, from its TSV or from a datasets folder (audio staged to `stage_dir`):
    called with the report for unusable rows, it gives (job, clip file name) in listing order. A
    missing TSV or header column is an InputError here, before anything is read or written."""
    if not (corpus_dir / "clips").is_dir() and hf_layout(corpus_dir):
        return lambda report: ((job, job.clip.name)
                               for job in read_hf_split(corpus_dir, split, report, stage_dir, wav_dir))
    tsv = corpus_dir / f"{split}.tsv"
    header = _header(tsv)
    return lambda report: _read_tsv(tsv, header, corpus_dir / "clips", report)


def _listing_name(corpus_dir: Path, split: str) -> str:
    """How reports name `split`'s listing ("test.tsv", or the split of a datasets folder); "" if absent."""
    if not (corpus_dir / "clips").is_dir() and hf_layout(corpus_dir):
        return f"the {split} split" if split_tables(corpus_dir, split) else ""
    return f"{split}.tsv" if (corpus_dir / f"{split}.tsv").is_file() else ""


def _header(tsv: Path) -> list[str]:
    if not tsv.is_file():
        raise InputError(f"{tsv}: missing; a Common Voice folder has clips/ and one TSV per split")
    with open(tsv, "rb") as f:
        header = strip_bom(f.readline()).decode("utf-8", errors="replace").rstrip("\r\n").split("\t")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(f"{tsv} line 1: header lacks column(s) {', '.join(missing)} (got {header})")
    return header


def _read_tsv(tsv: Path, header: list[str], clips: Path, report: PrepReport) -> Iterator[tuple[ClipJob, str]]:
    """The usable rows of `tsv`, a line at a time, as (job, clip file name); the others reported."""
    col = {name: header.index(name) for name in REQUIRED_COLUMNS}
    with open(tsv, "rb") as lines:
        next(lines, None)  # the header
        for number, raw in enumerate(lines, start=2):
            raw = raw[:-1] if raw.endswith(b"\n") else raw
            if not raw.strip():
                continue
            report.total += 1
            row = _parse_row(raw, number, tsv, header, col, clips, report)
            if row is not None:
                yield row


def _parse_row(raw: bytes, number: int, tsv: Path, header: list[str], col: dict[str, int],
               clips: Path, report: PrepReport) -> tuple[ClipJob, str] | None:
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
    job = clip_job(str(tsv), number, fields[col["client_id"]], rel, fields[col["sentence"]], clip, report)
    return None if job is None else (job, Path(rel).name)

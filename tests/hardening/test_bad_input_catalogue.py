"""The bad-input catalogue: one row per kind of bad input, run through the stage that first sees it.

Outcomes: KEPT (nothing to report, the utterance is in the data dir as expected), REPAIRED
(kept, and the report says what was done), DROPPED (left out; the report row names the file,
the line where there is one, and the reason), FLAGGED (kept, listed in the stage's report),
REFUSED (the stage stops with an InputError, its report written, no data files). After every
row: the data dir written validates, no temporary file is left, and the stage logged exactly
one summary line.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from local.common_voice import prepare_common_voice
from local.nsc import prepare_nsc
from steps.make_manifest import make_manifest
from steps.make_vocab import make_vocab
from steps.normalize_text import normalize_text
from tests.hardening import bad_inputs as bad
from tests.hardening.bad_inputs import Planted
from utils.data_dir import read_data_dir, validate_data_dir
from utils.errors import InputError
from pipeline.fingerprint import FingerprintCache

KEPT, REPAIRED, DROPPED, FLAGGED, REFUSED = "kept", "repaired", "dropped", "flagged", "refused"
DATA_FILES = ("wav.scp", "text", "text.raw", "utt2spk", "spk2utt", "utt2dur")
Row = tuple[str, str, str, str, str]  # file, line ("" when none), utt_id, action, reason


@dataclass(frozen=True)
class Stage:
    """How a stage is run on a fixture corpus, where its data dir and report are, its summary line."""

    name: str
    corpus: Callable[[Path], Path]
    run: Callable[[Path, Path], None]  # (corpus, out)
    report: Callable[[Path], list[Row]]
    summary: str
    kept: Callable[[Path], set[str]] | None  # utterance ids the stage passes on
    data_dir: str = "train"


def _tsv(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:]]


def _manifest(corpus: Path, out: Path) -> None:
    prepare_nsc(corpus, "train", out / "train", out / "wavs", shares={"train": 1.0})
    make_manifest(out / "train", out / "train/manifest.jsonl", out / "train/manifest.dropped.tsv")


def _in_data_dir(out: Path) -> set[str]:
    return {u.utt_id for u in read_data_dir(out / "train")}


def _in_manifest(out: Path) -> set[str]:
    return {json.loads(line)["utt_id"] for line in (out / "train/manifest.jsonl").read_text().splitlines()}


def _vocab(corpus: Path, out: Path) -> None:
    for split in ("train", "dev"):
        (out / split).mkdir(parents=True)
        normalize_text(corpus / split / "text.raw", out / split / "text", "local.normalizers.ga")
    make_vocab(out / "train/text", out / "lang", [out / "dev/text"])


def _prep_report(out: Path) -> list[Row]:
    return [tuple(r) for r in _tsv(out / "train/prep_report.tsv")]


def _manifest_report(out: Path) -> list[Row]:
    return [("train/utt2dur", "", u, DROPPED, f"{d} s {why}") for u, d, why in _tsv(out / "train/manifest.dropped.tsv")]


def _oov_report(out: Path) -> list[Row]:
    return [(f, "", u, FLAGGED, f"{c} {cp} x{n} not in the vocabulary")
            for c, cp, n, u, f in _tsv(out / "lang/oov_chars.tsv")]


CV = Stage("1 data prep (Common Voice)", bad.common_voice,
           lambda corpus, out: prepare_common_voice(corpus, "train", out / "train", out / "wavs"),
           _prep_report, "data prep train: kept", _in_data_dir)
FOLDER = Stage("1 data prep (clips + transcripts folder)", bad.plain_folder,
               lambda corpus, out: prepare_nsc(corpus, "train", out / "train", out / "wavs", shares={"train": 1.0}),
               _prep_report, "data prep train: kept", _in_data_dir)
MANIFEST = Stage("3 manifest", bad.plain_folder, _manifest, _manifest_report, "make_manifest", _in_manifest)
VOCAB = Stage("4 vocab", bad.texts, _vocab, _oov_report, "make_vocab: wrote", None, data_dir="")


def _no_shell_ran(corpus: Path, out: Path) -> None:
    assert not list(corpus.parent.rglob("PWNED")) and not Path("PWNED").exists()


def _walk_ends(corpus: Path, out: Path) -> None:
    assert FingerprintCache().path(corpus).startswith("dir:")  # the stage's input fingerprint walks it


def _never_opened(corpus: Path, out: Path) -> None:
    wavs = [p.name for p in (out / "wavs").iterdir()]
    assert len(wavs) == bad.GOOD and not [name for name in wavs if "passwd" in name]


def _share_is_a_setting(corpus: Path, out: Path) -> None:
    prepare_common_voice(corpus, "train", out / "again", out / "wavs", max_drop_share=0.10)
    assert len(read_data_dir(out / "again")) == bad.GOOD


@dataclass(frozen=True)
class Case:
    """One catalogue row: the stage that first sees the item, how it is planted, what must happen."""

    item: str
    stage: Stage
    plant: Callable[[Path], Planted]
    outcome: str
    expect: str  # in the report reason (REPAIRED, DROPPED, FLAGGED), the error (REFUSED), text_raw (KEPT)
    also: Callable[[Path, Path], None] | None = None


T = bad.tone
CATALOGUE = [
    Case("zero-byte audio", CV, lambda c: bad.cv_clip(c, "zero.mp3", b""), DROPPED, "zero-byte file"),
    Case("truncated mp3", CV, bad.truncated_mp3, DROPPED, "truncated"),
    Case("corrupt mp3", CV, lambda c: bad.cv_clip(c, "junk.mp3", b"ID3\x03\0\0\0" + b"\0garbage" * 50),
         DROPPED, "cannot decode audio"),
    Case("truncated wav", FOLDER, bad.truncated_wav, DROPPED, "truncated"),
    Case("corrupt wav", FOLDER, bad.corrupt_wav, DROPPED, "cannot decode audio"),
    Case("listed file does not exist", CV, lambda c: bad.cv_row(c, "gone.mp3"), DROPPED, "no such file"),
    Case("silence only", FOLDER, lambda c: bad.folder_clip(c, "odd_hush", np.zeros(16000)), DROPPED, "silent"),
    Case("8 kHz", FOLDER, lambda c: bad.folder_clip(c, "odd_8k", T(rate=8000), 8000),
         REPAIRED, "resampled 8000 Hz -> 16000 Hz"),
    Case("22.05 kHz", FOLDER, lambda c: bad.folder_clip(c, "odd_22k", T(rate=22050), 22050),
         REPAIRED, "resampled 22050 Hz -> 16000 Hz"),
    Case("44.1 kHz", FOLDER, lambda c: bad.folder_clip(c, "odd_44k", T(rate=44100), 44100),
         REPAIRED, "resampled 44100 Hz -> 16000 Hz"),
    Case("48 kHz", FOLDER, lambda c: bad.folder_clip(c, "odd_48k", T(rate=48000), 48000),
         REPAIRED, "resampled 48000 Hz -> 16000 Hz"),
    Case("stereo", FOLDER, lambda c: bad.folder_clip(c, "odd_stereo", T(channels=2)), REPAIRED, "downmixed 2 channels"),
    Case("24-bit wav", FOLDER, lambda c: bad.folder_clip(c, "odd_24bit", T(), subtype="PCM_24"),
         REPAIRED, "re-encoded PCM_24 wav as PCM_16"),
    Case("float wav", FOLDER, lambda c: bad.folder_clip(c, "odd_float", T(), subtype="FLOAT"),
         REPAIRED, "re-encoded FLOAT wav as PCM_16"),
    Case("longer than the max duration", MANIFEST, lambda c: bad.odd_duration(c, "odd_long", 21.0),
         DROPPED, "21.000 s outside [0.1, 20.0] s"),
    Case("shorter than 0.1 s", MANIFEST, lambda c: bad.odd_duration(c, "odd_short", 0.05),
         DROPPED, "0.050 s outside [0.1, 20.0] s"),
    Case("empty transcript", CV, lambda c: bad.cv_text(c, "mute.mp3", ""),
         DROPPED, "empty transcript"),
    Case("whitespace-only transcript", CV, lambda c: bad.cv_text(c, "blank.mp3", " \u00a0 "),
         DROPPED, "empty transcript"),
    Case("non-UTF-8 bytes", CV, lambda c: bad.raw_row(c, b"c0ffee\tlatin1.mp3\tCaf\xe9\t2\t0"), DROPPED,
         "not valid UTF-8"),
    Case("CRLF line ends (transcript file)", FOLDER,
         lambda c: bad.folder_clip(c, "odd_crlf", T(), text=b"the weather\r\nis fine\r\n"), KEPT,
         "the weather is fine"),
    Case("CRLF line ends (TSV)", CV, bad.crlf_tsv, KEPT, bad.SENTENCE),
    Case("tabs inside text", FOLDER, lambda c: bad.folder_clip(c, "odd_tabs", T(), text=b"the\tweather\tis fine"),
         KEPT, "the weather is fine"),
    Case("vocab lacks: digits", VOCAB, lambda c: bad.dev_sentence(c, "Tá 42 ann.", "4"), FLAGGED, "4 U+0034"),
    Case("vocab lacks: emoji", VOCAB, lambda c: bad.dev_sentence(c, "Tá sé go maith 🙂", "🙂"), FLAGGED, "U+1F642"),
    Case("vocab lacks: Latin letter of another alphabet", VOCAB,
         lambda c: bad.dev_sentence(c, "Tá Øystein ann.", "ø"), FLAGGED, "ø U+00F8"),
    Case("vocab lacks: look-alike letter of another script", VOCAB,
         lambda c: bad.dev_sentence(c, "T\u0430 s\u0435 fuar.", "\u0430"), FLAGGED, "U+0430"),
    Case("duplicate utterance id", CV, bad.duplicate_id, DROPPED, "duplicate utterance id"),
    Case("TSV row with a missing column", CV, lambda c: bad.raw_row(c, b"c0ffee\tshort.mp3"),
         DROPPED, "2 columns, the header has 5"),
    Case("TSV row with an extra column", CV, lambda c: bad.raw_row(c, b"c0ffee\tlong.mp3\tTa se.\t2\t0\textra"),
         DROPPED, "6 columns, the header has 5"),
    Case("path escaping the corpus (../../etc/passwd)", CV, bad.path_escape, DROPPED, "is outside",
         also=_never_opened),
    Case("file name with spaces", CV, lambda c: bad.cv_clip(c, "with some spaces.mp3", T(rate=48000)),
         KEPT, bad.SENTENCE),
    Case("file name with quotes", CV, lambda c: bad.cv_clip(c, "it's \"quoted\".mp3", T(rate=48000)),
         KEPT, bad.SENTENCE),
    Case("file name with $(...)", CV, lambda c: bad.cv_clip(c, "$(touch PWNED).mp3", T(rate=48000)),
         KEPT, bad.SENTENCE, also=_no_shell_ran),
    Case("symlink loop (listed in the TSV)", CV, bad.cv_symlink_loop, DROPPED, "symlink loop"),
    Case("symlink loop (in a folder that is walked)", FOLDER, bad.folder_symlink_loop, DROPPED, "symlink loop",
         also=_walk_ends),
    Case("more than 5 % dropped", CV, bad.too_many_drops, REFUSED, "more than 5% of the input would be dropped",
         also=_share_is_a_setting),
]


def _matching(rows: list[Row], planted: Planted) -> list[Row]:
    """Report rows about the planted item: its utterance id, or its file and line; naming it."""
    def about(r: Row) -> bool:
        at_line = planted.line is not None and r[0].endswith(planted.file) and r[1] == str(planted.line)
        return bool(planted.utt_id and r[2] == planted.utt_id or at_line) and planted.name in "\t".join(r)
    return [r for r in rows if about(r)]


def _check_report(rows: list[Row], planted: Planted, action: str, reason: str) -> None:
    found = _matching(rows, planted)
    assert len(found) == 1, f"want one report row for {planted}, got {found} in {rows}"
    row = found[0]
    assert row[3] == action and reason in row[4], row
    assert row[0].endswith(planted.file), row  # the file, and its line where it has one
    if planted.line is not None:
        assert row[1] == str(planted.line), row


def _check_kept(out: Path, case: Case, planted: Planted) -> None:
    utts = {u.utt_id: u for u in read_data_dir(out / "train")}
    utt = utts[planted.utt_id]
    data, rate = sf.read(utt.wav)
    assert rate == 16000 and data.ndim == 1 and sf.info(utt.wav).subtype == "PCM_16"
    assert abs(len(data) / rate - utt.duration) < 0.01
    if case.outcome == KEPT:
        assert utt.text_raw == case.expect


@pytest.mark.parametrize("case", CATALOGUE, ids=[case.item for case in CATALOGUE])
def test_bad_input(case: Case, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    corpus = case.stage.corpus(tmp_path)
    planted = case.plant(corpus)
    out = tmp_path / "out"
    if case.outcome == REFUSED:
        with pytest.raises(InputError) as refused:
            case.stage.run(corpus, out)
        assert case.expect in str(refused.value) and "prep_report.tsv" in str(refused.value)
        assert not [name for name in DATA_FILES if (out / case.stage.data_dir / name).exists()]
        _check_report(case.stage.report(out), planted, DROPPED, "")
    else:
        case.stage.run(corpus, out)
        rows = case.stage.report(out)
        if case.outcome == KEPT:
            assert not _matching(rows, planted), rows
        else:
            _check_report(rows, planted, case.outcome, case.expect)
        if case.stage.data_dir:
            assert validate_data_dir(out / case.stage.data_dir) == []
        if case.stage.kept and planted.utt_id:
            assert (planted.utt_id in case.stage.kept(out)) == (case.outcome in (KEPT, REPAIRED))
        if case.outcome in (KEPT, REPAIRED):
            _check_kept(out, case, planted)
        if case.outcome == FLAGGED:  # checked, never added: the vocabulary comes from train text only
            assert chr(int(planted.name[2:], 16)) not in json.loads((out / "lang/vocab.json").read_text())
    assert not [p for p in out.rglob("*") if re.search(r"\.tmp|\.partial", p.name)]
    summaries = [r.getMessage() for r in caplog.records if r.getMessage().startswith(case.stage.summary)]
    assert len(summaries) == 1 and "\n" not in summaries[0], summaries
    if case.also:
        case.also(corpus, out)


def test_every_stage_prints_one_summary_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Stages 1-4 on one corpus with one zero-byte clip: one line each, with what was kept and dropped."""
    caplog.set_level(logging.INFO)
    corpus = bad.common_voice(tmp_path)
    bad.cv_clip(corpus, "zero.mp3", b"")
    data = tmp_path / "data/train"
    prepare_common_voice(corpus, "train", data, tmp_path / "wavs")
    normalize_text(data / "text.raw", data / "text", "local.normalizers.ga")
    make_manifest(data, data / "manifest.jsonl", data / "manifest.dropped.tsv")
    make_vocab(data / "text", tmp_path / "data/lang")
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    for stage, summary in [("1", "data prep train: kept 20/21, dropped 1 (1× zero-byte file), repaired 0"),
                           ("2", f"normalize_text: {data / 'text.raw'} -> {data / 'text'} with "
                                 "local.normalizers.ga: 20 lines, 20 changed"),
                           ("3", f"make_manifest {data}: kept 20/20, dropped 0 by duration"),
                           ("4", "make_vocab: wrote")]:
        found = [line for line in lines if line.startswith(summary)]
        assert len(found) == 1 and "\n" not in found[0], (stage, summary, lines)

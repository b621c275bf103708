"""Common Voice as recent releases ship it: the `validated` train set, the newer columns and
clip_durations.tsv. Fixtures are TSVs written from the release's column lists (cv_fixtures)."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
import soundfile as sf

from local.common_voice import prepare_common_voice
from tests.local.cv_fixtures import COLUMNS_OLD, COLUMNS_RECENT, row, write_release, write_tsv
from utils.data_dir import read_data_dir, validate_data_dir
from utils.errors import InputError

@pytest.fixture
def release(cv_corpus: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    corpus = tmp_path / "ga-IE"
    return corpus, write_release(cv_corpus, corpus)


def _excluded(data: Path) -> dict[str, str]:
    lines = (data / "prep_report.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {f[2].split("-", 1)[1]: f[4] for f in (line.split("\t") for line in lines) if f[3] == "excluded"}


def test_validated_train_set_excludes_exactly_the_dev_and_test_speakers_and_sentences(
        release: tuple[Path, list[str]], tmp_path: Path, caplog) -> None:
    corpus, c = release
    with caplog.at_level(logging.INFO):
        out = prepare_common_voice(corpus, "train", tmp_path / "train", tmp_path / "wavs", train_set="validated")
    assert validate_data_dir(out) == []
    kept = sorted(u.utt_id.split("-", 1)[1] for u in read_data_dir(out))
    assert kept == sorted(Path(c[i]).stem for i in (2, 3, 4, 8))
    assert _excluded(out) == {
        Path(c[0]).stem: "clip also in dev.tsv (line 2): kept there only",
        Path(c[1]).stem: "clip also in test.tsv (line 2): kept there only",
        Path(c[5]).stem: "speaker also in dev.tsv (line 2): held out",
        Path(c[6]).stem: "sentence also in test.tsv (line 2): held out",
        Path(c[7]).stem: "sentence also in dev.tsv (line 2): held out",
    }
    assert "excluded 5 of 9 rows held out by test.tsv, dev.tsv (2 same clip, 1 same speaker, 2 same sentence)" \
        in caplog.text
    assert "kept 4/9, dropped 0, excluded 5" in caplog.text


def test_official_train_set_is_unchanged_and_unknown_train_sets_refused(release, tmp_path: Path) -> None:
    corpus, c = release
    out = prepare_common_voice(corpus, "train", tmp_path / "train", tmp_path / "wavs")
    assert sorted(u.utt_id.split("-", 1)[1] for u in read_data_dir(out)) == sorted(Path(c[i]).stem for i in (2, 3))
    with pytest.raises(InputError, match="train set 'other': expected one of train, validated"):
        prepare_common_voice(corpus, "train", tmp_path / "t2", tmp_path / "wavs", train_set="other")


@pytest.mark.parametrize("columns", [COLUMNS_RECENT, COLUMNS_OLD], ids=["recent", "old"])
def test_either_release_column_set_prepares_without_a_warning(release, tmp_path: Path, caplog, columns) -> None:
    corpus, c = release
    write_tsv(corpus / "train.tsv", [row("a", c[2], "Tá an aimsir go breá inniu.")], columns=columns)
    with caplog.at_level(logging.WARNING):
        out = prepare_common_voice(corpus, "train", tmp_path / "train", tmp_path / "wavs")
    assert len(read_data_dir(out)) == 1
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_clip_durations_tsv_catches_a_truncated_clip(release, tmp_path: Path) -> None:
    corpus, c = release
    ms = {name: round(sf.info(str(corpus / "clips" / name)).duration * 1000) for name in c[2:4]}
    ms[c[3]] += 3000  # the release says this clip lasts 3 s longer than the file holds: cut short
    lines = ["clip\tduration[ms]"] + [f"{name}\t{value}" for name, value in ms.items()]
    (corpus / "clip_durations.tsv").write_bytes(b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode())
    out = prepare_common_voice(corpus, "train", tmp_path / "train", tmp_path / "wavs", max_drop_share=0.5)
    assert [u.utt_id.split("-", 1)[1] for u in read_data_dir(out)] == [Path(c[2]).stem]
    report = (out / "prep_report.tsv").read_text(encoding="utf-8")
    assert "truncated" in report and "the corpus lists" in report and c[3] in report

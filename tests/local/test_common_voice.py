"""Common Voice data prep on a corpus in the real layout, with bad rows a user meets."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from local.common_voice import check_common_voice, prepare_common_voice
from utils.data_dir import read_data_dir, validate_data_dir
from utils.errors import InputError


@pytest.fixture
def messy(cv_corpus: Path, tmp_path: Path) -> Path:
    """The synthetic corpus plus the bad rows real dumps have, appended to train.tsv."""
    corpus = tmp_path / "cv"
    shutil.copytree(cv_corpus, corpus)
    clips = corpus / "clips"
    (clips / "empty.mp3").write_bytes(b"")
    (clips / "broken.mp3").write_bytes(b"ID3\x03\x00\x00\x00" + b"\x00garbage" * 50)
    t = np.linspace(0, 1.5, int(1.5 * 44100), endpoint=False)
    tone = 0.3 * np.sin(2 * np.pi * 220 * t)
    sf.write(clips / "stereo 44k $(x).wav", np.stack([tone, tone * 0.5], axis=1), 44100)
    header = (corpus / "train.tsv").read_text(encoding="utf-8").splitlines()[0].split("\t")
    first = (corpus / "train.tsv").read_text(encoding="utf-8").splitlines()[1]

    def row(path: str, sentence: str, client: str = "c0ffee") -> str:
        values = dict.fromkeys(header, "")
        values.update(client_id=client, path=path, sentence=sentence)
        return "\t".join(values[h] for h in header)

    bad = [row("empty.mp3", "Tá sé folamh."), row("broken.mp3", "Tá sé briste."), row("missing.mp3", "Níl sé ann."),
           row("../../etc/passwd", "Éalú."), row("stereo 44k $(x).wav", "Fuaim steiréó."),
           row("x.mp3", "Colún breise.") + "\textra", "c0ffee\tshort.mp3", first]
    with open(corpus / "train.tsv", "a", encoding="utf-8") as f:
        f.write("\n".join(bad) + "\n")
    with open(corpus / "train.tsv", "ab") as f:
        f.write(row("y.mp3", "bad").encode() .replace(b"bad", b"\xff\xfe") + b"\n")
    return corpus


def test_clean_corpus_gives_valid_data_dirs(cv_corpus: Path, tmp_path: Path) -> None:
    info = check_common_voice(cv_corpus, ("train", "dev", "test"))
    assert "ga-IE" in info["name"]
    out = prepare_common_voice(cv_corpus, "train", tmp_path / "train", tmp_path / "wavs", nj=2)
    assert validate_data_dir(out) == []
    utts = read_data_dir(out)
    assert len(utts) == 2 * 8
    first = utts[0]
    assert first.utt_id.startswith(first.speaker + "-") and len(first.speaker) == 16
    data, rate = sf.read(first.wav)
    assert rate == 16000 and data.ndim == 1 and abs(len(data) / rate - first.duration) < 0.01
    assert first.text == first.text_raw  # normalisation is stage 2's job


def test_bad_rows_are_dropped_with_file_line_and_reason(messy: Path, tmp_path: Path) -> None:
    out = prepare_common_voice(messy, "train", tmp_path / "train", tmp_path / "wavs", nj=1, max_drop_share=0.5)
    assert validate_data_dir(out) == []
    report = (out / "prep_report.tsv").read_text(encoding="utf-8")
    for reason in ("zero-byte file", "cannot decode", "no such file", "outside", "columns, the header has",
                   "duplicate utterance id", "not valid UTF-8"):
        assert reason in report, reason
    assert "downmixed 2 channels" in report and "resampled 44100 Hz" in report
    ids = [u.utt_id for u in read_data_dir(out)]
    assert any("stereo" in i for i in ids) and not any("$" in i or " " in i for i in ids)


def test_too_many_drops_stop_with_a_clear_message(messy: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="more than 5% of the input would be dropped"):
        prepare_common_voice(messy, "train", tmp_path / "train", tmp_path / "wavs", nj=1)
    assert (tmp_path / "train/prep_report.tsv").is_file()
    assert not (tmp_path / "train/wav.scp").exists()


def test_layout_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no clips/ folder"):
        check_common_voice(tmp_path, ("train",))
    (tmp_path / "clips").mkdir()
    (tmp_path / "train.tsv").write_text("client_id\tpath\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"train.tsv line 1: header lacks column\(s\) sentence"):
        check_common_voice(tmp_path, ("train",))

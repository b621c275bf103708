"""Common Voice as a new user meets it: a BOM-saved TSV, invisible characters in sentences, and
one clip listed in both train and test. Data prep, normalisation and the vocabulary must get
through all of it: no format character reaches `text` or `vocab.json`, the overlap is resolved."""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from local.common_voice import check_common_voice, prepare_common_voice
from steps.make_vocab import make_vocab
from steps.normalize_text import normalize_text
from tests.local.cv_fixtures import COLUMNS_OLD, borrow_clips, row, write_tsv
from utils.data_dir import read_data_dir, validate_data_dir

ZWSP, SHY, BOM, ZWJ = "\u200b", "\u00ad", "\ufeff", "\u200d"


@pytest.fixture
def hazards(cv_corpus: Path, tmp_path: Path) -> Path:
    corpus = tmp_path / "cv-corpus-99.0" / "ga-IE"
    c = borrow_clips(cv_corpus, corpus, 6)
    # train.tsv saved by a spreadsheet: BOM first, CRLF line ends; invisible characters in sentences.
    write_tsv(corpus / "train.tsv", [
        row("a", c[0], f"Tá an ai{SHY}m{SHY}sir go breá inniu."),
        row("a", c[1], f"Bhí sé{ZWSP} fuar agus fliuch inné."),
        row("b", c[2], f"{BOM}Tá an t-uisce fuar{ZWJ}."),
        row("b", c[3], "Is maith liom tae agus arán."),  # also in test.tsv
    ], bom=True, newline="\r\n")
    write_tsv(corpus / "dev.tsv", [row("c", c[4], f"Rugadh í i nÉirinn{ZWSP}.")], columns=COLUMNS_OLD, bom=True)
    write_tsv(corpus / "test.tsv", [row("d", c[5], "An bhfuil tú tuirseach?"),
                                    row("b", c[3], "Is maith liom tae agus arán.")])
    return corpus


def _has_format_char(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cf" for ch in text)


def test_bom_invisible_characters_and_a_shared_clip(hazards: Path, tmp_path: Path) -> None:
    check_common_voice(hazards, ("train", "dev", "test"))
    data = tmp_path / "data"
    for split in ("train", "dev", "test"):
        out = prepare_common_voice(hazards, split, data / split, tmp_path / "wavs" / split)
        assert validate_data_dir(out) == []
        normalize_text(out / "text.raw", out / "text", "local.normalizers.ga")
    vocab = make_vocab(data / "train/text", data / "lang", [data / "dev/text", data / "test/text"])

    for split in ("train", "dev", "test"):
        text = (data / split / "text").read_text(encoding="utf-8")
        assert not _has_format_char(text), split
    assert not any(_has_format_char(symbol) for symbol in json.loads(vocab.read_text(encoding="utf-8")))
    assert "aimsir" in (data / "train/text").read_text(encoding="utf-8")

    shared = sorted((hazards / "clips").glob("*.mp3"))[3].stem
    train_ids = [u.utt_id for u in read_data_dir(data / "train")]
    test_ids = [u.utt_id for u in read_data_dir(data / "test")]
    assert len(train_ids) == 3 and not any(shared in i for i in train_ids)
    assert len(test_ids) == 2 and any(shared in i for i in test_ids)
    report = (data / "train/prep_report.tsv").read_text(encoding="utf-8").splitlines()
    excluded = [line.split("\t") for line in report if "\texcluded\t" in line]
    assert len(excluded) == 1
    file, line, utt_id, _, reason = excluded[0]
    assert file.endswith("train.tsv") and line == "5" and shared in utt_id
    assert reason == "clip also in test.tsv (line 3): kept there only"

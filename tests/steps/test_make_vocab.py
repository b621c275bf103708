"""make_vocab: characters of the train text only, the OOV report, the CLI."""
from __future__ import annotations

import json
import logging

import pytest
from typer.testing import CliRunner

from steps.__main__ import app
from steps.make_vocab import make_vocab
from utils.errors import InputError


def _write(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_vocab_from_train_only_and_oov_report(tmp_path, caplog):
    train = _write(tmp_path / "train_text", ["s1-a dia duit", "s1-b tá mé"])
    dev = _write(tmp_path / "dev_text", ["s2-a dia dhuit", "s2-b fáilte"])
    with caplog.at_level(logging.WARNING):
        vocab_path = make_vocab(train, tmp_path / "lang", [dev])
    vocab = json.loads(vocab_path.read_text(encoding="utf-8"))
    assert list(vocab) == ["a", "d", "i", "m", "t", "u", "á", "é", "|", "[UNK]", "[PAD]"]
    assert list(vocab.values()) == list(range(len(vocab)))
    assert "h" not in vocab and "f" not in vocab  # dev characters are never added
    rows = (tmp_path / "lang" / "oov_chars.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "char\tcodepoint\tcount\texample_utt\tfile"
    found = {row.split("\t")[0]: row.split("\t") for row in rows[1:]}
    assert set(found) == {"h", "f", "l", "e"}
    assert found["h"][1:4] == ["U+0068", "1", "s2-a"]
    assert found["l"][2] == "1" and found["l"][3] == "s2-b"
    assert "not in the training vocabulary" in caplog.text


def test_vocab_loads_with_wav2vec2_tokenizer(tmp_path):
    from transformers import Wav2Vec2CTCTokenizer

    train = _write(tmp_path / "text", ["u1 to be", "u2 or not"])
    vocab_path = make_vocab(train, tmp_path / "lang")
    tokenizer = Wav2Vec2CTCTokenizer(str(vocab_path), unk_token="[UNK]", pad_token="[PAD]",
                                     word_delimiter_token="|", bos_token=None, eos_token=None)
    assert len(tokenizer) == len(json.loads(vocab_path.read_text()))
    ids = tokenizer("to be").input_ids
    assert tokenizer.decode(ids, group_tokens=False) == "to be"
    assert (tmp_path / "lang" / "oov_chars.tsv").read_text().splitlines() == [
        "char\tcodepoint\tcount\texample_utt\tfile"]


def test_empty_or_missing_train_text_is_an_input_error(tmp_path):
    empty = _write(tmp_path / "text", ["u1", "u2"])
    with pytest.raises(InputError, match="no characters"):
        make_vocab(empty, tmp_path / "lang")
    with pytest.raises(InputError, match="not found"):
        make_vocab(tmp_path / "missing", tmp_path / "lang")


def test_cli(tmp_path):
    train = _write(tmp_path / "text", ["u1 ab"])
    dev = _write(tmp_path / "dev", ["d1 abc"])
    result = CliRunner().invoke(app, ["make_vocab", str(train), str(tmp_path / "lang"),
                                      "--extra-text", str(dev)])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "lang" / "vocab.json").read_text()) == {
        "a": 0, "b": 1, "|": 2, "[UNK]": 3, "[PAD]": 4}
    assert "c\tU+0063\t1\td1" in (tmp_path / "lang" / "oov_chars.tsv").read_text()
    missing = CliRunner().invoke(app, ["make_vocab", str(tmp_path / "nope"), str(tmp_path / "x")])
    assert missing.exit_code == 1

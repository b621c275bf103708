"""train_lm: KenLM from a tiny text, importing an external ARPA, tool lookup, the CLI."""
from __future__ import annotations

import gzip

import kenlm
import pytest
from typer.testing import CliRunner

from steps.__main__ import app
from steps.train_lm import train_lm
from utils import kenlm_tools
from utils.arpa import read_arpa_unigrams
from utils.errors import CurrachError, InputError

SENTENCES = ["dia duit", "dia is muire duit", "conas atá tú", "tá mé go maith"]


def _kaldi_text(path):
    path.write_text("".join(f"utt{i} {s}\n" for i, s in enumerate(SENTENCES)), encoding="utf-8")
    return path


def test_trains_arpa_binary_and_unigrams_from_kaldi_text(tmp_path):
    lm_dir = train_lm([_kaldi_text(tmp_path / "text")], tmp_path / "lm", order=3)
    arpa = (lm_dir / "lm.arpa").read_text(encoding="utf-8")
    assert arpa.startswith("\\data\\") and "ngram 3=" in arpa and "\\end\\" in arpa
    assert "</s>" in read_arpa_unigrams(lm_dir / "lm.arpa")
    words = (lm_dir / "unigrams.txt").read_text(encoding="utf-8").split("\n")[:-1]
    assert words == sorted({w for s in SENTENCES for w in s.split()})  # no utt ids, no repeats
    model = kenlm.Model(str(lm_dir / "lm.bin"))
    assert model.order == 3
    assert model.score("dia duit") > model.score("duit dia")
    assert not [p for p in lm_dir.iterdir() if p.name.startswith(".")]  # temp dir removed


def test_plain_text_is_auto_detected_and_pruning_passes(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(SENTENCES * 3) + "\n\n", encoding="utf-8")
    lm_dir = train_lm([corpus], tmp_path / "lm", order=2, prune=[0, 1])
    assert "dia" in (lm_dir / "unigrams.txt").read_text(encoding="utf-8").split()
    kaldi_as_plain = train_lm([_kaldi_text(tmp_path / "text")], tmp_path / "lm2", text_format="plain")
    assert "utt0" in (kaldi_as_plain / "unigrams.txt").read_text().split()


def test_external_gz_arpa_is_lowercased_and_converted(tmp_path):
    upper = train_lm([_kaldi_text(tmp_path / "text")], tmp_path / "lm")
    source = tmp_path / "3-gram.arpa.gz"
    with gzip.open(source, "wt", encoding="utf-8") as handle:
        handle.write((upper / "lm.arpa").read_text(encoding="utf-8").upper())
    lm_dir = train_lm([], tmp_path / "ext", lm_arpa=source)
    assert "DIA" not in (lm_dir / "lm.arpa").read_text(encoding="utf-8")
    assert "dia" in (lm_dir / "unigrams.txt").read_text(encoding="utf-8").split()
    assert "dia" in kenlm.Model(str(lm_dir / "lm.bin"))


def test_bad_options_and_missing_tools(tmp_path, monkeypatch):
    text = _kaldi_text(tmp_path / "text")
    with pytest.raises(InputError, match="prune"):
        train_lm([text], tmp_path / "lm", order=2, prune=[1, 1])
    with pytest.raises(InputError, match="no input text"):
        train_lm([], tmp_path / "lm")
    monkeypatch.setattr(kenlm_tools, "REPO_BIN", tmp_path / "nowhere")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(CurrachError, match="make setup"):
        train_lm([text], tmp_path / "lm")


def test_cli(tmp_path):
    text = _kaldi_text(tmp_path / "text")
    result = CliRunner().invoke(app, ["train_lm", str(text), str(tmp_path / "lm"), "--order", "2",
                                      "--prune", "0,1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "lm" / "lm.bin").is_file()
    ext = CliRunner().invoke(app, ["train_lm", str(tmp_path / "ext"), "--lm-arpa",
                                   str(tmp_path / "lm" / "lm.arpa")])
    assert ext.exit_code == 0, ext.output
    bad = CliRunner().invoke(app, ["train_lm", str(tmp_path / "missing"), str(tmp_path / "out")])
    assert bad.exit_code == 1

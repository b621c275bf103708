"""steps score: the files it writes, their numbers, and the command line."""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import jiwer
import pytest
from typer.testing import CliRunner

from steps.__main__ import app
from steps.score import score
from tests.steps.scoring_fixtures import corrupt, make_decode_dir, make_test_set
from utils.errors import InputError


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_pinned_counts_and_output_files(tmp_path):
    ref = _write(tmp_path / "data/test/text",
                 "s1-u1 the cat sat on the mat\ns1-u2 hello world\ns2-u1 a b c\ns2-u2\n")
    hyp = _write(tmp_path / "dec/hyp", "s1-u1 the cat sit on mat\ns1-u2 hello big wide world\ns2-u2 x y\n")
    record = score(ref, hyp, tmp_path / "dec", None, n_boot=200)
    # u1: 1 sub 1 del; u2: 2 ins; s2-u1 missing: 3 del; s2-u2 empty ref: 2 ins.
    wer_line = "%WER 81.82 [ 9 / 11, 4 ins, 4 del, 1 sub ]"
    assert (tmp_path / "dec/wer").read_text().splitlines() == [
        wer_line, "%SER 100.00 [ 4 / 4 ]", "Scored 4 sentences, 1 not present in hyp."]
    # chars: u1 1 sub 4 del; u2 9 ins; s2-u1 5 del; s2-u2 3 ins; 22 + 11 + 5 reference chars.
    assert (tmp_path / "dec/cer").read_text() == "%CER 57.89 [ 22 / 38, 12 ins, 9 del, 1 sub ]\n"
    assert record["wer_line"] == wer_line
    assert record["missing_hyps"] == ["s2-u1"] and record["empty_refs"] == ["s2-u2"]
    assert record["set"] == "test"
    saved = json.loads((tmp_path / "dec/score.json").read_text())
    assert saved["wer"]["errors"] == 9 and saved["cer"]["errors"] == 22
    assert saved["utterances"][0]["align"][2] == ["S", "sat", "sit"]
    report = (tmp_path / "dec/report.txt").read_text()
    for expected in (wer_line, "REF:  the cat sat on the mat", "HYP:  the cat sit on *** mat",
                     "Eval:         S      D", "REFERENCES WITHOUT A HYPOTHESIS", "normaliser:  none"):
        assert expected in report


def test_agrees_with_jiwer_on_a_test_set(tmp_path):
    refs = make_test_set(tmp_path / "data/test")
    hyps = corrupt(refs, 0.3, seed=1)
    hyp = make_decode_dir(tmp_path / "exp/base/decode_test_greedy", hyps, "greedy")
    record = score(tmp_path / "data/test/text", hyp, hyp.parent, None,
                   utt2spk=tmp_path / "data/test/utt2spk", utt2dur=tmp_path / "data/test/utt2dur")
    ids = sorted(refs)
    words = jiwer.process_words([refs[u] for u in ids], [hyps[u] for u in ids])
    chars = jiwer.process_characters([refs[u] for u in ids], [hyps[u] for u in ids])
    assert record["wer"]["rate"] == pytest.approx(100 * words.wer)
    assert record["cer"]["rate"] == pytest.approx(100 * chars.cer)
    low, high = record["wer"]["ci95"]
    assert low < record["wer"]["rate"] < high
    assert record["decode"]["decoder"] == "greedy"
    assert [s["speaker"] for s in record["speakers"]] == ["spk0", "spk1", "spk2"]
    assert record["length_buckets"]["unit"] == "seconds"
    again = score(tmp_path / "data/test/text", hyp, tmp_path / "again", None,
                  utt2dur=tmp_path / "data/test/utt2dur")
    assert again["wer"]["ci95"] == record["wer"]["ci95"]  # fixed seed


def test_trn_input_normaliser_and_nfd(tmp_path, monkeypatch):
    _write(tmp_path / "mods/upper_norm.py", "def normalize(text):\n    return text.upper()\n")
    monkeypatch.syspath_prepend(str(tmp_path / "mods"))
    ref = _write(tmp_path / "ref.trn", "Tá sé go maith (s1-u1)\nobair (s1-u2)\n")
    nfd = unicodedata.normalize("NFD", "tá sé go maith")
    hyp = _write(tmp_path / "hyp.trn", f"{nfd} (s1-u1)\nobair inniu (s1-u2)\n")
    record = score(ref, hyp, tmp_path / "out", "upper_norm")
    assert record["wer_line"] == "%WER 20.00 [ 1 / 5, 1 ins, 0 del, 0 sub ]"
    assert record["utterances"][0]["ref"] == "TÁ SÉ GO MAITH"
    assert "normaliser:  upper_norm" in (tmp_path / "out/report.txt").read_text()


def test_sclite_alignment_scheme(tmp_path):
    ref = _write(tmp_path / "text", "u1 f a a d d e b a c a b d\n")
    hyp = _write(tmp_path / "hyp", "u1 a a a c b d g b g\n")
    assert score(ref, hyp, tmp_path / "lev", None)["wer_line"] == "%WER 66.67 [ 8 / 12, 0 ins, 3 del, 5 sub ]"
    sclite = score(ref, hyp, tmp_path / "sc", None, alignment="sclite")
    assert sclite["wer_line"] == "%WER 75.00 [ 9 / 12, 3 ins, 6 del, 0 sub ]"
    with pytest.raises(InputError, match="alignment 'nist'"):
        score(ref, hyp, tmp_path / "x", None, alignment="nist")


def test_errors(tmp_path):
    ref = _write(tmp_path / "text", "u1 a b\n")
    with pytest.raises(InputError, match="no reference: u9"):
        score(ref, _write(tmp_path / "hyp", "u1 a b\nu9 c\n"), tmp_path / "out", None)
    with pytest.raises(InputError, match="no reference utterances"):
        score(_write(tmp_path / "empty", ""), tmp_path / "hyp", tmp_path / "out", None)
    with pytest.raises(InputError, match="decode.json: not valid JSON"):
        _write(tmp_path / "dec/decode.json", "{")
        score(ref, _write(tmp_path / "dec/hyp", "u1 a\n"), tmp_path / "out", None)


def test_command_line(tmp_path):
    refs = make_test_set(tmp_path / "data/test", n_utts=6)
    hyp = make_decode_dir(tmp_path / "dec", corrupt(refs, 0.2, seed=2), "beam")
    runner = CliRunner()
    result = runner.invoke(app, ["score", str(tmp_path / "data/test/text"), str(hyp), str(tmp_path / "dec"),
                                 "--utt2spk", str(tmp_path / "data/test/utt2spk"), "--n-boot", "50"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dec/wer").read_text().startswith("%WER ")
    assert json.loads((tmp_path / "dec/score.json").read_text())["wer"]["n_boot"] == 50
    _write(tmp_path / "bad/hyp", "nobody x\n")
    result = runner.invoke(app, ["score", str(tmp_path / "data/test/text"), str(tmp_path / "bad/hyp"),
                                 str(tmp_path / "bad")])
    assert result.exit_code == 1
    assert "no reference: nobody" in result.output
    help_text = runner.invoke(app, ["score", "--help"]).output
    assert "python -m steps score" in help_text

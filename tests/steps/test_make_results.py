"""steps make_results and compare_scores: RESULTS.md, results.png, paired bootstrap."""
from __future__ import annotations

import hashlib
import json

import pytest
from typer.testing import CliRunner

from steps.__main__ import app
from steps.compare_scores import compare
from steps.make_results import make_results
from steps.score import score
from tests.steps.scoring_fixtures import corrupt, make_decode_dir, make_test_set
from utils.errors import InputError
from utils.provenance import collect_provenance
from utils.results_table import MARKER

HEADER = "# ga_ie results\n\nHand-written notes about this recipe.\n\n"


PROVENANCE = {  # two systems made at different commits with different configs
    "decode_test_greedy": {"commit": "abc1234-dirty", "config": "/r/conf/tiny.yaml",
                           "config_fingerprint": "0123456789ab", "corpus": "mini 1.0", "date": "2026-11-20"},
    "decode_test_beam_lm": {"commit": "def5678", "config": "/r/conf/big.yaml",
                            "config_fingerprint": "ba9876543210", "corpus": "mini 1.0", "date": "2026-11-21"},
}


@pytest.fixture()
def recipe(tmp_path):
    """A recipe dir whose exp/ holds a worse greedy and a better beam+LM system, both scored."""
    refs = make_test_set(tmp_path / "data/test", n_utts=60)
    systems = {"decode_test_greedy": ("greedy", None, 0.45), "decode_test_beam_lm": ("beam_lm", "lm/3gram.bin", 0.08)}
    for name, (decoder, lm, share) in systems.items():
        hyp = make_decode_dir(tmp_path / "exp/base" / name, corrupt(refs, share, seed=3), decoder, lm)
        score(tmp_path / "data/test/text", hyp, hyp.parent, None, utt2spk=tmp_path / "data/test/utt2spk",
              utt2dur=tmp_path / "data/test/utt2dur", n_boot=200, provenance=PROVENANCE[name])
    return tmp_path


def test_results_md_rows_and_provenance(recipe):
    (recipe / "RESULTS.md").write_text(HEADER + MARKER + "\nstale generated text\n", encoding="utf-8")
    path = make_results(recipe, n_boot=300)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(HEADER + MARKER + "\n")
    assert "stale generated text" not in text
    rows = {line.split(" | ")[1]: line for line in text.splitlines() if line.startswith("| base |")}
    assert rows["greedy"].startswith("| base | greedy | - | - | - | test | ")
    assert "| abc1234-dirty | tiny.yaml@0123456789ab | mini 1.0 |" in rows["greedy"]
    assert rows["beam_lm (beam 16)"].startswith("| base | beam_lm (beam 16) | 3gram.bin | 0.5 | 1 | test | **")
    assert "| def5678 | big.yaml@ba9876543210 | mini 1.0 |" in rows["beam_lm (beam 16)"]
    assert "![WER by system and by utterance length](results.png)" in text
    paired = [line for line in text.splitlines() if line.startswith("| test | base/decode_test_beam_lm")]
    assert len(paired) == 1 and float(paired[0].split("|")[-2]) > 0.99
    assert (recipe / "results.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    make_results(recipe, n_boot=300)
    assert path.read_text(encoding="utf-8") == text  # regeneration is stable and keeps the header


def test_results_md_without_marker_keeps_everything(recipe):
    (recipe / "RESULTS.md").write_text("Old hand-made table\n", encoding="utf-8")
    text = make_results(recipe).read_text(encoding="utf-8")
    assert text.startswith("Old hand-made table\n" + MARKER)


def test_no_scores_is_an_error(tmp_path):
    (tmp_path / "exp").mkdir()
    with pytest.raises(InputError, match="no score.json found"):
        make_results(tmp_path)


def test_collect_provenance(tmp_path):
    config = tmp_path / "tiny.yaml"
    config.write_text("model: {hidden: 8}\n", encoding="utf-8")
    prov = collect_provenance(tmp_path, config, "Common Voice ga-IE 17.0")
    assert prov["config_fingerprint"] == hashlib.sha256(config.read_bytes()).hexdigest()[:12]
    assert prov["commit"] == "unknown"  # tmp_path is outside any git work tree
    assert prov["corpus"] == "Common Voice ga-IE 17.0"
    with pytest.raises(InputError, match="cannot read"):
        collect_provenance(tmp_path, tmp_path / "missing.yaml", None)


def test_compare_scores(recipe):
    good = recipe / "exp/base/decode_test_beam_lm/score.json"
    bad = recipe / "exp/base/decode_test_greedy/score.json"
    result = compare(good, bad, n_boot=500, seed=1)
    assert result["wer_a"] < result["wer_b"]
    assert result["prob_a_better"] > 0.99 and result["p_value"] < 0.01
    assert compare(good, bad, n_boot=500, seed=1) == result
    other = recipe / "other"
    refs = make_test_set(other / "data/test", n_utts=5, seed=9)
    hyp = make_decode_dir(other / "dec", refs, "greedy")
    score(other / "data/test/text", hyp, other / "dec", None, n_boot=10)
    with pytest.raises(InputError, match="not scored on the same utterances"):
        compare(good, other / "dec/score.json")


def test_command_lines(recipe):
    runner = CliRunner()
    config = recipe / "conf.yaml"
    config.write_text("a: 1\n", encoding="utf-8")
    hyp = recipe / "exp/base/decode_test_greedy/hyp"
    result = runner.invoke(app, ["score", str(recipe / "data/test/text"), str(hyp), str(hyp.parent),
                                 "--config", str(config), "--corpus", "mini 2.0", "--n-boot", "10"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["make_results", str(recipe), "--n-boot", "100"])
    assert result.exit_code == 0, result.output
    fingerprint = hashlib.sha256(config.read_bytes()).hexdigest()[:12]
    assert f"| conf.yaml@{fingerprint} | mini 2.0 |" in (recipe / "RESULTS.md").read_text(encoding="utf-8")
    out = recipe / "cmp.json"
    result = runner.invoke(app, ["compare_scores", str(recipe / "exp/base/decode_test_beam_lm/score.json"),
                                 str(recipe / "exp/base/decode_test_greedy/score.json"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "P(A better) = 1.000" in result.output
    assert json.loads(out.read_text())["prob_a_better"] == 1.0
    result = runner.invoke(app, ["make_results", str(recipe / "nowhere")])
    assert result.exit_code == 1
    assert "no score.json found" in result.output
    for command in ("make_results", "compare_scores"):
        assert f"python -m steps {command}" in runner.invoke(app, [command, "--help"]).output

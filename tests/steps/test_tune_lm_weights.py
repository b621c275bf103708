"""tune_lm_weights: the grid on dev, tuning.tsv and best.json, then decoding with the frozen pair."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from steps.__main__ import app
from steps.decode_ctc import decode_set
from steps.tune_lm_weights import read_tuned_weights, tune_lm_weights
from tests.steps.tiny_ctc import b_sounds_like_d, make_set
from utils import ctc_forward
from utils.ctc_search import SearchSettings
from utils.errors import InputError

DEV = {"spk1-a": "to be", "spk1-b": "be it", "spk2-a": "dub it"}


@pytest.fixture
def fake_acoustics(monkeypatch):
    """Replace the network by hand-made log-probs so the grid has a known best point."""
    def run(frontend, records, *args):
        return {r["utt_id"]: b_sounds_like_d(DEV[r["utt_id"]]) for r in records}

    monkeypatch.setattr(ctc_forward, "run_ctc_model", run)


def test_grid_search_picks_the_lowest_dev_wer(model_dir, lm_dir, tmp_path, fake_acoustics):
    manifest, text = make_set(tmp_path / "data", "dev", DEV)
    out = tmp_path / "exp" / "tune_dev"
    alpha, beta = tune_lm_weights(model_dir, manifest, text, lm_dir, [0.0, 1.5], [0.0, 1.0], out,
                                  SearchSettings(beam_width=8))
    rows = [line.split("\t") for line in (out / "tuning.tsv").read_text().splitlines()]
    assert rows[0] == ["alpha", "beta", "wer"]
    assert [(float(a), float(b)) for a, b, _ in rows[1:]] == [(0, 0), (0, 1), (1.5, 0), (1.5, 1)]
    wers = {(float(a), float(b)): float(w) for a, b, w in rows[1:]}
    assert wers[(0.0, 0.0)] > 0  # without the LM "be" is heard as "de"
    assert (alpha, beta) == min(wers, key=wers.get) and alpha == 1.5
    assert wers[(alpha, beta)] == 0.0
    best = json.loads((out / "best.json").read_text())
    assert (best["alpha"], best["beta"]) == (alpha, beta) == read_tuned_weights(out / "best.json")
    assert best["grid"] == {"alphas": [0.0, 1.5], "betas": [0.0, 1.0]}
    decoded = decode_set(model_dir, manifest, tmp_path / "exp" / "decode_dev_beam_lm", "beam_lm",
                         lm_dir, SearchSettings(beam_width=8, alpha=alpha, beta=beta))
    assert (decoded / "hyp").read_text().splitlines() == [f"{u} {t}" for u, t in sorted(DEV.items())]


def test_missing_references_and_empty_grid_are_errors(model_dir, lm_dir, tmp_path, fake_acoustics):
    manifest, text = make_set(tmp_path / "data", "dev", DEV)
    text.write_text("spk1-a to be\n")
    with pytest.raises(InputError, match="no \\(or an empty\\) reference for 2"):
        tune_lm_weights(model_dir, manifest, text, lm_dir, [0.5], [1.0], tmp_path / "t")
    with pytest.raises(InputError, match="grids"):
        tune_lm_weights(model_dir, manifest, text, lm_dir, [], [1.0], tmp_path / "t")
    with pytest.raises(InputError, match="not found"):
        read_tuned_weights(tmp_path / "none.json")


def test_cli(model_dir, lm_dir, tmp_path, fake_acoustics):
    manifest, text = make_set(tmp_path / "data", "dev", DEV)
    out = tmp_path / "exp" / "tune_dev"
    result = CliRunner().invoke(app, ["tune_lm_weights", str(model_dir), str(manifest), str(text),
                                      str(lm_dir), str(out), "--alphas", "0,1.5", "--betas", "0.5",
                                      "--beam-width", "8", "--nj", "2"])
    assert result.exit_code == 0, result.output
    assert len((out / "tuning.tsv").read_text().splitlines()) == 3
    bad = CliRunner().invoke(app, ["tune_lm_weights", str(model_dir), str(manifest), str(text),
                                   str(lm_dir), str(out), "--alphas", "x"])
    assert bad.exit_code == 1

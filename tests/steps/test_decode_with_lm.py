"""decode_with_lm: alpha/beta tuned on dev only, then every set decoded with that frozen pair."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from steps.__main__ import app
from steps.decode_with_lm import decode_with_lm, parse_set
from tests.steps.tiny_ctc import b_sounds_like_d, make_set
from utils import ctc_forward
from utils.ctc_search import SearchSettings
from utils.errors import InputError

DEV = {"spk1-a": "to be", "spk1-b": "be it", "spk2-a": "dub it"}
TEST = {"spk3-a": "be it", "spk3-b": "to be it"}


@pytest.fixture
def fake_acoustics(monkeypatch):
    """Hand-made log-probs in which every "b" sounds a little more like "d": the LM must fix it."""
    calls: list[str] = []

    def run(frontend, records, *args):
        calls.extend(r["utt_id"] for r in records)
        return {r["utt_id"]: b_sounds_like_d({**DEV, **TEST}[r["utt_id"]]) for r in records}

    monkeypatch.setattr(ctc_forward, "run_ctc_model", run)
    return calls


def test_tunes_on_dev_then_decodes_every_set_with_the_pair(model_dir, lm_dir, tmp_path, fake_acoustics):
    dev_manifest, dev_text = make_set(tmp_path / "data", "dev", DEV)
    test_manifest, test_text = make_set(tmp_path / "data", "test", TEST)
    test_text.write_text("spk3-a wrong words\nspk3-b wrong words\n")  # tuning must never read test
    exp = tmp_path / "exp"
    alpha, beta = decode_with_lm(model_dir, lm_dir, dev_manifest, dev_text, exp / "decode_dev_beam_lm",
                                 [(dev_manifest, exp / "decode_dev_beam_lm"), (test_manifest, exp / "decode_test")],
                                 [0.0, 1.5], [0.0, 1.0], exp / "logits", SearchSettings(beam_width=8, nbest=3))
    assert alpha == 1.5
    best = json.loads((exp / "decode_dev_beam_lm" / "best.json").read_text())
    assert (best["alpha"], best["beta"]) == (alpha, beta)
    decode = json.loads((exp / "decode_test" / "decode.json").read_text())
    assert (decode["alpha"], decode["beta"]) == (alpha, beta)
    assert (exp / "decode_test" / "hyp").read_text().splitlines() == [f"{u} {t}" for u, t in sorted(TEST.items())]
    assert (exp / "decode_test" / "nbest").is_file()
    assert sorted(p.name for p in (exp / "logits").iterdir()) == ["dev.npz", "test.npz"]
    assert sorted(fake_acoustics) == sorted([*DEV, *TEST])  # the model ran once per utterance


def test_bad_arguments(model_dir, lm_dir, tmp_path):
    manifest, text = make_set(tmp_path / "data", "dev", DEV)
    with pytest.raises(InputError, match="no sets"):
        decode_with_lm(model_dir, lm_dir, manifest, text, tmp_path / "t", [], [1.0], [0.0], tmp_path / "l")
    with pytest.raises(InputError, match="MANIFEST:OUT_DIR"):
        parse_set("data/test/manifest.jsonl")


def test_cli(model_dir, lm_dir, tmp_path, fake_acoustics):
    dev_manifest, dev_text = make_set(tmp_path / "data", "dev", DEV)
    test_manifest, _ = make_set(tmp_path / "data", "test", TEST)
    exp = tmp_path / "exp"
    result = CliRunner().invoke(app, ["decode_with_lm", str(model_dir), str(lm_dir), str(dev_manifest),
                                      str(dev_text), str(exp / "tune"), f"{test_manifest}:{exp / 'decode_test'}",
                                      "--alphas", "0,1.5", "--betas", "0", "--beam-width", "8"])
    assert result.exit_code == 0, result.output
    assert (exp / "decode_test" / "hyp").is_file() and (exp / "logits" / "test.npz").is_file()
    bad = CliRunner().invoke(app, ["decode_with_lm", str(model_dir), str(lm_dir), str(dev_manifest),
                                   str(dev_text), str(exp / "tune"), "no-colon"])
    assert bad.exit_code == 1

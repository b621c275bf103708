"""Model card: Hub front matter with a model-index built from score.json files, and a usage snippet."""
from __future__ import annotations

import json

import pytest
import yaml

from steps.score import score
from utils.errors import InputError
from utils.model_card import write_model_card


def _score_json(tmp_path, name: str, decoder: str, hyp: str) -> str:
    folder = tmp_path / f"decode_test_{name}"
    folder.mkdir()
    (tmp_path / "text").write_text("u1 ta an aimsir go breá\nu2 tá sé fuar\n", encoding="utf-8")
    (folder / "hyp").write_text(hyp, encoding="utf-8")
    (folder / "decode.json").write_text(json.dumps({"decoder": decoder, "set": "test"}))
    score(tmp_path / "text", folder / "hyp", folder / "score", None, n_boot=10)
    return folder / "score" / "score.json"


def test_card_has_model_index_with_wer_and_cer_per_decoder(tmp_path):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    greedy = _score_json(tmp_path, "greedy", "greedy", "u1 ta an aimsir go brea\nu2 tá sé fuar\n")
    lm = _score_json(tmp_path, "beam_lm", "beam_lm", "u1 ta an aimsir go breá\nu2 tá sé fuar\n")
    card = write_model_card(model_dir, [greedy, lm], "ga", "Common Voice 17.0 ga-IE", "local.normalizers.ga")
    assert card == model_dir / "README.md"
    text = card.read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["language"] == ["ga"] and front["metrics"] == ["wer", "cer"]
    (result,) = front["model-index"][0]["results"]
    assert result["task"]["type"] == "automatic-speech-recognition"
    assert result["dataset"] == {"name": "Common Voice 17.0 ga-IE", "type": "Common Voice 17.0 ga-IE", "split": "test"}
    metrics = {(m["type"], m["name"]): m["value"] for m in result["metrics"]}
    assert metrics == {("wer", "test WER (greedy)"): 12.5, ("cer", "test CER (greedy)"): 3.33,
                       ("wer", "test WER (beam_lm)"): 0.0, ("cer", "test CER (beam_lm)"): 0.0}
    assert 'pipeline("automatic-speech-recognition"' in text and "local.normalizers.ga" in text
    assert "| test | greedy | 12.50 | 3.33 |" in text


def test_card_elsewhere_and_bad_scores(tmp_path):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (tmp_path / "score.json").write_text(json.dumps({"set": "dev", "decode": None,
                                                     "wer": {"rate": 10.0}, "cer": {"rate": None}}))
    out = write_model_card(model_dir, [tmp_path / "score.json"], "en", "NSC", "local.normalizers.en_sg",
                           out_file=tmp_path / "card" / "README.md")
    assert out.is_file() and not (model_dir / "README.md").exists()
    assert "| dev | unknown | 10.00 | n/a |" in out.read_text()
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(InputError, match="bad.json"):
        write_model_card(model_dir, [tmp_path / "bad.json"], "en", "NSC", "x")
    with pytest.raises(InputError, match="no score.json"):
        write_model_card(model_dir, [], "en", "NSC", "x")

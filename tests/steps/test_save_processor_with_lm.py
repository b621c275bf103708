"""save_processor_with_lm: transformers alone decodes with the LM; the logits cache stays valid."""
from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from steps.__main__ import app
from steps.save_processor_with_lm import save_processor_with_lm
from steps.train_lm import train_lm
from tests.steps.tiny_ctc import make_set, peaky_logits
from utils import ctc_forward
from utils.ctc_logits import compute_logits
from utils.errors import InputError


@pytest.fixture(scope="module")
def lm_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("lm")
    (root / "corpus.txt").write_text("to be\nbe it\ndub it\n")
    return train_lm([root / "corpus.txt"], root / "lm", order=2)


def test_processor_with_lm_decodes_and_keeps_the_cache(model_dir, lm_dir, tmp_path, monkeypatch):
    from transformers import AutoProcessor

    model = shutil.copytree(model_dir, tmp_path / "model")
    manifest, _ = make_set(tmp_path, "dev", {"s-a": "to be"})
    compute_logits(model, manifest, tmp_path / "logits.npz")
    save_processor_with_lm(model, lm_dir, alpha=0.6, beta=0.4)
    assert (model / "language_model" / "lm.bin").is_file()
    processor = AutoProcessor.from_pretrained(model)
    assert type(processor).__name__ == "Wav2Vec2ProcessorWithLM"
    attrs = json.loads((model / "language_model" / "attrs.json").read_text())
    assert (attrs["alpha"], attrs["beta"]) == (0.6, 0.4)
    assert processor.batch_decode(peaky_logits("be it")[None]).text == ["be it"]
    monkeypatch.setattr(ctc_forward, "run_ctc_model", lambda *a: pytest.fail("model run again"))
    compute_logits(model, manifest, tmp_path / "logits.npz")


def test_mismatched_lm_is_refused(model_dir, tmp_path):
    (tmp_path / "c.txt").write_text("ZQX WV\n")
    lm = train_lm([tmp_path / "c.txt"], tmp_path / "lm", order=2)
    with pytest.raises(InputError):
        save_processor_with_lm(shutil.copytree(model_dir, tmp_path / "model"), lm)


def test_cli(model_dir, lm_dir, tmp_path):
    model = shutil.copytree(model_dir, tmp_path / "model")
    result = CliRunner().invoke(app, ["save_processor_with_lm", str(model), str(lm_dir)])
    assert result.exit_code == 0, result.output
    assert (model / "alphabet.json").is_file()
    bad = CliRunner().invoke(app, ["save_processor_with_lm", str(tmp_path / "none"), str(lm_dir)])
    assert bad.exit_code == 1

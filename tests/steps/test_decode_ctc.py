"""decode_ctc: the logits cache, greedy and beam search (with and without LM), LM checks, the CLI."""
from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from steps.__main__ import app
from steps.decode_ctc import decode_logits, decode_set
from steps.train_lm import train_lm
from tests.steps.tiny_ctc import (BLANK, LABELS, make_bert_model_dir, make_set,
                                  peaky_logits)
from utils import ctc_forward
from utils.ctc_logits import CtcLogits, compute_logits, load_logits
from utils.ctc_search import SearchSettings, build_beam_decoder
from utils.errors import InputError

TEXTS = {"spk1-a": "to be", "spk1-b": "bit", "spk2-a": "dub it"}
LM_SENTENCES = ["to be", "to be it", "bit it", "dub it", "tout de", "be it to"]


@pytest.fixture(scope="module")
def lm_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("lm")
    corpus = root / "corpus.txt"
    corpus.write_text("\n".join(LM_SENTENCES * 3) + "\n", encoding="utf-8")
    return train_lm([corpus], root / "lm", order=2)


def _count_forward(monkeypatch):
    calls = []
    real = ctc_forward.forward_features

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(ctc_forward, "forward_features", counting)
    return calls


def test_logits_computed_once_and_trimmed_per_utterance(model_dir, tmp_path, monkeypatch):
    manifest, _ = make_set(tmp_path, "dev", TEXTS)
    calls = _count_forward(monkeypatch)
    batched = compute_logits(model_dir, manifest, tmp_path / "batched.npz", max_batch_seconds=100)
    assert len(calls) == 1
    compute_logits(model_dir, manifest, tmp_path / "batched.npz")
    assert len(calls) == 1  # the cache is current: no forward pass
    single = compute_logits(model_dir, manifest, tmp_path / "single.npz", max_batch_size=1)
    assert len(calls) == 4
    a, b = load_logits(batched), load_logits(single)
    assert a.labels == LABELS and a.blank == BLANK and set(a.logits) == set(TEXTS)
    for index, utt in enumerate(sorted(TEXTS)):
        samples = int(16000 * (0.3 + 0.3 * index))
        assert a.logits[utt].shape == (((samples - 10) // 5 + 1 - 8) // 4 + 1, len(LABELS))
        np.testing.assert_allclose(np.exp(a.logits[utt]).sum(axis=1), 1.0, rtol=1e-4)
        np.testing.assert_allclose(a.logits[utt], b.logits[utt], atol=1e-4)  # padding trimmed


def test_filterbank_model_batched_equals_single(tmp_path):
    model_dir = make_bert_model_dir(tmp_path / "bert")
    manifest, _ = make_set(tmp_path, "dev", TEXTS)
    a = load_logits(compute_logits(model_dir, manifest, tmp_path / "a.npz", max_batch_seconds=100))
    b = load_logits(compute_logits(model_dir, manifest, tmp_path / "b.npz", max_batch_size=1))
    for index, utt in enumerate(sorted(TEXTS)):
        assert a.logits[utt].shape == (15 + 15 * index - 1, len(LABELS))  # 10 ms frames, stride 2
        np.testing.assert_allclose(a.logits[utt], b.logits[utt], atol=1e-4)


def test_cached_logits_keeps_what_it_computed_and_reads_a_current_file(model_dir, tmp_path, monkeypatch):
    from utils import ctc_logits

    manifest, _ = make_set(tmp_path, "dev", TEXTS)
    calls, reads = _count_forward(monkeypatch), []
    real_load = ctc_logits.load_logits
    monkeypatch.setattr(ctc_logits, "load_logits", lambda path: reads.append(path) or real_load(path))
    fresh = ctc_logits.cached_logits(model_dir, manifest, tmp_path / "l.npz")
    assert len(calls) == 1 and reads == []  # computed: kept in memory, not read back
    again = ctc_logits.cached_logits(model_dir, manifest, tmp_path / "l.npz")
    assert len(calls) == 1 and reads == [tmp_path / "l.npz"]  # current: read from the file
    assert (fresh.labels, fresh.blank) == (again.labels, again.blank) == (LABELS, BLANK)
    assert set(fresh.logits) == set(again.logits) == set(TEXTS)
    for utt in TEXTS:
        assert fresh.logits[utt].dtype == np.float32 and np.array_equal(fresh.logits[utt], again.logits[utt])


def test_changed_manifest_recomputes(model_dir, tmp_path, monkeypatch):
    manifest, _ = make_set(tmp_path, "dev", TEXTS)
    calls = _count_forward(monkeypatch)
    compute_logits(model_dir, manifest, tmp_path / "l.npz")
    make_set(tmp_path, "dev", {**TEXTS, "spk3-a": "tu"}, seed=1)
    compute_logits(model_dir, manifest, tmp_path / "l.npz")
    assert len(calls) == 2 and "spk3-a" in load_logits(tmp_path / "l.npz").logits


def test_features_are_made_beside_the_model_on_one_blas_thread(tmp_path, monkeypatch):
    import threading

    from threadpoolctl import threadpool_info

    model_dir = make_bert_model_dir(tmp_path / "bert")  # filterbanks: numpy's BLAS makes them
    manifest, _ = make_set(tmp_path, "dev", TEXTS)
    seen = {"features": [], "model": []}
    real_features, real_forward = ctc_forward.batch_features, ctc_forward.forward_features

    def features(*args):
        blas = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
        seen["features"].append((threading.get_ident(), blas))
        return real_features(*args)

    def forward(*args):
        seen["model"].append(threading.get_ident())
        return real_forward(*args)

    monkeypatch.setattr(ctc_forward, "batch_features", features)
    monkeypatch.setattr(ctc_forward, "forward_features", forward)
    compute_logits(model_dir, manifest, tmp_path / "l.npz", max_batch_size=1)
    assert len(seen["features"]) == len(seen["model"]) == 3
    assert seen["model"] == [threading.get_ident()] * 3
    assert all(thread != threading.get_ident() and set(blas) == {1} for thread, blas in seen["features"])


def test_bad_audio_is_an_input_error(model_dir, tmp_path):
    manifest, _ = make_set(tmp_path, "dev", TEXTS)
    (tmp_path / "dev" / "spk1-b.wav").write_bytes(b"not a wav")
    with pytest.raises(InputError, match="line 2: cannot read"):
        compute_logits(model_dir, manifest, tmp_path / "l.npz")


def _ctc(**texts):
    return CtcLogits(LABELS, BLANK, {utt: peaky_logits(text) for utt, text in texts.items()})


def test_greedy_on_peaky_logits():
    ctc = _ctc(u1="to be", u2="oo", u3=" bit ", u4="")
    assert decode_logits(ctc, ["u1", "u2", "u3", "u4"], "greedy") == ["to be", "oo", "bit", ""]


def test_beam_with_and_without_lm_on_peaky_logits(lm_dir):
    ctc = _ctc(u1="to be", u2="dub it", u3="bit")
    expected = ["to be", "dub it", "bit"]
    assert decode_logits(ctc, ["u1", "u2", "u3"], "beam", settings=SearchSettings(beam_width=8)) == expected
    assert decode_logits(ctc, ["u1", "u2", "u3"], "beam_lm", lm_dir, nj=2) == expected


def test_lm_settles_an_ambiguous_letter(lm_dir):
    log_probs = peaky_logits("to be")
    b, d = LABELS.index("b"), LABELS.index("d")
    frames = np.flatnonzero(log_probs[:, b] == 0)
    log_probs[frames, b], log_probs[frames, d] = np.log(0.4), np.log(0.6)
    ctc = CtcLogits(LABELS, BLANK, {"u": log_probs})
    assert decode_logits(ctc, ["u"], "greedy") == ["to de"]
    assert decode_logits(ctc, ["u"], "beam_lm", lm_dir, SearchSettings(alpha=1.0, beta=0.0)) == ["to be"]


def test_decode_set_writes_sorted_hyp_and_settings(model_dir, lm_dir, tmp_path):
    manifest, _ = make_set(tmp_path / "data", "dev", TEXTS)
    out = decode_set(model_dir, manifest, tmp_path / "exp" / "decode_dev_beam_lm", "beam_lm",
                     lm_dir, SearchSettings(beam_width=4, alpha=0.7, beta=0.5))
    lines = (out / "hyp").read_text(encoding="utf-8").splitlines()
    assert [line.split(" ")[0] for line in lines] == sorted(TEXTS)
    settings = json.loads((out / "decode.json").read_text())
    assert settings["decoder"] == "beam_lm" and settings["set"] == "dev"
    assert (settings["alpha"], settings["beta"], settings["beam_width"]) == (0.7, 0.5, 4)
    assert settings["logits_file"] == str(tmp_path / "exp" / "logits" / "dev.npz")
    with pytest.raises(InputError, match="needs --lm-dir"):
        decode_set(model_dir, manifest, tmp_path / "exp" / "x", "beam_lm")


def _lm_from(tmp_path, sentences):
    corpus = tmp_path / "lm.txt"
    corpus.write_text("\n".join(sentences) + "\n", encoding="utf-8")
    return train_lm([corpus], tmp_path / "lm", order=2)


def test_uppercase_lm_is_rejected(tmp_path):
    lm = _lm_from(tmp_path, ["TO BE", "DUB IT", "BIT"])
    with pytest.raises(InputError, match="UPPERCASE"):
        build_beam_decoder(LABELS, BLANK, lm)


def test_lm_with_characters_the_vocab_lacks_is_rejected(tmp_path):
    lm = _lm_from(tmp_path, ["zqx wvy", "to be"])
    with pytest.raises(InputError, match="vocabulary lacks"):
        build_beam_decoder(LABELS, BLANK, lm)


def test_arpa_without_end_of_sentence_and_empty_unigrams_are_rejected(lm_dir, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    arpa = (lm_dir / "lm.arpa").read_text(encoding="utf-8").splitlines()
    (broken / "lm.arpa").write_text("\n".join(l for l in arpa if "</s>" not in l) + "\n")
    (broken / "unigrams.txt").write_text((lm_dir / "unigrams.txt").read_text())
    with pytest.raises(InputError, match="no </s>"):
        build_beam_decoder(LABELS, BLANK, broken)
    (broken / "lm.arpa").write_text((lm_dir / "lm.arpa").read_text())
    (broken / "unigrams.txt").write_text("\n")
    with pytest.raises(InputError, match="empty unigram list"):
        build_beam_decoder(LABELS, BLANK, broken)
    with pytest.raises(InputError, match="neither lm.bin nor lm.arpa"):
        build_beam_decoder(LABELS, BLANK, tmp_path)


def test_cli(model_dir, lm_dir, tmp_path):
    manifest, _ = make_set(tmp_path / "data", "test", TEXTS)
    best = tmp_path / "best.json"
    best.write_text(json.dumps({"alpha": 0.9, "beta": 0.1}))
    runner = CliRunner()
    for decoder, extra in [("greedy", []), ("beam", ["--hotword", "bit"]),
                           ("beam_lm", ["--lm-dir", str(lm_dir), "--tuned", str(best), "--nj", "2"])]:
        out = tmp_path / "exp" / f"decode_test_{decoder}"
        result = runner.invoke(app, ["decode_ctc", str(model_dir), str(manifest), str(out),
                                     "--decoder", decoder, "--beam-width", "4", *extra])
        assert result.exit_code == 0, result.output
        assert len((out / "hyp").read_text().splitlines()) == len(TEXTS)
    assert json.loads((out / "decode.json").read_text())["alpha"] == 0.9
    bad = runner.invoke(app, ["decode_ctc", str(model_dir), str(manifest), str(tmp_path / "x"),
                              "--decoder", "beam_lm", "--lm-dir", str(tmp_path / "no_lm")])
    assert bad.exit_code == 1


@pytest.mark.parametrize("stride", [2, 3])
def test_logits_in_worker_parts_equal_one_process(tmp_path, stride, monkeypatch, caplog):
    monkeypatch.setattr(ctc_forward, "MIN_PART_SECONDS", 0.5)  # parts for these few seconds of audio
    model_dir = make_bert_model_dir(tmp_path / "bert", stride=stride)
    texts = {f"spk{n % 3}-{n:02d}": "to be" for n in range(7)}
    manifest, _ = make_set(tmp_path, "dev", texts)
    one = load_logits(compute_logits(model_dir, manifest, tmp_path / "one.npz", nj=1))
    with caplog.at_level("INFO"):
        parts = load_logits(compute_logits(model_dir, manifest, tmp_path / "parts.npz", nj=3))
    assert "7 utterances in 3 parts (worker processes)" in caplog.text
    assert set(parts.logits) == set(texts) and not (tmp_path / ".parts.parts").exists()
    for utt in texts:
        assert parts.logits[utt].shape == one.logits[utt].shape
        np.testing.assert_allclose(parts.logits[utt], one.logits[utt], atol=1e-4)


def test_a_set_too_small_for_its_workers_runs_in_one_process(tmp_path, caplog):
    model_dir = make_bert_model_dir(tmp_path / "bert")
    manifest, _ = make_set(tmp_path, "dev", TEXTS)
    with caplog.at_level("INFO"):
        compute_logits(model_dir, manifest, tmp_path / "l.npz", nj=2)
    assert "parts" not in caplog.text and set(load_logits(tmp_path / "l.npz").logits) == set(TEXTS)

"""The shared-step additions the sg_en recipe needs: n-best decoding, the n-best oracle, the
side-by-side view, a model_lm copy, plain LM-text normalisation, a pretrained model used as is
(with its labels lowercased), and oracles left out of the RESULTS.md ranking."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import typer
import yaml
from typer.testing import CliRunner

from steps.__main__ import app
from steps.compare_hyps import compare_hyps
from steps.decode_ctc import decode_logits, decode_set, write_nbest
from steps.normalize_text import main as normalize_text_main
from steps.normalize_text import normalize_plain_text
from steps.save_processor_with_lm import save_processor_with_lm
from steps.score import score
from steps.select_oracle import read_nbest, select_oracle
from steps.train_ctc import train_ctc
from steps.train_lm import train_lm
from tests.steps.tiny_ctc import BLANK, LABELS, make_model_dir, make_set, peaky_logits
from utils.ctc_logits import CtcLogits
from utils.ctc_model import is_finished_model
from utils.ctc_search import SearchSettings
from utils.errors import InputError
from utils.results_table import System, comparisons

UPPER_LABELS = ["<pad>", "<s>", "</s>", "<unk>", "|", *"ETAOINSHRDLUCMFWYPVBGKQJXZ", "'"]


def make_uppercase_model(root: Path) -> Path:
    """A tiny random Wav2Vec2ForCTC with wav2vec2-base-960h's kind of vocabulary (uppercase, <pad> blank)."""
    from transformers import (Wav2Vec2Config, Wav2Vec2CTCTokenizer, Wav2Vec2FeatureExtractor, Wav2Vec2ForCTC,
                              Wav2Vec2Processor)

    root.mkdir(parents=True, exist_ok=True)
    (root / "vocab.json").write_text(json.dumps({label: i for i, label in enumerate(UPPER_LABELS)}))
    tokenizer = Wav2Vec2CTCTokenizer(str(root / "vocab.json"), unk_token="<unk>", pad_token="<pad>",
                                     bos_token="<s>", eos_token="</s>", word_delimiter_token="|")
    extractor = Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16000, padding_value=0.0,
                                         do_normalize=True, return_attention_mask=False)
    config = Wav2Vec2Config(vocab_size=len(UPPER_LABELS), hidden_size=16, num_hidden_layers=1,
                            num_attention_heads=2, intermediate_size=32, conv_dim=(8, 8), conv_stride=(5, 4),
                            conv_kernel=(10, 8), conv_bias=False, num_conv_pos_embeddings=4,
                            num_conv_pos_embedding_groups=2, pad_token_id=0)
    Wav2Vec2ForCTC(config).save_pretrained(root / "model")
    Wav2Vec2Processor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(root / "model")
    return root / "model"


@pytest.fixture(scope="module")
def lm_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lm")
    (root / "corpus.txt").write_text("to be\nbe it\ndub it\nto be it\n" * 3, encoding="utf-8")
    return train_lm([root / "corpus.txt"], root / "lm", order=2)


def _ctc(texts: dict[str, str]) -> CtcLogits:
    rng = np.random.default_rng(0)
    logits = {}
    for utt, text in texts.items():
        noisy = peaky_logits(text, low=-3.0) + rng.normal(0, 0.5, (3 * len(text) + 1, len(LABELS)))
        logits[utt] = (noisy - np.logaddexp.reduce(noisy, axis=1, keepdims=True)).astype(np.float32)
    return CtcLogits(labels=LABELS, blank=BLANK, logits=logits)


def test_nbest_first_entry_is_the_plain_beam_result(lm_dir, tmp_path):
    ctc = _ctc({"s-a": "to be", "s-b": "dub it"})
    utts = sorted(ctc.logits)
    plain = decode_logits(ctc, utts, "beam_lm", lm_dir, SearchSettings(beam_width=16))
    nbest = decode_logits(ctc, utts, "beam_lm", lm_dir, SearchSettings(beam_width=16, nbest=5))
    assert [beams[0][0] for beams in nbest] == plain
    assert all(1 <= len(beams) <= 5 and len({t for t, _ in beams}) == len(beams) for beams in nbest)
    assert all(a[1] >= b[1] for beams in nbest for a, b in zip(beams, beams[1:]))  # best first
    with pytest.raises(InputError, match="beam decoder"):
        decode_logits(ctc, utts, "greedy", settings=SearchSettings(nbest=3))
    path = write_nbest(tmp_path / "nbest", dict(zip(utts, nbest)))
    assert read_nbest(path) == {utt: [t for t, _ in beams] for utt, beams in zip(utts, nbest)}


def test_decode_set_writes_nbest_and_cli_option(lm_dir, tmp_path):
    model = make_model_dir(tmp_path / "tiny")
    manifest, _ = make_set(tmp_path, "test", {"s-a": "to be", "s-b": "bit"})
    out = decode_set(model, manifest, tmp_path / "dec", "beam_lm", lm_dir, SearchSettings(beam_width=8, nbest=4))
    assert json.loads((out / "decode.json").read_text())["nbest"] == 4
    first = {utt: texts[0] for utt, texts in read_nbest(out / "nbest").items()}
    hyps = dict((line.split(" ", 1) + [""])[:2] for line in (out / "hyp").read_text().splitlines())
    assert first == hyps
    result = CliRunner().invoke(app, ["decode_ctc", str(model), str(manifest), str(tmp_path / "cli"),
                                      "--decoder", "beam", "--nbest", "3", "--beam-width", "8"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli" / "nbest").read_text().startswith("utt_id\trank\tscore\ttext\n")


def test_select_oracle_picks_the_closest_hypothesis(tmp_path):
    (tmp_path / "text").write_text("u1 the kopi is hot\nu2 chicken rice\nu3 one teh\n", encoding="utf-8")
    (tmp_path / "dec").mkdir()
    (tmp_path / "dec" / "decode.json").write_text(json.dumps({"decoder": "beam_lm", "set": "test"}))
    write_nbest(tmp_path / "dec" / "nbest", {"u1": [("the copy is hot", -1.0), ("The kopi is hot!", -2.0)],
                                             "u2": [("chicken rice", -1.0), ("chicken", -3.0)]})
    out = select_oracle(tmp_path / "text", tmp_path / "dec" / "nbest", tmp_path / "oracle", "local.normalizers.en_sg")
    assert (out / "hyp").read_text() == "u1 The kopi is hot!\nu2 chicken rice\nu3\n"
    settings = json.loads((out / "decode.json").read_text())
    assert settings["decoder"] == "oracle" and settings["source_decoder"] == "beam_lm"
    assert settings["chosen_rank"] == {"1": 2, "2": 1}
    (tmp_path / "bad").write_text("u1 1 0 text\n")
    with pytest.raises(InputError, match="header"):
        read_nbest(tmp_path / "bad")
    result = CliRunner().invoke(app, ["select_oracle", str(tmp_path / "text"), str(tmp_path / "dec" / "nbest"),
                                      str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output


def test_compare_hyps_table_and_disagreements_first(tmp_path):
    (tmp_path / "text").write_text("u1 the kopi is hot\nu2 chicken rice please\n", encoding="utf-8")
    for name, hyp in (("greedy", "u1 the copy is hot\nu2 chicken rice please\n"),
                      ("lm", "u1 the kopi is hot\nu2 chicken rice please\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "hyp").write_text(hyp, encoding="utf-8")
        score(tmp_path / "text", tmp_path / name / "hyp", tmp_path / name / "score", "local.normalizers.en_sg")
    systems = [(n, tmp_path / n / "score" / "score.json") for n in ("greedy", "lm")]
    text = compare_hyps(systems, tmp_path / "side.txt").read_text(encoding="utf-8")
    assert "| greedy | 14.29 |" in text and "| lm | 0.00 |" in text
    assert text.index("u1\n") < text.index("u2\n")  # u1 is where the systems differ
    assert "  reference  the kopi is hot\n  greedy     the copy is hot   [1]\n" in text
    with pytest.raises(InputError, match="differ"):
        compare_hyps([systems[0], systems[0]], tmp_path / "x.txt")
    result = CliRunner().invoke(app, ["compare_hyps", str(tmp_path / "cli.txt"),
                                      "--system", f"greedy={systems[0][1]}", "--system", f"lm={systems[1][1]}"])
    assert result.exit_code == 0 and (tmp_path / "cli.txt").is_file()


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def test_processor_with_lm_into_a_copy_leaves_the_model_dir(lm_dir, tmp_path):
    from transformers import AutoProcessor

    model = make_model_dir(tmp_path / "tiny")
    before = _digest(model)
    out = save_processor_with_lm(model, lm_dir, 0.6, 0.4, out_dir=tmp_path / "model_lm")
    assert _digest(model) == before
    assert type(AutoProcessor.from_pretrained(out)).__name__ == "Wav2Vec2ProcessorWithLM"
    (tmp_path / "bad.txt").write_text("ZQX WV\n")
    with pytest.raises(InputError):  # a failed check leaves the previous copy as it was
        save_processor_with_lm(model, train_lm([tmp_path / "bad.txt"], tmp_path / "bad"), out_dir=out)
    assert (out / "language_model").is_dir() and not list(tmp_path.glob(".model_lm.tmp-*"))


def test_normalize_plain_text_drops_empty_lines(tmp_path):
    (tmp_path / "lm.txt").write_text("The kopi costs $2.\n\n<NON/> (ppb)\nWah, so shiok!\n", encoding="utf-8")
    assert normalize_plain_text(tmp_path / "lm.txt", tmp_path / "out.txt", "local.normalizers.en_sg") == 2
    assert (tmp_path / "out.txt").read_text() == "the kopi costs two dollars\nwah so shiok\n"
    cli = typer.Typer()
    cli.command()(normalize_text_main)
    result = CliRunner().invoke(cli, [str(tmp_path / "lm.txt"), str(tmp_path / "cli.txt"), "--plain",
                                      "--normalizer", "local.normalizers.en_sg"])
    assert result.exit_code == 0 and (tmp_path / "cli.txt").read_text() == (tmp_path / "out.txt").read_text()


def test_zero_steps_saves_the_pretrained_model_as_is(tmp_path):
    from transformers import AutoTokenizer

    pretrained = make_uppercase_model(tmp_path / "up")
    manifest, _ = make_set(tmp_path, "train", {"s-a": "to be"})
    (tmp_path / "vocab.json").write_text(json.dumps({"a": 0, "|": 1, "[UNK]": 2, "[PAD]": 3}))
    for lowercase, name in ((False, "as_is"), (True, "lower")):
        config = tmp_path / f"{name}.yaml"
        config.write_text(yaml.safe_dump({"model": {"pretrained": str(pretrained), "lowercase_labels": lowercase},
                                          "train": {"max_steps": 0}}))
        model = train_ctc(manifest, manifest, tmp_path / "vocab.json", config, tmp_path / name, tmp_path / f"w_{name}")
        assert is_finished_model(model)
        labels = AutoTokenizer.from_pretrained(model).convert_ids_to_tokens(list(range(7)))
        assert labels == ["<pad>", "<s>", "</s>", "<unk>", "|", "e" if lowercase else "E", "t" if lowercase else "T"]
    (tmp_path / "scratch.yaml").write_text(yaml.safe_dump({"train": {"max_steps": 0}}))
    with pytest.raises(InputError, match="needs `model.pretrained`"):
        train_ctc(manifest, manifest, tmp_path / "vocab.json", tmp_path / "scratch.yaml", tmp_path / "m",
                  tmp_path / "w")


def test_oracle_is_listed_but_never_ranked():
    def system(path: str, decoder: str, errors: int) -> System:
        utts = [{"utt_id": "u1", "words": {"ref_len": 4, "errors": errors}}]
        return System(path=path, tag="t", decode={"decoder": decoder},
                      score={"set": "test", "hyp": path, "wer": {"rate": 25.0 * errors}, "utterances": utts})

    systems = [system("exp/t/o", "oracle", 0), system("exp/t/g", "greedy", 2), system("exp/t/l", "beam_lm", 1)]
    rows = comparisons(systems, n_boot=10)
    assert [(r["best"].path, r["other"].path) for r in rows] == [("exp/t/l", "exp/t/g")]

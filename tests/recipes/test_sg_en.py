"""The sg_en recipe: its stage list, the plain audio_clips/ + transcripts/ layout (stages 0-4), an
end-to-end run on a very small synthetic corpus with an external and an in-domain LM, and the
decode-time LM checks firing on an uppercase LM and on an uppercase pretrained vocabulary."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile
import yaml

from local.normalizers.en_sg import normalize
from steps.train_lm import train_lm
from tests.recipes.recipe_copy import REPO, copy_recipe, run_recipe, stages_run
from tests.recipes.test_sg_en_steps import make_uppercase_model
from utils.text_files import read_manifest

pytestmark = pytest.mark.slow

STAGE_NAMES = ["corpus", "data_prep", "text_norm", "manifest", "lang", "train", "decode", "score"]
DECODERS = ["greedy", "beam", "beam_ext_lm", "beam_lm", "oracle"]
SENTENCES = (REPO / "local/sentences/en_sg.txt").read_text(encoding="utf-8").splitlines()


def _config(recipe: Path, name: str, corpus: dict | None = None, decode: dict | None = None,
            nsc: dict | None = None, model: dict | None = None, train: dict | None = None) -> str:
    """conf/<name>.yaml: conf/tiny.yaml with some sections updated (model and train replaced)."""
    config = yaml.safe_load((recipe / "conf/tiny.yaml").read_text(encoding="utf-8"))
    for section, values in (("corpus", corpus), ("decode", decode), ("nsc", nsc)):
        config[section].update(values or {})
    config.update({k: v for k, v in (("model", model), ("train", train)) if v is not None})
    (recipe / f"conf/{name}.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return f"conf/{name}.yaml"


def _uppercase_arpa(root: Path) -> Path:
    """An ARPA in LibriSpeech's style: UPPERCASE words (Singapore sentences, normalised)."""
    text = root / "upper.txt"
    text.write_text("".join(normalize(s).upper() + "\n" for s in SENTENCES[:200]), encoding="utf-8")
    return train_lm([text], root / "upper_lm", order=2) / "lm.arpa"


def test_list_shows_the_same_stages_as_ga_ie(tmp_path: Path) -> None:
    listed = {}
    for name in ("sg_en", "ga_ie"):
        (tmp_path / name).mkdir()
        recipe = copy_recipe(name, tmp_path / name)
        lines = run_recipe(recipe, "--list").stdout.splitlines()
        listed[name] = [line.split()[:2] for line in lines]
    assert listed["sg_en"] == [[str(number), name] for number, name in enumerate(STAGE_NAMES)]
    assert listed["sg_en"] == listed["ga_ie"]


def _plain_folder(root: Path, n: int = 24) -> Path:
    """audio_clips/<speaker>_<nnn>.wav (noise; 22.05 kHz stereo or 16 kHz mono) + transcripts/<same>.txt."""
    rng = np.random.default_rng(0)
    for folder in ("audio_clips", "transcripts"):
        (root / folder).mkdir(parents=True)
    for k, sentence in enumerate(SENTENCES[:n]):
        name = f"{('amy', 'ben', 'chen')[k % 3]}_{k:03d}"
        rate, channels = (22050, 2) if k % 2 else (16000, 1)
        audio = 0.1 * rng.standard_normal((int(rate * (1.0 + 0.05 * k)), channels))
        soundfile.write(root / "audio_clips" / f"{name}.wav", audio.astype("float32"), rate)
        (root / "transcripts" / f"{name}.txt").write_text(sentence + "\n", encoding="utf-8")
    return root


def test_plain_layout_runs_stages_0_to_4(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    recipe = copy_recipe("sg_en", tmp_path / "repo")
    folder = _plain_folder(tmp_path / "clips")
    (tmp_path / "lm.txt").write_text("The durian costs $10.\n\n<NON/>\n", encoding="utf-8")
    arpa = _uppercase_arpa(tmp_path)
    config = _config(recipe, "plain", nsc={"shares": {"train": 0.6, "dev": 0.2, "test": 0.2}})
    proc = run_recipe(recipe, "--config", config, "--corpus-dir", str(folder), "--stop-stage", "4",
                      "--lm-text", str(tmp_path / "lm.txt"), "--lm-arpa", str(arpa))
    assert stages_run(proc) == [0, 1, 2, 3, 4]
    assert json.loads((recipe / "data/local/corpus.json").read_text())["layout"] == "plain"
    utts = {}
    for name in ("train", "dev", "test"):
        text = (recipe / f"data/{name}/text").read_text(encoding="utf-8").splitlines()
        assert text, f"empty {name} split"
        utts.update(line.split(" ", 1) for line in text)
        assert (recipe / f"data/{name}/manifest.jsonl").is_file()
    assert len(utts) == 24 and {utt.split("-")[0] for utt in utts} == {"amy", "ben", "chen"}
    info = soundfile.info(next((recipe / "data/wavs/train").glob("*.wav")))
    assert (info.samplerate, info.channels) == (16000, 1)
    assert (recipe / "data/local/lm_text/01_lm.txt").read_text() == "the durian costs ten dollars\n"
    assert "durian" in (recipe / "data/lang/unigrams.txt").read_text().split()
    ext_words = (recipe / "data/lang_ext/unigrams.txt").read_text().split()
    assert "hawker" in ext_words and all(word == word.lower() for word in ext_words)


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A run of stages 0-7: 60 sentences x 1 rendition, 20 training steps, --lm-arpa and --hotwords."""
    extras = tmp_path_factory.mktemp("extras")
    recipe = copy_recipe("sg_en", tmp_path_factory.mktemp("repo"))
    config = _config(recipe, "e2e", corpus={"max_sentences": 60, "renditions": {"train": 1, "dev": 1, "test": 1}},
                     decode={"beam_width": 8, "alphas": [0.5, 1.0], "betas": [1.0], "nbest": 5})
    (extras / "hotwords.txt").write_text("Tampines\nMakan\n", encoding="utf-8")
    args = ("--config", config, "--max-steps", "20", "--nj", "2", "--lm-arpa", str(_uppercase_arpa(extras)),
            "--hotwords", str(extras / "hotwords.txt"))
    run_recipe(recipe, *args)
    return {"recipe": recipe, "args": args, "extras": extras}


def test_every_stage_leaves_its_outputs(finished: dict) -> None:
    recipe = finished["recipe"]
    exp = recipe / "exp/e2e"
    for name in ("dev", "test"):
        for decoder in DECODERS:
            record = json.loads((exp / f"decode_{name}_{decoder}/score/score.json").read_text())
            assert record["n_utts"] > 0 and record["set"] == name
        side = (exp / f"side_by_side_{name}.txt").read_text(encoding="utf-8")
        assert all(f"| {decoder} |" in side for decoder in DECODERS) and "  reference  " in side
    beam = json.loads((exp / "decode_test_beam/decode.json").read_text())
    assert beam["hotwords"] == ["tampines", "makan"]
    assert json.loads((exp / "decode_test_beam_ext_lm/decode.json").read_text())["lm_dir"].endswith("lang_ext")
    assert (exp / "decode_test_beam_lm/nbest").is_file()
    assert not (exp / "model/language_model").exists()  # the LM goes into model_lm
    assert "model-index" in (exp / "model/README.md").read_text(encoding="utf-8")  # the model card
    results = (recipe / "RESULTS.md").read_text(encoding="utf-8")
    assert "decode_test_beam_ext_lm" in results and "oracle" in results and "synthetic espeak-ng en" in results
    data = (exp / "report/data.js").read_text(encoding="utf-8")  # the explorer, written by stage 7
    assert (exp / "report/index.html").is_file() and all(f"decode_test_{d}" in data for d in DECODERS)


def test_model_lm_decodes_with_transformers_alone(finished: dict) -> None:
    import torch
    from transformers import AutoModelForCTC, AutoProcessor

    model_dir = finished["recipe"] / "exp/e2e/model_lm"
    processor = AutoProcessor.from_pretrained(model_dir)
    assert type(processor).__name__ == "Wav2Vec2ProcessorWithLM"
    model = AutoModelForCTC.from_pretrained(model_dir).eval()
    record = read_manifest(finished["recipe"] / "data/test/manifest.jsonl")[0]  # audio paths come back absolute
    audio, rate = soundfile.read(record["audio_filepath"], dtype="float32")
    inputs = processor(audio, sampling_rate=rate, return_tensors="pt")
    with torch.inference_mode():
        logits = model(**inputs).logits
    assert isinstance(processor.batch_decode(logits.numpy()).text[0], str)


def test_rerun_skips_everything(finished: dict) -> None:
    again = run_recipe(finished["recipe"], *finished["args"])
    assert stages_run(again) == [] and again.stderr.count("skip, up to date") == 8


def test_uppercase_lm_is_refused_at_decode_time(finished: dict) -> None:
    recipe, lang_ext = finished["recipe"], finished["recipe"] / "data/lang_ext"
    shutil.copytree(lang_ext, finished["extras"] / "lang_ext.kept")
    shutil.rmtree(lang_ext)
    train_lm([], lang_ext, lm_arpa=finished["extras"] / "upper_lm/lm.arpa", lowercase=False)
    try:
        proc = run_recipe(recipe, *finished["args"], "--only", "decode", check=False)
        assert proc.returncode == 1
        assert "UPPERCASE but the model's vocabulary is lowercase" in proc.stderr
        assert "Traceback" not in proc.stderr
    finally:
        shutil.rmtree(lang_ext)
        shutil.copytree(finished["extras"] / "lang_ext.kept", lang_ext)


def test_pretrained_uppercase_vocab_is_refused_or_lowercased(finished: dict) -> None:
    recipe = finished["recipe"]
    pretrained = make_uppercase_model(finished["extras"] / "upper_model")
    common = {"corpus": {"max_sentences": 60, "renditions": {"train": 1, "dev": 1, "test": 1}},
              "decode": {"beam_width": 8, "alphas": [0.5], "betas": [1.0], "nbest": 3}}
    for lowercase in (False, True):
        name = f"pre_{'lower' if lowercase else 'upper'}"
        config = _config(recipe, name, **common, train={"max_steps": 0},
                         model={"pretrained": str(pretrained), "lowercase_labels": lowercase})
        proc = run_recipe(recipe, "--config", config, "--stage", "5", check=False)
        if lowercase:
            assert proc.returncode == 0, proc.stderr[-3000:]
            assert (recipe / f"exp/{name}/decode_test_beam_lm/score/score.json").is_file()
        else:
            assert proc.returncode == 1
            assert "lowercase but the model's vocabulary is UPPERCASE" in proc.stderr


def test_zipped_nsc_part1_runs_stages_0_to_7(tmp_path: Path) -> None:
    """NSC Part 1 as IMDA ships it: one WAVE/SPEAKERxxxx.zip per speaker, nothing unpacked by the user."""
    import subprocess
    import zipfile

    from local.nsc import _split_of

    shares = {"dev": 0.2, "test": 0.2, "train": 0.6}  # in the order the saved config (sorted keys) gives them
    chosen: dict[str, list[str]] = {name: [] for name in shares}
    for line in SENTENCES:  # four sentences per split, so no split is empty
        bucket = chosen[_split_of(normalize(line), shares)]
        if len(bucket) < 4:
            bucket.append(line)
    channel = tmp_path / "nsc/PART1/DATA/CHANNEL0"
    for k, sentence in enumerate(s for bucket in chosen.values() for s in bucket):
        speaker, utt = f"{k % 3 + 1:04d}", f"0{k % 3 + 1:04d}0{k:03d}"
        script = channel / "SCRIPT" / f"0{speaker}0.TXT"
        script.parent.mkdir(parents=True, exist_ok=True)
        with open(script, "a", encoding="utf-8") as f:
            f.write(f"{utt}\t{sentence}\n")
        wav = channel / "WAVE" / f"SPEAKER{speaker}" / "SESSION0" / f"{utt}.WAV"
        wav.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["espeak-ng", "-v", "en", "-w", str(wav), sentence], check=True, capture_output=True)
    for folder in sorted((channel / "WAVE").iterdir()):
        with zipfile.ZipFile(folder.with_suffix(".zip"), "w", zipfile.ZIP_DEFLATED) as zf:
            for wav in sorted(folder.rglob("*.WAV")):
                zf.write(wav, wav.relative_to(channel / "WAVE").as_posix())
        shutil.rmtree(folder)
    (tmp_path / "repo").mkdir()
    recipe = copy_recipe("sg_en", tmp_path / "repo")
    config = _config(recipe, "zipped", nsc={"shares": shares},
                     decode={"beam_width": 4, "alphas": [0.5], "betas": [1.0], "nbest": 2})
    proc = run_recipe(recipe, "--config", config, "--corpus-dir", str(tmp_path / "nsc"), "--max-steps", "2",
                      "--nj", "2")
    assert stages_run(proc) == list(range(8))
    assert [len((recipe / f"data/{s}/wav.scp").read_text().splitlines()) for s in shares] == [4, 4, 4]
    assert not list((recipe / "data/wavs").rglob(".zip_clips")), "extracted copies are removed"
    assert (recipe / "exp/zipped/decode_test_greedy/score/score.json").is_file()

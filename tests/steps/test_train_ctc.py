"""train_ctc: collator, a one-step run to a loadable model dir, resume, corrupt checkpoints, CLI."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile
import yaml

from steps.train_ctc import train_ctc
from utils.collate import CtcCollator, manifest_dataset
from utils.ctc_model import build_processor, is_finished_model
from utils.errors import InputError

TEXTS = ["tá sé fuar", "an t-uisce", "d'ól mé tae", "bhí sé ann"]
TINY_MODEL = {"hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
              "intermediate_size": 32, "conv_depthwise_kernel_size": 3}
TINY_TRAIN = {"batch_size": 2, "eval_batch_size": 4, "learning_rate": 1.0e-3, "warmup_steps": 0,
              "logging_steps": 1, "eval_steps": 1, "save_steps": 1, "save_total_limit": 2}


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path]:
    """Four noise wavs (0.5-1.1 s) with Irish texts, a manifest used as train and dev, vocab.json."""
    rng = np.random.default_rng(0)
    rows = []
    for index, text in enumerate(TEXTS):
        wav = tmp_path / "wav" / f"spk1-utt{index}.wav"
        wav.parent.mkdir(parents=True, exist_ok=True)
        duration = 0.5 + 0.2 * index
        soundfile.write(wav, (0.1 * rng.standard_normal(int(16000 * duration))).astype("float32"), 16000)
        rows.append({"audio_filepath": str(wav), "duration": duration, "text": text,
                     "utt_id": f"spk1-utt{index}", "speaker": "spk1"})
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    chars = sorted(set("".join(TEXTS).replace(" ", "|")))
    table = {char: i for i, char in enumerate(chars)}
    table.update({"[UNK]": len(table), "[PAD]": len(table) + 1})
    vocab = tmp_path / "vocab.json"
    vocab.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    return {"root": tmp_path, "manifest": manifest, "vocab": vocab}


def write_config(path: Path, model: dict | None = None, train: dict | None = None) -> Path:
    doc = {"model": {**TINY_MODEL, **(model or {})}, "train": {**TINY_TRAIN, **(train or {})},
           "decode": {"beam_width": 8}}  # other sections belong to other steps and are ignored
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def run(corpus: dict[str, Path], config: Path, name: str, max_steps: int, work: str = "work") -> Path:
    root = corpus["root"]
    return train_ctc(corpus["manifest"], corpus["manifest"], corpus["vocab"], config, root / name,
                     root / work, max_steps=max_steps, num_threads=1)


def read_wav(corpus: dict[str, Path], index: int) -> dict:
    """Pipeline input as samples: reading a file name would need ffmpeg, which we do not install."""
    samples, rate = soundfile.read(corpus["root"] / "wav" / f"spk1-utt{index}.wav", dtype="float32")
    return {"raw": samples, "sampling_rate": rate}


def newest_state(work_dir: Path) -> dict:
    newest = max(work_dir.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
    return json.loads((newest / "trainer_state.json").read_text())


@pytest.mark.parametrize("kind, key, width", [("wav2vec2-bert", "input_features", 160),
                                               ("wav2vec2", "input_values", None)])
def test_collator_reads_wavs_and_pads(corpus, kind, key, width):
    processor = build_processor(corpus["vocab"], kind)
    rows = [manifest_dataset(corpus["manifest"])[i] for i in (0, 3)]
    batch = CtcCollator(processor)(rows)
    assert batch[key].shape[0] == 2 and (width is None or batch[key].shape[2] == width)
    lengths = batch["attention_mask"].sum(dim=1)
    assert lengths[0] < lengths[1] == batch[key].shape[1]
    if kind == "wav2vec2":
        assert batch[key].shape[1] == int(16000 * 1.1)
    labels = batch["labels"]
    assert (labels[0] == -100).sum() == len(TEXTS[3]) - len(TEXTS[0])
    assert processor.tokenizer.decode(labels[1][labels[1] != -100], group_tokens=False) == TEXTS[3]


def test_fbank_stride_sets_frame_rate_and_model_input(corpus):
    from utils.ctc_model import build_model
    from utils.train_config import ModelSettings

    processor = build_processor(corpus["vocab"], "wav2vec2-bert", fbank_stride=3)
    batch = CtcCollator(processor)([manifest_dataset(corpus["manifest"])[3]])
    assert batch["input_features"].shape[2] == 240
    assert batch["input_features"].shape[1] == pytest.approx(110 / 3, abs=1)  # 1.1 s at 30 ms a frame
    model = build_model(ModelSettings(**TINY_MODEL, fbank_stride=3), processor.tokenizer)
    assert model(**batch).loss.isfinite()


def test_speed_perturbation_repeats_and_resamples(corpus):
    rows = manifest_dataset(corpus["manifest"], speeds=(0.9, 1.0, 1.1))
    assert len(rows) == 3 * len(TEXTS)
    assert [rows[i]["speed"] for i in (0, 4, 8)] == [0.9, 1.0, 1.1]
    assert rows[0]["duration"] == pytest.approx(0.5 / 0.9)
    processor = build_processor(corpus["vocab"], "wav2vec2")
    lengths = [CtcCollator(processor)([rows[i]])["input_values"].shape[1] for i in (0, 4, 8)]
    assert lengths[1] == 8000
    assert lengths[0] == pytest.approx(8000 / 0.9, abs=2) and lengths[2] == pytest.approx(8000 / 1.1, abs=2)


def test_dev_predictions_stop_at_each_utterances_end(corpus):
    """Frames past an utterance's end in a padded batch must not reach the dev WER as letters."""
    from transformers import TrainingArguments

    from utils.ctc_model import build_model
    from utils.ctc_trainer import CtcTrainer
    from utils.train_config import ModelSettings

    processor = build_processor(corpus["vocab"], "wav2vec2-bert")
    model = build_model(ModelSettings(**TINY_MODEL), processor.tokenizer).eval()
    trainer = CtcTrainer(model=model, args=TrainingArguments(output_dir=str(corpus["root"] / "t"), report_to="none"))
    batch = CtcCollator(processor)([manifest_dataset(corpus["manifest"])[i] for i in (0, 3)])
    _, ids, _ = trainer.prediction_step(model, batch, prediction_loss_only=False)
    frames = batch["attention_mask"].sum(dim=1)
    assert (ids[0, frames[0]:] == -100).all() and (ids[:, : frames[0]] >= 0).all()
    assert (ids[1] >= 0).all()


def test_one_step_writes_a_pipeline_loadable_model(corpus, tmp_path):
    from transformers import pipeline

    model_dir = run(corpus, write_config(tmp_path / "tiny.yaml"), "model", max_steps=1)
    assert is_finished_model(model_dir)
    settings = yaml.safe_load((model_dir / "train_settings.yaml").read_text(encoding="utf-8"))
    assert settings["train"]["max_steps"] == 1 and settings["model"]["hidden_size"] == 16
    curves = json.loads((tmp_path / "work" / "curves.json").read_text())
    assert curves["train"][0]["step"] == 1 and 0 <= curves["dev"][-1]["wer"]
    assert (tmp_path / "work" / "curves.png").stat().st_size > 0
    asr = pipeline("automatic-speech-recognition", model=str(model_dir), device="cpu")
    assert isinstance(asr(read_wav(corpus, 0))["text"], str)
    stamp = (model_dir / "model.safetensors").stat().st_mtime_ns
    assert run(corpus, tmp_path / "tiny.yaml", "model", max_steps=5) == model_dir  # already trained
    assert (model_dir / "model.safetensors").stat().st_mtime_ns == stamp


def test_same_seed_same_weights(corpus, tmp_path):
    from safetensors.torch import load_file

    config = write_config(tmp_path / "tiny.yaml", model={"mask_time_prob": 0.5, "hidden_dropout": 0.1})
    first = load_file(run(corpus, config, "a", max_steps=2, work="work_a") / "model.safetensors")
    second = load_file(run(corpus, config, "b", max_steps=2, work="work_b") / "model.safetensors")
    assert first.keys() == second.keys()
    assert all((first[key] == second[key]).all() for key in first)


def test_resume_continues_step_count_and_lr_schedule(corpus, tmp_path):
    config = write_config(tmp_path / "tiny.yaml")
    run(corpus, config, "first", max_steps=2)
    assert newest_state(tmp_path / "work")["global_step"] == 2
    run(corpus, config, "second", max_steps=4)
    state = newest_state(tmp_path / "work")
    assert state["global_step"] == 4
    assert sorted(p.name for p in (tmp_path / "work").glob("checkpoint-*")) == ["checkpoint-3", "checkpoint-4"]
    run(corpus, config, "straight", max_steps=4, work="straight_work")
    resumed = {e["step"]: e["learning_rate"] for e in state["log_history"] if "learning_rate" in e}
    straight = {e["step"]: e["learning_rate"] for e in newest_state(tmp_path / "straight_work")["log_history"]
                if "learning_rate" in e}
    assert sorted(resumed) == [1, 2, 3, 4]
    assert resumed[3] == pytest.approx(straight[3]) and resumed[4] == pytest.approx(straight[4])


def test_incomplete_newest_checkpoint_is_set_aside(corpus, tmp_path):
    config = write_config(tmp_path / "tiny.yaml")
    run(corpus, config, "first", max_steps=2)
    (tmp_path / "work" / "checkpoint-2" / "model.safetensors").unlink()  # a crash while saving
    run(corpus, config, "second", max_steps=3)
    state = newest_state(tmp_path / "work")
    assert state["global_step"] == 3
    assert [e["step"] for e in state["log_history"] if "loss" in e] == [1, 2, 3]
    assert (tmp_path / "work" / "incomplete-checkpoint-2").is_dir()


def test_work_dir_of_another_model_is_refused(corpus, tmp_path):
    run(corpus, write_config(tmp_path / "a.yaml"), "first", max_steps=1)
    with pytest.raises(InputError, match="different model"):
        run(corpus, write_config(tmp_path / "b.yaml", model={"hidden_size": 32}), "second", max_steps=1)


def test_pretrained_wav2vec2_is_fine_tuned(corpus, tmp_path):
    """The XLS-R code path, with a tiny random Wav2Vec2ForCTC saved locally standing in for the hub."""
    from transformers import AutoConfig, AutoFeatureExtractor, Wav2Vec2Config, Wav2Vec2ForCTC, pipeline

    local = tmp_path / "pretrained"
    Wav2Vec2ForCTC(Wav2Vec2Config(
        vocab_size=5, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
        conv_dim=(8, 8), conv_stride=(5, 4), conv_kernel=(10, 8), num_conv_pos_embeddings=4,
        num_conv_pos_embedding_groups=2, feat_extract_norm="layer", do_stable_layer_norm=True,
    )).save_pretrained(local)
    config = write_config(tmp_path / "xlsr.yaml", model={
        "pretrained": str(local), "freeze_feature_encoder": True, "gradient_checkpointing": True,
        "attention_dropout": 0.1, "hidden_dropout": 0.1, "layerdrop": 0.1, "mask_time_prob": 0.05})
    model_dir = run(corpus, config, "model", max_steps=1)
    saved = AutoConfig.from_pretrained(model_dir)
    assert saved.model_type == "wav2vec2" and saved.vocab_size == len(json.loads(corpus["vocab"].read_text()))
    assert saved.hidden_dropout == 0.1 and saved.ctc_loss_reduction == "mean"
    assert type(AutoFeatureExtractor.from_pretrained(model_dir)).__name__ == "Wav2Vec2FeatureExtractor"
    asr = pipeline("automatic-speech-recognition", model=str(model_dir), device="cpu")
    assert isinstance(asr(read_wav(corpus, 1))["text"], str)


def test_cli_trains_and_reports_missing_inputs(corpus, tmp_path):
    from typer.testing import CliRunner

    from steps.__main__ import app

    config = write_config(tmp_path / "tiny.yaml")
    root = corpus["root"]
    args = ["train_ctc", str(corpus["manifest"]), str(corpus["manifest"]), str(corpus["vocab"]),
            str(config), str(root / "model"), str(root / "work"), "--max-steps", "1", "--num-threads", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert is_finished_model(root / "model")
    args[3] = str(root / "missing_vocab.json")
    args[5] = str(root / "other_model")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "vocab not found" in result.output
    assert not (root / "other_model").exists()


def test_dynamic_batches_with_cached_features_train_and_resume(corpus, tmp_path):
    """train.max_batch_seconds: batches hold at most that much padded audio; resume keeps counting."""
    from transformers import TrainingArguments

    from utils.ctc_model import build_model
    from utils.ctc_trainer import CtcTrainer
    from utils.train_config import ModelSettings

    processor = build_processor(corpus["vocab"], "wav2vec2-bert")
    trainer = CtcTrainer(
        model=build_model(ModelSettings(**TINY_MODEL), processor.tokenizer),
        args=TrainingArguments(output_dir=str(tmp_path / "t"), report_to="none", remove_unused_columns=False,
                               length_column_name="duration"),
        data_collator=CtcCollator(processor), train_dataset=manifest_dataset(corpus["manifest"]),
        max_batch_seconds=1.5)
    sizes = sorted(len(batch["labels"]) for batch in trainer.get_train_dataloader())
    assert sizes == [1, 1, 2]  # 0.5 + 0.7 s padded to 1.4 s; 0.9 and 1.1 s each alone

    config = write_config(tmp_path / "tiny.yaml", train={"max_batch_seconds": 1.5, "cache_features": True})
    run(corpus, config, "first", max_steps=2)
    run(corpus, config, "second", max_steps=5)  # crosses into the second epoch of 3 batches
    state = newest_state(tmp_path / "work")
    assert state["global_step"] == 5
    assert [e["step"] for e in state["log_history"] if "loss" in e] == [1, 2, 3, 4, 5]
    assert len(list((tmp_path / "work" / "features").glob("*.npz"))) == len(TEXTS)


@pytest.mark.parametrize("flags, bf16", [(["avx512_bf16"], True), ([], False)])
def test_bf16_autocast_on_a_cpu_with_native_bf16(corpus, tmp_path, monkeypatch, flags, bf16):
    """train.mixed_precision: bf16 trains under CPU autocast where the CPU has bf16, float32 elsewhere;
    the saved weights are float32 either way."""
    import torch
    from safetensors.torch import load_file

    import steps.train_ctc as train_step
    from utils.train_config import load_ctc_config

    monkeypatch.setattr(train_step, "cpu_bf16_flags", lambda: flags)
    config = write_config(tmp_path / "tiny.yaml", train={"mixed_precision": "bf16"})
    args = train_step._training_arguments(load_ctc_config(config), tmp_path / "args")
    assert args.bf16 is bf16 and args.use_cpu is bf16
    weights = load_file(run(corpus, config, "model", max_steps=1) / "model.safetensors")
    assert {tensor.dtype for tensor in weights.values()} == {torch.float32}

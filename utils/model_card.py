"""A Hugging Face model card (README.md) for a finished model dir, with its scores.

The card opens with YAML front matter the Hub reads: `language`, `tags`, `datasets`,
`metrics` and a `model-index` block with one result per scored set (task
automatic-speech-recognition; dataset name/type = the training data, split = the set; one
WER and one CER metric per decoder, values in percent from each score.json that steps/score.py
wrote: record["wer"]["rate"], record["cer"]["rate"], record["set"],
record["decode"]["decoder"]). The body has a results table, the normaliser the scores were
computed after, and a usage snippet with the plain transformers pipeline.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import yaml

from utils.errors import InputError
from utils.text_files import atomic_write_text

SCORE_PRODUCER = "steps score (stage 7)"
LM_SUBDIR = "language_model"


def read_score(path: Path) -> dict:
    """(set, decoder, wer, cer) of one score.json as a dict; InputError if it is not one."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        decode = record.get("decode") or {}
        return {"set": str(record["set"]), "decoder": str(decode.get("decoder") or "unknown"),
                "wer": record["wer"]["rate"], "cer": record["cer"]["rate"]}
    except FileNotFoundError as err:
        raise InputError(f"{path}: score.json not found (made by {SCORE_PRODUCER})") from err
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: not a score.json with set, wer.rate and cer.rate ({err}); "
                         f"made by {SCORE_PRODUCER}") from err


def model_index(name: str, scores: Sequence[dict], training_data: str) -> list[dict]:
    """The `model-index` entry: one result per set, a WER and a CER metric per decoder."""
    results = []
    for test_set in dict.fromkeys(score["set"] for score in scores):
        metrics = []
        for score in (s for s in scores if s["set"] == test_set):
            for metric in ("wer", "cer"):
                if score[metric] is not None:
                    metrics.append({"type": metric, "value": round(float(score[metric]), 2),
                                    "name": f"{test_set} {metric.upper()} ({score['decoder']})"})
        results.append({"task": {"type": "automatic-speech-recognition", "name": "Speech Recognition"},
                        "dataset": {"name": training_data, "type": training_data, "split": test_set},
                        "metrics": metrics})
    return [{"name": name, "results": results}]


def write_model_card(model_dir: Path, score_jsons: Sequence[Path], language: str, training_data: str,
                     normalizer: str, out_file: Path | None = None) -> Path:
    """Write README.md (front matter + body, see the module docstring) for `model_dir`; return it.

    `language` is a code such as "ga"; `training_data` names the corpus the model was trained
    and scored on; `normalizer` is the module both references and hypotheses went through.
    `out_file` defaults to MODEL_DIR/README.md; a recipe writes it elsewhere when the model dir
    is another stage's fingerprinted output. Raises InputError for no or unreadable score files.
    """
    if not score_jsons:
        raise InputError(f"{model_dir}: no score.json files given for the model card (made by {SCORE_PRODUCER})")
    scores = [read_score(Path(path)) for path in score_jsons]
    front = {"language": [language],
             "tags": ["automatic-speech-recognition", "ctc", "currach"],
             "datasets": [training_data], "metrics": ["wer", "cer"],
             "model-index": model_index(model_dir.name, scores, training_data)}
    header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
    out_file = out_file or model_dir / "README.md"
    return atomic_write_text(out_file, f"---\n{header}---\n\n{_body(model_dir, scores, language, training_data, normalizer)}")


def _body(model_dir: Path, scores: Sequence[dict], language: str, training_data: str, normalizer: str) -> str:
    rows = "\n".join(f"| {s['set']} | {s['decoder']} | {_rate(s['wer'])} | {_rate(s['cer'])} |" for s in scores)
    has_lm = (model_dir / LM_SUBDIR).is_dir()
    lm_note = ("This dir holds a KenLM n-gram (`language_model/`): the pipeline decodes with it when "
               "`pyctcdecode` and `kenlm` are installed.\n\n" if has_lm else "")
    return f"""# {model_dir.name}

A CTC speech recogniser for `{language}`, trained on {training_data} with the currach recipes.

## Results

| set | decoder | WER % | CER % |
|---|---|---|---|
{rows}

References and hypotheses were normalised with `{normalizer}` before scoring.

## Usage

```python
import soundfile
from transformers import pipeline

asr = pipeline("automatic-speech-recognition", model="{model_dir.name}")  # or the path of this dir
audio, rate = soundfile.read("audio.wav", dtype="float32")  # 16 kHz mono
print(asr({{"raw": audio, "sampling_rate": rate}}, chunk_length_s=30, stride_length_s=5)["text"])
```

(`asr("audio.wav")` works too where ffmpeg is installed; other rates need torchaudio to resample.)

{lm_note}Or with currach: `python -m steps transcribe MODEL_DIR audio.wav --format srt --out subs`.
"""


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"

"""The acoustic forward pass of a Hugging Face CTC model over manifest audio, in batches.

Loads the feature extractor and tokenizer with Auto* classes (never AutoProcessor, which
would load a saved LM decoder too), so Wav2Vec2ForCTC on raw audio and Wav2Vec2BertForCTC
on filterbanks both work. Audio is read from the wav files, downmixed and resampled to the
feature extractor's rate if it is not there already, and turned into features by a background
thread while the model loads and runs (`run_ctc_model`).

`forward_records` splits a set into up to `nj` parts of similar total duration. On CPU each part
runs in its own worker process with one thread: on 2 cores, 2 workers ran the tiny model over
1,870 utterances 1.2-1.5x faster than one process with 2 threads (numpy filterbanks). A worker
costs about 0.5 s to start, so a local part gets at least MIN_PART_SECONDS of audio; smaller
sets run in this process. With `--cmd slurm` each of the `nj` parts is a task of a job array.
On a local GPU the set runs in one process.
"""
from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import soundfile
import soxr

from utils.batching import cut_sorted
from utils.errors import CurrachError, InputError
from utils.features import extract_features
from utils.prefetch import prefetched
from pipeline.jobs import Jobs
from utils.text_files import MODEL_PRODUCER, atomic_write_npz, manifest_span, read_manifest

MIN_PART_SECONDS = 600.0  # audio per local worker, at least (see forward_records)
PREFETCH_BATCHES = 8  # batches of features computed ahead of the model (~4 MB each at 120 s of audio)
MIN_SECONDS = 0.1  # shorter clips are zero-padded: the conv front-ends need ~25 ms per frame

logger = logging.getLogger(__name__)


@dataclass
class CtcFrontend:
    """What decoding needs from a model dir besides the network: features and labels."""

    model_dir: Path
    feature_extractor: Any
    labels: list[str]
    blank: str

    @property
    def sampling_rate(self) -> int:
        return int(self.feature_extractor.sampling_rate)

    def fingerprint_parts(self) -> dict:
        """Settings that change the log-probs; `processor_class` is left out (an LM can be added)."""
        settings = {key: value for key, value in self.feature_extractor.to_dict().items()
                    if key != "processor_class"}
        return {"feature_extractor": settings, "labels": self.labels, "blank": self.blank}


def load_ctc_frontend(model_dir: Path) -> CtcFrontend:
    """Load the feature extractor and the labels (tokenizer symbols in id order) of `model_dir`."""
    from transformers import AutoConfig, AutoFeatureExtractor, AutoTokenizer

    if not (model_dir / "config.json").is_file():
        raise InputError(f"{model_dir}: no config.json; not a model dir (made by {MODEL_PRODUCER})")
    try:
        config = AutoConfig.from_pretrained(model_dir)
        feature_extractor = AutoFeatureExtractor.from_pretrained(model_dir)
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
    except (OSError, ValueError) as err:
        raise InputError(f"{model_dir}: cannot load the feature extractor/tokenizer ({err}); "
                         f"the dir must hold a saved processor (made by {MODEL_PRODUCER})") from err
    size = int(config.vocab_size)
    if len(tokenizer) < size:
        raise CurrachError(f"{model_dir}: the model has {size} outputs but the tokenizer only "
                           f"{len(tokenizer)} symbols")
    labels = tokenizer.convert_ids_to_tokens(list(range(size)))
    blank = tokenizer.pad_token
    check_labels(labels, blank, model_dir)
    return CtcFrontend(model_dir, feature_extractor, labels, blank)


def check_labels(labels: list[str], blank: str, source: Path) -> None:
    """Raise CurrachError unless `labels` are unique and contain the blank token."""
    if blank not in labels:
        raise CurrachError(f"{source}: blank/pad token {blank!r} is not among the labels {labels}")
    if len(set(labels)) != len(labels):
        raise CurrachError(f"{source}: repeated labels {labels}")


def run_ctc_model(frontend: CtcFrontend, records: list[dict], manifest: Path, max_batch_seconds: float,
                  max_batch_size: int, nj: int, device: str | None) -> dict[str, np.ndarray]:
    """Log-probs (float32 [frames, labels]) for each record, keyed by utt id.

    A background thread reads the audio and computes the features of the next batches (numpy,
    mostly outside the GIL) while this one loads the model and runs it with `nj` threads (on CPU).
    Loading takes long enough (importing the model's transformers module: 2-9 s on 2 shared cores)
    for the thread to get up to PREFETCH_BATCHES batches ahead. numpy's BLAS runs on one thread
    meanwhile: the filterbanks' small mel matrix products ran 2.7x slower on 2 OpenBLAS threads
    than on one (2 shared cores, the same numbers either way).
    """
    import torch
    from threadpoolctl import threadpool_limits
    from tqdm.auto import tqdm
    from transformers import AutoConfig, AutoModelForCTC

    if pads_change_outputs(AutoConfig.from_pretrained(frontend.model_dir)):
        logger.info("compute_logits: group-norm feature encoder without attention mask: one utterance per batch")
        max_batch_size = 1
    durations = [_duration(record, manifest) for record in records]
    batches = make_batches(durations, max_batch_seconds, max_batch_size)

    def features(batch: list[int]) -> tuple[Any, Any]:
        return batch_features(frontend, [read_audio(records[i], manifest, frontend.sampling_rate) for i in batch])

    out: dict[str, np.ndarray] = {}
    # the feature thread starts at once: its first batches overlap the model's import and load
    with threadpool_limits(1, user_api="blas"), prefetched(features, batches, PREFETCH_BATCHES) as inputs:
        torch.set_num_threads(max(1, nj))
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        model = AutoModelForCTC.from_pretrained(frontend.model_dir).to(device).eval()
        logger.info("compute_logits: %s on %s, %d utterances", type(model).__name__, device, len(records))
        with torch.inference_mode(), tqdm(total=len(records), desc="acoustic model", unit="utt") as bar:
            for batch, (batch_inputs, lengths) in zip(batches, inputs):
                for index, log_probs in zip(batch, forward_features(model, batch_inputs, lengths, device)):
                    out[records[index]["utt_id"]] = log_probs
                bar.update(len(batch))
    return out


def forward_records(frontend: CtcFrontend, records: list[dict], manifest: Path, max_batch_seconds: float,
                    max_batch_size: int, jobs: Jobs, device: str | None, work: Path) -> dict[str, np.ndarray]:
    """Log-probs for each record, keyed by utt id, computed in `jobs.nj` parts (see the module doc);
    the parts' files live in `work` until they are merged."""
    import torch

    on_gpu = device == "cuda" or (device is None and torch.cuda.is_available())
    if jobs.cmd != "local":
        parts = min(jobs.nj, len(records))
    elif on_gpu:
        parts = 1
    else:  # a worker costs about half a second to start: give each enough audio to win that back
        seconds = sum(float(record.get("duration") or 0.0) for record in records)
        parts = max(1, min(jobs.nj, int(seconds // MIN_PART_SECONDS)))
    if parts <= 1:
        return run_ctc_model(frontend, records, manifest, max_batch_seconds, max_batch_size, jobs.nj, device)
    logger.info("compute_logits: %d utterances in %d parts (%s)", len(records), parts,
                "worker processes" if jobs.cmd == "local" else f"--cmd {jobs.cmd} job array")
    by_length = sorted(records, key=lambda record: float(record.get("duration") or 0.0))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    items = [{"model_dir": str(frontend.model_dir), "manifest": str(manifest),
              "lines": [record["_line"] for record in by_length[part::parts]],
              "out": str(work / f"part.{part + 1}.npz"), "max_batch_seconds": max_batch_seconds,
              "max_batch_size": max_batch_size, "threads": 1 if jobs.cmd == "local" else None,
              "device": device} for part in range(parts)]
    if jobs.cmd == "local":
        _import_model_class(frontend.model_dir)  # once, before the workers fork: about 2 s each otherwise
    out: dict[str, np.ndarray] = {}
    for part_file in replace(jobs, nj=parts).map(
            forward_part, items, desc=f"logits_{manifest.parent.name}", total=len(items)):
        with np.load(part_file, allow_pickle=False) as data:
            out.update((key, data[key]) for key in data.files)
    shutil.rmtree(work, ignore_errors=True)
    return out


def _import_model_class(model_dir: Path) -> None:
    from transformers import AutoConfig
    from transformers.models.auto.modeling_auto import MODEL_FOR_CTC_MAPPING

    MODEL_FOR_CTC_MAPPING[type(AutoConfig.from_pretrained(model_dir))]


def forward_part(item: dict) -> str:
    """One part of `forward_records` (a worker process or a Slurm task): the manifest lines
    `item["lines"]` through the model into the .npz `item["out"]`; returns its path."""
    import torch

    threads = item["threads"] or len(os.sched_getaffinity(0))
    torch.set_num_threads(threads)
    manifest, wanted = Path(item["manifest"]), set(item["lines"])
    records = [record for record in read_manifest(manifest) if record["_line"] in wanted]
    frontend = load_ctc_frontend(Path(item["model_dir"]))
    logits = run_ctc_model(frontend, records, manifest, item["max_batch_seconds"], item["max_batch_size"],
                           threads, item["device"])
    atomic_write_npz(Path(item["out"]), logits)
    return item["out"]


def pads_change_outputs(config: Any) -> bool:
    """True for wav2vec2-base-style models (group-norm feature encoder): zero padding changes every
    output frame of the shorter utterances, so they are run one at a time (a batching policy).

    GroupNorm in the first convolution normalises each channel over the whole padded input, and
    transformers documents that such models take no attention mask; layer-norm models with an
    attention mask give the same outputs however they are batched.
    """
    return getattr(config, "feat_extract_norm", None) == "group"


def forward_batch(model: Any, frontend: CtcFrontend, audios: list[np.ndarray],
                  device: str) -> list[np.ndarray]:
    """One padded batch through the model; each result trimmed to its own number of frames."""
    return forward_features(model, *batch_features(frontend, audios), device)


def batch_features(frontend: CtcFrontend, audios: list[np.ndarray]) -> tuple[Any, Any]:
    """The padded model inputs of a batch (torch tensors, on CPU) and each audio's input length."""
    import torch

    inputs = extract_features(frontend.feature_extractor, audios, frontend.sampling_rate)
    mask = inputs.get("attention_mask")
    lengths = mask.sum(-1) if mask is not None else torch.tensor([len(audio) for audio in audios])
    return inputs, lengths


def forward_features(model: Any, inputs: Any, lengths: Any, device: str) -> list[np.ndarray]:
    """Log-probs of a batch made by `batch_features`, each trimmed to its own number of frames."""
    import torch

    inputs = {key: value.to(device) for key, value in inputs.items()}
    log_probs = torch.log_softmax(model(**inputs).logits.float(), dim=-1).cpu().numpy()
    frames = log_probs.shape[1]
    if hasattr(model, "_get_feat_extract_output_lengths"):
        valid = model._get_feat_extract_output_lengths(lengths.to(device)).cpu().tolist()
    else:  # no length formula: assume frames proportional to input length
        valid = [int(np.ceil(frames * int(n) / int(lengths.max()))) for n in lengths]
    return [log_probs[i, : max(1, min(int(n), frames))].copy() for i, n in enumerate(valid)]


def make_batches(durations: list[float], max_seconds: float, max_size: int) -> list[list[int]]:
    """Indices grouped by similar duration so that len(batch) * longest <= max_seconds."""
    return cut_sorted(sorted(range(len(durations)), key=lambda i: durations[i]), durations, max_seconds, max_size)


def _duration(record: dict, manifest: Path) -> float:
    if isinstance(record.get("duration"), (int, float)):
        return float(record["duration"])
    try:
        return float(soundfile.info(record["audio_filepath"]).duration)
    except (RuntimeError, OSError) as err:
        raise InputError(f"{manifest} line {record['_line']}: cannot read {record['audio_filepath']} "
                         f"({err}); made by the data prep stage (1)") from err


def read_audio(record: dict, manifest: Path, sampling_rate: int) -> np.ndarray:
    """Mono float32 samples at `sampling_rate` (downmixed/resampled with a warning if needed).

    A record with "offset" (a segment of a long recording) reads `duration` seconds from there.
    """
    path = record["audio_filepath"]
    span = manifest_span(record)
    try:
        frames = {}
        if span is not None:
            rate = soundfile.info(path).samplerate
            frames = {"start": round(span[0] * rate), "frames": round(span[1] * rate)}
        audio, rate = soundfile.read(path, dtype="float32", always_2d=True, **frames)
    except (RuntimeError, OSError) as err:
        raise InputError(f"{manifest} line {record['_line']}: cannot read audio {path} ({err}); "
                         f"made by the data prep stage (1)") from err
    audio = audio.mean(axis=1) if audio.shape[1] > 1 else audio[:, 0]
    if rate != sampling_rate:
        logger.warning("%s: %d Hz, resampling to %d Hz (data prep should have done this)",
                       path, rate, sampling_rate)
        audio = soxr.resample(audio, rate, sampling_rate).astype(np.float32)
    minimum = int(MIN_SECONDS * sampling_rate)
    if len(audio) < minimum:
        logger.warning("%s: only %d samples; zero-padded to %d", path, len(audio), minimum)
        audio = np.pad(audio, (0, minimum - len(audio)))
    return audio

"""Run a Hugging Face CTC model once over a manifest and cache the per-frame log-probabilities.

Cache file (`.npz`, uncompressed): one float32 array [frames, labels] per utterance, keyed by
utt id, plus `__meta__`, a JSON string with the fingerprint (model weights, config, feature
extractor, labels, manifest and its audio files' sizes and times), the labels in id order
and the blank token. A call whose fingerprint matches the file returns at once, so greedy,
beam and LM-weight tuning never run the acoustic model twice. Works for any
AutoModelForCTC (raw-audio Wav2Vec2ForCTC, filterbank Wav2Vec2BertForCTC, ...).
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from utils.errors import InputError
from pipeline.jobs import Jobs, as_jobs
from utils.text_files import MODEL_PRODUCER, atomic_write_npz, read_manifest

META_KEY = "__meta__"
CACHE_VERSION = 1

logger = logging.getLogger(__name__)


@dataclass
class CtcLogits:
    """Cached log-probabilities: `logits[utt_id]` is float32 [frames, len(labels)]."""

    labels: list[str]
    blank: str
    logits: dict[str, np.ndarray]


def set_name(manifest: Path) -> str:
    """The data set a manifest belongs to: its folder for data/<set>/manifest.jsonl, else its stem."""
    return manifest.parent.name if manifest.name == "manifest.jsonl" else manifest.stem


def default_logits_file(out_dir: Path, manifest: Path) -> Path:
    """Where decodes of one experiment share log-probs: <out_dir>/../logits/<set>.npz."""
    return out_dir.parent / "logits" / f"{set_name(manifest)}.npz"


def load_logits(path: Path) -> CtcLogits:
    """Load a cache written by `compute_logits`; InputError when it is missing or not one."""
    if not path.is_file():
        raise InputError(f"{path}: logits cache not found (made by compute_logits / decode_ctc)")
    with np.load(path, allow_pickle=False) as data:
        if META_KEY not in data.files:
            raise InputError(f"{path}: no {META_KEY} entry; not a currach logits cache")
        meta = json.loads(str(data[META_KEY]))
        logits = {key: data[key] for key in data.files if key != META_KEY}
    return CtcLogits(labels=meta["labels"], blank=meta["blank"], logits=logits)


def _read_meta(path: Path) -> dict | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            return json.loads(str(data[META_KEY])) if META_KEY in data.files else None
    except (OSError, ValueError, KeyError):
        return None


def compute_logits(model_dir: Path, manifest: Path, out_file: Path, max_batch_seconds: float = 120.0,
                   max_batch_size: int = 16, nj: int | Jobs = 1, device: str | None = None) -> Path:
    """Write `out_file` (.npz) with log-probs for every manifest utterance; reuse it if current.

    Batches hold utterances of similar length, at most `max_batch_seconds` of padded audio and
    `max_batch_size` items. `nj` local worker processes on CPU (threads on a GPU machine), or the
    stage's `Jobs` (`--cmd slurm`: one task per part); `device` defaults to CUDA when available.
    Raises InputError for a missing model dir or unreadable audio.
    """
    _refresh_logits(model_dir, manifest, out_file, max_batch_seconds, max_batch_size, nj, device)
    return out_file


def cached_logits(model_dir: Path, manifest: Path, out_file: Path, max_batch_seconds: float = 120.0,
                  max_batch_size: int = 16, nj: int | Jobs = 1, device: str | None = None) -> CtcLogits:
    """`compute_logits`, then the log-probs themselves: the ones just computed, as they are (the
    file is not read back), or the file's when it was current. Same arguments and errors."""
    fresh = _refresh_logits(model_dir, manifest, out_file, max_batch_seconds, max_batch_size, nj, device)
    return fresh if fresh is not None else load_logits(out_file)


def _refresh_logits(model_dir: Path, manifest: Path, out_file: Path, max_batch_seconds: float,
                    max_batch_size: int, nj: int | Jobs, device: str | None) -> CtcLogits | None:
    """Compute and write `out_file` unless it is current; the computed log-probs, or None if it was."""
    # imported here, not at the top: the forward pass pulls in torch, which reading a cache
    # (load_logits, greedy and beam search) never needs
    from utils.ctc_forward import forward_records, load_ctc_frontend

    records = read_manifest(manifest)
    frontend = load_ctc_frontend(model_dir)
    fingerprint = _fingerprint(model_dir, frontend.fingerprint_parts(), manifest, records)
    meta = _read_meta(out_file) if out_file.is_file() else None
    if meta is not None and meta.get("fingerprint") == fingerprint:
        logger.info("compute_logits: %s is current for %s and %s; reusing it",
                    out_file, model_dir, manifest)
        return None
    logits = forward_records(frontend, records, manifest, max_batch_seconds, max_batch_size, as_jobs(nj), device,
                             out_file.with_name(f".{out_file.stem}.parts"))
    meta = {"version": CACHE_VERSION, "fingerprint": fingerprint, "labels": frontend.labels,
            "blank": frontend.blank, "model_dir": str(model_dir), "manifest": str(manifest)}
    _save_npz(out_file, logits, meta)
    logger.info("compute_logits: wrote %s (%d utterances)", out_file, len(logits))
    return CtcLogits(labels=frontend.labels, blank=frontend.blank, logits=logits)


def _save_npz(out_file: Path, logits: dict[str, np.ndarray], meta: dict) -> None:
    if META_KEY in logits:
        raise InputError(f"utterance id {META_KEY!r} is reserved by the logits cache")
    atomic_write_npz(out_file, {**logits, META_KEY: np.array(json.dumps(meta, ensure_ascii=False))})


def model_fingerprint(model_dir: Path) -> str:
    """sha256 of the weight files and config.json of a HF model dir (not tokenizer/processor files)."""
    if not (model_dir / "config.json").is_file():
        raise InputError(f"{model_dir}: no config.json; not a model dir (made by {MODEL_PRODUCER})")
    digest = hashlib.sha256()
    weights = [path for path in sorted(model_dir.iterdir()) if path.is_file() and (
        path.suffix == ".safetensors"
        or (path.name.startswith("pytorch_model") and path.suffix == ".bin"))]
    if not weights:
        raise InputError(f"{model_dir}: no *.safetensors or pytorch_model*.bin weights "
                         f"(made by {MODEL_PRODUCER})")
    for path in [model_dir / "config.json", *weights]:
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _fingerprint(model_dir: Path, frontend_parts: dict, manifest: Path, records: list[dict]) -> str:
    digest = hashlib.sha256()
    digest.update(model_fingerprint(model_dir).encode())
    digest.update(json.dumps(frontend_parts, sort_keys=True).encode())
    digest.update(manifest.read_bytes())
    for record in records:
        audio = Path(record["audio_filepath"])
        try:
            stat = audio.stat()
        except OSError as err:
            raise InputError(f"{manifest} line {record['_line']}: audio {audio} not found "
                             f"(made by the data prep stage (1))") from err
        digest.update(f"{audio}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


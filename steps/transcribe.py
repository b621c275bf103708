"""transcribe: turn your own audio into text with a CTC model dir, greedy or with its saved LM.

    python -m steps transcribe exp/base/model talk.mp3 interviews/ --format srt --out subs
    python -m steps transcribe exp/base/model_lm data/test/wav.scp --lm --format ctm --out out

INPUT: audio files of any common format, rate and channel count (wav, flac, ogg, mp3; mixed
down and resampled to the model's rate), folders (searched recursively for audio extensions,
sorted) or Kaldi `wav.scp` files (utils/audio_inputs.py says how file ids are made); a
wav.scp with a `segments` file beside it (a data dir of long recordings) gives one item per
segment, named by its utterance id, whose word times count from the segment's start (as a
Kaldi utterance-level CTM does).
Audio is read in blocks and long files are cut into overlapping chunks (--chunk-seconds,
--stride-seconds each side, default 30 and 5): the model runs on each chunk, the central
frames' log-probs are stitched and the file is decoded once (utils/chunking.py; the Hugging
Face ASR pipeline's strided chunking). A file no longer than one chunk is decoded unchunked,
exactly as decode_ctc would; --chunk-seconds 0 turns chunking off. Memory holds a chunk or
a few and the file's frames x labels log-probs.
Decoding: greedy by default; --lm: beam search with the KenLM that save_processor_with_lm
stored in MODEL_DIR/language_model/ (a Wav2Vec2ProcessorWithLM) and its alpha/beta;
--hotwords FILE (one word or phrase per line) favours those in the beam search (a search
without LM when --lm is not given). Word times come from the CTC alignment: the greedy path,
or pyctcdecode's word frames with a beam; one frame is the model's input samples per output
frame (320 at 16 kHz for wav2vec2 and w2v-BERT) divided by the rate.
--format: txt (OUT/text, Kaldi `file-id text`), ctm (OUT/ctm), json (OUT/<file-id>.json),
srt (OUT/<file-id>.srt); see utils/transcript_formats.py. Without --out, txt, ctm and json
lines go to stdout. A file that cannot be read gets one error line naming it and why; the
others are transcribed and the exit status is 1 at the end.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Sequence

import typer

from utils.audio import AudioError
from utils.audio_inputs import AudioItem, resolve_inputs
from utils.audio_stream import probe_audio, stream_audio
from utils.chunking import ChunkPlan, chunked_log_probs, make_chunk_plan, samples_per_frame
from utils.ctc_forward import CtcFrontend, load_ctc_frontend
from utils.ctc_search import DEFAULT_BEAM_WIDTH, SearchSettings, build_beam_decoder, search_labels
from utils.ctc_timestamps import beam_word_frames, greedy_word_frames, to_seconds
from utils.errors import CurrachError, InputError
from utils.lm_dir import ARPA_FILE, BINARY_FILE
from utils.text_files import MODEL_PRODUCER
from utils.transcript_formats import Transcript, write_collected, write_file_output

LM_SUBDIR = "language_model"
LM_PRODUCER = "save_processor_with_lm"

logger = logging.getLogger(__name__)


class Format(str, Enum):
    txt = "txt"
    json = "json"
    ctm = "ctm"
    srt = "srt"


class Device(str, Enum):
    cpu = "cpu"
    cuda = "cuda"


@dataclass
class Recognizer:
    """A loaded model with how to chunk its input and how to search its output."""

    frontend: CtcFrontend
    model: Any
    device: str
    plan: ChunkPlan
    search: Any = None  # a pyctcdecode decoder for beam search; None: greedy
    settings: SearchSettings = SearchSettings()  # beam width and hotwords (alpha/beta are the decoder's)
    batch_size: int = 4

    @property
    def frame_seconds(self) -> float:
        return self.plan.frame / self.frontend.sampling_rate

    def close(self) -> None:
        """Free the KenLM slot pyctcdecode keeps per decoder."""
        if self.search is not None:
            self.search.cleanup()


@dataclass
class TranscribeResult:
    """The transcripts made and the (item, reason) of every file that failed."""

    transcripts: list[Transcript]
    failures: list[tuple[AudioItem, str]]


def load_recognizer(model_dir: Path, use_lm: bool = False, hotwords: Sequence[str] = (),
                    device: str | None = None, chunk_seconds: float = 30.0, stride_seconds: float = 5.0,
                    nj: int = 1, beam_width: int = DEFAULT_BEAM_WIDTH) -> Recognizer:
    """Load the model, its processor and (with `use_lm`) its LM decoder; plan the chunks.

    Raises InputError for a dir that does not load, a missing LM, CUDA asked for but absent,
    or chunk/stride lengths that do not fit together.
    """
    import torch
    from transformers import AutoModelForCTC

    torch.set_num_threads(max(1, nj))
    if device == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda: no CUDA device is available here")
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    frontend = load_ctc_frontend(model_dir)
    try:
        model = AutoModelForCTC.from_pretrained(model_dir).to(device).eval()
    except (OSError, ValueError) as err:
        raise InputError(f"{model_dir}: cannot load a CTC model ({err}); made by {MODEL_PRODUCER}") from err
    plan = make_chunk_plan(chunk_seconds, stride_seconds, frontend.sampling_rate,
                           samples_per_frame(model, frontend))
    search = None
    if use_lm:
        search = load_lm_search(model_dir, frontend)
    elif hotwords:
        search = build_beam_decoder(frontend.labels, frontend.blank)
    logger.info("transcribe: %s on %s, %d samples per frame, chunks %s, %s", type(model).__name__, device,
                plan.frame, "off" if plan.whole else f"{plan.chunk} samples, strides {plan.left}",
                "greedy" if search is None else f"beam {beam_width}" + (" + LM" if use_lm else ""))
    return Recognizer(frontend, model, device, plan, search, SearchSettings(beam_width, hotwords=tuple(hotwords)))


def load_lm_search(model_dir: Path, frontend: CtcFrontend):
    """The beam decoder of the LM saved in MODEL_DIR/language_model/, with its stored alpha/beta.

    An LM named lm.bin / lm.arpa (as train_lm makes them) goes through the project's checks
    (utils.lm_dir); another name (a hub model's, say) is loaded by pyctcdecode as it is.
    """
    lm_dir = model_dir / LM_SUBDIR
    attrs_file = lm_dir / "attrs.json"
    if not attrs_file.is_file():
        raise InputError(f"{model_dir}: no {LM_SUBDIR}/attrs.json; --lm needs a model dir holding a "
                         f"Wav2Vec2ProcessorWithLM (made by {LM_PRODUCER})")
    try:
        attrs = json.loads(attrs_file.read_text(encoding="utf-8"))
        alpha, beta = float(attrs["alpha"]), float(attrs["beta"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as err:
        raise InputError(f"{attrs_file}: no alpha/beta in it ({err}); made by {LM_PRODUCER}") from err
    if (lm_dir / BINARY_FILE).is_file() or (lm_dir / ARPA_FILE).is_file():
        return build_beam_decoder(frontend.labels, frontend.blank, lm_dir, alpha, beta)
    from pyctcdecode import BeamSearchDecoderCTC

    logger.warning("%s: no %s or %s; loading it with pyctcdecode, unchecked", lm_dir, BINARY_FILE, ARPA_FILE)
    return BeamSearchDecoderCTC.load_from_dir(str(model_dir))


def transcribe_file(recognizer: Recognizer, item: AudioItem) -> Transcript:
    """Text and word times of one file. Raises AudioError when it cannot be read."""
    if item.problem:
        raise AudioError(f"{item.path}: {item.problem}")
    rate = recognizer.frontend.sampling_rate
    expected = probe_audio(item.path, rate).expected_samples
    if item.span is not None:
        expected = round(item.span[1] * rate)
    log_probs, n_samples = chunked_log_probs(recognizer.model, recognizer.frontend,
                                             stream_audio(item.path, rate, span=item.span),
                                             recognizer.plan, recognizer.device, expected, recognizer.batch_size)
    if recognizer.search is None:
        frames = greedy_word_frames(log_probs, search_labels(recognizer.frontend.labels, recognizer.frontend.blank))
        text = " ".join(word for word, _, _ in frames)
    else:
        text, frames = beam_word_frames(recognizer.search, log_probs, recognizer.settings)
    duration = n_samples / rate
    return Transcript(item.file_id, str(item.path), duration, text,
                      to_seconds(frames, recognizer.frame_seconds, duration))


def transcribe(model_dir: Path, inputs: Sequence[Path], out_dir: Path | None = None, fmt: str = "txt",
               use_lm: bool = False, hotwords_file: Path | None = None, nj: int = 1,
               device: str | None = None, chunk_seconds: float = 30.0, stride_seconds: float = 5.0,
               beam_width: int = DEFAULT_BEAM_WIDTH) -> TranscribeResult:
    """Transcribe every input (see the module docstring) and write `fmt` into `out_dir` (or stdout).

    Files that cannot be read are logged, one line each, and returned in `failures`; input
    lists, model and LM problems raise InputError before any file is read.
    """
    fmt = Format(fmt).value
    if fmt == "srt" and out_dir is None:
        raise InputError("--format srt writes one file per input: give --out DIR")
    items = resolve_inputs(inputs)
    hotwords = read_hotwords(hotwords_file) if hotwords_file is not None else []
    recognizer = load_recognizer(model_dir, use_lm, hotwords, device, chunk_seconds, stride_seconds, nj, beam_width)
    from tqdm.auto import tqdm

    started, transcripts, failures = time.monotonic(), [], []
    try:
        for item in tqdm(items, desc="transcribe", unit="file", disable=None):
            try:
                transcript = transcribe_file(recognizer, item)
            except CurrachError as err:
                reason = " ".join(str(err).split())
                logger.error("transcribe: failed %s: %s", item.file_id, reason)
                failures.append((item, reason))
                continue
            transcripts.append(transcript)
            if out_dir is not None:
                write_file_output(transcript, fmt, out_dir)
        written = write_collected(transcripts, fmt, out_dir)
    finally:
        recognizer.close()
    logger.info("transcribe: %d of %d files transcribed in %.1f s, %d failed; wrote %s", len(transcripts),
                len(items), time.monotonic() - started, len(failures),
                written or (f"{fmt} files in {out_dir}" if out_dir else "stdout"))
    return TranscribeResult(transcripts, failures)


def read_hotwords(path: Path) -> list[str]:
    """Hotwords of a UTF-8 file, one word or phrase per line, blank lines skipped."""
    try:
        words = [" ".join(line.split()) for line in path.read_text(encoding="utf-8-sig").splitlines()]
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"--hotwords {path}: cannot read a UTF-8 word list ({err})") from err
    words = [word for word in words if word]
    if not words:
        raise InputError(f"--hotwords {path}: no words in it (one word or phrase per line)")
    return words


def main(
    model_dir: Annotated[Path, typer.Argument(help="HF CTC model dir (exp/<tag>/model)")],
    inputs: Annotated[list[Path], typer.Argument(help="audio files, folders or wav.scp files")],
    lm: Annotated[bool, typer.Option("--lm", help="beam search with the LM saved in MODEL_DIR "
                                     "(save_processor_with_lm)")] = False,
    hotwords: Annotated[Path | None, typer.Option(help="file of words to favour, one per line")] = None,
    output_format: Annotated[Format, typer.Option("--format", help="txt, json, ctm or srt")] = Format.txt,
    out: Annotated[Path | None, typer.Option(help="output folder (default: stdout; srt needs it)")] = None,
    nj: Annotated[int, typer.Option(min=1, help="CPU threads for the model")] = 1,
    device: Annotated[Device | None, typer.Option(help="cpu or cuda (default: cuda if available)")] = None,
    chunk_seconds: Annotated[float, typer.Option(help="chunk length; 0: no chunking")] = 30.0,
    stride_seconds: Annotated[float, typer.Option(help="context on each side of a chunk")] = 5.0,
    beam_width: Annotated[int, typer.Option(min=1, help="beam width (--lm, --hotwords)")] = DEFAULT_BEAM_WIDTH,
) -> None:
    """Transcribe audio files, folders or a wav.scp with a CTC model into txt, json, ctm or srt.

    Example: python -m steps transcribe exp/base/model talk.mp3 recordings/ --format srt --out subs
    """
    logger.info("transcribe %s %s lm=%s hotwords=%s format=%s out=%s nj=%d device=%s chunk_seconds=%g "
                "stride_seconds=%g beam_width=%d", model_dir, " ".join(map(str, inputs)), lm, hotwords,
                output_format.value, out, nj, device.value if device else None, chunk_seconds, stride_seconds,
                beam_width)
    try:
        result = transcribe(model_dir, inputs, out, output_format.value, lm, hotwords, nj,
                            device.value if device else None, chunk_seconds, stride_seconds, beam_width)
    except CurrachError as err:
        logger.error("%s", err)
        raise typer.Exit(1) from err
    if result.failures:
        raise typer.Exit(1)

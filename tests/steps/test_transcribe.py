"""transcribe: short clips = decode_ctc, any audio format, bad files, timestamps, flat memory, LM.

The models are tiny and untrained (tests/steps/transcribe_fixtures.py), so transcripts are
compared between two decodes of the same model; the chunking itself is tested in
test_transcribe_chunking.py.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tracemalloc

import numpy as np
import pytest
import soundfile
from typer.testing import CliRunner

from steps.__main__ import app
from steps.save_processor_with_lm import save_processor_with_lm
from steps.train_lm import train_lm
from steps.transcribe import load_recognizer, transcribe
from tests.steps.tiny_ctc import LABELS
from tests.steps.transcribe_fixtures import (NEEDS_TOOLS, RATE, assert_equals_decode_ctc,  # noqa: F401
                                             clips, context_model, log_probs_of, long_wav)
from utils.audio import load_audio
from utils.audio_stream import stream_audio
from utils.chunking import chunked_log_probs
from utils.ctc_search import SearchSettings, beam_decode, build_beam_decoder

pytestmark = NEEDS_TOOLS


def test_short_clips_equal_decode_ctc_exactly(context_model, clips, tmp_path):
    assert_equals_decode_ctc(context_model, clips, tmp_path)


def test_stereo_44k_mp3(context_model, clips, tmp_path):
    mp3 = tmp_path / "stereo.mp3"
    subprocess.run(["sox", str(clips[0]), "-r", "44100", "-c", "2", str(mp3)], check=True)
    info = soundfile.info(mp3)
    assert (info.samplerate, info.channels) == (44100, 2)
    result = CliRunner().invoke(app, ["transcribe", str(context_model), str(mp3), "--format", "json",
                                      "--out", str(tmp_path / "out"), "--device", "cpu"])
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out" / "stereo.json").read_text(encoding="utf-8"))
    assert abs(record["duration"] - soundfile.info(clips[0]).duration) < 0.1
    assert record["text"] and record["text"] == " ".join(word["word"] for word in record["words"])
    streamed = np.concatenate(list(stream_audio(mp3, RATE, block_seconds=0.5)))
    np.testing.assert_allclose(streamed, load_audio(mp3, RATE)[0], atol=1e-6)  # = whole-file decoding


def test_folder_with_a_corrupt_file(context_model, clips, tmp_path):
    folder = tmp_path / "audio"
    (folder / "sub").mkdir(parents=True)
    for clip, name in zip(clips, ["a.wav", "sub/b.wav", "c.wav"]):
        shutil.copy(clip, folder / name)
    (folder / "broken.wav").write_bytes(b"RIFF not really a wav file")
    (folder / "notes.txt").write_text("not audio, not listed")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["transcribe", str(context_model), str(folder), "--out", str(out)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if " ERROR " in line]
    assert len(errors) == 1 and "broken.wav" in errors[0] and "cannot decode" in errors[0]
    assert [line.split()[0] for line in (out / "text").read_text().splitlines()] == ["a", "c", "sub-b"]


def test_wav_scp_with_a_missing_file(context_model, clips, tmp_path):
    scp = tmp_path / "wav.scp"
    scp.write_text(f"utt1 {clips[0]}\nutt2 {tmp_path / 'gone.wav'}\nutt3 sox x.wav -t wav - |\n")
    result = CliRunner().invoke(app, ["transcribe", str(context_model), str(scp)])
    assert result.exit_code == 1
    assert result.stdout.split()[0] == "utt1"
    assert "gone.wav: no such file" in result.output and "piped command" in result.output


def _ctm(path: Path) -> list[tuple[str, float, float, str]]:
    rows = [line.split() for line in path.read_text().splitlines()]
    assert all(len(row) == 5 and row[1] == "1" for row in rows)
    return [(row[0], float(row[2]), float(row[3]), row[4]) for row in rows]


def _srt(path: Path) -> list[tuple[float, float, str]]:
    def seconds(stamp: str) -> float:
        hours, minutes, rest = stamp.split(":")
        return int(hours) * 3600 + int(minutes) * 60 + float(rest.replace(",", "."))

    cues = []
    for number, block in enumerate(path.read_text().strip().split("\n\n"), 1):
        index, times, text = block.split("\n")
        assert int(index) == number and re.fullmatch(r"[\d:,]{12} --> [\d:,]{12}", times)
        cues.append((seconds(times[:12]), seconds(times[17:]), text))
    return cues


def test_ctm_and_srt_timestamps_are_monotonic_and_inside_the_audio(context_model, long_wav, tmp_path):
    duration = soundfile.info(long_wav).duration
    for fmt in ("ctm", "srt", "txt"):
        result = CliRunner().invoke(app, ["transcribe", str(context_model), str(long_wav), "--format", fmt,
                                          "--out", str(tmp_path), "--chunk-seconds", "10", "--stride-seconds", "2"])
        assert result.exit_code == 0, result.output
    text = (tmp_path / "text").read_text().split(maxsplit=1)[1].split()
    ctm = _ctm(tmp_path / "ctm")
    assert [row[3] for row in ctm] == text and {row[0] for row in ctm} == {"long"}
    ends = [start + dur for _, start, dur, _ in ctm]
    assert all(dur >= 0 for *_, dur, _ in ctm) and ends[-1] <= duration + 0.01
    assert all(b[1] >= a_end - 1e-6 for a_end, b in zip(ends, ctm[1:]))  # no word starts before the last ended
    cues = _srt(tmp_path / "long.srt")
    assert " ".join(cue[2] for cue in cues).split() == text
    assert all(0 <= start <= end <= duration for start, end, _ in cues)
    assert all(a[1] <= b[0] for a, b in zip(cues, cues[1:]))
    assert all(end - start <= 7.0 and len(words.split()) <= 12 for start, end, words in cues)


def test_memory_does_not_grow_with_length_beyond_the_logits(context_model, long_wav, tmp_path):
    samples = soundfile.read(long_wav, dtype="float32")[0]
    recognizer = load_recognizer(context_model, device="cpu", chunk_seconds=10, stride_seconds=2)
    extra = {}  # even 1 min fills batches of 4 chunks: what differs is the length alone
    for minutes in (1, 10):
        path = tmp_path / f"{minutes}min.wav"
        soundfile.write(path, np.resize(samples, minutes * 60 * RATE), RATE, subtype="PCM_16")
        tracemalloc.start()
        log_probs, n = chunked_log_probs(recognizer.model, recognizer.frontend, stream_audio(path, RATE),
                                         recognizer.plan, "cpu", soundfile.info(path).frames)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert n == minutes * 60 * RATE and abs(len(log_probs) - n / 320) < 2
        extra[minutes] = peak - log_probs.base.nbytes  # the preallocated frames x labels array
    assert extra[10] < extra[1] + (1 << 20), extra  # chunk-level working memory stays flat
    assert extra[1] < 30 * (1 << 20), extra  # a few 10 s chunks, not the 38 MB of 10 min of audio


@pytest.fixture(scope="module")
def lm_model(context_model, tmp_path_factory):
    root = tmp_path_factory.mktemp("lm")
    (root / "corpus.txt").write_text("to be\nbe it\ndub it\nbit to be\ntout de\n" * 3)
    lm_dir = train_lm([root / "corpus.txt"], root / "lm", order=2)
    return save_processor_with_lm(context_model, lm_dir, alpha=0.7, beta=0.3, out_dir=root / "model_lm"), lm_dir


def test_lm_decoding_uses_the_saved_lm_and_its_word_frames(lm_model, long_wav, clips, tmp_path):
    model_dir, lm_dir = lm_model
    hotwords = tmp_path / "hotwords.txt"
    hotwords.write_text("dub\n\nbit\n")
    result = CliRunner().invoke(app, ["transcribe", str(model_dir), str(clips[0]), str(long_wav), "--lm",
                                      "--hotwords", str(hotwords), "--format", "json", "--out", str(tmp_path),
                                      "--beam-width", "8"])
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "long.json").read_text())
    assert record["text"] == " ".join(word["word"] for word in record["words"])
    starts = [word["start"] for word in record["words"]]
    assert starts == sorted(starts) and all(w["end"] <= record["duration"] for w in record["words"])
    search = build_beam_decoder(LABELS, "[PAD]", lm_dir, alpha=0.7, beta=0.3)
    try:
        expected = beam_decode(search, [log_probs_of(model_dir, clips[0], 30.0, 5.0)],
                               SearchSettings(beam_width=8, hotwords=("dub", "bit")))
    finally:
        search.cleanup()
    assert json.loads((tmp_path / f"{clips[0].stem}.json").read_text())["text"] == expected[0]


def test_lm_missing_and_bad_options_are_clear_errors(context_model, clips, tmp_path):
    runner = CliRunner()
    no_lm = runner.invoke(app, ["transcribe", str(context_model), str(clips[0]), "--lm"])
    assert no_lm.exit_code == 1 and "save_processor_with_lm" in no_lm.output
    srt = runner.invoke(app, ["transcribe", str(context_model), str(clips[0]), "--format", "srt"])
    assert srt.exit_code == 1 and "--out" in srt.output
    stride = runner.invoke(app, ["transcribe", str(context_model), str(clips[0]), "--chunk-seconds", "4",
                                 "--stride-seconds", "2"])
    assert stride.exit_code == 1 and "longer than two strides" in stride.output
    empty = runner.invoke(app, ["transcribe", str(context_model), str(tmp_path)])
    assert empty.exit_code == 1 and "no audio files" in empty.output
    (tmp_path / "hot.txt").write_text("dub it\n")
    beam = runner.invoke(app, ["transcribe", str(context_model), str(clips[0]), "--hotwords", str(tmp_path / "hot.txt"),
                               "--beam-width", "4", "--nj", "2"])
    assert beam.exit_code == 0 and "beam 4" in beam.output  # hotwords without an LM: beam search alone
    import torch

    if not torch.cuda.is_available():
        cuda = runner.invoke(app, ["transcribe", str(context_model), str(clips[0]), "--device", "cuda"])
        assert cuda.exit_code == 1 and "no CUDA device" in cuda.output

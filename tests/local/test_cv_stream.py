"""Common Voice data prep holds nothing per clip: its Python memory is the same at 1,000 and 4,000 clips."""
from __future__ import annotations

import os
import sys
import tracemalloc
from pathlib import Path

from local.common_voice import prepare_common_voice
from tests.local.cv_fixtures import row, write_tsv
from tests.local.cv_prep_golden import client, tone


def _release(corpus: Path, clips: int) -> Path:
    """train.tsv of `clips` rows (a speaker per 20, ids in no order), dev and test of 5, clip_durations.tsv;
    every clip a hard link to one short tone."""
    (corpus / "clips").mkdir(parents=True)
    tone(corpus / "base.wav", 0.3)
    rows = []
    for n in range(clips + 10):
        name = f"common_voice_ga-IE_{n:06d}.wav"
        os.link(corpus / "base.wav", corpus / "clips" / name)
        rows.append({**row("a", name, f"Abairt a {n % 50}."), "client_id": client(n // 20)})
    write_tsv(corpus / "train.tsv", rows[:clips])
    write_tsv(corpus / "dev.tsv", rows[clips:clips + 5])
    write_tsv(corpus / "test.tsv", rows[clips + 5:])
    (corpus / "clip_durations.tsv").write_text("clip\tduration[ms]\n" + "".join(f"{r['path']}\t300\n" for r in rows),
                                               encoding="utf-8")
    return corpus


def _grow_intern_table() -> None:
    """Make room in CPython's table of interned strings, so that it does not resize while we measure.

    pathlib (3.11) interns every path part it parses, a few per clip; the strings go with their
    paths, but the table fills and is rebuilt, now and then, at a new size: a step of ~2 MB that
    does not grow with the clips but would land between two sizes measured.
    """
    strings = [sys.intern(f"room {n}") for n in range(60_000)]
    del strings


def _peak(corpus: Path, out: Path) -> int:
    """The peak of Python's memory while `corpus` is prepared, in bytes."""
    tracemalloc.start()
    try:
        prepare_common_voice(corpus, "train", out / "train", out / "wavs", nj=1)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _touch(task: dict) -> tuple[str, float, str]:
    """utils.audio_jobs.convert_one without the audio (not what is measured): an empty wav, 0.3 s."""
    Path(task["wav"]).parent.mkdir(parents=True, exist_ok=True)
    Path(task["wav"]).touch()
    return task["wav"], 0.3, ""


def test_memory_does_not_grow_with_the_clips(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("local.cv_stream.RUN_LINES", 200)  # every sort goes through many runs
    monkeypatch.setattr("utils.sorted_spool.FAN_IN", 8)
    monkeypatch.setattr("utils.audio_jobs.convert_one", _touch)
    small_corpus, large_corpus = _release(tmp_path / "small", 1000), _release(tmp_path / "large", 4000)
    _grow_intern_table()
    small = _peak(small_corpus, tmp_path / "out_small")
    large = _peak(large_corpus, tmp_path / "out_large")
    assert len((tmp_path / "out_large/train/wav.scp").read_text(encoding="utf-8").splitlines()) == 4000
    # keeping each clip's job, utterance and report rows took ~3 KB a clip (9 MB more here)
    assert large - small < 500_000, (small, large)

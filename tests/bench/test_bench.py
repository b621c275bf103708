"""bench/: the measuring harness, the audio cases agreeing on what they did, and the report."""
from __future__ import annotations

import pytest

from bench.measure import run_case
from bench.report import write_report


def test_run_case_counts_the_memory_of_worker_processes():
    result = run_case("tests.bench.alloc_case", 300)
    assert result["held_mb"] == 300
    assert result["peak_mb"] >= 300 and isinstance(result["seconds"], float)  # timed, but tests never assert time


def test_a_failing_case_says_what_failed():
    with pytest.raises(RuntimeError, match=r"(?s)alloc_case -1 failed \(1\).*negative size"):
        run_case("tests.bench.alloc_case", -1)


def test_audio_cases_prepare_the_same_clips(tmp_path):
    corpus = tmp_path / "cv"
    assert run_case("bench.audio_cases", "make", corpus, 6)["clips"] == 6
    assert len(list((corpus / "clips").glob("*.mp3"))) == 6
    done = {case: run_case("bench.audio_cases", case, corpus, tmp_path / case, *extra)
            for case, *extra in (("notebook",), ("loop",), ("ours", 2))}
    assert {result["clips"] for result in done.values()} == {6}
    seconds = [result["audio_seconds"] for result in done.values()]
    assert max(seconds) - min(seconds) < 0.1 and min(seconds) > 3
    assert len(list((tmp_path / "ours" / "wavs").glob("*.wav"))) == 6


def test_report_quotes_ratios_against_each_tables_baseline(tmp_path):
    audio = [{"clips": 10, "method": "notebook: x", "work_seconds": 10.0, "audio_seconds": 30.0, "peak_mb": 900},
             {"clips": 10, "method": "ours: stage 1, --nj 2", "work_seconds": 2.0, "audio_seconds": 30.0,
              "peak_mb": 90}]
    train = [{"kind": "random", "utts_per_second": 40.0, "mean_batch": 16, "padding_share": 0.4},
             {"kind": "dynamic", "utts_per_second": 60.0, "mean_batch": 16.5, "padding_share": 0.05}]
    memory = [{"copies": 1, "utts": 5, "steps": 3, "peak_mb": 500}]
    parts = {name: {"date": "2026-11-21", "commit": "abc1234", "rows": rows}
             for name, rows in (("memory", memory), ("train", train), ("audio", audio))}
    out = write_report(parts, tmp_path / "RESULTS.md")
    text = out.read_text(encoding="utf-8")
    assert "| 10 | ours: stage 1, --nj 2 | 5.0 | 5.00 | 15 | 90 |" in text
    assert "| length-grouped, dynamic (`train.max_batch_seconds`) | 60.0 | 1.50 | 16.5 | 5 % |" in text
    assert text.index("## audio") < text.index("## train") < text.index("## memory")
    assert "Measured 2026-11-21 at abc1234." in text
    assert "| 1x | 5 | 3 | 500 |" in text and "## decode" not in text
    assert (tmp_path / "results.png").stat().st_size > 0

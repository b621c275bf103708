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


def test_explore_cases_write_and_time_the_report(tmp_path):
    from tests.browser import browser_missing

    if browser_missing():
        pytest.skip(browser_missing())
    made = run_case("bench.explore_cases", "make", tmp_path / "recipe", 40)
    assert made["utts"] == 40 and made["systems"] == 3
    loaded = run_case("bench.explore_cases", "load", tmp_path / "recipe", 1)
    assert loaded["utts"] == 40 and loaded["sorted_rows"] == 40 and 0 < loaded["filter_matches"] < 40
    assert len(loaded["load_ms"]) == 1 and loaded["load_ms_median"] > 0


def test_report_of_the_explore_part(tmp_path):
    row = {"utts": 20000, "systems": 3, "data_mb": 9.5, "write_seconds": 4.0, "load_ms": [900.0, 1100.0, 1000.0],
           "load_ms_median": 1000.0, "filter_ms": 12.0, "sort_ms": 30.0, "peak_mb": 700}
    out = write_report({"explore": {"date": "2026-12-01", "commit": "abc1234", "rows": [row]}}, tmp_path / "R.md")
    assert "| 20000 | 3 | 9.5 | 4.0 | 1000 (900, 1100, 1000) | 12 | 30 | 700 |" in out.read_text(encoding="utf-8")
def test_part3_cases_prepare_every_recording(tmp_path):
    import shutil

    import pytest
    if shutil.which("espeak-ng") is None:
        pytest.skip("needs espeak-ng")
    corpus = tmp_path / "nsc"
    assert run_case("bench.part3_cases", "make", corpus, 20.0, 4)["recordings"] == 11
    done = run_case("bench.part3_cases", "ours", corpus, tmp_path / "out", 2)
    assert done["recordings"] == 11 and done["audio_seconds"] == pytest.approx(11 * 20.0, abs=0.1)
    assert done["utterances"] > 0 and done["peak_mb"] > 0
    text = write_report({"part3": {"date": "d", "commit": "c", "rows": [{"method": "m", **done}]}},
                        tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert "| m | 11 | 0.06 |" in text


def test_report_of_the_speed_part(tmp_path):
    def config(name, rate, wer, bf16):
        return {"config": name, "steps": 500, "utts_trained": 7984, "bf16": bf16, "utts_per_second": rate,
                "median_chunk_utts_per_second": rate + 1, "dev_greedy_wer": wer, "work_seconds": 7984 / rate}
    row = {"utts": 8000, "chunk": 800, "threads": 2, "speedup": 1.5, "wer_points": -0.5, "seconds": 600, "peak_mb": 900,
           "configs": [config("tiny", 30.0, 0.65, False), config("tiny_candidate", 45.0, 0.645, True)]}
    out = write_report({"speed": {"date": "2026-12-01", "commit": "abc1234", "rows": [row]}}, tmp_path / "R.md")
    text = out.read_text(encoding="utf-8")
    assert "| tiny | 7984 | 500 | no | 2 | 30.0 | 31.0 | 1.00 | 65.0 % |" in text
    assert "| tiny_candidate | 7984 | 500 | yes | 2 | 45.0 | 46.0 | 1.50 | 64.5 % |" in text


def test_prep_part_measures_memory_and_speed_at_each_size(tmp_path):
    from bench.__main__ import bench_prep

    rows = bench_prep(tmp_path / "prep", [20, 40], notebook_max=0, nj=2)
    assert [(row["clips"], row["method"]) for row in rows] == [(20, "ours: stage 1, --nj 2"), (40, "ours: stage 1, --nj 2")]
    for row in rows:
        assert row["audio_seconds"] == pytest.approx(row["clips"] * 1.0, abs=0.01)
        assert row["work_seconds"] > 0 and 20 < row["rss_mb"] < 1000 and 10 < row["workers_rss_mb"] < 1000
        assert row["peak_mb"] > 0
    text = write_report({"prep": {"date": "d", "commit": "c", "rows": rows}}, tmp_path / "RESULTS.md").read_text(
        encoding="utf-8")
    assert f"| 40 | ours: stage 1, --nj 2 | {40 / rows[1]['work_seconds']:.1f} | - | {rows[1]['rss_mb']:.1f} |" in text
    assert not (tmp_path / "prep").exists() or not any((tmp_path / "prep").iterdir())  # corpora and outputs removed


def test_report_of_the_prep_part(tmp_path):
    def row(clips, method, seconds, rss):
        return {"clips": clips, "method": method, "work_seconds": seconds, "audio_seconds": float(clips),
                "rss_mb": rss, "workers_rss_mb": 30.0, "peak_mb": rss + 20}
    rows = [row(500, "notebook: x", 10.0, 900.0), row(500, "ours: stage 1, --nj 2", 1.0, 38.0),
            row(50000, "ours: stage 1, --nj 2", 100.0, 39.5)]
    text = write_report({"prep": {"date": "2026-12-02", "commit": "abc1234", "rows": rows}}, tmp_path / "R.md").read_text(
        encoding="utf-8")
    assert "| 500 | ours: stage 1, --nj 2 | 500.0 | 10.00 | 38.0 | 30.0 | 58 |" in text
    assert "| 50000 | ours: stage 1, --nj 2 | 500.0 | - | 39.5 | 30.0 | 60 |" in text
    assert "Target: stage 1's peak memory at 500, 5,000 and 50,000 clips within 10 %" in text


def test_decode_manifests_name_audio_by_absolute_path(tmp_path):
    import json

    from bench.__main__ import decode_manifests
    from utils.text_files import read_manifest

    recipe = tmp_path / "recipe"
    for name, count in (("test", 2), ("dev", 1), ("train", 3)):
        (recipe / "data" / name).mkdir(parents=True)
        (recipe / "data/wavs" / name).mkdir(parents=True)
        rows = [{"audio_filepath": f"../wavs/{name}/u{i}.wav", "duration": 1.0, "text": "a", "utt_id": f"{name}{i}"}
                for i in range(count)]
        (recipe / "data" / name / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    small, every = decode_manifests(recipe, tmp_path / "work", small=4)
    assert [r["utt_id"] for r in read_manifest(small)] == ["test0", "test1", "dev0", "train0"]
    paths = [json.loads(line)["audio_filepath"] for line in every.read_text().splitlines()]
    assert len(paths) == 6 and paths[0] == str(recipe / "data/wavs/test/u0.wav")
    assert "_line" not in every.read_text()


def test_report_of_the_decode_part_quotes_work_and_whole_process_ratios(tmp_path):
    base = {"utts": 220, "decoder": "beam_lm", "method": "one at a time, 1 process", "audio_seconds": 440.0,
            "work_seconds": 11.0, "seconds": 16.0, "peak_mb": 380, "load_1min": 4.2}
    ours = {**base, "method": "ours", "work_seconds": 4.4, "seconds": 10.0, "peak_mb": 470, "load_1min": 2.9}
    out = write_report({"decode": {"date": "d", "commit": "c", "rows": [base, ours]}}, tmp_path / "R.md")
    text = out.read_text(encoding="utf-8")
    assert "| 220 | beam_lm | ours | 50.0 | 0.010 | 2.50 | 1.60 | 470 |" in text
    assert "| 220 | beam_lm | one at a time, 1 process | 20.0 | 0.025 | 1.00 | 1.00 | 380 |" in text
    assert "Load average (1 min) as the cases started: 2.9-4.2" in text

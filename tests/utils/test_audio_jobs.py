"""iter_converted: utterances in the jobs' order, drops reported, jobs read only as the workers free up."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.local.cv_prep_golden import tone
from utils.audio_jobs import ClipJob, convert_clips, iter_converted
from utils.prep_report import PrepReport


@pytest.mark.parametrize("nj", [1, 2])
def test_a_stream_of_jobs_is_read_as_it_is_converted(tmp_path: Path, nj: int) -> None:
    tone(tmp_path / "real.wav", 0.5, rate=16_000)
    read = []

    def jobs():
        for n in range(300):
            read.append(n)
            clip = tmp_path / ("real.wav" if n % 100 == 0 else f"missing{n}.wav")
            yield ClipJob("list.tsv", n + 2, f"s-{n:03d}", "s", clip, f"focal {n}")

    report = PrepReport("test")
    utts = iter_converted(jobs(), tmp_path / "wavs", nj, report, desc="audio")
    first = next(utts)
    assert first.utt_id == "s-000" and first.duration == 0.5 and first.text_raw == "focal 0"
    assert len(read) <= 2 * 4 * 8 + 1  # nj x WINDOW chunks of 8 in flight (pipeline.jobs), not all 300
    assert [utt.utt_id for utt in utts] == ["s-100", "s-200"]
    assert len(read) == 300 and report.dropped == 297
    report.write(tmp_path / "report.tsv")
    rows = (tmp_path / "report.tsv").read_text(encoding="utf-8").splitlines()[1:]
    assert [int(row.split("\t")[1]) for row in rows] == [n + 2 for n in range(300) if n % 100]  # in job order
    assert "missing1.wav: no such file" in rows[0]


def test_convert_clips_gives_the_list(tmp_path: Path) -> None:
    tone(tmp_path / "a.wav", 0.25, rate=16_000)
    jobs = [ClipJob("l", 2, "s-a", "s", tmp_path / "a.wav", "a"), ClipJob("l", 3, "s-b", "s", tmp_path / "b.wav", "b")]
    utts = convert_clips(jobs, tmp_path / "wavs", 1, PrepReport("t"), desc="audio")
    assert [(utt.utt_id, utt.duration) for utt in utts] == [("s-a", 0.25)]

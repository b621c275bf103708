"""Cross-check with lhotse (a test-only dependency): it imports our segmented data dir and agrees."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.utils.data_dir_fixtures import RECORDING_SECONDS, SEGMENTS, write_segmented_dir
from utils.data_dir import read_kv

lhotse_kaldi = pytest.importorskip("lhotse.kaldi", reason="lhotse is a test-only dependency (requirements.txt)")


def test_lhotse_reads_our_segmented_dir(tmp_path: Path) -> None:
    data_dir = write_segmented_dir(tmp_path)
    recordings, supervisions, _ = lhotse_kaldi.load_kaldi_data_dir(data_dir, sampling_rate=16000)
    assert len(supervisions) == len(SEGMENTS)
    ours = sum(float(seconds) for seconds in read_kv(data_dir / "utt2dur").values())
    assert sum(sup.duration for sup in supervisions) == pytest.approx(ours, abs=1e-6)
    assert ours == pytest.approx(sum(end - start for *_, start, end, _ in SEGMENTS), abs=1e-6)
    by_id = {sup.id: sup for sup in supervisions}
    for utt_id, speaker, reco, start, end, text in SEGMENTS:
        sup = by_id[utt_id]
        assert (sup.recording_id, sup.speaker, sup.text) == (reco, speaker, text)
        assert (sup.start, sup.end) == pytest.approx((start, end), abs=1e-6)
    assert {rec.id: rec.duration for rec in recordings} == pytest.approx(RECORDING_SECONDS)

"""stream_data_dir writes the bytes write_data_dir writes, through spools, and fails before replacing files."""
from __future__ import annotations

import random

import pytest

from utils.data_dir import Utterance, write_data_dir
from utils.data_dir_stream import stream_data_dir
from utils.errors import InputError


def utterances(raw: bool, wavs) -> list[Utterance]:
    """Speakers whose byte order differs from their numeric and Unicode order; wavs exist (the validator looks)."""
    rng = random.Random(1)
    speakers = ["spk1", "spk10", "spk2", "Z", "é"]
    wavs.mkdir(exist_ok=True)
    for spk in speakers:
        for n in (3, 1, 12, 2):
            (wavs / f"{spk}-u{n}.wav").touch()
    utts = [Utterance(f"{spk}-u{n}", spk, str(wavs / f"{spk}-u{n}.wav"), f"téacs  {n} x", 0.5 + n / 7,
                      text_raw=f"Téacs {n}" if raw else None)
            for spk in speakers for n in (3, 1, 12, 2)]
    rng.shuffle(utts)
    return utts


@pytest.mark.parametrize("raw", [True, False])
@pytest.mark.parametrize("run_lines", [1, 5, 1000])
def test_same_files_as_write_data_dir(tmp_path, raw, run_lines):
    utts = utterances(raw, tmp_path / "wavs")
    write_data_dir(tmp_path / "whole", utts)
    assert stream_data_dir(tmp_path / "stream", iter(utts), run_lines=run_lines) == len(utts)
    names = sorted(path.name for path in (tmp_path / "whole").iterdir())
    assert sorted(path.name for path in (tmp_path / "stream").iterdir()) == names
    assert ("text.raw" in names) is raw
    for name in names:
        assert (tmp_path / "stream" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name


@pytest.mark.parametrize("change, message", [
    (lambda utts: utts + [utts[3]], "duplicate utterance id"),
    (lambda utts: utts + [Utterance("x-1", "x", "/w.wav", "t", 1.0, text_raw="T")], "text_raw is set"),
    (lambda utts: utts + [Utterance("x-1", "x", "/w.wav", "a\nb", 1.0)], "line break"),
    (lambda utts: utts + [Utterance("x 1", "x", "/w.wav", "t", 1.0)], "whitespace"),
])
def test_bad_input_leaves_the_old_files(tmp_path, change, message):
    good = utterances(False, tmp_path.parent / f"{tmp_path.name}-wavs")
    stream_data_dir(tmp_path, good)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    with pytest.raises(InputError, match=message):
        stream_data_dir(tmp_path, change(good), run_lines=4)
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_a_failing_check_before_the_replace_leaves_the_old_files(tmp_path):
    good = utterances(True, tmp_path.parent / f"{tmp_path.name}-wavs")
    stream_data_dir(tmp_path, good[:5])
    (tmp_path / "segments").write_text("stale\n", encoding="utf-8")
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}

    def refuse() -> None:
        raise InputError("too many dropped")

    with pytest.raises(InputError, match="too many dropped"):
        stream_data_dir(tmp_path, good, before_replace=refuse)
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before
    assert stream_data_dir(tmp_path, good, before_replace=lambda: None) == len(good)
    assert not (tmp_path / "segments").exists()
    assert len((tmp_path / "wav.scp").read_text(encoding="utf-8").splitlines()) == len(good)


def test_utterances_in_id_order_hold_no_records_in_memory(tmp_path, monkeypatch):
    import utils.sorted_spool

    held = []
    flush = utils.sorted_spool.SortedSpool._flush
    monkeypatch.setattr(utils.sorted_spool.SortedSpool, "_flush", lambda spool: held.append(1) or flush(spool))
    utts = sorted(utterances(True, tmp_path / "wavs"), key=lambda utt: utt.utt_id.encode("utf-8"))
    stream_data_dir(tmp_path / "sorted", utts, run_lines=2)
    assert held == []  # every spool wrote its records straight to disk
    stream_data_dir(tmp_path / "shuffled", reversed(utts), run_lines=2)
    assert held
    for name in ("wav.scp", "text", "spk2utt"):
        assert (tmp_path / "sorted" / name).read_text() == (tmp_path / "shuffled" / name).read_text().replace(
            "/shuffled/", "/sorted/")

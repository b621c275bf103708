"""Per-utterance scoring, its tables, and their text forms."""
from __future__ import annotations

from pathlib import Path

import pytest

from utils.align import EditCounts
from utils.errors import InputError
from utils.score_report import alignment_lines, sentence_line, summary_line
from utils.scoring import bucket_labels, error_words, length_buckets, score_utterances, speaker_table, total
from utils.transcripts import Normalizer

REFS = {"s1-u1": "a b c d", "s1-u2": "the cat sat", "s2-u1": "hello world", "s2-u2": ""}
HYPS = {"s1-u1": "a x c d e", "s1-u2": "the sat", "s2-u2": "oops"}
SPEAKERS = {"s1-u1": "s1", "s1-u2": "s1", "s2-u1": "s2", "s2-u2": "s2"}


def _scored(**kwargs):
    return score_utterances(REFS, HYPS, Normalizer(), Path("hyp"), **kwargs)


def test_set_counts_missing_hyp_and_empty_ref():
    utts = _scored(speakers=SPEAKERS)
    words = total(u.words for u in utts)
    # s1-u1: 1 sub 1 ins; s1-u2: 1 del; s2-u1 (no hyp): 2 del; s2-u2 (empty ref): 1 ins.
    assert (words.cor, words.sub, words.dele, words.ins) == (5, 1, 3, 2)
    assert summary_line("WER", words) == "%WER 66.67 [ 6 / 9, 2 ins, 3 del, 1 sub ]"
    chars = total(u.chars for u in utts)
    # "a b c d"/"a x c d e": 1 sub 2 ins; "the cat sat"/"the sat": 4 del;
    # "hello world"/"": 11 del; ""/"oops": 4 ins.
    assert (chars.sub, chars.dele, chars.ins, chars.ref_len) == (1, 15, 6, 29)
    assert [u.utt_id for u in utts if u.missing_hyp] == ["s2-u1"]
    assert [u.speaker for u in utts] == ["s1", "s1", "s2", "s2"]


def test_hypothesis_without_reference_is_an_error():
    with pytest.raises(InputError, match=r"hyp: 1 hypothesis id\(s\) with no reference: zz"):
        score_utterances({"a": "x"}, {"a": "x", "zz": "y"}, Normalizer(), Path("hyp"))


@pytest.mark.parametrize("table", ["speakers", "durations"])
def test_gaps_in_utt2spk_or_utt2dur_are_errors(table):
    with pytest.raises(InputError, match="s2-u2"):
        _scored(**{table: {k: (1.0 if table == "durations" else "s") for k in list(REFS)[:3]}})


def test_speaker_table():
    rows = speaker_table(_scored(speakers=SPEAKERS))
    assert [(r["speaker"], r["n_utt"], r["n_words"], r["errors"]) for r in rows] == [
        ("s1", 2, 7, 3), ("s2", 2, 2, 3)]
    assert rows[0]["wer"] == pytest.approx(100 * 3 / 7)
    assert speaker_table(_scored()) == []


def test_error_words():
    utts = score_utterances({"u1": "a b c b d", "u2": "a c"}, {"u1": "a x c x d y", "u2": "c"},
                            Normalizer(), Path("hyp"))
    found = error_words(utts)
    assert found["confusions"] == [{"ref": "b", "hyp": "x", "count": 2}]
    assert found["insertions"] == [{"word": "y", "count": 1}]
    assert found["deletions"] == [{"word": "a", "count": 1}]


def test_length_buckets_by_words_and_seconds():
    by_words = length_buckets(_scored())
    assert by_words["unit"] == "words"
    assert [(b["label"], b["n_utt"], b["errors"]) for b in by_words["buckets"]] == [
        ("0", 1, 1), ("1-4", 3, 5)]
    durations = {"s1-u1": 1.0, "s1-u2": 2.5, "s2-u1": 25.0, "s2-u2": 0.5}
    by_secs = length_buckets(_scored(durations=durations))
    assert by_secs["unit"] == "seconds"
    assert [(b["label"], b["n_utt"]) for b in by_secs["buckets"]] == [
        ("0-2s", 2), ("2-4s", 1), ("20s+", 1)]
    assert bucket_labels("words")[:3] == ["0", "1-4", "5-9"]


def test_kaldi_summary_line_and_ser():
    counts = EditCounts(cor=102, sub=15, dele=10, ins=2)
    assert summary_line("WER", counts) == "%WER 21.26 [ 27 / 127, 2 ins, 10 del, 15 sub ]"
    assert summary_line("CER", EditCounts(ins=2)) == "%CER n/a [ 2 / 0, 2 ins, 0 del, 0 sub ]"
    assert sentence_line(5, 10) == "%SER 50.00 [ 5 / 10 ]"


def test_alignment_lines_pad_by_display_width():
    edits = [("C", "tá", "tá"), ("S", "sé", "se"), ("D", "mór", None), ("I", None, "日本")]
    assert alignment_lines(edits) == [
        "REF:  tá sé mór ***",
        "HYP:  tá se *** 日本",  # 日本 takes four columns: the REF gap is padded to match
        "Eval:    S  D   I",
    ]

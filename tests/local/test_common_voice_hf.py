"""Common Voice from a Hugging Face datasets folder prepares to the same data dir as from the
release's TSVs and clips: byte-identical text, the same utterances and speakers, durations within
1 ms. A parquet shard without an audio column is reported with its file and reason."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from local.common_voice import check_common_voice, prepare_common_voice
from tests.local.cv_fixtures import write_release
from tests.local.hf_fixtures import hf_split, write_parquet_shards, write_save_to_disk
from utils.data_dir import validate_data_dir
from utils.errors import InputError
from utils.kaldi_files import read_kv

SPLITS = ("train", "dev", "test")


@pytest.fixture(scope="module")
def tsv_corpus(cv_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("release") / "ga-IE"
    write_release(cv_corpus, corpus)
    return corpus


@pytest.fixture(scope="module")
def reference(tsv_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tsv_prep")
    for split in SPLITS:
        prepare_common_voice(tsv_corpus, split, out / split, out / "wavs" / split)
    return out


@pytest.mark.parametrize("writer", [write_save_to_disk, write_parquet_shards], ids=["save_to_disk", "parquet"])
def test_datasets_folder_prepares_like_the_release(tsv_corpus: Path, reference: Path, tmp_path: Path,
                                                   writer) -> None:
    corpus = writer(tsv_corpus, tmp_path / "hf")
    info = check_common_voice(corpus, SPLITS)
    assert info["layout"] in ("hf_save_to_disk", "hf_parquet")
    for split in SPLITS:
        out = prepare_common_voice(corpus, split, tmp_path / split, tmp_path / "wavs" / split)
        assert validate_data_dir(out) == []
        for name in ("text", "text.raw", "utt2spk", "spk2utt"):
            assert (out / name).read_bytes() == (reference / split / name).read_bytes(), (split, name)
        assert read_kv(out / "wav.scp").keys() == read_kv(reference / split / "wav.scp").keys()
        ours, theirs = read_kv(out / "utt2dur"), read_kv(reference / split / "utt2dur")
        assert all(abs(float(ours[k]) - float(theirs[k])) <= 0.001 for k in theirs)
        assert not (tmp_path / "wavs" / split / ".hf_clips").exists(), "staged audio is removed"


def test_validated_train_set_from_parquet(tsv_corpus: Path, tmp_path: Path) -> None:
    corpus = write_parquet_shards(tsv_corpus, tmp_path / "hf")
    tsv_out = prepare_common_voice(tsv_corpus, "train", tmp_path / "ref", tmp_path / "w1", train_set="validated")
    # validated.tsv as the hub has it: one more split of the same repository
    hf_split(tsv_corpus, "validated").to_parquet(str(corpus / "data/validated-00000-of-00001.parquet"))
    out = prepare_common_voice(corpus, "train", tmp_path / "train", tmp_path / "w2", train_set="validated")
    assert (out / "text").read_bytes() == (tsv_out / "text").read_bytes()


def test_a_shard_without_an_audio_column_is_reported_and_the_rest_kept(tsv_corpus: Path, tmp_path: Path) -> None:
    corpus = write_parquet_shards(tsv_corpus, tmp_path / "hf")
    bad = corpus / "data/train-00002-of-00003.parquet"
    pq.write_table(pa.table({"client_id": ["f" * 64], "path": ["x.mp3"], "sentence": ["Tá sé ann."]}), bad)
    check_common_voice(corpus, SPLITS)  # one bad shard does not stop the corpus check
    out = prepare_common_voice(corpus, "train", tmp_path / "train", tmp_path / "wavs", max_drop_share=0.5)
    assert len(read_kv(out / "wav.scp")) == 2
    report = (out / "prep_report.tsv").read_text(encoding="utf-8").splitlines()
    dropped = [line.split("\t") for line in report[1:] if "\tdropped\t" in line]
    assert len(dropped) == 1 and dropped[0][0] == str(bad) and dropped[0][1] == "1"
    assert dropped[0][4].startswith("lacks an audio column (a struct of bytes and path")
    assert "its columns: client_id, path, sentence" in dropped[0][4]

    for shard in (corpus / "data").glob("test-*.parquet"):
        pq.write_table(pa.table({"client_id": ["f" * 64]}), shard)
    with pytest.raises(InputError, match=r"no usable test split .*test-00000-of-00001.parquet: lacks column sentence"):
        check_common_voice(corpus, SPLITS)

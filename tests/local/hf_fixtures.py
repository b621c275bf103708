"""Hugging Face `datasets` copies of a Common Voice folder, written by the datasets library itself.

The features are those of Common Voice's datasets on the hub (client_id, path, audio, sentence,
up_votes, down_votes, age, gender, accent, locale, segment, variant), the audio an Audio feature
at 48 kHz holding each mp3's bytes, as `load_dataset(...)` followed by `save_to_disk` or the hub's
parquet files store it. Split "dev" is datasets' "validation". The table is handed to datasets
already in Arrow form (its Audio storage, struct {bytes, path}): datasets 4 cannot encode audio
without torchcodec, and this way datasets 3.6 and 4.x write the same fixture.
"""
from __future__ import annotations

import csv
from pathlib import Path

HF_SPLIT = {"train": "train", "dev": "validation", "test": "test"}
STRING_COLUMNS = ("client_id", "path", "sentence", "age", "gender", "accent", "locale", "segment", "variant")


def hf_split(corpus: Path, tsv_name: str):
    """A datasets Dataset of `corpus/<tsv_name>.tsv` with the clips' bytes inside."""
    import datasets
    import pyarrow as pa

    features = datasets.Features({**{c: datasets.Value("string") for c in STRING_COLUMNS},
                                  "up_votes": datasets.Value("int64"), "down_votes": datasets.Value("int64"),
                                  "audio": datasets.Audio(sampling_rate=48000)})
    with open(corpus / f"{tsv_name}.tsv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    table = {c: [r.get(c) or r.get(c + "s") or "" for r in rows] for c in STRING_COLUMNS}
    # The hub's copies name each clip inside a per-split archive folder.
    table["path"] = [f"ga-IE_{tsv_name}_0/{r['path']}" for r in rows]
    table["up_votes"] = [int(r["up_votes"] or 0) for r in rows]
    table["down_votes"] = [int(r["down_votes"] or 0) for r in rows]
    table["audio"] = [{"bytes": (corpus / "clips" / r["path"]).read_bytes(), "path": r["path"]} for r in rows]
    arrow = pa.table({name: pa.array(table[name], type=feature.pa_type if name == "audio" else None)
                      for name, feature in features.items()})
    return datasets.Dataset(arrow.cast(features.arrow_schema), info=datasets.DatasetInfo(features=features))


def hf_dataset_dict(corpus: Path):
    """A DatasetDict of corpus's train/dev/test TSVs, named as datasets names them."""
    import datasets

    return datasets.DatasetDict({theirs: hf_split(corpus, ours) for ours, theirs in HF_SPLIT.items()})


def write_save_to_disk(corpus: Path, out: Path) -> Path:
    hf_dataset_dict(corpus).save_to_disk(str(out))
    return out


def write_parquet_shards(corpus: Path, out: Path, shards: int = 2) -> Path:
    """`out/data/<split>-0000i-of-0000n.parquet`, as push_to_hub lays a dataset repository out."""
    for split, dataset in hf_dataset_dict(corpus).items():
        n = min(shards, len(dataset))
        for i in range(n):
            dataset.shard(n, i, contiguous=True).to_parquet(str(out / "data" / f"{split}-{i:05d}-of-{n:05d}.parquet"))
    return out

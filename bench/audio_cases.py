"""Audio preparation cases: 48 kHz mp3 clips in Common Voice layout -> 16 kHz audio.

    python -m bench.audio_cases make CORPUS N          # N clips (copies of a few espeak-ng ones)
    python -m bench.audio_cases notebook CORPUS OUT    # the 2021 notebook's datasets.map approach
    python -m bench.audio_cases loop CORPUS OUT        # one process: decode, resample, write
    python -m bench.audio_cases ours CORPUS OUT NJ     # stage 1: local.common_voice.prepare_common_voice

Each case prints one JSON line: clips done and `work_seconds` (imports excluded).
The notebook read clips with torchaudio.load, which is not installed here (it breaks
transformers on torch 2.13); soundfile decodes the same mp3s through libsndfile. Its
resampling is librosa.resample as in the notebook, whose default is now soxr_hq; in 2021
it was resampy's kaiser_best, several times slower, so this baseline is the faster one.
"""
from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

BASE_SENTENCES = 30
COLUMNS_FROM = "train.tsv"


def make(corpus: Path, clips: int) -> dict:
    """A Common Voice folder whose train.tsv lists `clips` mp3s: copies of 30 espeak-ng clips."""
    from local.synth_corpus import make_synthetic_corpus

    root = Path(__file__).resolve().parent.parent
    base = corpus.parent / "base"
    if not (base / "train.tsv").is_file():
        make_synthetic_corpus(root / "local/sentences/ga.txt", base, "ga", {"train": 1, "dev": 0, "test": 0},
                              dev_share=0.0, test_share=0.0, max_sentences=BASE_SENTENCES, nj=2)
    header, *rows = (base / COLUMNS_FROM).read_text(encoding="utf-8").splitlines()
    (corpus / "clips").mkdir(parents=True, exist_ok=True)
    lines = [header]
    for index in range(clips):
        fields = rows[index % len(rows)].split("\t")
        name = f"bench_{index:05d}.mp3"
        shutil.copyfile(base / "clips" / fields[1], corpus / "clips" / name)
        fields[0] = f"{index // 20:040x}"  # a client id (speaker) per 20 clips
        fields[1] = name
        lines.append("\t".join(fields))
    (corpus / "train.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for split in ("dev", "test"):
        (corpus / f"{split}.tsv").write_text(header + "\n", encoding="utf-8")
    return {"clips": clips}


def notebook(corpus: Path, out: Path) -> dict:
    """load_dataset(csv) -> map(decode to an array column) -> map(librosa resample, num_proc=2)."""
    import datasets
    import librosa
    import numpy as np
    import soundfile

    start = time.perf_counter()
    table = datasets.load_dataset("csv", data_files=str(corpus / "train.tsv"), delimiter="\t", quoting=3,
                                  split="train", cache_dir=str(out / "hf_cache"))
    clips = corpus / "clips"

    def speech_file_to_array_fn(batch):
        speech, rate = soundfile.read(clips / batch["path"], dtype="float32")
        batch["speech"] = speech if speech.ndim == 1 else speech[:, 0]
        batch["sampling_rate"] = rate
        batch["target_text"] = batch["sentence"]
        return batch

    def resample(batch):
        batch["speech"] = librosa.resample(np.asarray(batch["speech"]), orig_sr=48_000, target_sr=16_000)
        batch["sampling_rate"] = 16_000
        return batch

    table = table.map(speech_file_to_array_fn, remove_columns=table.column_names)
    table = table.map(resample, num_proc=2)
    seconds = sum(len(s) for s in table["speech"]) / 16_000
    return {"clips": len(table), "audio_seconds": seconds, "work_seconds": time.perf_counter() - start}


def loop(corpus: Path, out: Path) -> dict:
    """The plainest way: one process, clip by clip, decode, resample, write a 16 kHz wav."""
    import librosa
    import soundfile

    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    header, *rows = (corpus / "train.tsv").read_text(encoding="utf-8").splitlines()
    path_col = header.split("\t").index("path")
    seconds = 0.0
    for row in rows:
        name = row.split("\t")[path_col]
        speech, rate = soundfile.read(corpus / "clips" / name, dtype="float32")
        speech = librosa.resample(speech, orig_sr=rate, target_sr=16_000)
        soundfile.write(out / f"{Path(name).stem}.wav", speech, 16_000, subtype="PCM_16")
        seconds += len(speech) / 16_000
    return {"clips": len(rows), "audio_seconds": seconds, "work_seconds": time.perf_counter() - start}


def ours(corpus: Path, out: Path, nj: int) -> dict:
    """Stage 1 of the recipes: streaming, parallel, one 16 kHz wav per clip, a Kaldi data dir."""
    from local.common_voice import prepare_common_voice
    from utils.data_dir import read_data_dir

    start = time.perf_counter()
    data_dir = prepare_common_voice(corpus, "train", out / "train", out / "wavs", nj=nj)
    utts = read_data_dir(data_dir)
    return {"clips": len(utts), "audio_seconds": sum(u.duration for u in utts),
            "work_seconds": time.perf_counter() - start}


def main(argv: list[str]) -> None:
    case, corpus, *rest = argv
    if case == "make":
        result = make(Path(corpus), int(rest[0]))
    elif case == "ours":
        result = ours(Path(corpus), Path(rest[0]), int(rest[1]))
    else:
        result = {"notebook": notebook, "loop": loop}[case](Path(corpus), Path(rest[0]))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])

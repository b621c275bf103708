"""Stage-1 memory cases: Common Voice folders of N tiny clips, prepared the notebook's way and ours.

    python -m bench.prep_cases make CORPUS N          # N one-second mp3 clips in Common Voice's layout
    python -m bench.prep_cases notebook CORPUS OUT    # the 2021 notebook's datasets.map (bench.audio_cases)
    python -m bench.prep_cases ours CORPUS OUT NJ     # stage 1: local.common_voice.prepare_common_voice

The corpus is what a release holds, at any size: train.tsv with the columns of Common Voice
17-18, a speaker per 20 clips whose client ids come in no particular order (as in a release:
the utterance ids arrive unsorted), dev.tsv and test.tsv of 20 other clips each, and
clip_durations.tsv naming every clip. Every clip is the same 1 s mp3 (hard links: 50,000 clips
take no room), so the cases measure what grows with the number of clips, not with the audio.
Each case prints one JSON line: clips done, audio seconds, `work_seconds` (imports excluded),
and the peak resident memory of its own process (`rss_mb`) and of the largest of its worker
processes (`workers_rss_mb`, 0 without workers), from getrusage.
"""
from __future__ import annotations

import hashlib
import json
import os
import resource
import sys
import time
from pathlib import Path

CLIP_SECONDS = 1.0
HELD_OUT_CLIPS = 20  # in dev.tsv and in test.tsv each
ROOT = Path(__file__).resolve().parent.parent


def make(corpus: Path, clips: int) -> dict:
    """A Common Voice folder whose train.tsv lists `clips` clips (see the module docstring)."""
    import numpy as np
    import soundfile as sf

    from tests.local.cv_fixtures import write_tsv

    (corpus / "clips").mkdir(parents=True, exist_ok=True)
    base = corpus / "base.mp3"
    t = np.arange(round(CLIP_SECONDS * 48_000)) / 48_000
    sf.write(base, 0.3 * np.sin(2 * np.pi * 220 * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t)), 48_000, format="MP3")
    ms = round(sf.info(str(base)).duration * 1000)
    sentences = (ROOT / "local/sentences/ga.txt").read_text(encoding="utf-8").splitlines()
    rows = []
    for index in range(clips + 2 * HELD_OUT_CLIPS):
        name = f"common_voice_ga-IE_{index:07d}.mp3"
        os.link(base, corpus / "clips" / name)
        rows.append({"client_id": hashlib.sha512(f"speaker {index // 20}".encode()).hexdigest(), "path": name,
                     "sentence": sentences[index % len(sentences)], "locale": "ga-IE", "up_votes": "2",
                     "down_votes": "0"})
    write_tsv(corpus / "train.tsv", rows[:clips])
    write_tsv(corpus / "dev.tsv", rows[clips:clips + HELD_OUT_CLIPS])
    write_tsv(corpus / "test.tsv", rows[clips + HELD_OUT_CLIPS:])
    lines = ["clip\tduration[ms]"] + [f"{row['path']}\t{ms}" for row in rows]
    (corpus / "clip_durations.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    base.unlink()
    return {"clips": clips}


def notebook(corpus: Path, out: Path) -> dict:
    """bench.audio_cases.notebook on this corpus's train.tsv, with its peak memory."""
    from bench.audio_cases import notebook as run_notebook

    return {**run_notebook(corpus, out), **_peak_rss()}


def ours(corpus: Path, out: Path, nj: int) -> dict:
    """Stage 1 of the recipes on the train split: one 16 kHz wav per clip and a Kaldi data dir."""
    from local.common_voice import prepare_common_voice

    start = time.perf_counter()
    data_dir = prepare_common_voice(corpus, "train", out / "train", out / "wavs", nj=nj)
    seconds = time.perf_counter() - start
    with open(data_dir / "utt2dur", encoding="utf-8") as utt2dur:  # a line at a time: the case holds nothing
        clips, audio = 0, 0.0
        for line in utt2dur:
            clips, audio = clips + 1, audio + float(line.split(" ")[1])
    return {"clips": clips, "audio_seconds": audio, "work_seconds": seconds, **_peak_rss()}


def _peak_rss() -> dict:
    """Peak resident set sizes in MB (Linux reports KB): this process, and the largest child it waited for."""
    return {"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "workers_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def main(argv: list[str]) -> None:
    case, corpus, *rest = argv
    if case == "make":
        result = make(Path(corpus), int(rest[0]))
    elif case == "ours":
        result = ours(Path(corpus), Path(rest[0]), int(rest[1]))
    else:
        result = notebook(Path(corpus), Path(rest[0]))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])

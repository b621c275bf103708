"""NSC Part 3 stage 1 (long recordings -> converted once, TextGrid intervals -> Kaldi segments).

    python -m bench.part3_cases make CORPUS SECONDS TURNS   # Part 3 layout, 11 recordings of SECONDS each
    python -m bench.part3_cases ours CORPUS OUT NJ          # local.nsc_part3.prepare_part3, all splits

The corpus is the test fixture's (tests/local/nsc_part3_fixture.py: espeak-ng turns, UTF-16
TextGrids written from Praat's format): one same-room conversation (two close-talk recordings
and one boundary recording) and two separate-room sessions (two standing-mic and two 8 kHz
telephone recordings each). Each case prints one JSON line: recordings, audio seconds,
utterances and `work_seconds` (imports excluded).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

SHARES = {"train": 0.8, "dev": 0.1, "test": 0.1}


def make(corpus: Path, seconds: float, turns: int) -> dict:
    """Part 3 with recordings of `seconds` holding `turns` turns per conversation."""
    from tests.local.nsc_part3_fixture import write_part3

    write_part3(corpus, seconds=seconds, turns=turns)
    wavs = sorted((corpus / "PART3").rglob("*.wav"))
    return {"recordings": len(wavs)}


def ours(corpus: Path, out: Path, nj: int) -> dict:
    """Stage 1 of sg_en with --nsc-part 3: every split, every microphone."""
    from local.nsc_part3 import prepare_part3
    from utils.data_dir import read_kv

    start = time.perf_counter()
    recordings, seconds, utts = 0, 0.0, 0
    for split in SHARES:
        data = prepare_part3(corpus, split, out / split, out / "wavs" / split, SHARES, nj=nj)
        reco2dur = read_kv(data / "reco2dur")
        recordings += len(reco2dur)
        seconds += sum(float(value) for value in reco2dur.values())
        utts += len(read_kv(data / "segments"))
    return {"recordings": recordings, "audio_seconds": seconds, "utterances": utts,
            "work_seconds": time.perf_counter() - start}


def main(argv: list[str]) -> None:
    case, corpus, *rest = argv
    if case == "make":
        result = make(Path(corpus), float(rest[0]), int(rest[1]))
    else:
        result = ours(Path(corpus), Path(rest[0]), int(rest[1]))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])

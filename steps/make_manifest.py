"""make_manifest: a Kaldi data dir -> NeMo-style JSON-lines manifest, with duration limits.

Each line: {"audio_filepath": wav path, "duration": seconds, "text": normalised text,
"utt_id": ..., "speaker": ...}. Utterances outside [min_duration, max_duration] are left
out and listed in `<manifest>.dropped.tsv` (utt_id, duration, reason); too large a share
left out is an error.

From a segmented data dir (Kaldi `segments`: utterances are stretches of long recordings)
each line also has "offset" (seconds into the recording) and `audio_filepath` is the
recording: NeMo's manifest keys for the same thing, so NeMo reads our manifests as they are.
The utterances are not cut into files of their own: the recordings were converted once at
data prep and readers seek to the stretch (libsndfile reads a segment of a 16 kHz wav without
decoding the rest), so a corpus of conversations is stored once, not twice, and a changed
segmentation needs no new audio. Every reader of manifests honours "offset"/"duration"
(utils.collate, utils.ctc_forward).
"""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from utils.audio_paths import portable_path
from utils.data_dir import read_data_dir
from utils.errors import CurrachError, InputError
from pipeline.kill_points import kill_point
from utils.text_files import atomic_write_text

log = logging.getLogger(__name__)


def make_manifest(data_dir: Path, manifest: Path, dropped_report: Path, min_duration: float = 0.1,
                  max_duration: float = 20.0, max_drop_share: float = 0.05) -> int:
    """Write `manifest` and `dropped_report` (TSV); returns the number of utterances kept."""
    kept, dropped = [], []
    utts = read_data_dir(data_dir)
    for utt in utts:
        kill_point("make_manifest")
        if not min_duration <= utt.duration <= max_duration:
            dropped.append(f"{utt.utt_id}\t{utt.duration:.3f}\toutside [{min_duration}, {max_duration}] s")
            continue
        record = {"audio_filepath": portable_path(utt.wav, manifest.parent), "duration": utt.duration, "text": utt.text,
                  "utt_id": utt.utt_id, "speaker": utt.speaker}
        if utt.segment is not None:
            record["offset"] = utt.segment.start
        kept.append(json.dumps(record, ensure_ascii=False))
    report = dropped_report
    atomic_write_text(report, "utt_id\tduration\treason\n" + "".join(d + "\n" for d in dropped))
    share = len(dropped) / max(1, len(utts))
    log.info("make_manifest %s: kept %d/%d, dropped %d by duration (see %s)", data_dir, len(kept), len(utts),
             len(dropped), report)
    if not kept or share > max_drop_share:
        raise InputError(f"{data_dir}: duration limits drop {len(dropped)}/{len(utts)} utterances "
                         f"(more than {max_drop_share:.0%}); see {report}")
    atomic_write_text(manifest, "".join(line + "\n" for line in kept))
    return len(kept)


def main(
    data_dir: Annotated[Path, typer.Argument(help="Kaldi data dir with wav.scp, text, utt2spk, utt2dur")],
    manifest: Annotated[Path, typer.Argument(help="JSON-lines manifest to write")],
    dropped_report: Annotated[Path, typer.Argument(help="TSV of utterances left out, and why")],
    min_duration: Annotated[float, typer.Option(help="seconds; shorter utterances are left out")] = 0.1,
    max_duration: Annotated[float, typer.Option(help="seconds; longer utterances are left out")] = 20.0,
    max_drop_share: Annotated[float, typer.Option(help="fail when more than this share is left out")] = 0.05,
) -> None:
    """Write a NeMo-compatible JSON-lines manifest from a data dir.

    Example: python -m steps make_manifest data/train data/train/manifest.jsonl data/train/manifest.dropped.tsv
    """
    log.info("%s", " ".join(sys.argv))
    try:
        make_manifest(data_dir, manifest, dropped_report, min_duration, max_duration, max_drop_share)
    except CurrachError as err:
        typer.echo(f"make_manifest: {err}", err=True)
        raise typer.Exit(1) from None

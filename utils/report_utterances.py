"""The explorer report's utterances: one column-wise table per test set, every decoder side by side.

Built from the score.json records that `steps score` wrote, so the alignments and the counts are
the project's own (utils.align, utils.scoring), not recomputed. Per set:
  ids, spk (index into `speakers`), dur (seconds or null), ref (normalised), nw / nc (reference
  words / characters), wav (path relative to the report folder, "" when unknown)
and per system, in `systems`, parallel to the ids:
  hyp (normalised, null when the system did not score the utterance), ops (the word alignment as
  one letter per position: C correct, S substituted, D deleted, I inserted), we / ce (word /
  character errors), and for a system with an LM `lm`: one digit per utterance comparing it with
  the same model decoded without the LM (`base`): 0 same text, 1 changed and better, 2 changed,
  same errors, 3 changed and worse.
Columns rather than row objects keep 20,000 utterances compact in the page's data file.
"""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from utils.align import CORRECT, DEL, SUB
from utils.audio_paths import resolve_path
from utils.kaldi_files import read_kv
from utils.results_table import System

LM_SAME, LM_BETTER, LM_EQUAL, LM_WORSE = "0", "1", "2", "3"
BASE_DECODERS = ("beam", "greedy")  # what an LM system is compared with, first found wins
TOP = 30


def set_tables(systems: list[System], rows: list[dict], data_root: Path, report_dir: Path) -> dict[str, dict]:
    """{set: table} (see the module docstring) for the systems given; `rows` are their summary rows."""
    by_set: dict[str, list[tuple[System, dict]]] = {}
    for system, row in zip(systems, rows):
        by_set.setdefault(row["set"], []).append((system, row))
    return {name: _set_table(members, data_root / name, report_dir) for name, members in by_set.items()}


def _set_table(members: list[tuple[System, dict]], data_dir: Path, report_dir: Path) -> dict:
    first = members[0][0].score["utterances"]
    ids = [u["utt_id"] for u in first]
    speakers = sorted({u["speaker"] or "-" for u in first})
    spk_index = {s: k for k, s in enumerate(speakers)}
    wavs = _wav_paths(data_dir / "wav.scp", report_dir)
    table = {
        "ids": ids, "speakers": speakers,
        "spk": [spk_index[u["speaker"] or "-"] for u in first],
        "dur": [u["duration"] for u in first], "ref": [u["ref"] for u in first],
        "nw": [u["words"]["ref_len"] for u in first], "nc": [u["chars"]["ref_len"] for u in first],
        "wav": [wavs.get(i, "") for i in ids], "systems": [],
    }
    columns = {row["label"]: _system_columns(system, ids) for system, row in members}
    for system, row in members:
        entry = {"label": row["label"], "decoder": row["decoder"], "lm": row["lm"], **columns[row["label"]]}
        base = _base_system(row, [r for _, r in members]) if row["lm"] else None
        if base is not None:
            entry["base"] = base["label"]
            entry["lm_codes"] = lm_codes(columns[row["label"]], columns[base["label"]])
        entry["errors"] = error_tables(system)
        table["systems"].append(entry)
    return table


def _system_columns(system: System, ids: list[str]) -> dict[str, list]:
    by_id = {u["utt_id"]: u for u in system.score["utterances"]}
    cols: dict[str, list] = {"hyp": [], "ops": [], "we": [], "ce": []}
    for utt_id in ids:
        utt = by_id.get(utt_id)
        cols["hyp"].append(None if utt is None else utt["hyp"])
        cols["ops"].append(None if utt is None else "".join(edit[0] for edit in utt["align"]))
        cols["we"].append(None if utt is None else utt["words"]["errors"])
        cols["ce"].append(None if utt is None else utt["chars"]["errors"])
    return cols


def _base_system(row: dict, rows: list[dict]) -> dict | None:
    """The same model's decode of the same set without an LM, preferring beam over greedy."""
    for decoder in BASE_DECODERS:
        for other in rows:
            if other["tag"] == row["tag"] and other["decoder"] == decoder and not other["lm"]:
                return other
    return None


def lm_codes(with_lm: dict[str, list], without: dict[str, list]) -> str:
    """One digit per utterance: 0 same hypothesis, 1 LM better, 2 changed with equal errors, 3 LM worse."""
    codes = []
    for hyp, base_hyp, errors, base_errors in zip(with_lm["hyp"], without["hyp"], with_lm["we"], without["we"]):
        if hyp is None or base_hyp is None or hyp == base_hyp:
            codes.append(LM_SAME)
        elif errors < base_errors:
            codes.append(LM_BETTER)
        elif errors == base_errors:
            codes.append(LM_EQUAL)
        else:
            codes.append(LM_WORSE)
    return "".join(codes)


def error_tables(system: System) -> dict:
    """Top confusions, insertions and deletions (score.json's), most-missed words and speakers' WER."""
    score = system.score
    occurrences: Counter = Counter()
    missed: Counter = Counter()
    for utt in score["utterances"]:
        for op, ref_tok, _ in utt["align"]:
            if op == CORRECT or op == SUB or op == DEL:
                occurrences[ref_tok] += 1
            if op == SUB or op == DEL:
                missed[ref_tok] += 1
    ranked = sorted(missed.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    return {
        **score["error_words"],
        "missed": [{"word": w, "missed": n, "count": occurrences[w]} for w, n in ranked],
        "speakers": [{"speaker": s["speaker"], "n_utt": s["n_utt"], "n_words": s["n_words"], "wer": s["wer"]}
                     for s in score["speakers"]],
    }


def _wav_paths(wav_scp: Path, report_dir: Path) -> dict[str, str]:
    """{utt: wav URL relative to the report folder (percent-encoded)} for plain-file entries of wav.scp (pipes skipped)."""
    if not wav_scp.is_file():
        return {}
    paths = {}
    for utt, value in read_kv(wav_scp).items():
        if value.rstrip().endswith("|"):
            continue  # a Kaldi pipe: nothing a browser can play
        target = Path(resolve_path(value, wav_scp.parent))  # relative paths: to wav.scp's folder
        # A URL path: '#', '?' or '%' in a file name would otherwise cut the link short.
        paths[utt] = quote(Path(os.path.relpath(target, report_dir)).as_posix())
    return paths

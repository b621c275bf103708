"""The explorer report's data section: what each Kaldi data dir holds and what prep left out.

Per set (every data/<name>/ with a wav.scp): utterances, speakers, hours and a duration
histogram (utt2dur; shared bin edges so that sets compare), the characters of `text` against
data/lang/vocab.json, and the rows of prep_report.tsv (data prep's drops and repairs) and
manifest.dropped.tsv (the manifest stage's duration limits). For the scored sets, the words of
the references that the train text and the LM's unigrams do not contain (OOV).
"""
from __future__ import annotations

import csv
import json
import math
from collections import Counter
from pathlib import Path

from utils.errors import InputError
from utils.kaldi_files import read_kv
from utils.prep_report import reason_kind
from utils.transcripts import read_durations

SPACE = "|"  # the CTC vocab's word delimiter
REPORTS = ("prep_report.tsv", "manifest.dropped.tsv")
MAX_ROWS = 200  # rows of each drop report kept in the page; counts by reason cover all of them
BINS = 30
TOP = 50


def data_sets(data_root: Path) -> list[str]:
    """Names of the Kaldi data dirs under `data_root` (those with a wav.scp), sorted."""
    return sorted(p.name for p in data_root.iterdir() if (p / "wav.scp").is_file()) if data_root.is_dir() else []


def corpus_section(data_root: Path, scored_sets: list[str], set_names: list[str] | None = None) -> dict:
    """{"sets": [...], "histogram": {...}, "chars": [...], "oov": {...}, "oov_chars": [...]}.

    `set_names`: the data dirs to describe (those of them with a wav.scp); default every one under `data_root`.
    """
    names = data_sets(data_root) if set_names is None else sorted(
        n for n in set_names if (data_root / n / "wav.scp").is_file())
    durations = {name: _durations(data_root / name) for name in names}
    texts = {name: _texts(data_root / name / "text") for name in names}
    vocab = _vocab(data_root / "lang" / "vocab.json")
    sets = []
    for name in names:
        utt2spk = data_root / name / "utt2spk"
        speakers = set(read_kv(utt2spk).values()) if utt2spk.is_file() else set()
        seconds = sum(durations[name].values())
        sets.append({"name": name, "utts": len(read_kv(data_root / name / "wav.scp")), "speakers": len(speakers),
                     "hours": seconds / 3600, "words": sum(len(t.split()) for t in texts[name].values()),
                     "drops": [_drop_report(data_root / name / f) for f in REPORTS if (data_root / name / f).is_file()]})
    return {"sets": sets, "histogram": histogram(durations), "chars": char_inventory(texts, vocab),
            "vocab_size": None if vocab is None else len(vocab),
            "oov": oov_words(texts, [s for s in scored_sets if s in texts], data_root / "lang" / "unigrams.txt"),
            "oov_chars": _tsv_rows(data_root / "lang" / "oov_chars.tsv")}


def histogram(durations: dict[str, dict[str, float]], bins: int = BINS) -> dict:
    """{"edges": [...], "counts": {set: [...]}} over shared edges from 0 to a round maximum."""
    longest = max((d for table in durations.values() for d in table.values()), default=0.0)
    width = _nice_width(longest / bins) if longest > 0 else 1.0
    n = max(1, math.ceil(longest / width + 1e-9))
    counts = {}
    for name, table in durations.items():
        row = [0] * n
        for seconds in table.values():
            row[min(n - 1, int(seconds // width))] += 1
        counts[name] = row
    return {"edges": [round(k * width, 6) for k in range(n + 1)], "counts": counts}


def char_inventory(texts: dict[str, dict[str, str]], vocab: set[str] | None) -> list[dict]:
    """Every character of every set's text with its count per set and whether vocab.json has it."""
    per_set = {name: Counter(ch for line in table.values() for ch in line) for name, table in texts.items()}
    chars = sorted(set().union(*per_set.values())) if per_set else []
    rows = []
    for ch in chars:
        token = SPACE if ch == " " else ch
        rows.append({"char": ch, "code": f"U+{ord(ch):04X}", "counts": {n: c[ch] for n, c in per_set.items()},
                     "in_vocab": None if vocab is None else token in vocab})
    if vocab is not None:  # vocab entries no text uses (special tokens aside)
        used = {SPACE if ch == " " else ch for ch in chars}
        rows += [{"char": tok, "code": "", "counts": {}, "in_vocab": True} for tok in sorted(vocab - used)
                 if not tok.startswith("[") and not tok.startswith("<")]
    return rows


def oov_words(texts: dict[str, dict[str, str]], scored: list[str], unigrams: Path) -> dict:
    """Per scored set: its reference words missing from train's text and from the LM's unigrams."""
    train = {w for line in texts.get("train", {}).values() for w in line.split()}
    lm = set(unigrams.read_text(encoding="utf-8").split()) if unigrams.is_file() else None
    out = {}
    for name in scored:
        counts = Counter(w for line in texts[name].values() for w in line.split())
        tokens = sum(counts.values())
        entry = {"tokens": tokens, "types": len(counts)}
        for key, known in (("train", train if "train" in texts else None), ("lm", lm)):
            if known is None:
                entry[key] = None
                continue
            missing = {w: c for w, c in counts.items() if w not in known}
            entry[key] = {"types": len(missing), "tokens": sum(missing.values()),
                          "rate": 100.0 * sum(missing.values()) / tokens if tokens else 0.0,
                          "top": [{"word": w, "count": c} for w, c in
                                  sorted(missing.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]]}
        out[name] = entry
    return out


def _nice_width(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above `raw`."""
    exp = 10 ** math.floor(math.log10(raw))
    return next(m * exp for m in (1, 2, 2.5, 5, 10) if m * exp >= raw)


def _durations(data_dir: Path) -> dict[str, float]:
    return read_durations(data_dir / "utt2dur") if (data_dir / "utt2dur").is_file() else {}


def _texts(path: Path) -> dict[str, str]:
    return read_kv(path, value_required=False) if path.is_file() else {}


def _vocab(path: Path) -> set[str] | None:
    if not path.is_file():
        return None
    try:
        vocab = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc}); written by make_vocab (stage 4)") from exc
    if not isinstance(vocab, dict):
        raise InputError(f"{path}: expected a JSON object {{token: id}} from make_vocab (stage 4)")
    return set(vocab)


def _drop_report(path: Path) -> dict:
    """{"file", "rows" (first MAX_ROWS), "n", "reasons": {reason: count}} of a drop/repair TSV."""
    rows = _tsv_rows(path)
    reasons = Counter(" ".join(filter(None, [r.get("action"), reason_kind(r.get("reason") or "", r.get("action") or "dropped")])) for r in rows)
    return {"file": path.name, "n": len(rows), "reasons": dict(reasons.most_common()), "rows": rows[:MAX_ROWS]}


def _tsv_rows(path: Path) -> list[dict]:
    """Rows of a TSV with a header line as dicts; a missing file gives none."""
    if not path.is_file():
        return []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return [dict(row) for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 ({exc})") from exc

"""RESULTS.md from the score.json files under a recipe's exp/: one row per scored system.

The file has a hand-written part and a generated part, split by MARKER. Regenerating keeps
everything above the marker byte for byte and rewrites everything below it; a file without
the marker is kept whole as the hand-written part. Systems are found at
exp/<model tag>/<decode dir>/score.json; the decoder, LM, alpha and beta come from the
decode.json settings that `steps score` copied into score.json.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from utils.bootstrap import paired_bootstrap
from utils.errors import InputError

MARKER = "<!-- generated below: do not edit -->"
DEFAULT_HEADER = ("# Results\n\nHand-written notes go here, above the marker line: "
                  "regeneration keeps them.\n\n")
SCORE_FORMAT = "currach-score/1"


@dataclass
class System:
    """One scored decode: where it lives, how it was decoded, and its score.json record."""

    path: str  # score.json's folder, relative to the recipe dir
    tag: str
    decode: dict
    score: dict

    @property
    def label(self) -> str:
        """Unique and short: the decode dir under exp/, e.g. base/decode_test_beam_lm."""
        return self.path.removeprefix("exp/")


def load_score(path: Path) -> dict:
    """Read and check a score.json written by `steps score`."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: not found (made by `python -m steps score`, stage 7)") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(record, dict) or record.get("format") != SCORE_FORMAT:
        raise InputError(f"{path}: not a {SCORE_FORMAT} record from `python -m steps score`")
    return record


def collect_systems(recipe_dir: Path, score_files: Iterable[Path] | None = None) -> list[System]:
    """Every exp/**/score.json (or the `score_files` given, under exp/), sorted by test set, model tag and decode dir."""
    exp_dir = recipe_dir / "exp"
    systems = []
    for path in sorted(exp_dir.rglob("score.json") if score_files is None else score_files):
        rel = path.parent.relative_to(recipe_dir)
        record = load_score(path)
        inside = path.parent.relative_to(exp_dir).parts
        systems.append(System(path=rel.as_posix(), tag=inside[0] if len(inside) > 1 else "-",
                              decode=record.get("decode") or {}, score=record))
    if not systems:
        raise InputError(f"{exp_dir}: no score.json found; the score stage (7) writes them")
    return sorted(systems, key=lambda s: (s.score["set"], s.tag, s.path))


def paired_scores(a: dict, b: dict, n_boot: int = 1000, seed: int = 0) -> dict:
    """Paired bootstrap of two score.json records on the same utterances (see utils.bootstrap).

    Raises InputError when the two were not scored on the same utterances and references.
    """
    refs_a = {u["utt_id"]: u["words"]["ref_len"] for u in a["utterances"]}
    refs_b = {u["utt_id"]: u["words"]["ref_len"] for u in b["utterances"]}
    if refs_a != refs_b:
        raise InputError(f"{a['hyp']} and {b['hyp']} were not scored on the same utterances "
                         f"and references; a paired comparison needs the same test set")
    errs_b = {u["utt_id"]: u["words"]["errors"] for u in b["utterances"]}
    errors_a = [u["words"]["errors"] for u in a["utterances"]]
    errors_b = [errs_b[u["utt_id"]] for u in a["utterances"]]
    result = paired_bootstrap(errors_a, errors_b, n_boot=n_boot, seed=seed)
    return {"a": a["hyp"], "b": b["hyp"], "set": a["set"], "wer_a": a["wer"]["rate"],
            "wer_b": b["wer"]["rate"], **result}


def comparisons(systems: list[System], n_boot: int = 1000, seed: int = 0) -> list[dict]:
    """Per test set, the lowest-WER system against each other one scored on the same utterances.

    An n-best oracle (decoder "oracle", from `select_oracle`) chose its hypotheses by looking
    at the references: it is listed in the table but never ranked or compared.
    """
    by_set: dict[str, list[System]] = {}
    for system in systems:
        if system.decode.get("decoder") == "oracle":
            continue
        by_set.setdefault(system.score["set"], []).append(system)
    rows = []
    for members in by_set.values():
        ranked = [s for s in members if s.score["wer"]["rate"] is not None]
        ranked.sort(key=lambda s: s.score["wer"]["rate"])
        for other in ranked[1:]:
            try:
                result = paired_scores(ranked[0].score, other.score, n_boot=n_boot, seed=seed)
            except InputError:
                continue  # different utterance lists: no paired test is possible
            rows.append({"best": ranked[0], "other": other, **result})
    return rows


def split_header(existing: str | None) -> str:
    """The hand-written part of an existing RESULTS.md (the default header for a new one)."""
    if existing is None:
        return DEFAULT_HEADER
    head, found, _ = existing.partition(MARKER)
    if not found:
        return existing if existing.endswith("\n") else existing + "\n"
    return head


def render(header: str, systems: list[System], compared: list[dict], plot_name: str | None) -> str:
    """The full RESULTS.md text: header, marker, systems table with provenance, paired tests, plot."""
    lines = [MARKER, "## Scored systems", "",
             "Generated by `python -m steps make_results` from every `score.json` under `exp/`. "
             "Edit above the marker line only. Each row's commit, config (file @ SHA-256 prefix) and "
             "corpus are what its scoring recorded.", "",
             "| model | decoder | LM | alpha | beta | set | WER % | CER % | WER 95% CI | "
             "#utt | normaliser | scored | commit | config | corpus | dir |", "|" + "---|" * 16]
    best = {c["best"].path for c in compared}
    lines += [_system_row(s, s.path in best) for s in systems]
    if compared:
        n_boot, seed = compared[0]["n_boot"], compared[0]["seed"]
        lines += ["", f"Paired bootstrap, best system of each set against the others "
                      f"({n_boot} resamples of utterances, seed {seed}):", "",
                  "| set | best | other | WER best | WER other | P(best is better) |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {_cell(c['set'])} | {_cell(c['best'].label)} | {_cell(c['other'].label)} | "
                  f"{_pct(c['wer_a'])} | {_pct(c['wer_b'])} | {c['prob_a_better']:.3f} |"
                  for c in compared]
    if plot_name:
        lines += ["", f"![WER by system and by utterance length]({plot_name})"]
    return header + "\n".join(lines) + "\n"


def _system_row(system: System, best: bool) -> str:
    dec, score = system.decode, system.score
    decoder = dec.get("decoder", "-")
    if dec.get("beam_width") is not None and decoder != "greedy":
        decoder += f" (beam {dec['beam_width']})"
    lm_path = dec.get("lm_dir") or dec.get("lm")  # decode.json from decode_ctc names the LM dir
    lm = Path(lm_path).name if lm_path else "-"
    # alpha and beta only weigh an LM: without one they are noise in the table.
    alpha, beta = (dec.get("alpha"), dec.get("beta")) if lm_path else (None, None)
    wer = _pct(score["wer"]["rate"])
    ci = score["wer"]["ci95"]
    prov = score.get("provenance") or {}
    config = f"{Path(prov['config']).name}@{prov.get('config_fingerprint', '?')}" if prov.get("config") else "-"
    cells = [system.tag, decoder, lm, _num(alpha), _num(beta), score["set"],
             f"**{wer}**" if best else wer, _pct(score["cer"]["rate"]),
             "-" if ci is None else f"{ci[0]:.2f}–{ci[1]:.2f}", score["n_utts"],
             score["normalizer"], score["created"][:10], prov.get("commit", "-"), config,
             prov.get("corpus", "-"), f"`{system.path}`"]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.2f}"


def _num(value: object) -> str:
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")

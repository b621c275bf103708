"""The explorer report's systems: the scored decodes of one model tag and its training curves.

Systems are read by `utils.results_table.collect_systems`, so the report's rows are that tag's
RESULTS.md rows. Curves are `exp/<tag>/work/curves.json` as `utils.train_curves.write_curves`
wrote them; a tag without one (a model that was not trained here) simply has no curves.
"""
from __future__ import annotations

import json
import logging
import math
from pathlib import Path

from utils.errors import InputError
from utils.results_table import System, collect_systems

log = logging.getLogger(__name__)

CURVES_FILE = "work/curves.json"


def system_rows(systems: list[System]) -> list[dict]:
    """One summary row per system: where it is, how it was decoded, WER/CER with their 95 % CIs."""
    rows = []
    for system in systems:
        dec, score = system.decode, system.score
        lm_path = dec.get("lm_dir") or dec.get("lm")
        rows.append({
            "label": system.label.removesuffix("/score"), "tag": system.tag, "set": score["set"],
            "decoder": dec.get("decoder") or Path(system.path).parent.name.rsplit("_", 1)[-1],
            "lm": Path(lm_path).name if lm_path else None,
            "alpha": dec.get("alpha") if lm_path else None, "beta": dec.get("beta") if lm_path else None,
            "beam_width": dec.get("beam_width"), "n_utts": score["n_utts"],
            "wer": score["wer"]["rate"], "wer_ci": score["wer"]["ci95"],
            "cer": score["cer"]["rate"], "cer_ci": score["cer"]["ci95"],
            "wer_line": score["wer_line"], "path": system.path,
        })
    return rows


def tag_systems(recipe_dir: Path, tag_dir: Path, score_files: list[Path] | None = None) -> list[System]:
    """The scored systems of the model in `tag_dir` (exp/<tag>): `score_files`, or every
    decode_*/score/score.json inside it.

    Raises InputError when there is none (the score stage writes them).
    """
    if score_files is None:
        score_files = sorted(tag_dir.glob("decode_*/score/score.json"))
    if not score_files:
        raise InputError(f"{tag_dir}: no decode_*/score/score.json inside; the score stage (7) writes them")
    return collect_systems(recipe_dir, score_files)


def training_curves(files: dict[str, Path]) -> dict[str, dict]:
    """{tag: {"train": [{step, loss, ...}], "dev": [{step, loss, wer, cer}]}} from each tag's curves.json
    (`files`: {tag: path}); a tag whose file does not exist has no curves."""
    curves = {}
    for tag, path in files.items():
        if not path.is_file():
            log.info("explore: no training curves for %s (%s not found)", tag, path)
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: not valid JSON ({exc}); written by train_ctc (stage 5)") from exc
        if not isinstance(data, dict):
            raise InputError(f"{path}: expected {{'train': [...], 'dev': [...]}} from train_ctc (stage 5)")
        curves[tag] = {key: [_finite(point) for point in data.get(key) or []] for key in ("train", "dev")}
    return curves


def _finite(point: dict) -> dict:
    """A curve point with NaN or infinite values (a diverged run) as None: JSON has no NaN."""
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in point.items()}

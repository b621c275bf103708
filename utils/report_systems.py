"""The explorer report's systems: every scored decode of a recipe (the RESULTS.md rows) and the
training curves of each model tag.

Systems come from `utils.results_table.collect_systems` (every exp/**/score.json), so the
report and RESULTS.md list the same rows. Curves are `exp/<tag>/work/curves.json` as
`utils.train_curves.write_curves` wrote them; a tag without one simply has no curves.
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


def tag_systems(recipe_dir: Path, tag_dir: Path) -> tuple[list[System], list[System]]:
    """(every system of the recipe, those whose decode dir is inside `tag_dir`).

    Raises InputError when the recipe has no score.json (the score stage writes them).
    """
    systems = collect_systems(recipe_dir)
    tag_dir = tag_dir.resolve()
    mine = [s for s in systems if tag_dir in (recipe_dir / s.path).resolve().parents]
    return systems, mine


def training_curves(recipe_dir: Path, tags: list[str]) -> dict[str, dict]:
    """{tag: {"train": [{step, loss, ...}], "dev": [{step, loss, wer, cer}]}} for tags with curves."""
    curves = {}
    for tag in tags:
        path = recipe_dir / "exp" / tag / CURVES_FILE
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

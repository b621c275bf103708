"""sg_en on NSC Part 3 (--nsc-part 3): stages 0-7 on a tiny espeak-ng conversation corpus in Part 3's layout."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.local.nsc_part3_fixture import NEEDS_ESPEAK, write_part3
from tests.recipes.recipe_copy import copy_recipe, run_recipe, stages_run
from tests.recipes.test_sg_en import _config
from utils.data_dir import read_kv, validate_data_dir

pytestmark = [pytest.mark.slow, NEEDS_ESPEAK]


def test_part3_runs_stages_0_to_7(tmp_path: Path) -> None:
    corpus = write_part3(tmp_path / "nsc", seconds=120.0, turns=6)  # 2-minute recordings
    (tmp_path / "repo").mkdir()
    recipe = copy_recipe("sg_en", tmp_path / "repo")
    config = _config(recipe, "part3", decode={"beam_width": 4, "alphas": [0.5], "betas": [1.0]},
                     nsc={"part3_mics": ["closemic", "boundarymic", "standingmic", "ivr"]})
    proc = run_recipe(recipe, "--config", config, "--corpus-dir", str(corpus), "--nsc-part", "3",
                      "--max-steps", "3", "--nj", "2")
    assert stages_run(proc) == list(range(8))
    info = json.loads((recipe / "data/local/corpus.json").read_text())
    assert info["layout"] == "nsc_part3" and info["conversations"] == 3
    speakers: set[str] = set()
    for split in ("train", "dev", "test"):
        data = recipe / "data" / split
        assert (data / "segments").is_file() and validate_data_dir(data) == []
        mine = set(read_kv(data / "utt2spk").values())
        assert not mine & speakers
        speakers |= mine
        records = [json.loads(line) for line in (data / "manifest.jsonl").read_text().splitlines()]
        assert records and all("offset" in r for r in records)
        assert {r["audio_filepath"] for r in records} <= set(read_kv(data / "wav.scp").values())
    for split in ("dev", "test"):
        hyp = read_kv(recipe / f"exp/part3/decode_{split}_greedy/hyp", value_required=False)
        assert set(hyp) == set(read_kv(recipe / "data" / split / "text"))
        assert (recipe / f"exp/part3/decode_{split}_greedy/score/wer").is_file()
    assert (recipe / "RESULTS.md").is_file()
    rerun = run_recipe(recipe, "--config", config, "--corpus-dir", str(corpus), "--nsc-part", "3",
                       "--max-steps", "3", "--nj", "2")
    assert stages_run(rerun) == []

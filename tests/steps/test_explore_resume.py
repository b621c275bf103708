"""The explorer report is a tracked output of stage 7: deleted, it is rebuilt; per tag, it holds that
tag's systems and another config leaves it alone; its HTML/JS/CSS assets are stage 7's code."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.recipes.recipe_copy import copy_recipe, real_copy, run_recipe, stages_run, write_tiny_config
from utils.report_page import DATA_VARIABLE

pytestmark = pytest.mark.slow

ARGS = ("--max-steps", "4", "--nj", "2")


@pytest.fixture(scope="module")
def recipe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished tiny ga_ie run (config e2e) in a repo copy whose code folders are copies, not links."""
    linked = copy_recipe("ga_ie", tmp_path_factory.mktemp("linked"))
    recipe = real_copy(linked, tmp_path_factory.mktemp("repo") / "repo")
    write_tiny_config(recipe)
    run_recipe(recipe, "--config", "conf/e2e.yaml", *ARGS)
    return recipe


def run(recipe: Path, *args: str, config: str = "e2e") -> list[int]:
    return stages_run(run_recipe(recipe, "--config", f"conf/{config}.yaml", *ARGS, *args))


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def report_data(report: Path) -> dict:
    text = (report / "data.js").read_text(encoding="utf-8")
    return json.loads(text.removeprefix(f"window.{DATA_VARIABLE} = ").removesuffix(";\n"))


def test_a_deleted_report_reruns_stage_7_which_writes_it_again(recipe: Path) -> None:
    report = recipe / "exp/e2e/report"
    before = files(report)
    assert set(before) == {"index.html", "data.js"}
    shutil.rmtree(report)
    dry = run_recipe(recipe, "--config", "conf/e2e.yaml", *ARGS, "--dry-run").stdout
    assert "stage 7 score        RUN   output exp/e2e/report was removed or modified" in dry, dry
    assert run(recipe, "--stage", "7") == [7]
    assert files(report) == before
    assert run(recipe) == []


def test_the_explore_command_writes_what_stage_7_wrote(recipe: Path) -> None:
    """`python -m steps explore` rebuilds a report from the finished folder byte for byte, so stage 7 stays done."""
    report = recipe / "exp/e2e/report"
    before = files(report)
    shutil.rmtree(report)
    subprocess.run([sys.executable, "-m", "steps", "explore", str(recipe), "--tag", "e2e"], cwd=recipe.parents[1],
                   check=True, capture_output=True)
    assert files(report) == before
    assert run(recipe) == []


def test_each_config_has_its_own_report_and_switching_reruns_nothing(recipe: Path) -> None:
    first = files(recipe / "exp/e2e/report")
    write_tiny_config(recipe, "other")
    assert run(recipe, config="other") == [5, 6, 7]  # stages 0-4 are shared and done
    other = report_data(recipe / "exp/other/report")
    assert {row["tag"] for row in other["systems"]} == {"other"} and len(other["systems"]) == 4
    assert list(other["curves"]) == ["other"] and other["tag"] == "other"
    assert files(recipe / "exp/e2e/report") == first  # the first tag's report is left alone
    assert {row["tag"] for row in report_data(recipe / "exp/e2e/report")["systems"]} == {"e2e"}
    results = (recipe / "RESULTS.md").read_text(encoding="utf-8")
    assert "other/decode_test_beam_lm" in results and "e2e/decode_test_beam_lm" in results  # every tag
    assert run(recipe) == [] and run(recipe, config="other") == []


def test_editing_a_report_asset_reruns_stage_7_only(recipe: Path) -> None:
    css = recipe.parents[1] / "utils/report_assets/report.css"
    original = css.read_text(encoding="utf-8")
    try:
        css.write_text(original + "\n/* an edited rule */\n", encoding="utf-8")
        plan = run_recipe(recipe, "--config", "conf/e2e.yaml", *ARGS, "--dry-run").stdout.splitlines()
        assert [line.split()[1] for line in plan if "RUN" in line] == ["7"], plan
        assert "code changed (utils/report_assets/report.css)" in plan[-1]
        assert run(recipe) == [7]
        assert "/* an edited rule */" in (recipe / "exp/e2e/report/index.html").read_text(encoding="utf-8")
        assert run(recipe) == []
    finally:
        css.write_text(original, encoding="utf-8")
    assert run(recipe) == [7]
    assert "/* an edited rule */" not in (recipe / "exp/e2e/report/index.html").read_text(encoding="utf-8")

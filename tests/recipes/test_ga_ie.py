"""End to end: the ga_ie recipe on a very small synthetic corpus with a few training steps."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.local.cv_fixtures import write_release
from tests.local.hf_fixtures import write_parquet_shards
from tests.recipes.recipe_copy import copy_recipe, real_copy, run_recipe, stages_run, write_tiny_config

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    recipe = copy_recipe("ga_ie", tmp_path_factory.mktemp("repo"))
    write_tiny_config(recipe)
    run_recipe(recipe, "--config", "conf/e2e.yaml", "--max-steps", "4", "--nj", "2")
    return recipe


def test_every_stage_leaves_its_outputs(finished: Path) -> None:
    assert (finished / "corpus/synthetic/clips").is_dir()
    for name in ("train", "dev", "test"):
        assert (finished / f"data/{name}/text.raw").is_file() and (finished / f"data/{name}/manifest.jsonl").is_file()
    assert json.loads((finished / "data/lang/vocab.json").read_text())["[PAD]"] >= 0
    assert (finished / "data/lang/lm.bin").is_file()
    model = finished / "exp/e2e/model"
    assert (model / "model.safetensors").is_file() and (model / "config.json").is_file()
    for decode in ("decode_dev_greedy", "decode_test_greedy", "decode_dev_beam_lm", "decode_test_beam_lm"):
        record = json.loads((finished / f"exp/e2e/{decode}/score/score.json").read_text())
        assert record["n_utts"] > 0
    results = (finished / "RESULTS.md").read_text(encoding="utf-8")
    assert "decode_test_beam_lm" in results and "synthetic espeak-ng ga" in results
    assert (finished / "results.png").stat().st_size > 0
    card = (model / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\n") and "model-index" in card and "local.normalizers.ga" in card
    report = finished / "exp/e2e/report"  # the explorer, written by stage 7
    assert (report / "index.html").is_file() and "decode_test_beam_lm" in (report / "data.js").read_text("utf-8")


def test_data_prep_decode_and_score_on_slurm_give_the_local_results(finished: Path, slurm, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    for name, value in slurm.items():
        monkeypatch.setenv(name, value)
    recipe = shutil.copytree(finished.parents[1], tmp_path / "repo", symlinks=True) / "recipes/ga_ie"
    shutil.rmtree(recipe / "exp/e2e/logits")  # so that the acoustic model runs again, on Slurm
    proc = run_recipe(recipe, "--config", "conf/e2e.yaml", "--max-steps", "4", "--only", "1,2,3,6,7", "--force",
                      "--cmd", "slurm", "--nj", "2", "--sbatch-args=--time=1:00:00")
    assert stages_run(proc) == [1, 2, 3, 6, 7]
    for name in ("train", "dev", "test"):
        for kaldi_file in ("text.raw", "utt2spk", "spk2utt", "utt2dur"):
            assert (recipe / f"data/{name}/{kaldi_file}").read_bytes() == (finished / f"data/{name}/{kaldi_file}").read_bytes()
    for decode in ("decode_dev_greedy", "decode_test_greedy", "decode_dev_beam_lm", "decode_test_beam_lm"):
        assert (recipe / f"exp/e2e/{decode}/hyp").read_bytes() == (finished / f"exp/e2e/{decode}/hyp").read_bytes()
        assert (recipe / f"exp/e2e/{decode}/score/wer").read_bytes() == (finished / f"exp/e2e/{decode}/score/wer").read_bytes()
    logs = recipe / "exp/log"
    for array_log in ("01_data_prep/audio_train.2.log", "06_decode.e2e/logits_test.2.log", "07_score.e2e/score.2.log"):
        text = (logs / array_log).read_text(encoding="utf-8")
        assert "(Slurm job " in text and text.endswith("# exit status 0\n"), text

def test_text_normalised_once_with_raw_kept(finished: Path) -> None:
    raw = (finished / "data/train/text.raw").read_text(encoding="utf-8")
    text = (finished / "data/train/text").read_text(encoding="utf-8")
    assert any(ch in raw for ch in ".,?’") and not any(ch in text for ch in ".,?’")


def test_rerun_skips_everything_and_slices_work(finished: Path) -> None:
    again = run_recipe(finished, "--config", "conf/e2e.yaml", "--max-steps", "4")
    assert stages_run(again) == [] and again.stderr.count("skip, up to date") == 8
    sliced = run_recipe(finished, "--config", "conf/e2e.yaml", "--max-steps", "4", "--stage", "3", "--stop-stage", "6")
    assert stages_run(sliced) == []


def test_partial_rerun_after_a_lost_decode(finished: Path) -> None:
    import shutil

    shutil.rmtree(finished / "exp/e2e/decode_test_greedy")
    dry = run_recipe(finished, "--config", "conf/e2e.yaml", "--max-steps", "4", "--dry-run").stdout
    assert "stage 6 decode       RUN" in dry and "decode_test_greedy was removed or modified" in dry
    proc = run_recipe(finished, "--config", "conf/e2e.yaml", "--max-steps", "4", "--stage", "3", "--stop-stage", "6")
    assert stages_run(proc) == [6]
    assert "reusing it" in proc.stderr  # cached logits: no second acoustic pass


def test_a_common_voice_folder_runs_stages_0_to_4(cv_corpus: Path, tmp_path: Path) -> None:
    recipe = copy_recipe("ga_ie", tmp_path)
    proc = run_recipe(recipe, "--corpus-dir", str(cv_corpus), "--stop-stage", "4", "--nj", "2")
    assert stages_run(proc) == [0, 1, 2, 3, 4]
    assert not (recipe / "corpus").exists(), "a given corpus is used in place, nothing synthesised"
    info = json.loads((recipe / "data/local/corpus.json").read_text())
    assert info["path"] == str(cv_corpus) and "Common Voice" in info["name"]
    assert len((recipe / "data/train/wav.scp").read_text().splitlines()) == 16
    assert (recipe / "data/lang/lm.arpa").read_text().startswith("\n\\data\\") or "\\data\\" in (
        recipe / "data/lang/lm.arpa").read_text()[:100]



def test_train_set_validated_reads_validated_less_dev_and_test(cv_corpus: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "cv-corpus-99.0" / "ga-IE"
    write_release(cv_corpus, corpus)
    recipe = copy_recipe("ga_ie", tmp_path)
    proc = run_recipe(recipe, "--corpus-dir", str(corpus), "--train-set", "validated", "--stop-stage", "1")
    assert stages_run(proc) == [0, 1]
    assert len((recipe / "data/train/wav.scp").read_text().splitlines()) == 4  # 9 validated, 5 held out
    assert "excluded 5 of 9 rows held out by test.tsv, dev.tsv" in proc.stderr


def test_a_datasets_parquet_folder_is_read_by_what_it_holds(cv_corpus: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "cv-corpus-99.0" / "ga-IE"
    write_release(cv_corpus, corpus)
    hub = write_parquet_shards(corpus, tmp_path / "hub_copy")
    recipe = copy_recipe("ga_ie", tmp_path)
    proc = run_recipe(recipe, "--corpus-dir", str(hub), "--stop-stage", "1")
    assert stages_run(proc) == [0, 1]
    assert json.loads((recipe / "data/local/corpus.json").read_text())["layout"] == "hf_parquet"
    assert [len((recipe / f"data/{s}/wav.scp").read_text().splitlines()) for s in ("train", "dev", "test")] == [2, 1, 1]


def _plan(recipe: Path) -> dict[str, str]:
    dry = run_recipe(recipe, "--config", "conf/e2e.yaml", "--max-steps", "4", "--dry-run").stdout
    return {line.split()[2]: line for line in dry.splitlines()}


def test_code_fingerprints_follow_imports(finished: Path, tmp_path: Path) -> None:
    """Decode re-runs after a change in a module it imports only indirectly (steps.tune_lm_weights via
    steps.decode_with_lm, utils.ctc_search); a scoring-only module re-runs scoring and not training."""
    recipe = real_copy(finished, tmp_path / "repo")
    run_recipe(recipe, "--config", "conf/e2e.yaml", "--max-steps", "4")  # whatever earlier tests left stale
    assert all("skip" in line for line in _plan(recipe).values()), _plan(recipe)
    for module in ("steps/tune_lm_weights.py", "utils/ctc_search.py"):
        source = recipe.parents[1] / module
        original = source.read_text(encoding="utf-8")
        source.write_text(original + "\n# edited\n", encoding="utf-8")
        plan = _plan(recipe)
        assert "RUN" in plan["decode"] and module.replace("/", ".")[:-3] in plan["decode"], plan["decode"]
        assert "skip" in plan["train"] and "skip" in plan["lang"]
        source.write_text(original, encoding="utf-8")
    (recipe.parents[1] / "utils/score_report.py").write_text(
        (recipe.parents[1] / "utils/score_report.py").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    plan = _plan(recipe)
    assert [name for name, line in plan.items() if "RUN" in line] == ["score"], plan


def test_a_moved_checkout_is_still_up_to_date(finished: Path, tmp_path: Path) -> None:
    """Copy the finished repo (data/, exp/, corpus/) elsewhere and delete the original's data: nothing
    re-runs, and a forced decode reads the audio at its new place."""
    run_recipe(finished, "--config", "conf/e2e.yaml", "--max-steps", "4")  # whatever earlier tests left stale
    moved = shutil.copytree(finished.parents[1], tmp_path / "elsewhere", symlinks=True) / "recipes/ga_ie"
    hidden = finished.with_name("ga_ie.hidden")
    finished.rename(hidden)
    try:
        again = run_recipe(moved, "--config", "conf/e2e.yaml", "--max-steps", "4")
        assert stages_run(again) == [] and again.stderr.count("skip, up to date") == 8, again.stderr
        assert (moved / "data/train/wav.scp").read_text().split()[1].startswith("../wavs/train/")
        shutil.rmtree(moved / "exp/e2e/logits")
        forced = run_recipe(moved, "--config", "conf/e2e.yaml", "--max-steps", "4", "--only", "decode", "--force")
        assert stages_run(forced) == [6]
        assert (moved / "exp/e2e/decode_test_greedy/hyp").read_bytes() == (hidden / "exp/e2e/decode_test_greedy/hyp").read_bytes()
    finally:
        hidden.rename(finished)

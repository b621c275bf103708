"""new_recipe: a Welsh recipe made in a scratch copy of the repo, what it refuses, and (slow) the
generated recipe run end to end with its generated normaliser test and the structure test passing."""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from steps.__main__ import app
from tests.recipes.recipe_copy import run_recipe

REPO = Path(__file__).resolve().parents[2]
WELSH = REPO / "tests/fixtures/sentences_cy.txt"
SCAFFOLD = ["tests/__init__.py", "tests/local/__init__.py", "tests/local/normalizers/__init__.py",
            "tests/recipes/__init__.py", "tests/recipes/test_structure.py", "pyproject.toml"]


def scratch_repo(root: Path, recipes: tuple[str, ...] = ("ga_ie",)) -> Path:
    """The repo's code and the given recipes' run.py, conf/, README.md under `root`: no data/, exp/,
    corpus/; tools/ (KenLM) linked. new_recipe writes into it, never into the real repo."""
    ignore, scaffold = shutil.ignore_patterns("__pycache__"), list(SCAFFOLD)
    for name in ("pipeline", "stages", "steps", "utils", "local"):
        shutil.copytree(REPO / name, root / name, ignore=ignore)
    (root / "tools").symlink_to(REPO / "tools")
    for recipe in recipes:
        source, target = REPO / "recipes" / recipe, root / "recipes" / recipe
        shutil.copytree(source / "conf", target / "conf")
        for name in ("run.py", "README.md"):
            shutil.copy2(source / name, target / name)
        module = yaml.safe_load((source / "conf/tiny.yaml").read_text(encoding="utf-8"))["text"]["normalizer"]
        scaffold.append(f"tests/local/normalizers/test_{module.rsplit('.', 1)[1]}.py")
    for name in dict.fromkeys(scaffold):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, root / name)
    return root


def new(root: Path, *args: str):
    return CliRunner().invoke(app, ["new_recipe", *args, "--root", str(root)])


def test_makes_a_welsh_recipe_from_ga_ie(tmp_path: Path) -> None:
    root = scratch_repo(tmp_path)
    result = new(root, "cy", "--lang", "cy", "--sentences", str(WELSH))
    assert result.exit_code == 0, result.output
    recipe = root / "recipes/cy"
    config = yaml.safe_load((recipe / "conf/tiny.yaml").read_text(encoding="utf-8"))
    assert config["text"] == {"normalizer": "local.normalizers.cy"}
    assert (config["corpus"]["lang"], config["corpus"]["sentences"]) == ("cy", "../../local/sentences/cy.txt")
    template = yaml.safe_load((root / "recipes/ga_ie/conf/tiny.yaml").read_text(encoding="utf-8"))
    assert {k: v for k, v in config.items() if k not in ("text", "corpus")} == \
        {k: v for k, v in template.items() if k not in ("text", "corpus")}
    assert "# espeak-ng voice" in (recipe / "conf/tiny.yaml").read_text(encoding="utf-8")  # comments kept
    run_py = (recipe / "run.py").read_text(encoding="utf-8")
    assert run_py.startswith('#!/usr/bin/env python3\n"""Welsh (cy): ') and "Irish" not in run_py.split('"""')[1]
    ga_run = (root / "recipes/ga_ie/run.py").read_text(encoding="utf-8")
    assert run_py.split('"""', 2)[2] == ga_run.split('"""', 2)[2]  # the stage table itself is unchanged
    readme = (recipe / "README.md").read_text(encoding="utf-8")
    for item in ("Normaliser rules", "Sentences", "LM text", "Config", "local/normalizers/cy.py"):
        assert item in readme
    sentences = (root / "local/sentences/cy.txt").read_text(encoding="utf-8").splitlines()
    assert sentences[0] == "Mae hi'n braf heddiw." and len(sentences) == len(set(sentences)) >= 60
    test_file = (root / "tests/local/normalizers/test_cy.py").read_text(encoding="utf-8")
    assert "from local.normalizers.cy import normalize" in test_file and "“shwmae”" in test_file


@pytest.mark.parametrize(("raw", "expected"), [
    ("Mae’r tŷ yn fach.", "mae'r tŷ yn fach"),
    ("Roedd y bws yn hwyr bore 'ma.", "roedd y bws yn hwyr bore ma"),
    ("Dywedodd hi “shwmae” wrtha i!", "dywedodd hi shwmae wrtha i"),
    ("Mae e’n ddi-waith ers mis.", "mae e'n ddi waith ers mis"),
    ("  MAE'R  ŴYL\tYN  LLANGOLLEN  ", "mae'r ŵyl yn llangollen"),
    ("Ma\u0302e ", "mâe"),
])
def test_the_generated_normaliser(tmp_path: Path, raw: str, expected: str) -> None:
    root = scratch_repo(tmp_path)
    assert new(root, "cy", "--lang", "cy", "--sentences", str(WELSH)).exit_code == 0
    spec = importlib.util.spec_from_file_location("generated_cy", root / "local/normalizers/cy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.normalize(raw) == expected
    assert module.normalize(expected) == expected


def test_a_language_with_a_sentence_list_needs_no_sentences(tmp_path: Path) -> None:
    root = scratch_repo(tmp_path)
    result = new(root, "ga_test", "--lang", "ga")
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((root / "recipes/ga_test/conf/tiny.yaml").read_text(encoding="utf-8"))
    assert config["corpus"]["sentences"] == "../../local/sentences/ga.txt"
    assert not (root / "local/sentences/ga_test.txt").exists()


@pytest.mark.parametrize("pass_it", [True, False])
def test_a_sentence_list_already_in_place_is_used(tmp_path: Path, pass_it: bool) -> None:
    root = scratch_repo(tmp_path)
    in_place = root / "local/sentences/cy.txt"
    shutil.copy(WELSH, in_place)
    result = new(root, "cy", "--lang", "cy", *(["--sentences", str(in_place)] if pass_it else []))
    assert result.exit_code == 0, result.output
    assert in_place.read_bytes() == WELSH.read_bytes()


def test_from_sg_en(tmp_path: Path) -> None:
    if not (REPO / "recipes/sg_en/run.py").is_file():
        pytest.skip("no sg_en recipe")
    root = scratch_repo(tmp_path, ("ga_ie", "sg_en"))
    result = new(root, "en_gb", "--lang", "en-gb", "--from", "sg_en", "--sentences", str(WELSH))
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((root / "recipes/en_gb/conf/tiny.yaml").read_text(encoding="utf-8"))
    template = yaml.safe_load((root / "recipes/sg_en/conf/tiny.yaml").read_text(encoding="utf-8"))
    assert config["text"]["normalizer"] == "local.normalizers.en_gb" and config["corpus"]["lang"] == "en-gb"
    assert config["nsc"] == template["nsc"] and config["decode"] == template["decode"]
    assert "recipes/sg_en/run.py" in (root / "recipes/en_gb/run.py").read_text(encoding="utf-8")[:300]


def _written(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if "__pycache__" not in p.parts}


@pytest.mark.parametrize(("args", "message"), [
    (["Cy", "--lang", "cy"], "lowercase letters, digits and _"),
    (["1cy", "--lang", "cy"], "starting with a letter"),
    (["cy-gb", "--lang", "cy"], "lowercase letters"),
    (["cy", "--lang", "xx"], "espeak-ng has no voice for language 'xx'"),
    (["cy", "--lang", "cy+m1"], "not an espeak-ng language code"),
    (["cy", "--lang", "cy"], "pass --sentences FILE"),
    (["cy", "--lang", "cy", "--from", "nope"], "recipes to copy: ga_ie"),
    (["cy", "--lang", "cy", "--sentences", "/nonexistent.txt"], "no such file"),
])
def test_refuses_bad_input_and_writes_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    root = scratch_repo(tmp_path)
    before = _written(root)
    result = new(root, *args)
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output
    assert _written(root) == before


def test_refuses_short_or_binary_sentence_lists(tmp_path: Path) -> None:
    root = scratch_repo(tmp_path)
    short = tmp_path / "short.txt"
    short.write_text("Bore da.\nBore da.\nNos da.\n", encoding="utf-8")
    assert "at least 10 distinct sentences, found 2" in new(root, "cy", "--lang", "cy", "--sentences", str(short)).output
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("Mae'r tŷ yn fach.\n".encode("utf-16"))
    assert "not UTF-8" in new(root, "cy", "--lang", "cy", "--sentences", str(utf16)).output


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    root = scratch_repo(tmp_path)
    assert new(root, "cy", "--lang", "cy", "--sentences", str(WELSH)).exit_code == 0
    normaliser = root / "local/normalizers/cy.py"
    normaliser.write_text("# edited by hand\n", encoding="utf-8")
    again = new(root, "cy", "--lang", "cy", "--sentences", str(WELSH))
    assert again.exit_code == 1 and "already exist" in again.output
    assert normaliser.read_text(encoding="utf-8") == "# edited by hand\n"
    shutil.rmtree(root / "recipes/cy")  # only the normaliser, test and sentences are left: still refused
    before = _written(root)
    assert new(root, "cy", "--lang", "cy", "--sentences", str(WELSH)).exit_code == 1
    assert _written(root) == before


def test_says_when_espeak_ng_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = scratch_repo(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = new(root, "cy", "--lang", "cy", "--sentences", str(WELSH))
    assert result.exit_code == 1 and "espeak-ng is not installed" in result.output


@pytest.fixture(scope="module")
def welsh_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch repo where `python -m steps new_recipe cy ...` ran, as the README says."""
    root = scratch_repo(tmp_path_factory.mktemp("repo"))
    proc = subprocess.run([sys.executable, "-m", "steps", "new_recipe", "cy", "--lang", "cy", "--sentences",
                           str(WELSH)], cwd=root, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (root / "recipes/cy/run.py").is_file()
    return root


@pytest.mark.slow
def test_generated_tests_and_the_structure_test_pass(welsh_repo: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pytest", "-vv", "-p", "no:cacheprovider",
                           "tests/local/normalizers/test_cy.py", "tests/recipes/test_structure.py"],
                          cwd=welsh_repo, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]
    for test in ("test_skeleton[cy] PASSED", "test_normaliser_named_in_config_exists_and_is_tested[cy] PASSED",
                 "test_idempotent_and_never_empty_on_the_sentence_list PASSED"):
        assert test in proc.stdout


@pytest.mark.slow
def test_the_welsh_recipe_runs_end_to_end(welsh_repo: Path) -> None:
    recipe = welsh_repo / "recipes/cy"
    config = yaml.safe_load((recipe / "conf/tiny.yaml").read_text(encoding="utf-8"))
    config["corpus"].update(max_sentences=40, renditions={"train": 1, "dev": 1, "test": 1})
    config["decode"].update(beam_width=8, alphas=[0.5], betas=[1.0])
    (recipe / "conf/e2e.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    run_recipe(recipe, "--config", "conf/e2e.yaml", "--max-steps", "3", "--nj", "2")
    for decode in ("decode_dev_greedy", "decode_test_greedy", "decode_dev_beam_lm", "decode_test_beam_lm"):
        assert json.loads((recipe / f"exp/e2e/{decode}/score/score.json").read_text())["n_utts"] > 0
    results = (recipe / "RESULTS.md").read_text(encoding="utf-8")
    assert "decode_test_beam_lm" in results and "synthetic espeak-ng cy" in results
    text = (recipe / "data/train/text").read_text(encoding="utf-8")
    assert "mae'r" in text and not any(ch in text for ch in ".,?!’")

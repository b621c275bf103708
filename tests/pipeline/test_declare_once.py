"""Declare once: an undeclared path fails the stage naming path and stage; code fingerprints follow
imports (a toy repo whose stage modules import helpers); a copied recipe folder is still up to date."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.code_deps import ImportGraph, imports_of

REPO = Path(__file__).resolve().parents[2]

RUN = textwrap.dedent('''
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).absolute().parents[2]))
    from pipeline.stage_cli import run_recipe
    from pipeline.stages import Stage
    from toylib import first, second

    STAGES = [
        Stage(0, "first", first.run, inputs={"src": "src.txt"}, outputs={"a": "work/a.txt"}),
        Stage(1, "second", second.run, inputs={"a": "work/a.txt"}, outputs={"b": "work/b.txt"}),
    ]
    if __name__ == "__main__":
        here = Path(__file__).absolute().parent
        sys.exit(run_recipe(STAGES, here, default_config=here / "conf.yaml"))
''')
FIRST = 'from toylib import words\n\ndef run(ctx):\n    ctx.output("a").write_text(words.shout(ctx.input("src").read_text()))\n'
SECOND = ('def run(ctx):\n    from toylib.deep import count  # a function-local import is followed too\n'
          '    ctx.output("b").write_text(str(count(ctx.input("a").read_text())))\n')
WORDS = "from .deep import SUFFIX\n\ndef shout(text):\n    return text.upper() + SUFFIX\n"
DEEP = 'SUFFIX = "!"\n\ndef count(text):\n    return len(text)\n'


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    """tmp/{pipeline,utils} linked to the repo's, tmp/toylib the stages' code, tmp/recipes/toy the recipe."""
    for package in ("pipeline", "utils"):
        (tmp_path / package).symlink_to(REPO / package)
    lib = tmp_path / "toylib"
    lib.mkdir()
    for name, text in {"__init__.py": "", "first.py": FIRST, "second.py": SECOND, "words.py": WORDS,
                       "deep.py": DEEP, "unrelated.py": "X = 1\n"}.items():
        (lib / name).write_text(text)
    recipe = tmp_path / "recipes/toy"
    recipe.mkdir(parents=True)
    (recipe / "run.py").write_text(RUN)
    (recipe / "conf.yaml").write_text("{}\n")
    (recipe / "src.txt").write_text("hi")
    return recipe


def run(recipe: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(recipe / "run.py"), *args], capture_output=True, text=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def ran(proc: subprocess.CompletedProcess) -> list[str]:
    return [line.split("stage ")[1].split(":")[0] for line in proc.stderr.splitlines() if ": run," in line]


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


def test_a_change_two_imports_away_reruns_that_stage_and_what_reads_its_outputs(toy: Path) -> None:
    assert ran(run(toy)) == ["0 first", "1 second"]
    lib = toy.parents[1] / "toylib"
    edit(lib / "unrelated.py", "1", "2")
    assert ran(run(toy)) == []
    edit(lib / "deep.py", '"!"', '"?!"')  # first imports words imports deep; second imports deep in a function
    proc = run(toy)
    assert ran(proc) == ["0 first", "1 second"]
    assert "code changed (toylib.deep)" in proc.stderr
    assert (toy / "work/a.txt").read_text() == "HI?!" and (toy / "work/b.txt").read_text() == "4"
    edit(lib / "words.py", "text.upper()", "text.upper() ")  # only stage 0 imports words
    proc = run(toy, "--dry-run")
    assert "RUN" in proc.stdout.splitlines()[0] and "toylib.words" in proc.stdout.splitlines()[0]
    assert "rewritten by stage 0" in proc.stdout.splitlines()[1]  # downstream: its input is rewritten
    edit(lib / "words.py", "text.upper() ", "text.upper()")
    edit(lib / "deep.py", "return len(text)", "return len(text)  # same result")
    proc = run(toy)
    assert ran(proc) == ["0 first", "1 second"]  # both import deep; stage 1 re-runs for its own import


def test_an_undeclared_read_fails_naming_path_and_stage(toy: Path) -> None:
    (toy / "secret.txt").write_text("s")
    edit(toy.parents[1] / "toylib/second.py", 'ctx.input("a").read_text()', 'open(ctx.recipe_dir / "secret.txt").read()')
    proc = run(toy, check=False)
    assert proc.returncode == 1
    assert "stage 1 (second) opened" in proc.stderr and "secret.txt, which it does not declare" in proc.stderr
    assert not (toy / "work/b.txt").exists()


def test_an_undeclared_listing_in_a_forked_worker_fails_too(toy: Path) -> None:
    edit(toy.parents[1] / "toylib/second.py", "def run(ctx):\n",
         "import os\nfrom pipeline.jobs import parallel_map\n\n"
         "def run(ctx):\n    list(parallel_map(os.listdir, [str(ctx.recipe_dir / 'work')] * 2, 2, 'list'))\n")
    proc = run(toy, check=False)
    assert proc.returncode == 1 and "stage 1 (second) listed" in proc.stderr and "work" in proc.stderr


def test_a_copied_recipe_folder_is_up_to_date(toy: Path, tmp_path: Path) -> None:
    run(toy)
    copy = shutil.copytree(toy.parents[1], tmp_path / "copy", symlinks=True) / "recipes/toy"
    proc = run(copy)
    assert ran(proc) == [] and proc.stderr.count("skip, up to date") == 2


def test_import_graph_reads_every_import_form(tmp_path: Path) -> None:
    import ast

    tree = ast.parse("import a.b\nfrom c import d\nfrom . import e\nfrom ..f import g\n"
                     "def h():\n    import i\n")
    assert sorted(imports_of(tree, "p.q.m", is_package=False)) == [
        "a.b", "c", "c.d", "i", "p.f", "p.f.g", "p.q", "p.q.e"]
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/__init__.py").write_text("")
    (tmp_path / "pkg/m.py").write_text("import numpy\nfrom pkg import n\n")
    (tmp_path / "pkg/n.py").write_text("import os\n")
    graph = ImportGraph(tmp_path / "cache.json", root=tmp_path)
    assert sorted(graph.closure(["pkg.m"])) == ["pkg", "pkg.m", "pkg.n"]  # numpy, os: not repo-local
    graph.save()
    assert ImportGraph(tmp_path / "cache.json", root=tmp_path).fingerprint(["pkg.m"]) == graph.fingerprint(["pkg.m"])


def test_the_recipe_stages_follow_their_imports() -> None:
    """The module lists that were written by hand and drifted: now derived."""
    graph = ImportGraph(root=REPO)
    decode = graph.closure(["stages.decode"])
    assert {"steps.decode_ctc", "steps.decode_with_lm", "steps.tune_lm_weights", "utils.ctc_search"} <= set(decode)
    train = graph.closure(["stages.train"])
    assert "steps.train_ctc" in train
    assert not {"steps.score", "utils.score_report", "utils.scoring", "steps.make_results"} & set(train)
    assert "pipeline.stages" not in train  # the engine's bookkeeping is not a stage's code
    assert os.path.basename(graph.module_file("stages.score")) == "score.py"

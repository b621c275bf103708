"""CODE_DATA: files a module names as code (a page's HTML, CSS, JavaScript) join the code
fingerprint of every module that imports it, and of no other."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.code_deps import ImportGraph

PAGE = 'CODE_DATA = ("assets", "extra.txt")\n'


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    """tmp/pkg: page.py owns assets/ and extra.txt; uses.py imports page (in a function); other.py does not."""
    pkg = tmp_path / "pkg"
    (pkg / "assets/js").mkdir(parents=True)
    (pkg / "assets/__pycache__").mkdir()
    files = {"__init__.py": "", "page.py": PAGE, "uses.py": "def f():\n    from pkg import page\n",
             "other.py": "import os\n", "extra.txt": "x", "assets/page.html": "<p>", "assets/js/main.js": "1;",
             "assets/.page.html.swp": "editor", "assets/__pycache__/junk.pyc": "c"}
    for name, text in files.items():
        (pkg / name).write_text(text)
    return tmp_path


def fingerprint(root: Path, module: str, cache: Path | None = None) -> str:
    graph = ImportGraph(cache, root=root)
    digest = graph.fingerprint([module])[0]
    graph.save()
    return digest


def test_named_files_are_in_the_closure_of_every_importer(lib: Path) -> None:
    closure = ImportGraph(root=lib).closure(["pkg.uses"])
    assert sorted(k for k in closure if "/" in k) == ["pkg/assets/js/main.js", "pkg/assets/page.html", "pkg/extra.txt"]
    assert not [k for k in ImportGraph(root=lib).closure(["pkg.other"]) if "/" in k]


@pytest.mark.parametrize("change", ["edit", "add", "remove"])
def test_editing_adding_or_removing_a_data_file_changes_only_the_importers(lib: Path, change: str) -> None:
    cache = lib / "imports.json"
    before = fingerprint(lib, "pkg.uses", cache), fingerprint(lib, "pkg.other", cache)
    assert fingerprint(lib, "pkg.uses", cache) == before[0]  # from the parse cache: same answer
    target = lib / "pkg/assets/js/main.js"
    if change == "edit":
        target.write_text("2;")
    elif change == "add":
        (target.parent / "more.js").write_text("3;")
    else:
        target.unlink()
    after = fingerprint(lib, "pkg.uses", cache), fingerprint(lib, "pkg.other", cache)
    assert after[0] != before[0] and after[1] == before[1]


def test_hidden_files_and_pycache_are_not_code(lib: Path) -> None:
    before = fingerprint(lib, "pkg.uses")
    (lib / "pkg/assets/.page.html.swp").write_text("edited")
    (lib / "pkg/assets/__pycache__/junk.pyc").write_text("recompiled")
    assert fingerprint(lib, "pkg.uses") == before


@pytest.mark.parametrize("declared, message", [
    ('CODE_DATA = ("nothing_here",)\n', "names 'nothing_here', which does not exist"),
    ('CODE_DATA = ("assets")\n', "must be a literal tuple"),  # a string, not a tuple
    ('NAME = "assets"\nCODE_DATA = (NAME,)\n', "must be a literal tuple"),
])
def test_a_wrong_declaration_names_the_module(lib: Path, declared: str, message: str) -> None:
    (lib / "pkg/page.py").write_text(declared)
    with pytest.raises(ValueError, match=message) as err:
        ImportGraph(root=lib).closure(["pkg.uses"])
    assert "page.py" in str(err.value)


def test_the_report_assets_are_the_score_stages_code_only() -> None:
    graph = ImportGraph()
    score = graph.closure(["stages.score"])
    assets = sorted(k for k in score if k.startswith("utils/report_assets/"))
    on_disk = sorted(f"utils/report_assets/{p.name}" for p in (Path(graph.root) / "utils/report_assets").iterdir())
    assert assets == on_disk and "utils/report_assets/page.html" in assets
    for other in ("stages.train", "stages.decode", "stages.lang"):
        assert not [k for k in graph.closure([other]) if "/" in k]

"""A recipe's own stage (a function in run.py) is fingerprinted as that function, what it reaches in
the script, and the modules those import: editing another stage's function, the stage table, or a
module only another stage imports does not re-run it; editing what it does use does."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

TOY = textwrap.dedent('''
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).absolute().parents[2]))  # the toy repo: its helpers are repo-local
    from pipeline.stages import Stage
    from pipeline.stage_cli import run_recipe

    SUFFIX = "!"

    def _shout(text):
        return text.upper() + SUFFIX

    def first(ctx):
        import helper_a
        ctx.output("a").write_text(_shout(ctx.input("src").read_text()) + helper_a.MARK)

    def second(ctx):
        import helper_b
        ctx.output("b").write_text(ctx.input("a").read_text() + helper_b.MARK)

    STAGES = [
        Stage(0, "first", first, inputs={"src": "src.txt"}, outputs={"a": "a.txt"}, doc="DOC0"),
        Stage(1, "second", second, inputs={"a": "a.txt"}, outputs={"b": "b.txt"}, doc="DOC1"),
    ]
    if __name__ == "__main__":
        here = Path(__file__).resolve().parent
        sys.exit(run_recipe(STAGES, here, default_config=here / "a.yaml"))
''')


def toy_repo(root: Path) -> Path:
    """root/{pipeline,utils} linked to the real ones (code_deps fingerprints them where it sees them),
    root/recipes/toy/run.py, and two repo-local helper modules at root."""
    for package in ("pipeline", "utils"):
        (root / package).symlink_to(REPO / package)
    toy = root / "recipes/toy"
    toy.mkdir(parents=True)
    (toy / "run.py").write_text(TOY)
    (toy / "src.txt").write_text("x")
    (toy / "a.yaml").write_text("{}\n")
    (root / "helper_a.py").write_text("MARK = 'A'\n")
    (root / "helper_b.py").write_text("MARK = 'B'\n")
    return toy


def ran(toy: Path) -> list[str]:
    proc = subprocess.run([sys.executable, str(toy / "run.py")], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [line.split("stage ")[1].split(":")[0] for line in proc.stderr.splitlines() if ": run," in line]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_only_the_edited_functions_stage_reruns(tmp_path: Path):
    toy = toy_repo(tmp_path)
    run_py = toy / "run.py"
    assert ran(toy) == ["0 first", "1 second"]
    edit(run_py, "DOC0", "another doc")                      # the stage table
    assert ran(toy) == []
    edit(run_py, "helper_b.MARK)", "helper_b.MARK + '')")    # stage 1's own source
    assert ran(toy) == ["1 second"]
    (tmp_path / "helper_b.py").write_text("MARK = 'B' \n")   # a module only stage 1 imports
    assert ran(toy) == ["1 second"]
    edit(run_py, 'SUFFIX = "!"', 'SUFFIX = "?"')             # a constant stage 0 reaches through _shout
    assert ran(toy) == ["0 first", "1 second"]
    assert (toy / "b.txt").read_text() == "X?AB"
    (tmp_path / "helper_a.py").write_text("MARK = 'a'\n")     # a module stage 0 imports inside its function
    assert ran(toy) == ["0 first", "1 second"]


def test_a_record_of_the_whole_script_is_honoured_and_refreshed(tmp_path: Path):
    """Records written before functions were fingerprinted alone name the whole script: while that
    file is unchanged nothing re-runs, and the skip rewrites the record in today's terms."""
    import hashlib
    import json

    toy = toy_repo(tmp_path)
    assert ran(toy) == ["0 first", "1 second"]
    record_file = toy / "exp/.stages/00_first.json"
    record = json.loads(record_file.read_text())
    (function,) = [m for m in record["code_modules"] if m.endswith(":first")]
    script = function.rsplit(":", 1)[0]
    record["code_modules"] = {script: hashlib.sha256((toy / "run.py").read_bytes()).hexdigest(),
                              **{m: d for m, d in record["code_modules"].items() if m != function}}
    record["code_fp"] = "recorded-by-an-older-version"
    record_file.write_text(json.dumps(record))
    assert ran(toy) == []
    assert function in json.loads(record_file.read_text())["code_modules"]
    record["code_modules"][script] = "0" * 64  # the script as it was then differs from today's
    record_file.write_text(json.dumps(record))
    assert ran(toy) == ["0 first"]  # the same a.txt again: stage 1's input is unchanged

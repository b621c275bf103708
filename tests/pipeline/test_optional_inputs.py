"""Optional inputs: declared like inputs, no "missing input" error when absent, fingerprinted when
present (appearing, changing or vanishing re-runs the stage), readable under the guard."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# 0 copies src.txt; 1 writes it with notes.txt appended when that file exists (an optional input).
TOY = textwrap.dedent('''
    import sys
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from pipeline.stages import Stage
    from pipeline.stage_cli import run_recipe

    def copy(ctx):
        ctx.output("a").write_text(ctx.input("src").read_text())

    def report(ctx):
        notes = ctx.optional("notes")
        extra = notes.read_text() if notes is not None else "(none)"
        ctx.output("report").write_text(ctx.input("a").read_text() + " " + extra)

    STAGES = [
        Stage(0, "copy", copy, inputs={"src": "src.txt"}, outputs={"a": "work/a.txt"}),
        Stage(1, "report", report, inputs={"a": "work/a.txt"}, optional={"notes": "notes.txt"},
              outputs={"report": "work/report.txt"}),
    ]
    if __name__ == "__main__":
        here = Path(__file__).resolve().parent
        sys.exit(run_recipe(STAGES, here, default_config=here / "conf.yaml"))
''')


def run(toy: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(toy / "run.py"), *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc


def ran(proc: subprocess.CompletedProcess) -> list[str]:
    return [line.split("stage ")[1].split(":")[0] for line in proc.stderr.splitlines() if ": run," in line]


def test_an_optional_input_may_be_absent_and_is_tracked_when_present(tmp_path: Path) -> None:
    (tmp_path / "run.py").write_text(TOY.replace("{repo!r}", repr(str(REPO))))
    (tmp_path / "conf.yaml").write_text("{}\n")
    (tmp_path / "src.txt").write_text("x")
    report = tmp_path / "work/report.txt"
    assert ran(run(tmp_path)) == ["0 copy", "1 report"]  # no "needs notes.txt" error
    assert report.read_text() == "x (none)"
    assert ran(run(tmp_path)) == []
    (tmp_path / "notes.txt").write_text("n1")
    proc = run(tmp_path)
    assert ran(proc) == ["1 report"] and "input notes.txt changed" in proc.stderr
    assert report.read_text() == "x n1"  # read under the guard: declared
    assert ran(run(tmp_path)) == []
    (tmp_path / "notes.txt").write_text("n2")
    assert ran(run(tmp_path)) == ["1 report"] and report.read_text() == "x n2"
    (tmp_path / "notes.txt").unlink()
    proc = run(tmp_path)
    assert ran(proc) == ["1 report"] and "input notes.txt is missing" in proc.stderr
    assert report.read_text() == "x (none)"

"""The stage runner: skip when unchanged, re-run on a changed input or setting, --force,
--dry-run reasons, missing inputs, atomic outputs under SIGKILL, the lock."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.signals import sigint_as_at_a_terminal

REPO = Path(__file__).resolve().parents[2]

# A toy recipe: 0 copies a source file, 1 upper-cases it (setting: suffix), 2 counts characters.
# Stage 1 can be told to die (SIGKILL itself) half-way through writing its output.
TOY = textwrap.dedent('''
    import os, signal, sys, time
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from pipeline.stages import Stage
    from pipeline.stage_cli import run_recipe

    def copy(ctx):
        ctx.output("a").write_text(ctx.input("src").read_text())

    def upper(ctx):
        with open(ctx.work("ckpt") / "starts.txt", "a") as f:  # in-place work, kept for resume
            f.write(ctx.config["upper"]["suffix"] + "\\n")
        out = ctx.output("b")
        out.mkdir()
        text = ctx.input("a").read_text().upper() + ctx.config["upper"]["suffix"]
        (out / "b.txt").write_text(text[: len(text) // 2])
        if os.environ.get("TOY_DIE"):
            os.kill(os.getpid(), signal.SIGKILL)
        if os.environ.get("TOY_SLEEP"):
            time.sleep(float(os.environ["TOY_SLEEP"]))
        (out / "b.txt").write_text(text)

    def count(ctx):
        n = len(ctx.input("b").read_text())
        ctx.output("count").write_text(str(n))

    STAGES = [
        Stage(0, "copy", copy, inputs={"src": "src.txt"}, outputs={"a": "work/a.txt"}, doc="copy the source"),
        Stage(1, "upper", upper, inputs={"a": "work/a.txt"}, outputs={"b": "work/b"}, in_place={"ckpt": "work/ckpt"},
              settings=("upper",), doc="upper-case"),
        Stage(2, "count", count, inputs={"b": "work/b/b.txt"}, outputs={"count": "work/count.txt"}, doc="count"),
    ]
    if __name__ == "__main__":
        here = Path(__file__).resolve().parent
        sys.exit(run_recipe(STAGES, here, default_config=here / "conf.yaml", sets=()))
''')


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    (tmp_path / "run.py").write_text(TOY.replace("{repo!r}", repr(str(REPO))))
    (tmp_path / "src.txt").write_text("hello")
    (tmp_path / "conf.yaml").write_text("upper:\n  suffix: '!'\n")
    return tmp_path


def run(toy: Path, *args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(toy / "run.py"), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def ran(proc: subprocess.CompletedProcess) -> list[str]:
    return [line.split("stage ")[1].split(":")[0] for line in proc.stderr.splitlines() if ": run," in line]


def test_first_run_runs_all_then_everything_is_skipped(toy: Path) -> None:
    assert ran(run(toy)) == ["0 copy", "1 upper", "2 count"]
    assert (toy / "work/count.txt").read_text() == "6"
    again = run(toy)
    assert ran(again) == []
    assert again.stderr.count("skip, up to date") == 3


def test_changed_input_reruns_that_stage_and_what_depends_on_it(toy: Path) -> None:
    run(toy)
    (toy / "src.txt").write_text("hello world")
    assert ran(run(toy)) == ["0 copy", "1 upper", "2 count"]
    assert (toy / "work/count.txt").read_text() == "12"


def test_changed_setting_reruns_from_that_stage(toy: Path) -> None:
    run(toy)
    (toy / "conf.yaml").write_text("upper:\n  suffix: '!!!'\n")
    proc = run(toy)
    assert ran(proc) == ["1 upper", "2 count"]
    assert "settings changed: upper" in proc.stderr
    assert (toy / "work/count.txt").read_text() == "8"


def test_same_content_rewritten_upstream_does_not_rerun_downstream(toy: Path) -> None:
    run(toy)
    assert ran(run(toy, "--only", "copy", "--force")) == ["0 copy"]
    assert ran(run(toy)) == []


def test_force_and_stage_range(toy: Path) -> None:
    run(toy)
    assert ran(run(toy, "--stage", "1", "--stop-stage", "1", "--force")) == ["1 upper"]
    assert ran(run(toy, "--only", "count,0", "--force")) == ["0 copy", "2 count"]


def test_modified_output_is_detected(toy: Path) -> None:
    run(toy)
    (toy / "work/count.txt").write_text("999")
    proc = run(toy)
    assert ran(proc) == ["2 count"]
    assert "output work/count.txt was removed or modified" in proc.stderr


def test_dry_run_explains_and_changes_nothing(toy: Path) -> None:
    out = run(toy, "--dry-run").stdout
    assert "stage 0 copy" in out and "RUN" in out and "no record" in out
    assert not (toy / "work").exists()
    run(toy)
    (toy / "src.txt").write_text("changed")
    lines = run(toy, "--dry-run").stdout.splitlines()
    assert "input src.txt changed" in lines[0]
    assert "rewritten by stage 0" in lines[1] and "rewritten by stage 1" in lines[2]
    only_2 = run(toy, "--dry-run", "--stage", "2").stdout.splitlines()  # its own input b/b.txt is unchanged
    assert "not selected" in only_2[0] and "not selected" in only_2[1]
    assert only_2[2].startswith("stage 2 count") and "skip" in only_2[2]
    assert (toy / "work/count.txt").read_text() == "6"


def test_missing_input_names_file_and_producing_stage(toy: Path) -> None:
    proc = run(toy, "--only", "count", check=False)
    assert proc.returncode == 1
    assert "needs work/b/b.txt" in proc.stderr and "made by stage 1 (upper)" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_sigkill_mid_write_leaves_no_output_and_reruns(toy: Path) -> None:
    run(toy, "--stop-stage", "0")
    proc = run(toy, env={"TOY_DIE": "1"}, check=False)
    assert proc.returncode == -signal.SIGKILL
    assert not (toy / "work/b").exists(), "a half-written output must not appear under its final name"
    assert ran(run(toy)) == ["1 upper", "2 count"]
    assert (toy / "work/b/b.txt").read_text() == "HELLO!"


def test_interrupted_work_is_resumed_only_with_the_same_inputs_and_settings(toy: Path) -> None:
    starts = toy / "work/ckpt/starts.txt"
    run(toy, "--stop-stage", "0")
    assert run(toy, env={"TOY_DIE": "1"}, check=False).returncode == -signal.SIGKILL
    assert run(toy, env={"TOY_DIE": "1"}, check=False).returncode == -signal.SIGKILL
    assert starts.read_text().splitlines() == ["!", "!"], "same inputs and settings: the work is kept"
    (toy / "conf.yaml").write_text("upper:\n  suffix: '?'\n")
    proc = run(toy, env={"TOY_DIE": "1"}, check=False)
    assert "began with other inputs or settings" in proc.stderr
    assert starts.read_text().splitlines() == ["?"], "changed settings: the stale work is wiped"
    (toy / "src.txt").write_text("other")
    run(toy, "--only", "copy")
    assert ran(run(toy)) == ["1 upper", "2 count"]
    assert starts.read_text().splitlines() == ["?"], "changed input: wiped again, then finished"
    assert not (toy / "exp/.stages/01_upper.started.json").exists()
    assert (toy / "work/count.txt").read_text() == str(len("OTHER?"))


def test_a_resumed_stage_drops_what_its_killed_run_left_half_written(toy: Path) -> None:
    """A killed pool worker can leave an atomic writer's temporary file in the in-place work."""
    run(toy, "--stop-stage", "0")
    assert run(toy, env={"TOY_DIE": "1"}, check=False).returncode == -signal.SIGKILL
    ckpt = toy / "work/ckpt"
    (ckpt / "deep").mkdir()
    partial = [ckpt / ".wer.tmp-10471", ckpt / "deep/.hyp.tmp", ckpt / ".model.tmp-7"]
    for path in partial[:2]:
        path.write_text("half")
    partial[2].mkdir()
    (ckpt / "kept.tmp-1").write_text("a finished file whose name only looks alike")
    assert ran(run(toy)) == ["1 upper", "2 count"]
    assert not any(path.exists() for path in partial)
    assert (ckpt / "kept.tmp-1").exists() and (ckpt / "starts.txt").read_text().splitlines() == ["!", "!"]


def test_a_file_written_into_an_earlier_stages_folder_does_not_rerun_its_readers(toy: Path) -> None:
    """Stage 2 reads stage 1's folder and writes a note into it (as stage 7 writes the model
    card into stage 5's model dir): that note must not make stage 2's input look changed."""
    text = (toy / "run.py").read_text()
    text = text.replace('ctx.output("count").write_text(str(n))',
                        'ctx.output("count").write_text(str(n)); ctx.output("note").write_text("n")')
    text = text.replace('n = len(ctx.input("b").read_text())', 'n = len((ctx.input("b") / "b.txt").read_text())')
    text = text.replace('inputs={"b": "work/b/b.txt"}, outputs={"count": "work/count.txt"}',
                        'inputs={"b": "work/b"}, outputs={"count": "work/count.txt", "note": "work/b/note.txt"}')
    (toy / "run.py").write_text(text)
    assert ran(run(toy)) == ["0 copy", "1 upper", "2 count"]
    assert (toy / "work/b/note.txt").is_file()
    assert ran(run(toy)) == []
    (toy / "work/b/b.txt").write_text("HELLO?")  # a file stage 1 owns still counts
    assert ran(run(toy)) == ["1 upper", "2 count"]


def test_list_help_and_unknown_options(toy: Path) -> None:
    assert run(toy, "--list").stdout.split() == ["0", "copy", "copy", "the", "source", "1", "upper",
                                                  "upper-case", "2", "count", "count"]
    assert "1  upper" in run(toy, "--help").stdout
    bad = run(toy, "--no-such-option", check=False)
    assert bad.returncode == 2 and "unrecognized arguments" in bad.stderr
    unknown = run(toy, "--only", "nope", check=False)
    assert unknown.returncode == 1 and "unknown stage(s) nope" in unknown.stderr


def test_second_run_stops_at_once_naming_the_holder(toy: Path) -> None:
    run(toy, "--stop-stage", "0")
    first = subprocess.Popen([sys.executable, str(toy / "run.py")], env={**os.environ, "TOY_SLEEP": "30"},
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 30
        while time.time() < deadline and not (toy / ".lock").read_text(errors="ignore").strip():
            time.sleep(0.1)
        second = run(toy, check=False)
        assert second.returncode == 1
        assert f"pid {first.pid}" in second.stderr and "already being run" in second.stderr
    finally:
        first.kill()
        first.wait()
    proc = run(toy)  # the killed holder's lock is stale: taken over
    assert "taking over a stale lock" in proc.stderr and f"pid {first.pid}" in proc.stderr
    assert json.loads((toy / "exp/.stages/02_count.json").read_text())["name"] == "count"


def test_ctrl_c_stops_cleanly_and_says_how_to_resume(toy: Path) -> None:
    run(toy, "--stop-stage", "0")
    proc = subprocess.Popen([sys.executable, str(toy / "run.py")], env={**os.environ, "TOY_SLEEP": "30"},
                            stderr=subprocess.PIPE, text=True, preexec_fn=sigint_as_at_a_terminal)
    deadline = time.time() + 30
    while time.time() < deadline and not (toy / "work/.b.partial/b.txt").exists():
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "interrupted" in err and "Re-run the same command to resume" in err and "Traceback" not in err
    assert not (toy / "work/b").exists() and not (toy / "work/.b.partial").exists()
    assert ran(run(toy)) == ["1 upper", "2 count"]

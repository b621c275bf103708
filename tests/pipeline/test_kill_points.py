"""kill_point: SIGKILL at the Nth call of a named point when CURRACH_KILL_AT asks, else nothing."""
from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

from tests.recipes.recipe_copy import REPO
from pipeline.kill_points import kill_point

SCRIPT = textwrap.dedent('''
    import sys
    sys.path.insert(0, {repo!r})
    from pipeline.kill_points import kill_point
    for n in range(1, 6):
        kill_point("other")
        print(n, flush=True)
        kill_point("step")
''')


def run(spec: str | None) -> subprocess.CompletedProcess:
    env = {"CURRACH_KILL_AT": spec} if spec is not None else {}
    return subprocess.run([sys.executable, "-c", SCRIPT.format(repo=str(REPO))], capture_output=True, text=True,
                          env=env, timeout=60)


def test_dies_at_the_nth_call_of_its_name() -> None:
    proc = run("step:3")
    assert proc.returncode == -signal.SIGKILL and proc.stdout.split() == ["1", "2", "3"]


def test_no_effect_without_the_variable_or_for_other_names(monkeypatch) -> None:
    for spec in (None, "", "elsewhere:1", "step", "step:x"):
        proc = run(spec)
        assert proc.returncode == 0 and proc.stdout.split() == ["1", "2", "3", "4", "5"], spec
    monkeypatch.delenv("CURRACH_KILL_AT", raising=False)
    kill_point("step")  # in-process: nothing happens

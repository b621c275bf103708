"""Interruption: every stage of both recipes SIGKILLed part-way, re-run, same final outputs.

Per recipe, one uninterrupted reference run and one chain of runs that die in stage 0, 1, ...
7 in turn (tests/hardening/interrupted_runs.py: the kill points of pipeline/kill_points.py fire
between utterances, lines, training steps, decodes and scores). The chain ends with outputs
byte-identical to the reference's, training included: a resumed run restores the RNG state
and data order from its checkpoint, so on CPU it reproduces the same weights bit for bit
(measured: model.safetensors identical, every logged loss and learning rate equal). In
ga_ie the newest checkpoint is also left cut short, as a crash while saving leaves it; it is
set aside and training resumes from the one before.
Also here: a full disk (a file-size limit) fails a stage with one clear line and keeps earlier
outputs; the workers of a killed run do not outlive it; a killed run's lock is free at once.
"""
from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.signals import sigint_as_at_a_terminal
from tests.hardening.interrupted_runs import (ARGS, REPO, STAGE_FILES, TAG, WORK, Runs, differences,
                                              reference_and_chain, trainer_state)

pytestmark = pytest.mark.slow

STAGE_NAMES = [name.split("_", 1)[1].split(".")[0] for name in STAGE_FILES]


def _cut_newest_checkpoint(stage: int, recipe: Path) -> None:
    """After the kill in training: checkpoint-2's weights half-written, as a crash while saving leaves them."""
    if stage == 5:
        weights = recipe / WORK / "checkpoint-2/model.safetensors"
        weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])


@pytest.fixture(scope="module")
def ga_ie(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    return reference_and_chain("ga_ie", tmp_path_factory.mktemp("ga_ie"), _cut_newest_checkpoint)


@pytest.fixture(scope="module")
def sg_en(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    return reference_and_chain("sg_en", tmp_path_factory.mktemp("sg_en"))


def _stages_run(stderr: str) -> list[int]:
    return [int(line.split("stage ")[1].split()[0]) for line in stderr.splitlines() if ": run," in line]


@pytest.mark.parametrize("stage", range(8))
@pytest.mark.parametrize("recipe", ["ga_ie", "sg_en"])
def test_stage_killed_part_way_then_resumed(request: pytest.FixtureRequest, recipe: str, stage: int) -> None:
    runs: Runs = request.getfixturevalue(recipe)
    kill = runs.kills[stage]
    assert kill.returncode == -signal.SIGKILL, kill.stderr[-3000:]
    assert f"stage {stage} {STAGE_NAMES[stage]}: run," in kill.stderr
    missing = [path for path, found in kill.existing.items() if not found]
    assert not missing, f"CURRACH_KILL_AT={kill.env} died before stage {stage} did part of its work: {missing}"
    assert kill.records == STAGE_FILES[:stage] + [f"{STAGE_FILES[stage]}.started"], \
        "only the stages before the killed one are recorded finished; the killed one as started"
    resumed = kill.resumed_stderr
    assert "taking over a stale lock" in resumed, "the killed run's lock must not block the re-run"
    assert _stages_run(resumed)[0] == stage and "Traceback" not in resumed
    assert f"stage {stage} {STAGE_NAMES[stage]}: done" in resumed


def test_data_prep_keeps_the_audio_converted_before_the_kill(ga_ie: Runs, sg_en: Runs) -> None:
    for runs in (ga_ie, sg_en):
        before = runs.kills[1].wav_mtimes
        assert len(before) > 10
        after = {path: Path(path).stat().st_mtime_ns for path in before}
        assert after == before, "wavs converted before the kill were written again"


def test_decode_reuses_the_logits_computed_before_the_kill(ga_ie: Runs, sg_en: Runs) -> None:
    for runs in (ga_ie, sg_en):
        assert "compute_logits" in runs.kills[6].resumed_stderr and "reusing it" in runs.kills[6].resumed_stderr


@pytest.mark.parametrize("recipe", ["ga_ie", "sg_en"])
def test_training_resumes_from_the_newest_complete_checkpoint(request: pytest.FixtureRequest, recipe: str) -> None:
    runs: Runs = request.getfixturevalue(recipe)
    resumed = runs.kills[5].resumed_stderr
    work = runs.chain / WORK
    if recipe == "ga_ie":  # checkpoint-2 was cut short after the kill
        assert "checkpoint-2 is incomplete" in resumed and (work / "incomplete-checkpoint-2").is_dir()
        assert f"resuming from {work}/checkpoint-1" in resumed
    else:
        assert f"resuming from {work}/checkpoint-2" in resumed
    state, reference = trainer_state(work), trainer_state(runs.reference / WORK)
    steps = [entry["step"] for entry in state["log_history"] if "loss" in entry]
    assert steps == [1, 2, 3, 4], "each step trained and logged once: none repeated, none skipped"
    assert state["global_step"] == reference["global_step"] == 4

    def by_step(history: list[dict], key: str) -> dict[int, float]:
        return {entry["step"]: entry[key] for entry in history if key in entry and "loss" in entry}

    for key in ("learning_rate", "loss", "grad_norm"):  # the schedule continues; the same updates
        assert by_step(state["log_history"], key) == by_step(reference["log_history"], key), key


@pytest.mark.parametrize("recipe", ["ga_ie", "sg_en"])
def test_final_outputs_equal_an_uninterrupted_run(request: pytest.FixtureRequest, recipe: str) -> None:
    runs: Runs = request.getfixturevalue(recipe)
    assert _stages_run(runs.final_stderr) == [7]
    found = differences(runs.reference, runs.chain)
    # Only the cut checkpoint, kept for inspection, is extra (in ga_ie).
    expected = sorted(str(p.relative_to(runs.chain)) for p in (runs.chain / WORK).glob("incomplete-checkpoint-*/**/*")
                      if p.is_file())
    assert found == expected
    model = runs.chain / f"exp/{TAG}/model"
    assert (model / "model.safetensors").is_file()
    assert not [p for p in runs.chain.rglob("*") if p.suffix in (".bin", ".pt") and "model" in p.name]


def test_disk_full_fails_with_one_clear_line_and_keeps_earlier_outputs(ga_ie: Runs, tmp_path: Path) -> None:
    recipe = _copy(ga_ie.chain, tmp_path, ignore=("exp", "corpus"))  # wav.scp names ../wavs/ relatively
    before = {p: p.read_bytes() for p in (recipe / "data").rglob("*") if p.is_file()}

    def small_files() -> None:  # in the child: writes past 8 KB fail with EFBIG instead of killing it
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    proc = subprocess.run([sys.executable, str(recipe / "run.py"), *ARGS, "--only", "manifest", "--force"],
                          capture_output=True, text=True, timeout=600, preexec_fn=small_files,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1, proc.stderr[-3000:]
    assert "stage 3 (manifest) failed writing" in errors[0] and "manifest.jsonl" in errors[0]
    assert "file-size limit" in errors[0] and "earlier stages are untouched" in errors[0]
    after = {p: p.read_bytes() for p in (recipe / "data").rglob("*") if p.is_file()}
    assert after == before, "a failed write must leave every earlier output as it was"
    assert not (recipe / "exp/.stages/03_manifest.json").exists()


def test_ctrl_c_in_data_prep_stops_cleanly_and_says_how_to_resume(ga_ie: Runs, tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group: the run and its audio workers."""
    recipe = _copy(ga_ie.chain, tmp_path, ignore=("exp", "wavs"))
    proc = subprocess.Popen([sys.executable, str(recipe / "run.py"), *ARGS, "--only", "data_prep", "--force"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"}, preexec_fn=sigint_as_at_a_terminal)
    deadline = time.time() + 300
    while time.time() < deadline and len(list((recipe / "data/wavs").rglob("*.wav"))) < 5:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-3000:]
    assert "Re-run the same command to resume" in err and "Traceback" not in err and "KeyboardInterrupt" not in err
    assert not (recipe / "data/.train.partial").exists() and (recipe / "data/train/wav.scp").is_file()


def _copy(chain: Path, root: Path, ignore: tuple[str, ...]) -> Path:
    """The recipe folder `chain` copied to root/recipes/ (without `ignore`d names), beside links to the code."""
    for shared in ("pipeline", "stages", "utils", "steps", "local", "tools"):
        (root / shared).symlink_to(REPO / shared)
    return Path(shutil.copytree(chain, root / "recipes" / chain.name, ignore=shutil.ignore_patterns(*ignore)))


WORKERS = textwrap.dedent('''
    import os, sys, time
    sys.path.insert(0, {repo!r})
    from pathlib import Path
    from pipeline.jobs import parallel_map
    from pipeline.lock import RecipeLock

    def work(item):  # the first chunks quickly, then long items a worker is busy with at the kill
        time.sleep(0.2 if item < 16 else 60)
        return os.getpid()

    with RecipeLock(Path({lock!r})):
        for pid in parallel_map(work, range(100), 2, "test"):
            print(pid, flush=True)
''')


TAKER = textwrap.dedent('''
    import sys
    sys.path.insert(0, {repo!r})
    from pathlib import Path
    from pipeline.lock import RecipeLock
    from utils.logs import setup_logging

    setup_logging()
    with RecipeLock(Path({lock!r})):
        print("taken")
''')


def test_killed_runs_leave_no_workers_and_no_lock(tmp_path: Path) -> None:
    """Pool workers share the parent's open files: they must die with it and not hold its lock."""
    script = tmp_path / "workers.py"
    script.write_text(WORKERS.format(repo=str(REPO), lock=str(tmp_path / ".lock")))
    env = {**os.environ, "CURRACH_KILL_AT": "parallel_map:12"}  # imap hands out 8 at a time
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == -signal.SIGKILL
    workers = {int(pid) for pid in proc.stdout.split()}
    assert len(workers) == 2
    taker = subprocess.run([sys.executable, "-c", TAKER.format(repo=str(REPO), lock=str(tmp_path / ".lock"))],
                           capture_output=True, text=True, timeout=60)
    assert taker.stdout.strip() == "taken" and "taking over a stale lock" in taker.stderr
    deadline = time.time() + 30
    while time.time() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)], "pool workers outlived their killed parent"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False

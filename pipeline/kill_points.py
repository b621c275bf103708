"""Deterministic crash points for the interruption tests: `kill_point(name)` at a work boundary.

With `CURRACH_KILL_AT=name:N` in the environment, the process SIGKILLs itself at the Nth call
of `kill_point(name)` (counted per process): a crash at an exact, repeatable place, between
two utterances or two training steps, as a power cut or an OOM killer would cause it. Without
the variable (every normal run) a call costs one dictionary look-up. Callers name their own
points: "parallel_map" (one per item of pipeline.jobs.parallel_map) here, and the steps'
"normalize_text", "make_manifest", "train_lm", "train_step", "decode_set" and "score".
"""
from __future__ import annotations

import os
import signal

ENV = "CURRACH_KILL_AT"
_calls: dict[str, int] = {}
_target: tuple[str, int] | None = None
_parsed_from: str | None = None


def kill_point(name: str) -> None:
    """SIGKILL this process if `CURRACH_KILL_AT` is `name:N` and this is the Nth call for `name`."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    target = _parse(spec)
    if target is None or target[0] != name:
        return
    _calls[name] = _calls.get(name, 0) + 1
    if _calls[name] >= target[1]:
        os.kill(os.getpid(), signal.SIGKILL)


def _parse(spec: str) -> tuple[str, int] | None:
    global _target, _parsed_from
    if spec != _parsed_from:
        name, _, count = spec.rpartition(":")
        _target = (name, int(count)) if name and count.isdigit() else None
        _parsed_from = spec
    return _target

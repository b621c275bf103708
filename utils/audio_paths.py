"""Audio paths in data dirs and manifests, stored relative to the file that names them.

A recipe's converted audio lives in data/wavs/<set>/, beside data/<set>/ (wav.scp) and its
manifest. Stored as `../wavs/<set>/<utt>.wav`, relative to the folder holding the file, the
data dir stays valid when the recipe folder is copied or moved (as ESPnet keeps its data dirs
relative to the recipe folder); readers turn such paths back into absolute ones. Audio that
lies elsewhere (a corpus on another disk, a test fixture) keeps its absolute path.
"""
from __future__ import annotations

import os
from pathlib import Path


def portable_path(path: str, folder: Path) -> str:
    """`path` relative to `folder` when it lies under `folder`'s parent; otherwise unchanged."""
    if not os.path.isabs(path):
        return path
    base = os.path.dirname(os.path.abspath(folder))
    if not os.path.abspath(path).startswith(base + os.sep):
        return path
    return os.path.relpath(path, os.path.abspath(folder))


def resolve_path(value: str, folder: Path) -> str:
    """A stored audio path as an absolute one (relative paths are relative to `folder`)."""
    if os.path.isabs(value):
        return value
    return os.path.normpath(os.path.join(os.path.abspath(folder), value))

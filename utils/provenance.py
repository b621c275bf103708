"""Where a result came from: code commit, config fingerprint, corpus, date.

Recorded by the score step into each score.json (so every RESULTS.md row carries its own),
not stamped on a whole RESULTS.md at generation time: systems scored at different commits or
with different configs sit side by side in one table.
"""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from utils.errors import InputError
from pipeline.stage_cli import code_version

PROVENANCE_KEYS = ("commit", "config", "config_fingerprint", "corpus", "date")


def collect_provenance(repo_dir: Path, config: Path | None, corpus: str | None) -> dict:
    """{commit, config, config_fingerprint, corpus, date}.

    commit: `git rev-parse --short HEAD` plus "-dirty" for uncommitted changes, "unknown"
    outside git. config_fingerprint: the first 12 hex digits of the config file's SHA-256.
    Raises InputError for an unreadable config.
    """
    out = {"commit": code_version(repo_dir), "corpus": corpus or "unknown", "date": date.today().isoformat()}
    if config is not None:
        try:
            digest = hashlib.sha256(config.read_bytes()).hexdigest()
        except OSError as exc:
            raise InputError(f"--config {config}: cannot read ({exc.strerror})") from exc
        out.update(config=str(config), config_fingerprint=digest[:12])
    return out

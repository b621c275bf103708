"""Content fingerprints of files, folders and settings, for deciding whether a stage is current.

A file's fingerprint is the SHA-256 of its bytes. Hashing is memoised in a JSON cache keyed
by (size, mtime_ns, inode) under the file's path relative to the recipe folder, so an
unchanged folder of 100k files costs one `stat` per file on a re-run. A folder's fingerprint hashes the sorted (relative path, file fingerprint) pairs of
everything under it, skipping hidden entries (our `.name.partial` staging areas, locks) and
not following symlinks (a symlink loop in an input folder cannot hang us).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

MISSING = "missing"


class FingerprintCache:
    """SHA-256 per file, remembered by (size, mtime_ns, inode) in a JSON file."""

    def __init__(self, cache_file: Path | None = None, root: Path | None = None):
        self.cache_file = cache_file
        self.root = os.path.abspath(root) if root is not None else None
        self._entries: dict[str, list[Any]] = {}
        self._dirty = False
        if cache_file is not None and cache_file.is_file():
            try:
                self._entries = json.loads(cache_file.read_text(encoding="utf-8"))
            except (ValueError, OSError):
                self._entries = {}  # a damaged cache only costs re-hashing

    def file(self, path: Path) -> str:
        st = path.stat()
        key = self._key(path)
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        hit = self._entries.get(key)
        if hit is not None and hit[:3] == stamp:
            return hit[3]
        digest = _sha256_file(path)
        self._entries[key] = stamp + [digest]
        self._dirty = True
        return digest

    def _key(self, path: Path) -> str:
        """Files under `root` are keyed relative to it, so a moved folder keeps its cache."""
        full = os.path.abspath(path)
        if self.root is not None and full.startswith(self.root + os.sep):
            return os.path.relpath(full, self.root)
        return full

    def path(self, path: Path, exclude: frozenset[Path] = frozenset()) -> str:
        """Fingerprint of a file or folder; the string "missing" when it does not exist.

        `exclude`: paths inside a folder to leave out (files that another stage owns).
        """
        if path.is_file():
            return self.file(path)
        if path.is_dir():
            return self._folder(path, exclude)
        return MISSING

    def _folder(self, folder: Path, exclude: frozenset[Path]) -> str:
        h = hashlib.sha256()
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames
                                 if not d.startswith(".") and Path(dirpath) / d not in exclude)
            for name in sorted(f for f in filenames if not f.startswith(".")):
                full = Path(dirpath) / name
                if full in exclude or not full.is_file():
                    continue  # dangling or looping symlink
                rel = full.relative_to(folder).as_posix()
                h.update(f"{rel}\0{self.file(full)}\n".encode())
        return "dir:" + h.hexdigest()

    def save(self) -> None:
        """Write the cache back (atomically) if anything was hashed."""
        if self.cache_file is None or not self._dirty:
            return
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.cache_file.with_name("." + self.cache_file.name + ".tmp")
        tmp.write_text(json.dumps(self._entries), encoding="utf-8")
        os.replace(tmp, self.cache_file)
        self._dirty = False


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def settings_fingerprint(settings: Any) -> str:
    """SHA-256 of a JSON-able value, key order independent."""
    blob = json.dumps(settings, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()

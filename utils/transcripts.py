"""Reading transcripts for scoring (Kaldi `utt-id text` or sclite `.trn`) and the normaliser.

Kaldi format: one `utt-id text` per line; a line holding only `utt-id` is an empty transcript.
sclite trn format: one `text (utt-id)` per line; `(utt-id)` alone is an empty transcript.
A file is read as trn when its name ends in `.trn`, or when every line ends in `(id)`.

Every transcript goes through the same `Normalizer`: Unicode NFC, the language's normaliser
(a module exposing `normalize(str) -> str`, loaded by name so steps never import local/), NFC
again, then whitespace splitting. NFC is applied whatever the normaliser, so a reference typed
with precomposed fadas (á) and a hypothesis with combining accents (a + U+0301) agree.
"""
from __future__ import annotations

import importlib
import re
import unicodedata
from pathlib import Path
from typing import Callable

from utils.errors import InputError
from utils.kaldi_files import read_kv
from utils.text_files import strip_bom

_TRN_LINE = re.compile(r"^(.*?)\s*\(([^()\s]+)\)\s*$")


class Normalizer:
    """Text -> tokens, the same on references and hypotheses; `name` goes into the report."""

    def __init__(self, module: str | None = None):
        self.name = module or "none"
        self._fn: Callable[[str], str] = _load(module) if module else (lambda text: text)

    def __call__(self, text: str) -> str:
        """Normalised text: NFC, the language normaliser, NFC, single spaces."""
        text = unicodedata.normalize("NFC", text)
        out = self._fn(text)
        if not isinstance(out, str):
            raise InputError(
                f"normaliser {self.name}: normalize() returned {type(out).__name__}, expected str"
            )
        return " ".join(unicodedata.normalize("NFC", out).split())

    @property
    def description(self) -> str:
        """What was applied, for the report header."""
        return f"{self.name} (with Unicode NFC before and after, whitespace collapsed)"


def _load(module: str) -> Callable[[str], str]:
    """Import `module` and return its `normalize` function."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise InputError(
            f"normaliser module {module!r} cannot be imported ({exc}); expected a module "
            "on the import path exposing normalize(str) -> str, e.g. local.normalizers.ga"
        ) from exc
    fn = getattr(mod, "normalize", None)
    if not callable(fn):
        raise InputError(f"normaliser module {module!r} has no function normalize(str) -> str")
    return fn


def read_transcripts(path: Path, producer: str | None = None) -> dict[str, str]:
    """Read a Kaldi-style or trn transcript file into {utt_id: raw text}, in file order.

    Raises InputError (file:line) for a missing or non-UTF-8 file, a malformed trn line or a
    repeated utterance id; `producer` (e.g. "the decode stage (6)") is named when the file is
    missing. Blank lines are skipped.
    """
    lines = _read_lines(path, producer)
    filled = [(no, line) for no, line in lines if line.strip()]
    as_trn = path.name.endswith(".trn") or (
        bool(filled) and all(_TRN_LINE.match(line) for _, line in filled)
    )
    out: dict[str, str] = {}
    for no, line in filled:
        if as_trn:
            match = _TRN_LINE.match(line)
            if match is None:
                raise InputError(f"{path}:{no}: expected sclite trn 'text (utt-id)', got {line!r}")
            text, utt = match.group(1), match.group(2)
        else:
            if line[0].isspace():
                raise InputError(f"{path}:{no}: line starts with whitespace, expected 'utt-id text'")
            parts = line.split(maxsplit=1)
            utt, text = parts[0], parts[1] if len(parts) > 1 else ""
        if utt in out:
            raise InputError(f"{path}:{no}: utterance id {utt!r} appears twice")
        out[utt] = text
    return out


def read_durations(path: Path) -> dict[str, float]:
    """Read utt2dur into {utt_id: seconds}; a value that is not a number is an InputError."""
    out: dict[str, float] = {}
    for utt, value in read_kv(path).items():
        try:
            out[utt] = float(value)
        except ValueError as exc:
            raise InputError(f"{path}: duration of {utt!r} is {value!r}, not a number") from exc
    return out


def _read_lines(path: Path, producer: str | None = None) -> list[tuple[int, str]]:
    """(1-based line number, text without the newline) for every line of a UTF-8 file (a BOM is dropped)."""
    try:
        raw = strip_bom(path.read_bytes())
    except FileNotFoundError as exc:
        made_by = f" (made by {producer})" if producer else ""
        raise InputError(f"{path}: file not found{made_by}") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    out = []
    for no, chunk in enumerate(raw.split(b"\n"), start=1):
        try:
            line = chunk.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}:{no}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
        out.append((no, line))
    if out and out[-1][1] == "":
        out.pop()
    return out

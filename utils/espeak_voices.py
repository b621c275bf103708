"""What espeak-ng can speak: its voices for a language code, from `espeak-ng --voices=LANG`.

The synthetic demo corpus (stage 0) speaks with `espeak-ng -v <corpus.lang>+<variant>`, so a
recipe's `corpus.lang` must be a language code espeak-ng lists (`cy`, `ga`, `en-gb`, ...).
"""
from __future__ import annotations

import difflib
import shutil
import subprocess
from dataclasses import dataclass

from utils.errors import CurrachError, InputError


@dataclass(frozen=True)
class Voice:
    language: str   # the code `-v` takes, e.g. "cy"
    name: str       # e.g. "Welsh"


def espeak_voices(lang: str | None = None) -> list[Voice]:
    """The voices `espeak-ng --voices[=LANG]` lists (all of them without `lang`).

    espeak-ng matches a language and its more specific codes (`en` lists `en-gb`, `en-us`).
    Raises CurrachError when espeak-ng is not installed or cannot list its voices.
    """
    if shutil.which("espeak-ng") is None:
        raise CurrachError("espeak-ng is not installed (or not on PATH): run `make setup`, "
                           "or `apt-get install espeak-ng`")
    command = ["espeak-ng", "--voices" + (f"={lang}" if lang else "")]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise CurrachError(f"`{' '.join(command)}` failed (exit {proc.returncode}): {proc.stderr.strip()}")
    voices = []
    for line in proc.stdout.splitlines()[1:]:  # the first line is the column header
        fields = line.split()
        if len(fields) >= 5:
            voices.append(Voice(fields[1], fields[3].replace("_", " ")))
    return voices


def check_espeak_voice(lang: str) -> Voice:
    """The voice espeak-ng uses for `lang`; InputError naming close codes when it has none."""
    if not lang or lang.startswith("-") or "+" in lang or any(ch.isspace() for ch in lang):
        raise InputError(f"{lang!r} is not an espeak-ng language code (like cy, ga, en-gb; "
                         f"no +variant): `espeak-ng --voices` lists them")
    voices = espeak_voices(lang)
    if not voices:
        codes = sorted({v.language for v in espeak_voices()})
        close = difflib.get_close_matches(lang.lower(), codes, n=5, cutoff=0.5)
        hint = f" (close: {', '.join(close)})" if close else ""
        raise InputError(f"espeak-ng has no voice for language {lang!r}{hint}; "
                         f"`espeak-ng --voices` lists the {len(codes)} it has")
    exact = [v for v in voices if v.language == lang.lower()]
    return (exact or voices)[0]

"""Read ARPA n-gram files (plain or .gz): the unigram list, and a lowercased copy.

ARPA layout: a `\\data\\` header with `ngram N=count` lines, then one `\\N-grams:` section per
order whose lines are `logprob<TAB>w1 w2 ...[<TAB>backoff]`, then `\\end\\`.
Only the header and the 1-gram section are read for unigrams, so even a large LM is quick.
"""
from __future__ import annotations

import gzip
import io
import os
from pathlib import Path
from typing import IO, Iterator

from utils.errors import InputError

SPECIAL_WORDS = ("<s>", "</s>", "<unk>")


def open_arpa(path: Path) -> IO[str]:
    """Open an ARPA file for reading as UTF-8 text, gunzipping `*.gz`."""
    if not path.is_file():
        raise InputError(f"{path}: ARPA file not found (made by train_lm, stage 4)")
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return path.open(encoding="utf-8")


def _unigram_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line number, line) for each entry of the 1-gram section."""
    in_unigrams = False
    with open_arpa(path) as handle:
        for number, line in enumerate(handle, start=1):
            stripped = line.strip()
            if stripped == "\\1-grams:":
                in_unigrams = True
            elif in_unigrams and (stripped.startswith("\\") or not stripped):
                return
            elif in_unigrams:
                yield number, stripped
    if not in_unigrams:
        raise InputError(f"{path}: no \\1-grams: section; not an ARPA file?")


def read_arpa_unigrams(path: Path) -> list[str]:
    """All words of the 1-gram section, specials (<s>, </s>, <unk>) included, in file order.

    Raises InputError naming the file and line for a malformed entry or a missing section.
    """
    words: list[str] = []
    try:
        for number, line in _unigram_lines(path):
            fields = line.split("\t") if "\t" in line else line.split()
            if len(fields) < 2:
                raise InputError(f"{path} line {number}: expected 'logprob<TAB>word', got {line!r}")
            words.append(fields[1].strip())
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not valid UTF-8 ({err.reason})") from err
    return words


def copy_arpa(source: Path, target: Path, lowercase: bool = True) -> Path:
    """Copy `source` (plain or .gz ARPA) to `target` (plain), lowercased if asked, atomically.

    Words that differ only in case would become duplicate n-grams, which KenLM rejects, so a
    1-gram section that collides after lowercasing raises InputError listing examples.
    """
    seen: set[str] = set()
    clashes: list[str] = []
    section = ""
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open_arpa(source) as reader, tmp.open("w", encoding="utf-8") as writer:
        for line in reader:
            lowered = line.lower() if lowercase else line
            if line.startswith("\\"):
                section = line.strip()
            elif section == "\\1-grams:" and lowered.strip():
                word = lowered.split("\t")[1].strip() if "\t" in lowered else lowered.split()[1]
                if word in seen and len(clashes) < 10:
                    clashes.append(word)
                seen.add(word)
            writer.write(lowered)
    if clashes:
        tmp.unlink()
        raise InputError(f"{source}: words differing only in case ({', '.join(clashes)}); "
                         f"lowercasing would duplicate n-grams. Lowercase its training text instead.")
    os.replace(tmp, target)
    return target

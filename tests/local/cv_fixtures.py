"""Common Voice folders written from the release format, not by the code under test.

The column lists are those of real releases' TSVs: `COLUMNS_RECENT` is the header of
validated.tsv/train.tsv in Common Voice 17-18 (e.g. cv-corpus-18.0-2024-06-14); `COLUMNS_OLD`
that of early releases (as the `common_voice` 6.1 loading script of Hugging Face datasets lists
them). `clip_durations.tsv` (recent releases) has the header `clip<TAB>duration[ms]`.
The audio is borrowed from the session's synthetic corpus (any mp3 will do).
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

COLUMNS_RECENT = ["client_id", "path", "sentence_id", "sentence", "sentence_domain", "up_votes", "down_votes",
                  "age", "gender", "accents", "variant", "locale", "segment"]
COLUMNS_OLD = ["client_id", "path", "sentence", "up_votes", "down_votes", "age", "gender", "accent", "locale",
               "segment"]
CLIENT = {name: name * 64 for name in "abcdef"}  # client_id: 128 hex digits in real releases


def borrow_clips(source_corpus: Path, corpus: Path, count: int) -> list[str]:
    """Copy the first `count` mp3s of `source_corpus/clips` into `corpus/clips`; their names."""
    names = sorted(p.name for p in (source_corpus / "clips").glob("*.mp3"))[:count]
    (corpus / "clips").mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(source_corpus / "clips" / name, corpus / "clips" / name)
    return names


def write_tsv(path: Path, rows: list[dict[str, str]], columns: list[str] = COLUMNS_RECENT,
              bom: bool = False, newline: str = "\n") -> Path:
    """A Common Voice TSV: header, then one row per dict (missing columns empty)."""
    lines = ["\t".join(columns)] + ["\t".join(row.get(c, "") for c in columns) for row in rows]
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + newline.join(lines).encode("utf-8") + newline.encode())
    return path


def row(client: str, path: str, sentence: str, locale: str = "ga-IE") -> dict[str, str]:
    """One TSV row as a release fills it (votes, demographics, locale)."""
    return {"client_id": CLIENT[client], "path": path, "sentence": sentence, "up_votes": "2", "down_votes": "0",
            "age": "twenties", "gender": "", "locale": locale, "sentence_id": hashlib.sha256(sentence.encode()).hexdigest(),
            "sentence_domain": "", "accents": "", "variant": "", "segment": ""}


def write_release(source_corpus: Path, corpus: Path) -> list[str]:
    """A release of 9 clips: train.tsv (2 rows), dev.tsv and test.tsv (1 each), and validated.tsv
    holding every one of them plus 5 more (2 kept by `--train-set validated`; one by a dev
    speaker, two speaking the dev or test sentence typed differently). Returns the clip names."""
    c = borrow_clips(source_corpus, corpus, 9)
    dev = [row("c", c[0], "Rugadh í i nÉirinn.")]
    test = [row("d", c[1], "An bhfuil tú tuirseach?")]
    train = [row("a", c[2], "Tá an aimsir go breá inniu."), row("a", c[3], "Tá an t-uisce fuar.")]
    extra = [
        row("b", c[4], "Is maith liom tae agus arán."),          # kept: a new speaker and sentence
        row("c", c[5], "Beidh an cluiche ar siúl amárach."),     # a dev speaker
        row("b", c[6], "an BHFUIL tú   tuirseach"),              # the test sentence, typed differently
        row("e", c[7], "Rugadh\u200b í i nÉirinn!"),             # the dev sentence, with a zero-width space
        row("e", c[8], "Tá na hoileáin go hálainn."),            # kept
    ]
    write_tsv(corpus / "dev.tsv", dev)
    write_tsv(corpus / "test.tsv", test)
    write_tsv(corpus / "train.tsv", train)
    write_tsv(corpus / "validated.tsv", dev + test + train + extra)
    return c

"""An LM dir (made by train_lm): its file names, and checks that it fits a CTC model's labels.

Files: lm.arpa (ARPA), lm.bin (KenLM binary, what decoding loads), unigrams.txt (one word per
line).

pyctcdecode only warns when the LM and the labels disagree and then decodes badly; these
checks turn each mismatch into an error that says what is wrong and how to fix it:
  - lm.bin / lm.arpa and a non-empty unigrams.txt exist;
  - the ARPA has </s> (else sentence ends are unscored);
  - the LM's casing matches the vocabulary's (an uppercase LM, such as LibriSpeech's, with
    a lowercase vocabulary never matches a word);
  - the LM's words are spelled with the model's characters (at most `max_oov_share` of them
    may use a character the model cannot emit; those are only warned about).
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from utils.arpa import read_arpa_unigrams
from utils.errors import InputError

ARPA_FILE = "lm.arpa"
BINARY_FILE = "lm.bin"
UNIGRAMS_FILE = "unigrams.txt"
LM_PRODUCER = "train_lm (stage 4)"

logger = logging.getLogger(__name__)


@dataclass
class LmFiles:
    """A checked LM: the file pyctcdecode should load and the deduplicated unigram list."""

    model_path: Path
    unigrams: list[str]


def label_characters(labels: list[str], blank: str) -> set[str]:
    """Characters a CTC model can write: single-character labels other than the blank and "|"."""
    return {label for label in labels if len(label) == 1 and label not in (blank, "|")}


def check_lm_dir(lm_dir: Path, labels: list[str], blank: str, max_oov_share: float = 0.05) -> LmFiles:
    """Validate `lm_dir` against the model's labels; return the LM file and unigrams to use.

    Raises InputError for missing files, an ARPA without </s>, an empty unigram list, a casing
    mismatch, or more than `max_oov_share` of the words using characters the labels lack.
    """
    binary, arpa = lm_dir / BINARY_FILE, lm_dir / ARPA_FILE
    model_path = binary if binary.is_file() else arpa
    if not model_path.is_file():
        raise InputError(f"{lm_dir}: neither {BINARY_FILE} nor {ARPA_FILE} found "
                         f"(made by {LM_PRODUCER})")
    if arpa.is_file():
        check_end_of_sentence(arpa)
    unigrams = read_unigrams(lm_dir / UNIGRAMS_FILE)
    chars = label_characters(labels, blank)
    check_casing(unigrams, chars, lm_dir)
    check_coverage(unigrams, chars, lm_dir, max_oov_share)
    return LmFiles(model_path, unigrams)


def read_unigrams(path: Path) -> list[str]:
    """Words of unigrams.txt, deduplicated in file order (pyctcdecode wants no repeats)."""
    if not path.is_file():
        raise InputError(f"{path}: not found (made by {LM_PRODUCER})")
    words = list(dict.fromkeys(word for word in path.read_text(encoding="utf-8-sig").split()))
    if not words:
        raise InputError(f"{path}: empty unigram list; the LM was trained on no words? "
                         f"(made by {LM_PRODUCER})")
    return words


def check_end_of_sentence(arpa: Path) -> None:
    """Raise InputError if the ARPA's 1-grams lack </s>."""
    if "</s>" not in read_arpa_unigrams(arpa):
        raise InputError(f"{arpa}: no </s> among the 1-grams, so sentence ends cannot be scored; "
                         f"rebuild it with train_lm ({LM_PRODUCER})")


def check_casing(unigrams: list[str], chars: set[str], lm_dir: Path) -> None:
    """Raise InputError when the LM is mostly one case and the labels have only the other."""
    letters = [word for word in unigrams if any(c.isalpha() for c in word)]
    if not letters:
        return
    upper = sum(word == word.upper() and word != word.lower() for word in letters) / len(letters)
    lower = sum(word == word.lower() and word != word.upper() for word in letters) / len(letters)
    vocab_upper = any(c.isupper() for c in chars)
    vocab_lower = any(c.islower() for c in chars)
    if upper > 0.5 and vocab_lower and not vocab_upper:
        raise InputError(f"{lm_dir}: {upper:.0%} of the LM's words are UPPERCASE but the model's "
                         f"vocabulary is lowercase; rebuild it with `train_lm --lm-arpa ...` "
                         f"(lowercases) or from lowercased text")
    if lower > 0.5 and vocab_upper and not vocab_lower:
        raise InputError(f"{lm_dir}: {lower:.0%} of the LM's words are lowercase but the model's "
                         f"vocabulary is UPPERCASE; build the LM from text normalised like the "
                         f"training text")


def check_coverage(unigrams: list[str], chars: set[str], lm_dir: Path, max_oov_share: float) -> None:
    """Raise InputError when too many LM words use characters the model cannot emit; else warn."""
    missing: Counter[str] = Counter()
    examples: dict[str, str] = {}
    bad_words = 0
    for word in unigrams:
        outside = set(word) - chars
        bad_words += bool(outside)
        for char in outside:
            missing[char] += 1
            examples.setdefault(char, word)
    if not bad_words:
        return
    share = bad_words / len(unigrams)
    detail = ", ".join(f"{char!r} (U+{ord(char):04X}) in {count} words, e.g. {examples[char]!r}"
                       for char, count in missing.most_common(10))
    message = (f"{lm_dir}: {bad_words} of {len(unigrams)} LM words ({share:.1%}) use characters "
               f"the model's vocabulary lacks: {detail}")
    if share > max_oov_share:
        raise InputError(f"{message}; normalise the LM text like the training text "
                         f"(at most {max_oov_share:.0%} allowed)")
    logger.warning("%s; those words can never be produced", message)

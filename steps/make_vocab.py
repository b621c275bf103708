"""make_vocab: the CTC character vocabulary (`vocab.json`) from the training text only.

    python -m steps make_vocab data/train/text data/lang --extra-text data/dev/text

Writes:
  OUT_DIR/vocab.json     {symbol: id}: the training characters in code-point order, with the
                         space written as "|" (the word delimiter), then "[UNK]", then "[PAD]"
                         (the CTC blank and pad token). Loads with
                         Wav2Vec2CTCTokenizer(path, unk_token="[UNK]", pad_token="[PAD]",
                         word_delimiter_token="|", bos_token=None, eos_token=None).
  OUT_DIR/oov_chars.tsv  char, codepoint, count, example utt id, file: characters of the
                         extra texts (dev, test) that the vocabulary lacks; header only if none.
Extra texts are checked, never added: a vocabulary taken from test text would leak it.
"""
from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Annotated, Sequence

import typer

from utils.errors import CurrachError, InputError
from utils.format_chars import format_chars_in
from utils.text_files import atomic_write_json, atomic_write_text, read_kaldi_text

WORD_DELIMITER = "|"
UNK_TOKEN = "[UNK]"
PAD_TOKEN = "[PAD]"
VOCAB_FILE = "vocab.json"
OOV_FILE = "oov_chars.tsv"

logger = logging.getLogger(__name__)


def make_vocab(train_text: Path, out_dir: Path, extra_texts: Sequence[Path] = ()) -> Path:
    """Write OUT_DIR/vocab.json from the characters of `train_text` (Kaldi text); return its path.

    `extra_texts` are only checked: their characters missing from the vocabulary go to
    OUT_DIR/oov_chars.tsv with a warning. Raises InputError for a missing or empty train text.
    """
    train = read_kaldi_text(train_text)
    chars = {char for text in train.values() for word in text.split() for char in word}
    if not chars:
        raise InputError(f"{train_text}: no characters in any transcript; "
                         f"is the text normalization stage (2) output empty?")
    clash = chars & {WORD_DELIMITER}
    if clash:
        raise InputError(f"{train_text}: transcripts contain the word delimiter {WORD_DELIMITER!r}; "
                         f"the normaliser must remove it")
    invisible = format_chars_in("".join(sorted(chars)))
    if invisible:  # a language may need ZWNJ/ZWJ; anything else is a normaliser that forgot utils.format_chars
        logger.warning("make_vocab: %s holds invisible format character(s) %s; unless the language spells "
                       "with them, its normaliser should call utils.format_chars.remove_format_chars",
                       train_text, ", ".join(f"U+{ord(ch):04X}" for ch in invisible))
    symbols = [*sorted(chars), WORD_DELIMITER, UNK_TOKEN, PAD_TOKEN]
    vocab = {symbol: index for index, symbol in enumerate(symbols)}
    vocab_path = atomic_write_json(out_dir / VOCAB_FILE, vocab, sort_keys=False)
    _write_oov_report(chars, extra_texts, out_dir / OOV_FILE)
    logger.info("make_vocab: wrote %s (%d symbols, %d characters from %s)",
                vocab_path, len(vocab), len(chars), train_text)
    return vocab_path


def _write_oov_report(chars: set[str], extra_texts: Sequence[Path], out_file: Path) -> Path:
    counts: Counter[tuple[str, Path]] = Counter()
    examples: dict[tuple[str, Path], str] = {}
    for path in extra_texts:
        for utt_id, text in read_kaldi_text(path).items():
            for char in text.replace(" ", ""):
                if char not in chars:
                    counts[(char, path)] += 1
                    examples.setdefault((char, path), utt_id)
    rows = ["char\tcodepoint\tcount\texample_utt\tfile"]
    for (char, path), count in sorted(counts.items(), key=lambda item: (-item[1], item[0][0])):
        rows.append(f"{char}\tU+{ord(char):04X}\t{count}\t{examples[(char, path)]}\t{path}")
    atomic_write_text(out_file, "\n".join(rows) + "\n")
    if counts:
        shown = ", ".join(f"{char!r} x{count}" for (char, _), count in counts.most_common(8))
        logger.warning("make_vocab: %d character(s) in %s are not in the training vocabulary "
                       "(%s); see %s", len({char for char, _ in counts}),
                       ", ".join(str(path) for path in extra_texts), shown, out_file)
    return out_file


def main(
    train_text: Annotated[Path, typer.Argument(help="Kaldi text of the TRAIN set (data/train/text)")],
    out_dir: Annotated[Path, typer.Argument(help="output folder, e.g. data/lang")],
    extra_text: Annotated[list[Path], typer.Option(
        "--extra-text", help="a dev/test text to check for characters the vocab lacks (repeatable)",
    )] = [],  # noqa: B006 - Typer needs a literal default for a repeatable option
) -> None:
    """Build vocab.json (characters of the train text, "|", [UNK], [PAD]) and oov_chars.tsv.

    Example: python -m steps make_vocab data/train/text data/lang --extra-text data/dev/text
    """
    logger.info("make_vocab %s %s extra_texts=%s", train_text, out_dir, [str(p) for p in extra_text])
    try:
        make_vocab(train_text, out_dir, extra_text)
    except CurrachError as err:
        logger.error("%s", err)
        raise typer.Exit(1) from err

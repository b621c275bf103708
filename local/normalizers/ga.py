"""Irish (Gaeilge) text normaliser: one pure ``str -> str`` function.

Applied once to transcripts at data prep and again, the same function, to
hypotheses at scoring, so references and outputs are compared like for like.
The rules, in order:

1. Unicode NFC, so a fada is one code point whatever the source typed; invisible format
   characters (zero-width space, soft hyphen, byte-order mark: Unicode category Cf) are
   removed (``utils.format_chars``).
2. Punctuation, after the 2021 notebook this recipe grew out of: the characters
   ``, ? . ! ; : " “ ” ‘ % ( ) *`` are removed. The dashes ``–`` (en) and ``—``
   (em) become a space, which is the notebook's removal when they stand between
   spaces and keeps ``lá—agus`` two words when they do not. A hyphen is kept
   inside a word (``t-uisce``, ``n-athair``, ``an-mhaith``); a hyphen standing
   alone between spaces is removed.
3. Apostrophes: ``’`` and ASCII ``'`` are the same mark. One at the end of a word
   (before a space or the end of the text) is dropped; the rest become ASCII
   ``'`` (``d’ól`` -> ``d'ól``, ``b’fhéidir`` -> ``b'fhéidir``).
4. Irish lowercasing: a word starting with ``n`` or ``t`` directly before a
   capital vowel is a prefixed form, and lowercase Irish writes it with a hyphen
   (``nÉirinn`` -> ``n-éirinn``, ``tUachtarán`` -> ``t-uachtarán``). ``h`` before
   a vowel takes no hyphen (``hÉireann`` -> ``héireann``), nor does eclipsis
   before a consonant (``gCorcaigh`` -> ``gcorcaigh``, ``bhFear`` -> ``bhfear``)
   or ``tS`` (``tSráid`` -> ``tsráid``). Everything else is lowercased normally.
5. Whitespace runs become one space; the result is stripped.

The function is idempotent: ``normalize(normalize(x)) == normalize(x)``.
"""

import re
import unicodedata

from utils.format_chars import remove_format_chars

__all__ = ["normalize"]

_REMOVED = ",?.!;:\"“”‘%()*"
_DASHES = "–—"
_PUNCTUATION_TABLE = str.maketrans(_DASHES, " " * len(_DASHES), _REMOVED)
_APOSTROPHES = str.maketrans({"’": "'"})
# n/t + capital vowel at the start of a word: the t-/n- prefix written without a
# hyphen because the noun itself is capitalised (an tUachtarán, i nÉirinn).
_PREFIX_BEFORE_CAPITAL_VOWEL = re.compile(r"^([nt])(?=[AEIOUÁÉÍÓÚ])")


def normalize(text: str) -> str:
    """Return ``text`` normalised for Irish ASR targets and scoring.

    Output is lowercase words separated by single spaces, keeping letters,
    in-word hyphens and in-word ASCII apostrophes. Never raises on any ``str``.
    """
    text = unicodedata.normalize("NFC", remove_format_chars(text))
    text = text.translate(_PUNCTUATION_TABLE).translate(_APOSTROPHES)
    words = []
    for token in text.split():
        token = token.rstrip("'")
        if not token.strip("-'"):
            # A lone hyphen (a dash typed as "-") or a bare apostrophe: not a word.
            continue
        words.append(_lower_irish(token))
    return unicodedata.normalize("NFC", " ".join(words))


def _lower_irish(word: str) -> str:
    """Lowercase one word, hyphenating an n/t prefix that precedes a capital vowel."""
    return _PREFIX_BEFORE_CAPITAL_VOWEL.sub(r"\1-", word).lower()

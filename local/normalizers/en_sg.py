"""Singapore English text normaliser: one pure ``str -> str`` function.

Applied once to transcripts at data prep and again, the same function, to hypotheses
at scoring. The output holds only ``a-z``, the apostrophe and single spaces. The
rules, in order:

1. Invisible format characters (zero-width space, soft hyphen, byte-order mark: Unicode
   category Cf) are removed, not turned into spaces (``utils.format_chars``). Unicode NFC;
   typographic apostrophes (’ ‘ ` ´) become ASCII ``'``; compatibility forms and accents are folded (``café`` -> ``cafe``, full-width ``１２`` -> ``12``).
2. National Speech Corpus (NSC) annotations:

   - non-speech tags in angle brackets are dropped: ``<FIL/>``, ``<SPK/>``, ``<NON/>``,
     ``<STA/>``, ``<NPS/>``, ``<S>``, ``<Z>`` and the unintelligible-word mark ``<UNK>``
     (an a-z model has no symbol for "something unclear", so it is not a target);
   - paralinguistic codes ``(ppb)`` breath, ``(ppc)`` cough, ``(ppl)`` laugh and
     ``(ppo)`` other are dropped;
   - bracketed discourse particles and fillers keep their word: ``[ah]`` -> ``ah``,
     ``[lah]`` -> ``lah``, ``(um)`` -> ``um``; plain fillers ``er``, ``uh``, ``um`` stay
     words too, because they are spoken and a recogniser should write what it hears;
   - ``**`` and ``#`` markers (around other-language or marked words) and ``!`` around
     interjections are removed; the word inside is kept;
   - a word holding ``~`` (incomplete word) or starting or ending with ``-`` (cut word,
     ``tamp-``) is dropped whole: it is a fragment, not a word of the language.
3. Numbers are written out, British style as Singapore English writes them:
   ``$5`` -> ``five dollars`` (``S$`` too; ``$5.50`` -> ``five dollars fifty cents``),
   ``2 pm`` / ``2pm`` / ``2 p.m.`` -> ``two pm``, ``10.30 am`` / ``10:30 am`` -> ``ten thirty
   am`` (minutes ``05`` -> ``oh five``, ``00`` dropped before am/pm, ``10:00`` alone -> ``ten
   o'clock``), ``12th`` -> ``twelfth``, ``50%`` -> ``fifty percent``, ``3.5`` -> ``three point
   five``, ``1,500`` -> ``one thousand five hundred``. A bare four-digit number from 1900 to
   2099 is read as a year (``2024`` -> ``twenty twenty four``, ``2005`` -> ``two thousand and
   five``, ``1965`` -> ``nineteen sixty five``); other integers below 10**12 as cardinals with
   British "and" (``105`` -> ``one hundred and five``); longer digit runs and runs with a
   leading zero digit by digit (``007`` -> ``zero zero seven``). A dot between digits that is
   not a time before am/pm is a decimal point.
4. Lowercase; ``&`` -> ``and``.
5. Hyphens, underscores and slashes inside words split them (``e-mail`` -> ``e mail``); a
   dot between letters is deleted (``U.S.`` -> ``us``); every other character outside a-z and
   the apostrophe is removed (a letter from another script included).
6. An apostrophe is kept only between two letters (``don't``, ``it's``, ``singapore's``,
   ``o'clock``); leading and trailing ones go (``students'`` -> ``students``).
7. Whitespace runs become one space; the result is stripped.

The function is idempotent: ``normalize(normalize(x)) == normalize(x)``, and never raises
on any ``str``.
"""

import re
import unicodedata

from utils.format_chars import remove_format_chars

__all__ = ["normalize"]

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_ORDINAL_IRREGULAR = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                      "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_TAG = re.compile(r"<\s*/?\s*[A-Za-z]+\s*/?\s*>")
_PARALINGUISTIC = re.compile(r"\(\s*pp[a-z]\s*\)", re.IGNORECASE)
_MARKERS = re.compile(r"[\[\](){}*#!]")
_EDGE_PUNCT = ".,?!;:\"'"
_OCLOCK = "o'clock"

_AMPM = r"([ap])\.?\s?m\b\.?"
_TIME_AMPM = re.compile(r"(?<![\w.:])(\d{1,2})(?:[.:](\d{2}))?\s*" + _AMPM, re.IGNORECASE)
_TIME_COLON = re.compile(r"(?<![\w.:])(\d{1,2}):(\d{2})(?![\d:])")
_MONEY = re.compile(r"(?<![\w$])S?\$\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?(?!\d)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?%")
_ORDINAL = re.compile(r"(?<![\d.])(\d+)(st|nd|rd|th)\b", re.IGNORECASE)
_DECIMAL = re.compile(r"(?<![\d.])(\d+)\.(\d+)(?![\d.])")
_GROUPED = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+)(?![\d,]*\d)")
_DIGITS = re.compile(r"\d+")


def normalize(text: str) -> str:
    """Return ``text`` normalised for Singapore English ASR targets and scoring.

    Output is lowercase a-z words (in-word apostrophes kept) separated by single spaces.
    """
    text = _fold_to_ascii(unicodedata.normalize("NFC", remove_format_chars(text)).translate(_APOSTROPHES))
    text = _verbalize_numbers(_drop_annotations(text))
    text = text.lower().replace("&", " and ")
    text = re.sub(r"(?<=[a-z])\.(?=[a-z])", "", text)
    text = re.sub(r"[^a-z']+", " ", text)
    text = re.sub(r"(?<![a-z])'+|'+(?![a-z])", " ", text)
    return " ".join(text.split())


def _drop_annotations(text: str) -> str:
    """Remove NSC tags and markers; drop incomplete (~) and cut (-) word fragments."""
    text = _MARKERS.sub(" ", _PARALINGUISTIC.sub(" ", _TAG.sub(" ", text)))
    return " ".join(token for token in text.split() if not _is_fragment(token.strip(_EDGE_PUNCT)))


def _is_fragment(core: str) -> bool:
    """True for "tamp~", "tamp-", "-pines" and a lone dash; False for "e-mail" or "10-15"."""
    if "~" in core or not core.strip("-"):
        return True
    return core.startswith("-") or core.endswith("-")


def _fold_to_ascii(text: str) -> str:
    """é -> e: decompose and drop combining marks."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _verbalize_numbers(text: str) -> str:
    """Write money, times, percentages, ordinals, decimals, years and integers as words."""
    text = _MONEY.sub(_money, text)
    text = _TIME_AMPM.sub(_time_ampm, text)
    text = _TIME_COLON.sub(_time_colon, text)
    text = _PERCENT.sub(lambda m: f" {_number(m.group(1))} percent ", text)
    text = _ORDINAL.sub(lambda m: f" {_ordinal(int(m.group(1)))} ", text)
    text = _DECIMAL.sub(lambda m: f" {_number(m.group(0))} ", text)
    text = _GROUPED.sub(lambda m: f" {_cardinal(int(m.group(1).replace(',', '')))} ", text)
    return _DIGITS.sub(lambda m: f" {_integer(m.group(0))} ", text)


def _money(match: re.Match) -> str:
    dollars, cents = int(match.group(1).replace(",", "")), int(match.group(2) or 0)
    parts = []
    if dollars or not cents:
        parts.append(f"{_cardinal(dollars)} dollar{'' if dollars == 1 else 's'}")
    if cents:
        parts.append(f"{_cardinal(cents)} cent{'' if cents == 1 else 's'}")
    return f" {' '.join(parts)} "


def _minutes(minutes: int) -> str:
    return f"oh {_ONES[minutes]}" if minutes < 10 else _cardinal(minutes)


def _time_ampm(match: re.Match) -> str:
    hour, minutes, half = int(match.group(1)), int(match.group(2) or 0), match.group(3).lower()
    spoken = _cardinal(hour) + (f" {_minutes(minutes)}" if minutes else "")
    return f" {spoken} {half}m "


def _time_colon(match: re.Match) -> str:
    hour, minutes = int(match.group(1)), int(match.group(2))
    return f" {_cardinal(hour)} {_minutes(minutes) if minutes else _OCLOCK} "


def _number(text: str) -> str:
    """An integer or decimal as words: "3.05" -> "three point zero five"."""
    whole, _, fraction = text.partition(".")
    words = _integer(whole)
    if fraction:
        words += " point " + " ".join(_ONES[int(d)] for d in fraction)
    return words


def _integer(digits: str) -> str:
    """A digit run as words: a year, a cardinal, or digit by digit (leading zero, very long)."""
    if (len(digits) > 1 and digits.startswith("0")) or len(digits) > 12:
        return " ".join(_ONES[int(d)] for d in digits)
    value = int(digits)
    if len(digits) == 4 and 1900 <= value <= 2099:
        return _year(value)
    return _cardinal(value)


def _year(value: int) -> str:
    century, rest = divmod(value, 100)
    if 2000 <= value <= 2009:
        return _cardinal(value)
    if rest == 0:
        return f"{_cardinal(century)} hundred"
    return f"{_cardinal(century)} {_minutes(rest)}"


def _below_thousand(value: int) -> str:
    hundreds, rest = divmod(value, 100)
    if rest < 20:
        tail = _ONES[rest] if rest else ""
    else:
        tens, ones = divmod(rest, 10)
        tail = _TENS[tens] + (f" {_ONES[ones]}" if ones else "")
    if not hundreds:
        return tail
    return f"{_ONES[hundreds]} hundred" + (f" and {tail}" if tail else "")


def _cardinal(value: int) -> str:
    """0 <= value < 10**12 as British English words: 2005 -> "two thousand and five"."""
    if value == 0:
        return "zero"
    words = []
    for scale, name in _SCALES:
        count, value = divmod(value, scale)
        if count:
            words.append(f"{_below_thousand(count)} {name}")
    if value:
        words.append(("and " if words and value < 100 else "") + _below_thousand(value))
    return " ".join(words)


def _ordinal(value: int) -> str:
    """12 -> "twelfth", 21 -> "twenty first", 100 -> "one hundredth"."""
    *head, last = _cardinal(value).split()
    if last in _ORDINAL_IRREGULAR:
        last = _ORDINAL_IRREGULAR[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return " ".join([*head, last])

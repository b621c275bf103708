"""English telephone-prompt (IVR) text normaliser: one pure ``str -> str`` function.

Written for the Asterisk core sound prompts (local/asterisk_prompts.py), which read like
"Please press 1 to mute, * to cancel, or # when done. Visit www.asterisk.org." The rules here
are only those the prompts need beyond Singapore English's; the rest (Unicode and apostrophe
folding, decimals, percentages, money, ordinals, lowercase, hyphens and punctuation, in-word
apostrophes, spacing) is ``local.normalizers.en_sg.normalize``, applied last, so both
languages share one implementation of each rule. In order:

1. Annotations in square brackets or parentheses are dropped (``at [@]`` -> ``at``,
   ``IAX (note: does not say "2")`` -> ``iax``): they describe the recording, not its words.
2. Telephone keys are said as their names: ``#`` -> ``pound``, ``*`` -> ``star``; ``@`` -> ``at``.
3. A web address is spelled the way it is read: ``www.asterisk.org`` -> ``w w w dot asterisk dot
   org``.
4. Abbreviations: dotted letters are read one by one (``A.M.`` -> ``a m``, ``H.323`` -> ``h three
   hundred twenty three``); the all-capital acronyms the prompts say letter by letter
   (``PBX``, ``IVR``, ``USB``, ``MGCP``, ``IP``) become letters (``p b x``); other capitals
   (``SIP``, ``IAX``, ``DAHDI``) are said as words and are just lowercased.
5. A whole number is an American cardinal, without the British "and" (``500`` -> ``five
   hundred``, ``1234`` -> ``one thousand two hundred thirty four``, ``2005`` -> ``two thousand
   five``); years and digit runs as en_sg reads them; ``3D`` -> ``three d``.
   Numbers inside decimals (``28.8``) are left to en_sg (``twenty eight point eight``).

Output: lowercase a-z words (in-word apostrophes kept), single spaces. Idempotent, never raises.
"""
import re

from local.normalizers import en_sg

__all__ = ["normalize"]

_ANNOTATION = re.compile(r"\[[^\]]*\]|\([^)]*\)")
_KEYS = {"#": " pound ", "*": " star ", "@": " at "}
_URL = re.compile(r"\b(www(?:\.[A-Za-z0-9-]+)+)")
_DOTTED = re.compile(r"(?<![A-Za-z.])((?:[A-Za-z]\.)+[A-Za-z]?\.?)(?=\s|$|[,;:!?])|(?<![A-Za-z])([A-Za-z])\.(?=\d)")
_SPELLED = ("PBX", "IVR", "USB", "MGCP", "IP")
_ACRONYM = re.compile(r"\b(" + "|".join(_SPELLED) + r")\b")
_INTEGER = re.compile(r"(?<![\d.,:$])(\d+)(?![\d%A-Za-z])(?![.,:]\d)")


def normalize(text: str) -> str:
    """Return ``text`` normalised for English IVR prompts: lowercase a-z words, single spaces."""
    text = _ANNOTATION.sub(" ", text)
    for key, name in _KEYS.items():
        text = text.replace(key, name)
    text = _URL.sub(lambda m: " " + " dot ".join(_spell_www(p) for p in m.group(1).split(".")) + " ", text)
    text = _DOTTED.sub(_letters, text)
    text = _ACRONYM.sub(lambda m: " " + " ".join(m.group(1)) + " ", text)
    text = _INTEGER.sub(_american, text)
    return en_sg.normalize(text)


def _spell_www(part: str) -> str:
    return "w w w" if part.lower() == "www" else part


def _letters(match: re.Match) -> str:
    """"A.M." -> " A M "; "H." before digits -> " H "."""
    dotted = match.group(1) or match.group(2)
    return " " + " ".join(ch for ch in dotted if ch != ".") + " "


def _american(match: re.Match) -> str:
    """A whole number read the American way: en_sg's reading (years, digit runs) without "and"."""
    words = en_sg._integer(match.group(1)).split()  # noqa: SLF001 - one implementation of numbers
    return " " + " ".join(word for word in words if word != "and") + " "

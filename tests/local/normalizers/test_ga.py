"""Table-driven tests for the Irish normaliser, local/normalizers/ga.py."""

import re
import unicodedata
from pathlib import Path

import pytest

from local.normalizers.ga import normalize

SENTENCES = Path(__file__).resolve().parents[3] / "local" / "sentences" / "ga.txt"
ALLOWED = re.compile(r"[a-záéíóú '\-]*")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Punctuation from the 2021 notebook's list is removed.
        ("Tá an aimsir go breá inniu.", "tá an aimsir go breá inniu"),
        ("An bhfuil ocras ort?", "an bhfuil ocras ort"),
        ("Tá sé ag cur báistí arís!", "tá sé ag cur báistí arís"),
        ("Níl sé fuar inniu; tá sé te.", "níl sé fuar inniu tá sé te"),
        ("Tá trí rud agam: leabhar, cáca agus rothar.", "tá trí rud agam leabhar cáca agus rothar"),
        ("Dúirt sí: “Tá an dinnéar réidh.”", "dúirt sí tá an dinnéar réidh"),
        ('Dúirt sé "slán" linn.', "dúirt sé slán linn"),
        ("‘Slán,’ arsa Máire.", "slán arsa máire"),
        ("Tá 50% den rang (fiche dalta) anseo*", "tá 50 den rang fiche dalta anseo"),
        # Dashes: en and em dashes split words, a lone hyphen goes, in-word hyphens stay.
        ("Tá an bóthar dúnta – arís!", "tá an bóthar dúnta arís"),
        ("Bhí an lá—agus an oíche—fuar.", "bhí an lá agus an oíche fuar"),
        ("Bhí an lá - agus an oíche - fuar.", "bhí an lá agus an oíche fuar"),
        ("Tá an t-uisce an-fhuar.", "tá an t-uisce an-fhuar"),
        # Apostrophes: in-word ’ becomes ', trailing ’ or ' is dropped.
        ("D’ól mé cupán tae.", "d'ól mé cupán tae"),
        ("B’fhéidir go mbeidh sé te.", "b'fhéidir go mbeidh sé te"),
        ("D'fhág m'athair an teach.", "d'fhág m'athair an teach"),
        ("Chuaigh siad go dtí’ an siopa", "chuaigh siad go dtí an siopa"),
        ("Tá sé ag dul a’", "tá sé ag dul a"),
        ("Tá sé ’na chodladh’", "tá sé 'na chodladh"),
        # n/t before a capital vowel takes a hyphen once lowercased.
        ("Rugadh mé i nÉirinn.", "rugadh mé i n-éirinn"),
        ("Labhair an tUachtarán ar an raidió.", "labhair an t-uachtarán ar an raidió"),
        ("Ár nAthair", "ár n-athair"),
        ("Tá an tAigéan Atlantach fuar.", "tá an t-aigéan atlantach fuar"),
        ("Bhí sé i nÓmaigh.", "bhí sé i n-ómaigh"),
        # h before a vowel, eclipsis before a consonant and tS take no hyphen.
        ("foireann na hÉireann", "foireann na héireann"),
        ("go hOileáin Árann Dé hAoine", "go hoileáin árann dé haoine"),
        ("Tá sé scamallach i gCorcaigh.", "tá sé scamallach i gcorcaigh"),
        ("ar an bhFeirm i mBaile Átha Cliath", "ar an bhfeirm i mbaile átha cliath"),
        ("i nDún na nGall", "i ndún na ngall"),
        ("ar an tSráid Mhór", "ar an tsráid mhór"),
        ("an tSionainn", "an tsionainn"),
        # Words that merely start with n or t are lowercased as usual.
        ("Níl Tomás anseo. NÍL!", "níl tomás anseo níl"),
        # Unicode NFC: a decomposed fada becomes one code point.
        ("Ta\u0301 se\u0301 te", "tá sé te"),
        # Invisible format characters (zero-width space, soft hyphen, BOM, ZWJ, LRM) are removed.
        ("\ufeffTá an ai\u00adm\u200bsir\u200d go breá\u200e", "tá an aimsir go breá"),
        ("\u200b", ""),
        # Whitespace is collapsed and stripped.
        ("  Tá\tsé\n\nte  ", "tá sé te"),
        ("", ""),
        (" ?! ", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_output_is_nfc() -> None:
    text = normalize("Ta\u0301 an te\u0301 agus an t-i\u0301")
    assert text == unicodedata.normalize("NFC", text)


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    return SENTENCES.read_text(encoding="utf-8").splitlines()


def test_idempotent_on_sentence_list(sentences) -> None:
    changed = [s for s in sentences if normalize(normalize(s)) != normalize(s)]
    assert changed == []


def test_sentence_list_uses_only_the_target_alphabet(sentences) -> None:
    bad = [(s, normalize(s)) for s in sentences if not ALLOWED.fullmatch(normalize(s))]
    assert bad == []

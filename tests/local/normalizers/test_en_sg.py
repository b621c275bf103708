"""Table-driven tests for the Singapore English normaliser, local/normalizers/en_sg.py."""

import re
from pathlib import Path

import pytest

from local.normalizers.en_sg import normalize

SENTENCES = Path(__file__).resolve().parents[3] / "local" / "sentences" / "en_sg.txt"
ALLOWED = re.compile(r"[a-z' ]*")


CASES = [
    # Lowercase, punctuation removed, apostrophes inside contractions kept.
    ("Let's go makan at the hawker centre lah!", "let's go makan at the hawker centre lah"),
    ("Can or not, we eat at Tampines?", "can or not we eat at tampines"),
    ("I don't know; it's Singapore's best, leh.", "i don't know it's singapore's best leh"),
    ("The students' books, 'cause why?", "the students books cause why"),
    ("She said: “Wah, so shiok!”", "she said wah so shiok"),
    ("Singapore’s MRT isn’t late", "singapore's mrt isn't late"),
    # Times.
    ("We meet at 2 pm.", "we meet at two pm"),
    ("We commence at 10.30 am.", "we commence at ten thirty am"),
    ("at 10:30am or 7.30 p.m.", "at ten thirty am or seven thirty pm"),
    ("The bus leaves at 8.00 pm and 9.05 AM", "the bus leaves at eight pm and nine oh five am"),
    ("Meet at 10:00 lor", "meet at ten o'clock lor"),
    ("Then 14:45 at Bishan", "then fourteen forty five at bishan"),
    # Money and percentages.
    ("It costs $5 only.", "it costs five dollars only"),
    ("Only $1 meh?", "only one dollar meh"),
    ("That is S$1,250.50 leh", "that is one thousand two hundred and fifty dollars fifty cents leh"),
    ("Just $0.80 for teh", "just eighty cents for teh"),
    ("50% cheaper", "fifty percent cheaper"),
    # Ordinals, counts, decimals, years, plain integers.
    ("On the 12th floor", "on the twelfth floor"),
    ("the 1st, 2nd, 3rd and 21st", "the first second third and twenty first"),
    ("the 100th and 40th time", "the one hundredth and fortieth time"),
    ("Take the train for 3 stops.", "take the train for three stops"),
    ("It is 3.5 km away", "it is three point five km away"),
    ("Back in 2024.", "back in twenty twenty four"),
    ("In 2005, 2010 and 1965", "in two thousand and five twenty ten and nineteen sixty five"),
    ("Since 1900 lah", "since nineteen hundred lah"),
    ("There are 9999 flats", "there are nine thousand nine hundred and ninety nine flats"),
    ("About 105 or 1,500, or 1500 people", "about one hundred and five or one thousand five hundred or "
     "one thousand five hundred people"),
    ("Block 0 and 007", "block zero and zero zero seven"),
    ("12345 steps", "twelve thousand three hundred and forty five steps"),
    ("Bus 2000000", "bus two million"),
    # NSC annotations: non-speech tags dropped, discourse particles and fillers kept as words.
    ("<FIL/> I go to the <SPK/> MRT <NON/> station <STA/> <NPS/>", "i go to the mrt station"),
    ("(ppb) okay (ppl) can (ppc) lah (ppo)", "okay can lah"),
    ("then [ah] we go [um] makan [lah]", "then ah we go um makan lah"),
    ("er, uh, um, (err) I think so", "er uh um err i think so"),
    ("I saw <UNK> at the stall", "i saw at the stall"),
    ("the **kopitiam** and #pasar malam# !wah!", "the kopitiam and pasar malam wah"),
    ("I went to Tamp~ Tampines", "i went to tampines"),
    ("I went to Bi- Bishan - yesterday", "i went to bishan yesterday"),
    ("e-mail the U.S. office", "e mail the us office"),
    # Unicode: NFC, accents and full-width forms folded; other scripts removed.
    ("Cafe\u0301 at Jurong", "cafe at jurong"),
    ("ＭＲＴ １２", "mrt twelve"),
    ("kopi 咖啡 o", "kopi o"),
    ("Kopi & teh", "kopi and teh"),
    # Invisible format characters are removed, never made a space (a soft hyphen sits inside a word).
    ("\ufeffcom\u00adputer la\u200bh wo\u200drd\u2060s", "computer lah words"),
    # Whitespace collapsed; nothing left is the empty string.
    ("  Kopi\tsiew\n\ndai  ", "kopi siew dai"),
    ("", ""),
    ("<NON/> (ppb) ?!", ""),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw", [raw for raw, _ in CASES] + ["'quoted' 3.5% at 10.30am", "S$1.01 - 2nd-3rd"])
def test_idempotent_and_in_the_target_alphabet(raw: str) -> None:
    once = normalize(raw)
    assert normalize(once) == once
    assert ALLOWED.fullmatch(once)


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    return SENTENCES.read_text(encoding="utf-8").splitlines()


def test_idempotent_on_sentence_list(sentences) -> None:
    changed = [s for s in sentences if normalize(normalize(s)) != normalize(s)]
    assert changed == []


def test_sentence_list_uses_only_the_target_alphabet(sentences) -> None:
    bad = [(s, normalize(s)) for s in sentences if not ALLOWED.fullmatch(normalize(s))]
    assert bad == []

"""Table-driven tests for the English IVR-prompt normaliser, local/normalizers/en_ivr.py."""
import re

import pytest

from local.normalizers.en_ivr import normalize

ALLOWED = re.compile(r"[a-z' ]*")

CASES = [
    # Telephone keys and the annotations of the Asterisk prompt list.
    ("press * to toggle pause, press # to enter a new dictation filename",
     "press star to toggle pause press pound to enter a new dictation filename"),
    ("Enter a numeric dictation filename followed by # or just # to exit",
     "enter a numeric dictation filename followed by pound or just pound to exit"),
    ("at [@]", "at"),
    ("exclaimation-point [!]", "exclaimation point"),
    ('IAX (note: does not say "2")', "iax"),
    ("Please leave your message after the tone. (simple tone sound plays)", "please leave your message after the tone"),
    ("(10 seconds of silence)", ""),
    ("[ascending tones]", ""),
    # Quotes, apostrophes, ellipses.
    ('Dial 4 to send this caller to a polite "don\'t call" menu.', "dial four to send this caller to a polite don't call menu"),
    ("... using your touchtone keypad.", "using your touchtone keypad"),
    ("your party's first name", "your party's first name"),
    # Numbers: American cardinals, decimals and ordinals through en_sg.
    ("dial 500 to attempt", "dial five hundred to attempt"),
    ("extension 1234 and password 4242", "extension one thousand two hundred thirty four and password four thousand two hundred forty two"),
    ("at least a 28.8 kilobit modem", "at least a twenty eight point eight kilobit modem"),
    ("press 1 to mute, 2 to lock", "press one to mute two to lock"),
    ("3D audio enabled", "three d audio enabled"),
    ("the 12th and 100th", "the twelfth and one hundredth"),
    ("105 and 2005", "one hundred five and two thousand five"),
    ("50% off at 10:30", "fifty percent off at ten thirty"),
    # Abbreviations, acronyms, addresses.
    ("A.M.", "a m"),
    ("P.M.", "p m"),
    ("H.323", "h three hundred twenty three"),
    ("the Asterisk open source PBX and IVR platform", "the asterisk open source p b x and i v r platform"),
    ("USB Radio", "u s b radio"),
    ("MGCP", "m g c p"),
    ("SIP", "sip"),
    ("For more information, visit www.asterisk.org.", "for more information visit w w w dot asterisk dot org"),
    ("Call-Forward on No Answer.", "call forward on no answer"),
]


@pytest.mark.parametrize("raw, expected", CASES)
def test_cases(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw, _", CASES)
def test_idempotent_and_alphabet(raw, _):
    once = normalize(raw)
    assert normalize(once) == once
    assert ALLOWED.fullmatch(once)

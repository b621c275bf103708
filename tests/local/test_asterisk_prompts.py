"""Asterisk English prompts: the transcript list as Debian ships it, splits by text, the installed package."""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from local.asterisk_prompts import (SOUNDS_DIRS, TRANSCRIPTS, check_asterisk_prompts, prepare_asterisk_prompts,
                                    read_transcripts, split_record)
from local.normalizers.en_ivr import normalize
from utils.data_dir import read_data_dir, validate_data_dir
from utils.errors import InputError

SPLITS = ("train", "dev", "test")
# As in core-sounds-en.txt: a comment, `name: text`, names with sub-folders, tones and silences.
LISTING = """; Core Asterisk Sounds in English

beep: [this is a simple beep tone]
silence/1: (1 second of silence)
agent-pass: Please enter your password followed by the pound key.
auth-thankyou: Thank you.
dictate/forhelp: press 0 for help
digits/1: one
digits/2: two
digits/3: three
digits/4: four
digits/5: five
digits/6: six
digits/7: seven
digits/8: eight
digits/9: nine
hello: Hello.
hello-world: Hello world.
goodbye: Goodbye.
vm-goodbye: Goodbye.
vm-press: press
vm-then-pound: Then press pound.
missing-wav: This prompt has no recording.
this line has no colon
"""


@pytest.fixture
def sounds(tmp_path: Path) -> Path:
    """A sounds folder: one 8 kHz 16-bit mono wav per listed prompt (and for the tone), list gzipped inside."""
    root = tmp_path / "sounds"
    rng = np.random.default_rng(0)
    for line in LISTING.splitlines():
        name = line.partition(":")[0]
        if ":" not in line or line.startswith(";") or name == "missing-wav":
            continue
        wav = root / f"{name}.wav"
        wav.parent.mkdir(parents=True, exist_ok=True)
        sf.write(wav, (0.1 * rng.standard_normal(8000)).astype("float32"), 8000, subtype="PCM_16")
    (root / "core-sounds-en.txt.gz").write_bytes(gzip.compress(LISTING.encode("utf-8")))
    return root


def prepare_all(sounds: Path, out: Path, seed: int = 0) -> dict[str, list]:
    utts = {}
    for split in SPLITS:
        data = prepare_asterisk_prompts(sounds, split, out / split, out / "wavs" / split, seed=seed,
                                        max_drop_share=1.0, shares={"train": 0.5, "dev": 0.25, "test": 0.25})
        assert validate_data_dir(data) == []
        utts[split] = read_data_dir(data)
    return utts


def test_listing_skips_tones_and_reports_malformed_lines(sounds):
    entries, malformed = read_transcripts(sounds / "core-sounds-en.txt.gz")
    names = [name for _, name, _ in entries]
    assert "beep" not in names and "silence/1" not in names and "digits/1" in names
    assert malformed == [(24, "not a `name: text` line")]
    assert check_asterisk_prompts(sounds)["prompts"] == 19


def test_splits_cover_every_prompt_once_and_never_share_a_sentence(sounds, tmp_path):
    utts = prepare_all(sounds, tmp_path / "data")
    ids = [u.utt_id for split in SPLITS for u in utts[split]]
    assert len(ids) == len(set(ids)) == 18  # 19 spoken prompts, one without its wav
    texts = {split: {normalize(u.text) for u in utts[split]} for split in SPLITS}
    assert not (texts["train"] & texts["dev"] or texts["train"] & texts["test"] or texts["dev"] & texts["test"])
    goodbyes = [split for split in SPLITS for u in utts[split] if normalize(u.text) == "goodbye"]
    assert len(goodbyes) == 2 and len(set(goodbyes)) == 1
    first = next(u for split in SPLITS for u in utts[split] if u.utt_id == "allison-dictate__forhelp")
    assert first.text == "press 0 for help"  # raw text kept; stage 2 normalises
    samples, rate = sf.read(first.wav)
    assert rate == 16000 and samples.ndim == 1 and abs(len(samples) / rate - 1.0) < 0.01
    reports = "".join((tmp_path / "data" / s / "prep_report.tsv").read_text() for s in SPLITS)
    assert "missing-wav" in reports and "\t24\t" in reports


def test_seed_is_deterministic_and_recorded(sounds, tmp_path):
    first = prepare_all(sounds, tmp_path / "a", seed=0)
    again = prepare_all(sounds, tmp_path / "b", seed=0)
    other = [prepare_all(sounds, tmp_path / f"s{seed}", seed=seed) for seed in (1, 2, 3)]
    ids = {s: sorted(u.utt_id for u in first[s]) for s in SPLITS}
    assert ids == {s: sorted(u.utt_id for u in again[s]) for s in SPLITS}
    assert any(ids != {s: sorted(u.utt_id for u in o[s]) for s in SPLITS} for o in other)
    record = tmp_path / "split.json"
    split_record(record, 0, {"train": 0.5, "dev": 0.25, "test": 0.25}, {s: tmp_path / "a" / s for s in SPLITS})
    assert '"seed": 0' in record.read_text() and '"utterances"' in record.read_text()


def test_missing_corpus_names_the_packages(tmp_path, monkeypatch):
    import local.asterisk_prompts as module

    monkeypatch.setattr(module, "SOUNDS_DIRS", (tmp_path / "nowhere",))
    with pytest.raises(InputError, match="asterisk-core-sounds-en"):
        module.check_asterisk_prompts()
    with pytest.raises(InputError, match="no such folder"):
        module.check_asterisk_prompts(tmp_path / "absent")


@pytest.mark.skipif(not (TRANSCRIPTS.is_file() and any(d.is_dir() for d in SOUNDS_DIRS)),
                    reason="asterisk-core-sounds-en(-wav) not installed (tools/setup.sh installs them)")
def test_installed_package_lists_about_550_spoken_prompts():
    info = check_asterisk_prompts()
    assert 500 <= info["prompts"] <= 600

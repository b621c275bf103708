"""NSC / plain-folder data prep on tiny corpora built here with espeak-ng, bad files included."""
from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr

from local.common_voice import prepare_common_voice
from local.normalizers.en_sg import normalize
from local.nsc import _split_of, check_nsc, espeak_spelling, make_synthetic_corpus_en_sg, prepare_nsc
from utils.data_dir import read_data_dir, validate_data_dir
from utils.errors import InputError

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
SHARES = {"train": 0.5, "dev": 0.25, "test": 0.25}
SENTENCES = Path(__file__).resolve().parents[2] / "local" / "sentences" / "en_sg.txt"


def speak(text: str, wav: Path) -> Path:
    """espeak-ng's own output: 22.05 kHz mono 16-bit wav."""
    wav.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["espeak-ng", "-v", "en", "-w", str(wav), text], check=True, capture_output=True)
    return wav


def one_per_split(count: int) -> list[str]:
    """Sentences from the en_sg list, `count` landing in each split, so no split is empty."""
    chosen: dict[str, list[str]] = {name: [] for name in SHARES}
    for line in SENTENCES.read_text(encoding="utf-8").splitlines():
        bucket = chosen[_split_of(normalize(line), SHARES)]
        if len(bucket) < count:
            bucket.append(line)
    return [line for bucket in chosen.values() for line in bucket]


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """audio_clips/ + transcripts/ with one of each problem a real folder has."""
    root = tmp_path_factory.mktemp("plain")
    clips, texts = root / "audio_clips", root / "transcripts"
    texts.mkdir(parents=True)
    for n, line in enumerate(one_per_split(2)):
        speak(line, clips / f"amy_{n:03d}.wav")
        (texts / f"amy_{n:03d}.txt").write_text(line + "\n", encoding="utf-8")
    mono, rate = sf.read(speak("Uncle, one kopi please.", root / "tmp.wav"))
    stereo = soxr.resample(mono, rate, 44100)
    sf.write(clips / "ben-stereo.wav", np.stack([stereo, 0.5 * stereo], axis=1), 44100)
    (texts / "ben-stereo.txt").write_text("Uncle, one kopi please.", encoding="utf-8")
    (root / "tmp.wav").unlink()
    speak("Where is the MRT?", clips / "cat_missing.wav")
    speak("Lah.", clips / "cat_empty.wav")
    (texts / "cat_empty.txt").write_text(" <NON/> (ppb) \n", encoding="utf-8")
    speak("Cafe latte.", clips / "cat_latin1.wav")
    (texts / "cat_latin1.txt").write_bytes("Café latte at Bishan.".encode("latin-1"))
    (texts / "orphan.txt").write_text("No clip for this one.", encoding="utf-8")
    return root


def prepare_all(corpus: Path, out: Path, **options) -> dict[str, Path]:
    return {split: prepare_nsc(corpus, split, out / split, out / "wavs" / split, shares=SHARES, nj=1,
                               max_drop_share=1.0, **options) for split in SHARES}


def report_rows(dirs: dict[str, Path]) -> list[list[str]]:
    lines = [line.split("\t") for d in dirs.values()
             for line in (d / "prep_report.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    return [line for line in lines if line != [""]]


def test_plain_folder_gives_valid_data_dirs(plain: Path, tmp_path: Path) -> None:
    assert check_nsc(plain)["layout"] == "plain"
    dirs = prepare_all(plain, tmp_path)
    utts = {split: read_data_dir(d) for split, d in dirs.items()}
    assert all(validate_data_dir(d) == [] for d in dirs.values())
    assert all(len(u) >= 2 for u in utts.values())
    texts = {split: {normalize(u.text_raw) for u in split_utts} for split, split_utts in utts.items()}
    assert not texts["train"] & texts["dev"] and not texts["train"] & texts["test"] and not texts["dev"] & texts["test"]
    every = [u for split_utts in utts.values() for u in split_utts]
    assert {u.speaker for u in every} == {"amy", "ben"}
    assert all(u.utt_id.startswith(u.speaker + "-") for u in every)
    data, rate = sf.read(every[0].wav)
    assert rate == 16000 and data.ndim == 1 and abs(len(data) / rate - every[0].duration) < 0.01
    assert all(u.text == u.text_raw for u in every)  # normalisation is stage 2's job


def test_plain_folder_drops_are_reported_once_with_reason(plain: Path, tmp_path: Path) -> None:
    rows = report_rows(prepare_all(plain, tmp_path))
    dropped = {Path(row[0]).name: row for row in rows if row[3] == "dropped"}
    assert set(dropped) == {"cat_missing.wav", "cat_empty.txt", "cat_latin1.txt", "orphan.txt"}
    assert "no transcript" in dropped["cat_missing.wav"][4]
    assert "empty transcript" in dropped["cat_empty.txt"][4]
    assert "not valid UTF-8" in dropped["cat_latin1.txt"][4]
    assert "no audio clip" in dropped["orphan.txt"][4]
    repaired = [row for row in rows if row[3] == "repaired"]
    assert all("resampled 22050 Hz -> 16000 Hz" in row[4] for row in repaired if "amy" in row[2])
    stereo = [row[4] for row in repaired if row[2] == "ben-ben-stereo"]
    assert stereo and "resampled 44100 Hz" in stereo[0] and "downmixed 2 channels" in stereo[0]


def test_speaker_pattern_and_its_fallback(plain: Path, tmp_path: Path) -> None:
    dirs = prepare_all(plain, tmp_path, speaker_pattern=r"^(\w{2})")
    assert {u.speaker for d in dirs.values() for u in read_data_dir(d)} == {"am", "be"}
    dirs = prepare_all(plain, tmp_path / "nomatch", speaker_pattern=r"^zzz(.*)$")
    assert {u.speaker for d in dirs.values() for u in read_data_dir(d)} == {"spk"}


def test_too_many_drops_stop_with_the_report_written(plain: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="would be dropped"):
        for split in SHARES:
            prepare_nsc(plain, split, tmp_path / split, tmp_path / "wavs", shares=SHARES, max_drop_share=0.0)
    assert any((tmp_path / split / "prep_report.tsv").is_file() for split in SHARES)


def test_bad_shares_and_unknown_layout_are_errors(plain: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="summing to 1"):
        prepare_nsc(plain, "train", tmp_path / "train", tmp_path / "wavs", shares={"train": 0.5, "dev": 0.1})
    with pytest.raises(InputError, match="one for 'eval'"):
        prepare_nsc(plain, "eval", tmp_path / "eval", tmp_path / "wavs", shares=SHARES)
    with pytest.raises(InputError, match="neither a plain folder"):
        check_nsc(tmp_path)
    for pattern, message in (("(", "not a valid regular expression"), ("amy", "has no group")):
        with pytest.raises(InputError, match=message):
            prepare_nsc(plain, "train", tmp_path / "train", tmp_path / "wavs", shares=SHARES, speaker_pattern=pattern)


def write_script(path: Path, entries: list[tuple[str, str, str | None]]) -> None:
    """NSC script: BOM, `<id>\\t<prompt>` lines, each followed by `\\t<transcription>` when given."""
    lines = []
    for nsc_id, prompt, said in entries:
        lines.append(f"{nsc_id}\t{prompt}")
        if said is not None:
            lines.append(f"\t{said}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")


@pytest.fixture(scope="module")
def nsc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PART1 and PART2, CHANNEL0, speaker 0001 session 0 in each; one missing WAV, one annotation-only line."""
    root = tmp_path_factory.mktemp("nsc")
    part1 = root / "PART1" / "DATA" / "CHANNEL0"
    write_script(part1 / "SCRIPT" / "000010.TXT", [
        ("000010001", "We commence at 2 pm.", "<FIL/> we commence at two pm (ppb)"),
        ("000010002", "The MRT is crowded, lah.", "the [ah] m r t is crowded lah"),
        ("000010003", "Take the bus.", None),
        ("000010004", "Nobody read this.", "<NON/> (ppl)"),
    ])
    for nsc_id, text in [("000010001", "we commence at two pm"), ("000010002", "the MRT is crowded lah"),
                         ("000010004", "ha ha")]:
        speak(text, part1 / "WAVE" / "SPEAKER0001" / "SESSION0" / f"{nsc_id}.WAV")
    part2 = root / "PART2" / "DATA" / "CHANNEL0"
    write_script(part2 / "SCRIPT" / "000010.TXT", [("000010001", "Singaporeans love kopi.", "singaporeans love kopi")])
    speak("Singaporeans love kopi.", part2 / "WAVE" / "SPEAKER0001" / "SESSION0" / "000010001.WAV")
    return root


def test_nsc_layout_gives_a_valid_data_dir(nsc: Path, tmp_path: Path) -> None:
    assert check_nsc(nsc) == {"name": "National Speech Corpus", "path": str(nsc), "layout": "nsc", "scripts": 2}
    out = prepare_nsc(nsc, "train", tmp_path / "train", tmp_path / "wavs", shares={"train": 1.0}, max_drop_share=0.5)
    utts = {u.utt_id: u for u in read_data_dir(out)}
    assert set(utts) == {"part1_speaker0001-000010001", "part1_speaker0001-000010002",
                         "part2_speaker0001-000010001"}
    assert utts["part1_speaker0001-000010001"].text_raw == "<FIL/> we commence at two pm (ppb)"
    assert normalize(utts["part1_speaker0001-000010002"].text_raw) == "the ah m r t is crowded lah"
    assert {u.speaker for u in utts.values()} == {"part1_speaker0001", "part2_speaker0001"}
    rows = report_rows({"train": out})
    dropped = {row[2]: row for row in rows if row[3] == "dropped"}
    assert set(dropped) == {"part1_speaker0001-000010003", "part1_speaker0001-000010004"}
    assert "no such file" in dropped["part1_speaker0001-000010003"][4]
    assert dropped["part1_speaker0001-000010003"][1] == "5"  # the line of that utterance in the script
    assert "empty transcript" in dropped["part1_speaker0001-000010004"][4]


def zip_speaker(wave: Path, speaker: str, corrupt: str = "", leave_out: str = "") -> Path:
    """WAVE/<speaker>.zip as NSC ships it (members <speaker>/SESSIONn/<id>.WAV, stored), the
    folder removed; `corrupt` names a member whose data gets one byte flipped (its CRC then fails)."""
    archive = wave / f"{speaker}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for path in sorted((wave / speaker).rglob("*.WAV")):
            if path.stem != leave_out:
                zf.write(path, path.relative_to(wave).as_posix())
    shutil.rmtree(wave / speaker)
    if corrupt:
        with zipfile.ZipFile(archive) as zf:
            info = next(i for i in zf.infolist() if i.filename.endswith(f"/{corrupt}.WAV"))
        data = bytearray(archive.read_bytes())
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)  # local header, then data
        data[start + 100] ^= 0xFF
        archive.write_bytes(bytes(data))
    return archive


def test_nsc_zipped_speakers_prepare_like_unpacked_ones(nsc: Path, tmp_path: Path) -> None:
    unpacked = prepare_nsc(nsc, "train", tmp_path / "ref", tmp_path / "ref_wavs", shares={"train": 1.0},
                           max_drop_share=0.5)
    corpus = tmp_path / "nsc"
    shutil.copytree(nsc, corpus)
    zip_speaker(corpus / "PART1/DATA/CHANNEL0/WAVE", "SPEAKER0001")
    zip_speaker(corpus / "PART2/DATA/CHANNEL0/WAVE", "SPEAKER0001")
    assert not list(corpus.rglob("*.WAV"))
    check_nsc(corpus)
    out = prepare_nsc(corpus, "train", tmp_path / "train", tmp_path / "wavs", shares={"train": 1.0},
                      max_drop_share=0.5)
    for name in ("text.raw", "utt2spk", "utt2dur"):
        assert (out / name).read_bytes() == (unpacked / name).read_bytes(), name
    assert not (tmp_path / "wavs/.zip_clips").exists(), "extracted copies are removed"
    report = (out / "prep_report.tsv").read_text(encoding="utf-8")
    assert "SPEAKER0001.zip: no member SPEAKER0001/SESSION0/000010003.WAV" in report  # in no zip either
    assert "part1_speaker0001-000010001/SPEAKER0001/SESSION0/000010001.WAV: resampled" in report


def test_nsc_bad_zips_are_reported_and_the_rest_kept(nsc: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "nsc"
    shutil.copytree(nsc, corpus)
    wave = corpus / "PART1/DATA/CHANNEL0/WAVE"
    write_script(corpus / "PART1/DATA/CHANNEL0/SCRIPT/000020.TXT", [(f"00002000{n}", "Take the bus.", None)
                                                                     for n in (1, 2, 3)])
    for n in (1, 2, 3):
        speak("Take the bus.", wave / "SPEAKER0002/SESSION0" / f"00002000{n}.WAV")
    zip_speaker(wave, "SPEAKER0002", corrupt="000020002", leave_out="000020003")
    write_script(corpus / "PART1/DATA/CHANNEL0/SCRIPT/000030.TXT", [("000030001", "Take the bus.", None)])
    (wave / "SPEAKER0003.zip").write_bytes(b"PK\x03\x04 cut short")
    out = prepare_nsc(corpus, "train", tmp_path / "train", tmp_path / "wavs", shares={"train": 1.0},
                      max_drop_share=0.9)
    kept = {u.utt_id for u in read_data_dir(out)}
    assert "part1_speaker0002-000020001" in kept and "part1_speaker0001-000010001" in kept
    dropped = {row[2]: row[4] for row in report_rows({"train": out}) if row[3] == "dropped"}
    zip2, zip3 = wave / "SPEAKER0002.zip", wave / "SPEAKER0003.zip"
    assert dropped["part1_speaker0002-000020002"].startswith(
        f"{zip2}: member SPEAKER0002/SESSION0/000020002.WAV does not extract (Bad CRC-32")
    assert dropped["part1_speaker0002-000020003"] == f"{zip2}: no member SPEAKER0002/SESSION0/000020003.WAV"
    assert dropped["part1_speaker0003-000030001"].startswith(f"{zip3}: not a readable zip (")


@pytest.mark.parametrize(("written", "spoken"), [
    ("We meet at 10.30 am lah.", "We meet at 10:30 am lah."),
    ("It costs $5, or S$12 for two.", "It costs 5 dollars, or 12 dollars for two."),
    ("It costs $5.", "It costs 5 dollars."),
    ("Costs $5.50 meh?", "Costs $5.50 meh?"),
    ("Only $1 meh?", "Only 1 dollar meh?"),
    ("Version 3.14 is out at 2 pm.", "Version 3.14 is out at 2 pm."),
])
def test_espeak_spelling_keeps_the_normalised_words(written: str, spoken: str) -> None:
    assert espeak_spelling(written) == spoken
    assert normalize(espeak_spelling(written)) == normalize(written)


def test_synthetic_corpus_is_common_voice_layout(tmp_path: Path) -> None:
    if shutil.which("sox") is None:
        pytest.skip("needs sox")
    lines = [line for line in SENTENCES.read_text(encoding="utf-8").splitlines() if "10.30" in line or "$" in line]
    sentences = tmp_path / "sentences.txt"
    sentences.write_text("\n".join(lines[:10]) + "\n", encoding="utf-8")
    corpus = make_synthetic_corpus_en_sg(sentences, tmp_path / "corpus", "en", {"train": 1, "dev": 1, "test": 1},
                                         seed=3, nj=2)
    out = prepare_common_voice(corpus, "train", tmp_path / "train", tmp_path / "wavs", nj=2)
    spoken = {normalize(u.text_raw) for u in read_data_dir(out)}
    assert spoken and spoken <= {normalize(line) for line in lines[:10]}
    assert not any("$" in u.text_raw or "10.30" in u.text_raw for u in read_data_dir(out))

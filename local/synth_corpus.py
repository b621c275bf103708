"""A synthetic demo corpus in Common Voice's own layout, spoken by espeak-ng in any language.

Written layout (what `local.common_voice.prepare_common_voice` reads)::

    <out_dir>/
      clips/common_voice_<lang>_<n>.mp3      48 kHz mono mp3, as Common Voice ships
      train.tsv dev.tsv test.tsv validated.tsv   Common Voice's columns, tab-separated
      SYNTHETIC.txt                          says what this is and how it was made

Sentences come from a text file, one per line (e.g. local/sentences/ga.txt). They are
split into train/dev/test by sentence, so no sentence is shared between splits. Each
rendition gets a random espeak-ng voice variant, speed and pitch; one "speaker"
(client_id) is one voice variant. This is a demo stand-in for a real corpus, nothing more.
"""
from __future__ import annotations

import hashlib
import logging
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from utils.errors import CurrachError
from pipeline.jobs import parallel_map

log = logging.getLogger(__name__)
VARIANTS = [f"m{i}" for i in range(1, 8)] + [f"f{i}" for i in range(1, 6)]
COLUMNS = ["client_id", "path", "sentence_id", "sentence", "sentence_domain", "up_votes",
           "down_votes", "age", "gender", "accents", "variant", "locale", "segment"]


@dataclass(frozen=True)
class Clip:
    sentence: str
    split: str
    voice: str
    speed: int
    pitch: int
    path: str


def make_synthetic_corpus(sentences_file: Path, out_dir: Path, lang: str, renditions: dict[str, int],
                          seed: int = 0, dev_share: float = 0.1, test_share: float = 0.1,
                          speed: tuple[int, int] = (130, 190), pitch: tuple[int, int] = (30, 70),
                          max_sentences: int | None = None, nj: int = 2, lowpass_hz: int | None = None) -> Path:
    """Speak every sentence with espeak-ng and write a Common Voice-layout folder.

    `renditions` maps split name to how many differently-voiced clips each sentence gets;
    `max_sentences` keeps only the first N sentences (small test corpora); `lowpass_hz`
    (e.g. 3800) removes what lies above it, to sound like speech sampled at 8 kHz (telephone).
    """
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            raise CurrachError(f"{tool} is not installed; run `make setup` (it installs espeak-ng and sox)")
    sentences = _read_sentences(sentences_file)[:max_sentences]
    clips = _plan_clips(sentences, lang, renditions, seed, dev_share, test_share, speed, pitch)
    (out_dir / "clips").mkdir(parents=True, exist_ok=True)
    log.warning("SYNTHETIC DEMO CORPUS: %d clips of %d sentences spoken by espeak-ng -v %s into %s. "
                "Numbers on it say the pipeline works, not how well real speech is recognised.",
                len(clips), len(sentences), lang, out_dir)
    jobs = [(c, lang, str(out_dir / "clips" / c.path), lowpass_hz) for c in clips]
    for _ in parallel_map(_speak, jobs, nj, desc="espeak-ng", total=len(jobs)):
        pass
    _write_tsvs(clips, out_dir, lang)
    (out_dir / "SYNTHETIC.txt").write_text(
        f"Synthetic demo corpus: {len(sentences)} sentences from {sentences_file.name}, "
        f"spoken by espeak-ng -v {lang} (seed {seed}, renditions {renditions}"
        f"{f', low-passed at {lowpass_hz} Hz' if lowpass_hz else ''}).\n", encoding="utf-8")
    return out_dir


def _read_sentences(path: Path) -> list[str]:
    lines = [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines()]
    sentences = list(dict.fromkeys(line for line in lines if line))
    if len(sentences) < 10:
        raise CurrachError(f"{path}: needs at least 10 distinct sentences, found {len(sentences)}")
    return sentences


def _plan_clips(sentences: list[str], lang: str, renditions: dict[str, int], seed: int,
                dev_share: float, test_share: float, speed: tuple[int, int],
                pitch: tuple[int, int]) -> list[Clip]:
    rng = random.Random(seed)
    order = sentences[:]
    rng.shuffle(order)
    n_dev, n_test = round(len(order) * dev_share), round(len(order) * test_share)
    split_of = {s: "dev" for s in order[:n_dev]}
    split_of.update({s: "test" for s in order[n_dev:n_dev + n_test]})
    clips = []
    for sentence in sentences:
        split = split_of.get(sentence, "train")
        for _ in range(renditions.get(split, 1)):
            clips.append(Clip(sentence, split, rng.choice(VARIANTS), rng.randint(*speed),
                              rng.randint(*pitch), f"common_voice_{lang}_{len(clips) + 1:06d}.mp3"))
    return clips


TRIM_SILENCE = ("silence", "1", "0.01", "0.1%", "reverse", "silence", "1", "0.01", "0.1%", "reverse")


def _speak(job: tuple[Clip, str, str, int | None]) -> None:
    clip, lang, mp3, lowpass_hz = job
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "espeak.wav"
        subprocess.run(["espeak-ng", "-v", f"{lang}+{clip.voice}", "-s", str(clip.speed), "-p", str(clip.pitch),
                        "-w", str(wav), "--stdin"], input=clip.sentence.encode(), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # 48 kHz mono mp3 like Common Voice's clips. espeak-ng ends every clip with ~0.35 s of
        # silence: trimmed at both ends (a sixth less audio to train on), then 0.1 s padding.
        subprocess.run(["sox", str(wav), "-r", "48000", "-c", "1", "-C", "64", mp3,
                        *TRIM_SILENCE, "pad", "0.1", "0.1", *(["sinc", f"-{lowpass_hz}"] if lowpass_hz else [])],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _client_id(voice: str, lang: str) -> str:
    return hashlib.sha512(f"espeak-ng {lang} {voice}".encode()).hexdigest()


def _write_tsvs(clips: list[Clip], out_dir: Path, lang: str) -> None:
    sentence_ids = {s: hashlib.sha256(s.encode()).hexdigest() for s in {c.sentence for c in clips}}
    rows = {split: [] for split in ("train", "dev", "test")}
    for c in clips:
        gender = "male_masculine" if c.voice.startswith("m") else "female_feminine"
        rows[c.split].append([_client_id(c.voice, lang), c.path, sentence_ids[c.sentence], c.sentence, "",
                              "2", "0", "", gender, "espeak-ng", "", lang, ""])
    rows["validated"] = rows["train"] + rows["dev"] + rows["test"]
    for name, table in rows.items():
        lines = ["\t".join(COLUMNS)] + ["\t".join(r) for r in table]
        (out_dir / f"{name}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")

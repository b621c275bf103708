"""The corpus interface: one module per kind of corpus, named in a recipe's config.

A recipe's `conf/*.yaml` names two modules:

    corpus:
      reader: local.corpora.common_voice   # reads --corpus-dir when one is given
      demo: local.corpora.synthetic        # builds the demo corpus when none is given

Stage 0 (corpus) calls `check` (or `build`, then `check`), stage 1 (data prep) calls `prepare`
once per split; nothing else in a recipe knows the corpus. A reader module has:

    SETTINGS: tuple[str, ...]
        Dotted config keys its functions read (e.g. ("nsc",)); stages 0 and 1 record them, so
        changing one re-runs them. Its code is fingerprinted with everything it imports.

    def check(corpus_dir: Path, config: Mapping) -> dict:
        Check the layout quickly (no audio decoding) and describe the corpus: a JSON-able dict
        with at least "name" (it goes into RESULTS.md and the model card). Raise
        utils.errors.InputError naming the missing or malformed file.

    def prepare(corpus_dir: Path, split: str, out_dir: Path, wav_dir: Path, jobs: Jobs,
                config: Mapping) -> None:
        Write the Kaldi data dir `out_dir` for `split` ("train", "dev", "test") with
        utils.data_dir (it validates), converting the audio once to 16 kHz mono wav under
        `wav_dir` through utils.audio_jobs.convert_clips(..., jobs, ...), and the drop report.
        wav.scp holds absolute paths (utils.data_dir requires them). Raise InputError when more than
        config["data"]["max_drop_share"] of the split is unusable.

A demo module has the same two functions (for the folder it builds) and:

    def build(sentences: Path, out_dir: Path, config: Mapping, nj: int) -> None:
        Make the corpus folder `out_dir` (the engine moves it in place when stage 0 ends).

Modules: common_voice, nsc (NSC Parts 1-2 or a plain folder, told apart by layout),
plain_folder (only the plain audio_clips/ + transcripts/ layout), synthetic (espeak-ng in
Common Voice's layout), synthetic_en_sg (the same from respelt Singapore-English sentences).
The functions are thin wrappers over local/common_voice.py, local/nsc.py and
local/synth_corpus.py: corpus knowledge stays there.
"""
from __future__ import annotations

import importlib
from types import ModuleType


def load(module_name: str) -> ModuleType:
    """Import the corpus module a config names (e.g. "local.corpora.nsc")."""
    return importlib.import_module(module_name)

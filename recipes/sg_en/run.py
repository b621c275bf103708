#!/usr/bin/env python3
"""Singapore English (en-SG): a CTC model, greedy / beam / beam + external LM / beam + in-domain KenLM, WER.

With no --corpus-dir, stage 0 synthesises a small Singapore-English corpus with espeak-ng
in Common Voice's layout and the tiny from-scratch config trains on it (a demo that runs
offline on 2 CPU cores). With --corpus-dir pointing at the National Speech Corpus (Parts 1
and 2) or at a plain audio_clips/ + transcripts/ folder, it is the NSC recipe; with
--config conf/pretrained.yaml a pretrained English CTC model decodes as it is. The
in-domain LM (data/lang) is trained on the train transcripts plus any --lm-text; an
external ARPA (--lm-arpa, e.g. LibriSpeech's 3-gram) becomes data/lang_ext, decoded as
beam_ext_lm, to show what an out-of-domain LM does to local words. Stage 7 adds the n-best
oracle and side-by-side hypotheses; stage 6 saves model + LM as exp/<tag>/model_lm.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

RECIPE = Path(__file__).absolute().parent
sys.path.insert(0, str(RECIPE.parents[1]))  # the repo root is the import root, as Kaldi's path.sh

from pipeline.stage_cli import run_recipe  # noqa: E402
from stages import corpus, data_prep, decode, lang, manifest, score, text_norm, train  # noqa: E402

SETS = ("train", "dev", "test")
EVAL_SETS = ("dev", "test")

STAGES = [
    corpus.stage(),                 # 0  NSC / plain folder checked, or the demo corpus built
    data_prep.stage(),              # 1  data/{train,dev,test}/, audio in data/wavs/
    text_norm.stage(),              # 2  data/<set>/text
    manifest.stage(),               # 3  data/<set>/manifest.jsonl
    lang.stage(),                   # 4  data/lang/ (+ --lm-text), data/lang_ext (--lm-arpa)
    train.stage(),                  # 5  exp/<tag>/model/
    decode.stage(model_lm=True),    # 6  exp/<tag>/decode_<set>_<decoder>/, exp/<tag>/model_lm
    score.stage(oracle=True),       # 7  scores, n-best oracle, side_by_side_<set>.txt, RESULTS.md
]


def _file(value: str) -> str:
    """An option's file path, made absolute (stage records and inputs must not depend on the cwd)."""
    return str(Path(value).expanduser().absolute())


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus-dir", type=_file, default=None,
                        help="NSC (PART1/DATA/...) or a plain audio_clips/ + transcripts/ folder; "
                             "none: synthesise the demo corpus")
    parser.add_argument("--lm-text", type=_file, action="append", default=None, metavar="FILE",
                        help="extra in-domain LM text, one sentence per line, normalised like the transcripts")
    parser.add_argument("--lm-arpa", type=_file, default=None, metavar="FILE",
                        help="an external ARPA LM (.gz ok, e.g. LibriSpeech 3-gram): decoded as beam_ext_lm")
    parser.add_argument("--hotwords", type=_file, default=None, metavar="FILE",
                        help="words or phrases to favour in beam search, one per line")
    parser.add_argument("--max-steps", type=int, default=None, help="override train.max_steps (quick runs)")


def variables(args: argparse.Namespace, config: dict) -> dict:
    decoders = ("greedy", "beam") + (("beam_ext_lm",) if args.lm_arpa else ()) + ("beam_lm",)
    return {"corpus_dir": args.corpus_dir or "corpus/synthetic", "tag": args.config.stem,
            "eval": EVAL_SETS, "decoder": decoders}


if __name__ == "__main__":
    sys.exit(run_recipe(STAGES, RECIPE, default_config=RECIPE / "conf/tiny.yaml", sets=SETS,
                        add_options=add_options, variables=variables))

#!/usr/bin/env python3
"""Irish (ga-IE) on Common Voice: a CTC model on characters, greedy and KenLM beam decoding, WER.

With no --corpus-dir, stage 0 synthesises a small Irish corpus with espeak-ng in Common
Voice's layout and the tiny from-scratch config trains on it (a demo that runs offline on
2 CPU cores). With --corpus-dir pointing at an extracted Common Voice ga-IE release and
--config conf/xlsr53.yaml, it is the 2021 XLSR-53 fine-tuning recipe. The corpus modules
are named in the config (corpus.reader, corpus.demo; see local/corpora).
"""
from __future__ import annotations

import sys
from pathlib import Path

RECIPE = Path(__file__).absolute().parent
sys.path.insert(0, str(RECIPE.parents[1]))  # the repo root is the import root, as Kaldi's path.sh

from pipeline.stage_cli import run_recipe  # noqa: E402
from stages import corpus, data_prep, decode, lang, manifest, score, text_norm, train  # noqa: E402

SETS = ("train", "dev", "test")
EVAL_SETS = ("dev", "test")
DECODERS = ("greedy", "beam_lm")

STAGES = [
    corpus.stage(),      # 0  data/local/corpus.json (+ corpus/synthetic without --corpus-dir)
    data_prep.stage(),   # 1  data/{train,dev,test}/, audio in data/wavs/
    text_norm.stage(),   # 2  data/<set>/text
    manifest.stage(),    # 3  data/<set>/manifest.jsonl
    lang.stage(),        # 4  data/lang/ (vocab.json, KenLM)
    train.stage(),       # 5  exp/<tag>/model/
    decode.stage(),      # 6  exp/<tag>/decode_<set>_<decoder>/
    score.stage(),       # 7  .../score/, RESULTS.md, the model card
]


def add_options(parser) -> None:
    parser.add_argument("--corpus-dir", type=lambda p: str(Path(p).absolute()), default=None,
                        help="extracted Common Voice ga-IE folder; none: synthesise the demo corpus")
    parser.add_argument("--max-steps", type=int, default=None, help="override train.max_steps (quick runs)")


def variables(args, config: dict) -> dict:
    return {"corpus_dir": args.corpus_dir or "corpus/synthetic", "tag": args.config.stem,
            "eval": EVAL_SETS, "decoder": DECODERS}


if __name__ == "__main__":
    sys.exit(run_recipe(STAGES, RECIPE, default_config=RECIPE / "conf/tiny.yaml", sets=SETS,
                        add_options=add_options, variables=variables))

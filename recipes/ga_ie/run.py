#!/usr/bin/env python3
"""Irish (ga-IE) on Common Voice: a CTC model on characters, greedy and KenLM beam decoding, WER.

With no --corpus-dir, stage 0 synthesises a small Irish corpus with espeak-ng in Common
Voice's layout and the tiny from-scratch config trains on it (a demo that runs offline on
2 CPU cores). With --corpus-dir pointing at an extracted Common Voice ga-IE release and
--config conf/xlsr53.yaml, it is the 2021 XLSR-53 fine-tuning recipe. The corpus modules
are named in the config (corpus.reader, corpus.demo; see local/corpora). --train-set validated
reads data/train from validated.tsv less every clip, speaker and sentence of dev and test.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).absolute().parents[2]))  # the repo root is the import root (path.sh)

from stages import corpus, data_prep, decode, lang, manifest, recipe, score, text_norm, train  # noqa: E402

STAGES = [
    corpus.stage(),      # 0  data/local/corpus.json (+ corpus/synthetic without --corpus-dir)
    data_prep.stage(),   # 1  data/{train,dev,test}/, audio in data/wavs/
    text_norm.stage(),   # 2  data/<set>/text
    manifest.stage(),    # 3  data/<set>/manifest.jsonl
    lang.stage(),        # 4  data/lang/ (vocab.json, KenLM)
    train.stage(),       # 5  exp/<tag>/model/
    decode.stage(),      # 6  exp/<tag>/decode_<set>_{greedy,beam_lm}/
    score.stage(),       # 7  .../score/, RESULTS.md, the model card
]

def add_options(parser) -> None:
    # the choices are local.common_voice.TRAIN_SETS (not imported here: --list must stay light)
    parser.add_argument("--train-set", choices=("train", "validated"), default="train",
                        help="the Common Voice TSV data/train is read from: train, or validated less every "
                             "clip, speaker and sentence of dev and test")


if __name__ == "__main__":
    sys.exit(recipe.main(STAGES, __file__, decoders=lambda args: ("greedy", "beam_lm"), add_options=add_options,
                         corpus_help="extracted Common Voice ga-IE folder; none: synthesise the demo corpus"))

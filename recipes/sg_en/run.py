#!/usr/bin/env python3
"""Singapore English (en-SG): a CTC model, greedy / beam / beam + external LM / beam + in-domain KenLM, WER.

With no --corpus-dir, stage 0 synthesises a small Singapore-English corpus with espeak-ng
in Common Voice's layout and the tiny from-scratch config trains on it (a demo that runs
offline on 2 CPU cores). With --corpus-dir pointing at the National Speech Corpus (Parts 1
and 2) or at a plain audio_clips/ + transcripts/ folder, it is the NSC recipe (with
--nsc-part 3: Part 3's conversations, as Kaldi segments of the recordings); with
--config conf/pretrained.yaml a pretrained English CTC model decodes as it is. The
in-domain LM (data/lang) is trained on the train transcripts plus any --lm-text; an
external ARPA (--lm-arpa, e.g. LibriSpeech's 3-gram) becomes data/lang_ext, decoded as
beam_ext_lm, to show what an out-of-domain LM does to local words. Stage 7 adds the n-best
oracle and side-by-side hypotheses; stage 6 saves model + LM as exp/<tag>/model_lm.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).absolute().parents[2]))  # the repo root is the import root (path.sh)

from stages import corpus, data_prep, decode, lang, manifest, recipe, score, text_norm, train  # noqa: E402
from stages.recipe import absolute_file  # noqa: E402

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


def decoders(args) -> tuple[str, ...]:
    return ("greedy", "beam") + (("beam_ext_lm",) if args.lm_arpa else ()) + ("beam_lm",)


def add_options(parser) -> None:
    parser.add_argument("--nsc-part", type=int, choices=(3,), default=None,
                        help="3: read NSC Part 3 (TextGrid conversations) from --corpus-dir, as segments")
    parser.add_argument("--lm-text", type=absolute_file, action="append", default=None, metavar="FILE",
                        help="extra in-domain LM text, one sentence per line, normalised like the transcripts")
    parser.add_argument("--lm-arpa", type=absolute_file, default=None, metavar="FILE",
                        help="an external ARPA LM (.gz ok, e.g. LibriSpeech 3-gram): decoded as beam_ext_lm")
    parser.add_argument("--hotwords", type=absolute_file, default=None, metavar="FILE",
                        help="words or phrases to favour in beam search, one per line")


def configure(args, config: dict) -> None:
    """--nsc-part 3 reads the corpus with the Part 3 module (local/corpora/nsc_part3.py)."""
    if args.nsc_part == 3 and args.corpus_dir:
        config["corpus"]["reader"] = "local.corpora.nsc_part3"


if __name__ == "__main__":
    sys.exit(recipe.main(STAGES, __file__, decoders, add_options, configure=configure,
                         corpus_help="NSC (PART1/DATA/...) or a plain audio_clips/ + transcripts/ folder; "
                                     "none: synthesise the demo corpus"))

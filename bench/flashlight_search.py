"""flashlight-text's lexicon beam search with KenLM on our cached log-probs (a reference point).

Its lexicon is the LM's unigrams spelled in the model's characters, each ending in the word
delimiter "|"; unlike pyctcdecode it cannot emit a word outside that list.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from flashlight.lib.text.decoder import (CriterionType, KenLM, LexiconDecoder, LexiconDecoderOptions,
                                         SmearingMode, Trie)
from flashlight.lib.text.dictionary import Dictionary

from utils.ctc_logits import CtcLogits
from utils.lm_dir import check_lm_dir

UNK_WORD = "<unk>"


def flashlight_decode(ctc: CtcLogits, utt_ids: Sequence[str], lm_dir, alpha: float, beta: float,
                      beam_width: int) -> list[str]:
    """Best text per utterance from flashlight's LexiconDecoder (alpha = lm_weight, beta = word_score)."""
    files = check_lm_dir(lm_dir, ctc.labels, ctc.blank)
    tokens = Dictionary()
    for label in ctc.labels:
        tokens.add_entry(label)
    words = Dictionary()
    words.add_entry(UNK_WORD)
    lexicon = [w for w in files.unigrams if all(tokens.contains(c) for c in w)]
    for word in lexicon:
        words.add_entry(word)
    lm = KenLM(str(files.model_path), words)
    silence, blank = tokens.get_index("|"), tokens.get_index(ctc.blank)
    trie = Trie(len(ctc.labels), silence)
    start = lm.start(False)
    for word in lexicon:
        index = words.get_index(word)
        _, score = lm.score(start, index)
        trie.insert([tokens.get_index(c) for c in word] + [silence], index, score)
    trie.smear(SmearingMode.MAX)
    options = LexiconDecoderOptions(beam_size=beam_width, beam_size_token=len(ctc.labels), beam_threshold=25.0,
                                    lm_weight=alpha, word_score=beta, unk_score=-math.inf, sil_score=0.0,
                                    log_add=False, criterion_type=CriterionType.CTC)
    decoder = LexiconDecoder(options, trie, lm, silence, blank, words.get_index(UNK_WORD), [], False)
    texts = []
    for utt in utt_ids:
        emissions = np.ascontiguousarray(ctc.logits[utt], dtype=np.float32)
        best = decoder.decode(emissions.ctypes.data, emissions.shape[0], emissions.shape[1])[0]
        texts.append(" ".join(words.get_entry(w) for w in best.words if w >= 0))
    return texts

"""Turn cached CTC log-probs into text: greedy (best path) or pyctcdecode beam search.

Labels are the tokenizer's symbols in id order. Both searches map them the same way
(pyctcdecode's convention): the blank/pad token -> "" (dropped), "|" -> " " (word break),
"[UNK]" -> "⁇"; whitespace in the result is collapsed to single spaces.

pyctcdecode keeps the KenLM model in a class-level dict that worker processes inherit when
they are forked, so the process pool is made after the decoder (and after any change of
alpha/beta), once per batch of utterances; a pool made earlier would decode with stale weights.

A pool pays only for a long search: forking the decoding process (torch and the model loaded)
and sending each utterance's log-probs to a worker cost 0.1-0.2 s on 2 shared cores, and the
demo model's 1,870 utterances took 1.4 s in one process against 1.6 s in a pool of 2 (a model
early in training, with flatter log-probs, searched 220 utterances in 2.2 s alone and 1.6-2.0 s in
the pool). So the first PROBE_UTTS utterances are searched here, timed, and the rest go to the
pool only when at that pace they would take POOL_MIN_SECONDS or more. Where an utterance is
searched does not change its hypothesis.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable, Iterator, Sequence, TypeVar

import numpy as np

from utils.errors import InputError
from pipeline.jobs import init_worker
from utils.lm_dir import LmFiles, check_lm_dir

DEFAULT_BEAM_WIDTH = 32
DEFAULT_ALPHA = 0.5
DEFAULT_BETA = 1.0
DEFAULT_HOTWORD_WEIGHT = 10.0
UNK_SYMBOL = "⁇"
PROBE_UTTS = 16  # searched in this process first, to time the search (see the module doc)
POOL_MIN_SECONDS = 2.0  # the rest goes to a pool only if it would take this long here

R = TypeVar("R")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchSettings:
    """How a beam search runs, passed whole through the decode steps.

    `beam_width` is the number of prefixes kept per frame; `alpha` weighs the LM's log10
    probability and `beta` is the bonus per word (both used only with an LM); `hotwords` are
    words to favour by `hotword_weight`; `nbest` > 0 asks for that many hypotheses per utterance
    (0: the best one only). Greedy search ignores all of it.
    """

    beam_width: int = DEFAULT_BEAM_WIDTH
    alpha: float = DEFAULT_ALPHA
    beta: float = DEFAULT_BETA
    hotwords: tuple[str, ...] = ()
    hotword_weight: float = DEFAULT_HOTWORD_WEIGHT
    nbest: int = 0

    def __post_init__(self) -> None:
        # a CLI gives a list; a tuple keeps the value frozen and hashable
        object.__setattr__(self, "hotwords", tuple(self.hotwords))


def search_labels(labels: Sequence[str], blank: str) -> list[str]:
    """Labels as pyctcdecode expects them: blank -> "", "|" -> " ", [UNK]/<unk> -> "⁇"."""
    mapped = []
    for label in labels:
        if label == blank:
            mapped.append("")
        elif label == "|":
            mapped.append(" ")
        elif label.lower() in ("[unk]", "<unk>"):
            mapped.append(UNK_SYMBOL)
        else:
            mapped.append(label)
    return mapped


def greedy_decode(log_probs: np.ndarray, labels: Sequence[str]) -> str:
    """Best-path text of one utterance: argmax per frame, merge repeats, drop blanks.

    `labels` are already mapped by `search_labels`; `log_probs` is [frames, len(labels)].
    """
    if log_probs.ndim != 2 or log_probs.shape[1] != len(labels):
        raise InputError(f"log-probs of shape {log_probs.shape} do not match {len(labels)} labels")
    best = log_probs.argmax(axis=1)
    keep = np.ones(len(best), dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    text = "".join(labels[index] for index in best[keep])
    return " ".join(text.split())


def build_beam_decoder(labels: Sequence[str], blank: str, lm_dir: Path | None = None,
                       alpha: float = DEFAULT_ALPHA, beta: float = DEFAULT_BETA,
                       max_oov_share: float = 0.05):
    """A pyctcdecode BeamSearchDecoderCTC, with the KenLM model of `lm_dir` if given.

    The LM dir is checked first (utils.lm_dir.check_lm_dir): a missing file, an ARPA without
    </s>, an empty unigram list or an LM that does not match the labels raises InputError.
    """
    from pyctcdecode import build_ctcdecoder

    mapped = search_labels(labels, blank)
    if lm_dir is None:
        return build_ctcdecoder(mapped)
    lm: LmFiles = check_lm_dir(lm_dir, list(labels), blank, max_oov_share)
    logger.info("beam search LM %s (%d unigrams), alpha=%g beta=%g", lm.model_path,
                len(lm.unigrams), alpha, beta)
    return build_ctcdecoder(mapped, kenlm_model_path=str(lm.model_path), unigrams=lm.unigrams,
                            alpha=float(alpha), beta=float(beta))


@contextmanager
def worker_pool(nj: int, jobs: int) -> Iterator[multiprocessing.pool.Pool | None]:
    """A fork-context pool of `nj` workers, or None when one process is enough."""
    if nj <= 1 or jobs <= 1:
        yield None
        return
    pool = multiprocessing.get_context("fork").Pool(min(nj, jobs), initializer=init_worker, initargs=(os.getpid(),))
    try:
        yield pool
    finally:
        pool.terminate()
        pool.join()


def search_batches(search: Callable[..., list[R]], log_probs: Sequence[np.ndarray], nj: int) -> list[R]:
    """`search(pool, arrays)` (a pyctcdecode batch method, its options bound) over `log_probs`, in
    order: the first PROBE_UTTS here, timed, then the rest here too or, when at that pace they would
    take POOL_MIN_SECONDS or more, in a pool of `nj` forked workers."""
    items = list(log_probs)
    start = time.perf_counter()
    head = search(None, items[:PROBE_UTTS])
    rest = items[PROBE_UTTS:]
    if not rest:
        return head
    pace = (time.perf_counter() - start) / len(head)
    with worker_pool(nj if pace * len(rest) >= POOL_MIN_SECONDS else 1, len(rest)) as pool:
        return head + search(pool, rest)


def beam_decode(decoder, log_probs: Sequence[np.ndarray], settings: SearchSettings = SearchSettings(),
                nj: int = 1) -> list[str]:
    """Beam-search each [frames, labels] array with `decoder`, over up to `nj` forked processes
    (see `search_batches`).

    Uses the beam width and hotwords of `settings`; alpha and beta are the decoder's own
    (set when it was built or by `reset_params`), and `settings.nbest` is not looked at.
    """
    if settings.beam_width < 1:
        raise InputError(f"beam width must be at least 1, got {settings.beam_width}")
    search = partial(decoder.decode_batch, beam_width=settings.beam_width,
                     hotwords=list(settings.hotwords) or None, hotword_weight=settings.hotword_weight)
    return [" ".join(text.split()) for text in search_batches(search, log_probs, nj)]


def beam_decode_nbest(decoder, log_probs: Sequence[np.ndarray], settings: SearchSettings,
                      nj: int = 1) -> list[list[tuple[str, float]]]:
    """Up to `settings.nbest` (text, score) per utterance, best first, from the final beams of the search.

    The score is pyctcdecode's combined (acoustic + LM + word bonus) log score that ranks the
    beams; the first text is exactly what `beam_decode` returns: the search is the same, history
    pruning included (pyctcdecode's `decode` drops beams that share their last LM-order words
    with a better one), so the list is less diverse than an unpruned one. Texts that become
    equal once whitespace is collapsed are kept once, at their best rank.
    """
    if settings.beam_width < 1 or settings.nbest < 1:
        raise InputError(f"beam width and n-best size must be at least 1, got {settings.beam_width} "
                         f"and {settings.nbest}")
    search = partial(decoder.decode_beams_batch, beam_width=settings.beam_width, prune_history=True,
                     hotwords=list(settings.hotwords) or None, hotword_weight=settings.hotword_weight)
    out = []
    for beams in search_batches(search, log_probs, nj):
        seen: dict[str, float] = {}
        for beam in beams:  # (text, text_frames, logit_score, combined score)
            seen.setdefault(" ".join(beam[0].split()), float(beam[-1]))
        out.append(list(seen.items())[:settings.nbest])
    return out

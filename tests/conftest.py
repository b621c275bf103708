"""Shared fixtures: a tiny synthetic Common Voice folder, made once per test session."""
from __future__ import annotations

from pathlib import Path

import pytest

SENTENCES = [
    "Tá an aimsir go breá inniu.", "Bhí sé fuar agus fliuch inné.", "Tá an t-uisce fuar.",
    "Chuaigh mé go Gaillimh ar an Aoine.", "Is maith liom tae agus arán.", "Tá ár n-athair sa bhaile.",
    "Beidh an cluiche ar siúl amárach.", "D’ól sé cupán tae.", "Tá an tUachtarán i mBaile Átha Cliath.",
    "Rugadh í i nÉirinn.", "Tá na hoileáin go hálainn.", "An bhfuil tú tuirseach?",
]


@pytest.fixture(scope="session")
def cv_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 sentences × (2 train / 1 dev / 1 test) espeak-ng clips in Common Voice layout."""
    from local.synth_corpus import make_synthetic_corpus

    root = tmp_path_factory.mktemp("cv")
    sentences = root / "sentences.txt"
    sentences.write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    return make_synthetic_corpus(sentences, root / "ga-IE", "ga", {"train": 2, "dev": 1, "test": 1},
                                 seed=1, dev_share=0.17, test_share=0.17, nj=2)


@pytest.fixture(scope="session")
def slurm(tmp_path_factory: pytest.TempPathFactory):
    """Environment for the clients of a real single-node Slurm (started here if none answers);
    skips, saying why, where none can run (see tests/utils/slurm_cluster.py)."""
    import os
    import signal

    from tests.utils import slurm_cluster

    env, pids, why_not = slurm_cluster.start(tmp_path_factory.mktemp("slurm"))
    try:
        if why_not:
            pytest.skip(f"no real Slurm: {why_not}")
        yield env
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:  # a daemon that failed to start (no munge socket dir) is gone already
                pass

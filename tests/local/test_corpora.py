"""The corpus interface (local/corpora): every module has it, and a reader refuses a wrong layout."""
from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from local.corpora import load
from stages.common import corpus_settings
from utils.errors import InputError

READERS = ["local.corpora.asterisk_prompts", "local.corpora.common_voice", "local.corpora.nsc", "local.corpora.nsc_part3", "local.corpora.plain_folder"]
DEMOS = ["local.corpora.synthetic", "local.corpora.synthetic_en_sg"]


@pytest.mark.parametrize("name", READERS + DEMOS)
def test_every_corpus_module_has_the_interface(name: str) -> None:
    module = load(name)
    assert isinstance(module.SETTINGS, tuple)
    assert list(inspect.signature(module.check).parameters) == ["corpus_dir", "config"]
    assert list(inspect.signature(module.prepare).parameters) == ["corpus_dir", "split", "out_dir", "wav_dir",
                                                                  "jobs", "config"]
    if name in DEMOS:
        assert list(inspect.signature(module.build).parameters) == ["sentences", "out_dir", "config", "nj"]


@pytest.mark.parametrize("name", READERS)
def test_settings_read_from_source_match_the_module(name: str) -> None:
    class Ctx:
        config_path = Path("conf.yaml")
        options = {"corpus_dir": "/somewhere"}

        @staticmethod
        def setting(key: str) -> str:
            return name

    assert corpus_settings(Ctx()) == load(name).SETTINGS


def test_a_plain_folder_reader_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "audio_clips").mkdir()
    with pytest.raises(InputError, match=r"no transcripts/ folder"):
        load("local.corpora.plain_folder").check(tmp_path, {"nsc": {"channels": [0]}})


def test_a_common_voice_reader_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no clips/ folder"):
        load("local.corpora.common_voice").check(tmp_path, {})

"""The installed environment: every pinned dependency imports together, torchaudio is absent,
and the KenLM binaries set-up compiles are found and run."""
from __future__ import annotations

import importlib
import importlib.util
import subprocess

import pytest

from utils.kenlm_tools import kenlm_binary

MODULES = ["torch", "transformers", "accelerate", "datasets", "numpy", "pyarrow", "pyctcdecode", "kenlm",
           "librosa", "soundfile", "soxr", "jiwer", "typer", "sox", "rich", "yaml", "matplotlib", "safetensors"]


@pytest.mark.parametrize("name", MODULES)
def test_dependency_imports(name: str) -> None:
    importlib.import_module(name)


def test_versions_that_matter() -> None:
    import numpy
    import torch
    import transformers

    assert torch.__version__.startswith("2.13.0")
    assert int(transformers.__version__.split(".")[0]) == 5
    assert int(numpy.__version__.split(".")[0]) < 2, "pyctcdecode needs numpy<2"


def test_torchaudio_is_absent() -> None:
    assert importlib.util.find_spec("torchaudio") is None, "torchaudio breaks `import transformers` on torch 2.13"


@pytest.mark.parametrize(("tool", "marker"), [("lmplz", "Kneser-Ney"), ("build_binary", "Usage")])
def test_kenlm_binaries_run(tool: str, marker: str) -> None:
    proc = subprocess.run([str(kenlm_binary(tool)), "--help"], capture_output=True, text=True)
    assert marker in proc.stdout + proc.stderr


@pytest.mark.parametrize("tool", ["espeak-ng", "sox"])
def test_audio_tools_present(tool: str) -> None:
    assert subprocess.run([tool, "--version"], capture_output=True).returncode == 0

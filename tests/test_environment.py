"""The installed environment: every pinned dependency imports together, torchaudio and torchcodec
are absent, and the KenLM binaries set-up compiles are found and run."""
from __future__ import annotations

import importlib
import importlib.util
import subprocess

import pytest

from utils.kenlm_tools import kenlm_binary

MODULES = ["torch", "transformers", "accelerate", "datasets", "numpy", "pyarrow", "pyctcdecode", "pygtrie",
           "kenlm", "librosa", "soundfile", "soxr", "jiwer", "typer", "sox", "rich", "yaml", "matplotlib", "safetensors"]


@pytest.mark.parametrize("name", MODULES)
def test_dependency_imports(name: str) -> None:
    importlib.import_module(name)


def test_versions_that_matter() -> None:
    import numpy
    import torch
    import transformers

    assert torch.__version__.startswith("2.13.0")
    assert int(transformers.__version__.split(".")[0]) == 5
    # pyctcdecode's metadata says numpy<2; it is installed --no-deps (requirements-no-deps.txt) and
    # tests/steps/test_decode_golden.py shows its hypotheses unchanged on numpy 2
    assert int(numpy.__version__.split(".")[0]) >= 2


@pytest.mark.parametrize(("name", "why"), [
    ("torchaudio", "it breaks `import transformers` on torch 2.13"),
    ("torchcodec", "datasets[audio] pulls it and its wheels link CUDA libraries; currach decodes audio itself"),
])
def test_absent(name: str, why: str) -> None:
    assert importlib.util.find_spec(name) is None, f"{name} is installed: {why}"


@pytest.mark.parametrize(("tool", "marker"), [("lmplz", "Kneser-Ney"), ("build_binary", "Usage")])
def test_kenlm_binaries_run(tool: str, marker: str) -> None:
    proc = subprocess.run([str(kenlm_binary(tool)), "--help"], capture_output=True, text=True)
    assert marker in proc.stdout + proc.stderr


@pytest.mark.parametrize("tool", ["espeak-ng", "sox"])
def test_audio_tools_present(tool: str) -> None:
    assert subprocess.run([tool, "--version"], capture_output=True).returncode == 0

"""Mixed precision for training: what `train.mixed_precision` asks for, given the machine.

On a GPU, "auto" picks bf16 where the GPU supports it, else fp16. On a CPU, bf16 autocast
is used only when asked for ("bf16") and the CPU computes in bf16 natively (AVX-512 BF16 or
AMX, read from /proc/cpuinfo): elsewhere PyTorch emulates bf16 and is slower than float32,
so the setting falls back to float32 with a warning. "auto" on a CPU stays float32: on the
tiny model bf16 autocast did not pay for its casts (bench/RESULTS.md, train part).
"""
from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

CPU_BF16_FLAGS = ("avx512_bf16", "amx_bf16")
CPUINFO = Path("/proc/cpuinfo")


def cpu_bf16_flags(cpuinfo: Path = CPUINFO) -> list[str]:
    """The bf16 instruction-set flags the CPU reports (empty where there are none, or no /proc)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    for line in text.splitlines():
        if line.startswith("flags"):
            present = set(line.partition(":")[2].split())
            return [flag for flag in CPU_BF16_FLAGS if flag in present]
    return []


def precision_arguments(setting: str, cuda: bool, cpu_bf16: bool) -> dict[str, bool]:
    """TrainingArguments flags (fp16/bf16, use_cpu) for `setting` on this machine.

    `cuda`: a GPU is used; `cpu_bf16`: the CPU has native bf16 (see `cpu_bf16_flags`).
    """
    if setting == "no":
        return {}
    if cuda:
        import torch

        if setting == "bf16" or (setting == "auto" and torch.cuda.is_bf16_supported()):
            return {"bf16": True}
        return {"fp16": True}
    if setting == "bf16":
        if cpu_bf16:
            return {"bf16": True, "use_cpu": True}
        log.warning("train.mixed_precision is bf16 but this CPU has none of %s: training in float32",
                    ", ".join(CPU_BF16_FLAGS))
    elif setting == "fp16":
        log.warning("train.mixed_precision fp16 needs a GPU: training in float32")
    return {}

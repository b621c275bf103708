"""utils.precision: bf16 on a CPU only where /proc/cpuinfo lists a native bf16 instruction set."""
from __future__ import annotations

import logging

import pytest

from utils.precision import cpu_bf16_flags, precision_arguments

# The layout of Linux's /proc/cpuinfo (fs/proc/cpuinfo.c, arch/x86/kernel/cpu/proc.c):
# "name<TAB>: value" lines, one block per logical CPU, blocks separated by a blank line.
CPU_BLOCK = ("processor\t: {n}\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\n"
             "flags\t\t: fpu vme sse sse2 avx2 avx512f {extra}\nbogomips\t: 4800.00\n\n")


def cpuinfo(tmp_path, extra: str):
    path = tmp_path / "cpuinfo"
    path.write_text("".join(CPU_BLOCK.format(n=n, extra=extra) for n in range(2)), encoding="utf-8")
    return path


@pytest.mark.parametrize("extra, flags", [
    ("avx512_bf16 avx512_vnni", ["avx512_bf16"]),
    ("amx_bf16 amx_tile avx512_bf16", ["avx512_bf16", "amx_bf16"]),
    ("avx512_vnni avx512bw", []),
    ("avx512_bf16x", []),  # a whole flag, not a prefix
])
def test_cpu_bf16_flags(tmp_path, extra, flags):
    assert cpu_bf16_flags(cpuinfo(tmp_path, extra)) == flags


def test_no_cpuinfo_means_no_bf16(tmp_path):
    assert cpu_bf16_flags(tmp_path / "absent") == []


@pytest.mark.parametrize("setting, cpu_bf16, expected", [
    ("bf16", True, {"bf16": True, "use_cpu": True}),
    ("bf16", False, {}),
    ("auto", True, {}),
    ("no", True, {}),
    ("fp16", True, {}),
])
def test_cpu_precision(setting, cpu_bf16, expected):
    assert precision_arguments(setting, cuda=False, cpu_bf16=cpu_bf16) == expected


def test_bf16_without_cpu_support_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="utils.precision"):
        precision_arguments("bf16", cuda=False, cpu_bf16=False)
    assert "float32" in caplog.text

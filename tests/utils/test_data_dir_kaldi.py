"""Cross-check with Kaldi's own utils/validate_data_dir.sh --no-feats (needs KALDI_UTILS).

Set KALDI_UTILS to a copy of Kaldi's egs/wsj/s5/utils folder (validate_data_dir.sh,
validate_text.pl, spk2utt_to_utt2spk.pl, ...); bash and perl must be installed.
Kaldi is more lenient than we are (it does not look at audio paths, empty text or
non-numeric durations), so the rule checked is one way: what Kaldi rejects, we reject.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.utils.data_dir_fixtures import (
    delete_wav,
    replace_line,
    swap_first_lines,
    write_sample_dir,
    write_segmented_dir,
)
from tests.utils.test_data_dir import CORRUPTIONS
from tests.utils.test_data_dir_segments import CORRUPTIONS as SEGMENT_CORRUPTIONS
from utils.data_dir import fix_data_dir, validate_data_dir

# Corruptions Kaldi's script is known to reject: proves the harness can fail, not only pass.
KALDI_REJECTS = ["unsorted", "duplicate", "mismatched-sets", "bad-speaker-prefix", "spk2utt-inconsistent",
                 "crlf", "nbsp-in-text", "reserved-symbol", "negative-duration", "no-final-newline"]


@pytest.fixture
def kaldi(tmp_path: Path) -> Path:
    """A folder holding `utils` -> $KALDI_UTILS (the script calls utils/*.pl relative to the cwd)."""
    folder = os.environ.get("KALDI_UTILS")
    if not folder:
        pytest.skip("KALDI_UTILS is not set (point it at Kaldi's egs/wsj/s5/utils to cross-check)")
    if not (Path(folder) / "validate_data_dir.sh").is_file():
        pytest.skip(f"KALDI_UTILS={folder} has no validate_data_dir.sh")
    if shutil.which("perl") is None or shutil.which("bash") is None:
        pytest.skip("Kaldi's validate_data_dir.sh needs bash and perl")
    root = tmp_path / "kaldi"
    root.mkdir()
    (root / "utils").symlink_to(Path(folder).resolve(), target_is_directory=True)
    return root


def _kaldi_validate(kaldi: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    # The script looks for a UTF-8 C locale with `locale -a | grep "C.UTF-8"`, but glibc lists
    # it as "C.utf8"; it then falls back to en_US.UTF-8 and, where that is missing, to bytes, so
    # every non-ASCII letter counts as non-printable (kaldi-asr/kaldi PR #4934). This `locale`
    # stand-in makes it pick C.UTF-8, which glibc resolves to C.utf8.
    shim = kaldi / "bin"
    shim.mkdir(exist_ok=True)
    (shim / "locale").write_text("#!/bin/sh\necho C.UTF-8\n", encoding="utf-8")
    (shim / "locale").chmod(0o755)
    env = {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(["bash", "utils/validate_data_dir.sh", "--no-feats", str(data_dir)], cwd=kaldi,
                          env=env, capture_output=True, text=True, errors="replace", check=False)


def test_kaldi_accepts_what_write_data_dir_writes(kaldi: Path, tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)  # Irish text ("tá an t-uisce fuar"), ids like "éamon-0001"
    result = _kaldi_validate(kaldi, data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Successfully validated" in result.stdout


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_what_kaldi_rejects_we_reject(kaldi: Path, tmp_path: Path, name: str) -> None:
    data_dir = write_sample_dir(tmp_path)
    corrupt, _ = CORRUPTIONS[name]
    corrupt(data_dir)
    result = _kaldi_validate(kaldi, data_dir)
    if name in KALDI_REJECTS:
        assert result.returncode != 0, result.stdout
    if result.returncode != 0:
        assert validate_data_dir(data_dir), f"Kaldi rejects {name} but we accept it: {result.stdout}"


def test_kaldi_accepts_what_fix_data_dir_repaired(kaldi: Path, tmp_path: Path) -> None:
    data_dir = write_sample_dir(tmp_path)
    delete_wav(data_dir)
    swap_first_lines("utt2spk")(data_dir)
    replace_line("text", "aoife-0001", b"aoife-0001 ")(data_dir)
    replace_line("spk2utt", "Aoife", b"Aoife Aoife-0001")(data_dir)
    assert _kaldi_validate(kaldi, data_dir).returncode != 0
    fix_data_dir(data_dir)
    result = _kaldi_validate(kaldi, data_dir)
    assert result.returncode == 0, result.stdout + result.stderr


# Segmented-dir corruptions Kaldi's script rejects (segments vs wav.scp vs reco2dur, end <= start).
KALDI_REJECTS_SEGMENTED = ["end-before-start", "three-fields", "unknown-recording", "unused-recording",
                           "reco2dur-lacks", "segments-lacks"]


def test_kaldi_accepts_a_segmented_dir(kaldi: Path, tmp_path: Path) -> None:
    data_dir = write_segmented_dir(tmp_path)
    result = _kaldi_validate(kaldi, data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Successfully validated" in result.stdout


@pytest.mark.parametrize("name", list(SEGMENT_CORRUPTIONS))
def test_what_kaldi_rejects_in_a_segmented_dir_we_reject(kaldi: Path, tmp_path: Path, name: str) -> None:
    data_dir = write_segmented_dir(tmp_path)
    corrupt, _ = SEGMENT_CORRUPTIONS[name]
    corrupt(data_dir)
    result = _kaldi_validate(kaldi, data_dir)
    if name in KALDI_REJECTS_SEGMENTED:
        assert result.returncode != 0, result.stdout
    if result.returncode != 0:
        assert validate_data_dir(data_dir), f"Kaldi rejects {name} but we accept it: {result.stdout}"


def test_kaldi_accepts_a_segmented_dir_fix_data_dir_repaired(kaldi: Path, tmp_path: Path) -> None:
    data_dir = write_segmented_dir(tmp_path)
    SEGMENT_CORRUPTIONS["end-before-start"][0](data_dir)
    assert _kaldi_validate(kaldi, data_dir).returncode != 0
    fix_data_dir(data_dir)
    result = _kaldi_validate(kaldi, data_dir)
    assert result.returncode == 0, result.stdout + result.stderr

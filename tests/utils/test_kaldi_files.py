"""The Kaldi `key value` format: byte-order sorting, atomic writes, strict reading."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from utils.errors import InputError
from utils.kaldi_files import read_kv, scan_kv, sorted_keys, write_kv

MIXED_KEYS = ["b", "é", "B", "10", "a", "Z", "9", "A", "z", "f", "ab", "a-b", "a_b"]
# LC_ALL=C order compares bytes: "-" 0x2D < digits < uppercase < "_" 0x5F < lowercase < "é" 0xC3 0xA9,
# so "é" sorts after "z" (a UTF-8 locale would put it next to "e") and "10" before "9".
C_ORDER = ["10", "9", "A", "B", "Z", "a", "a-b", "a_b", "ab", "b", "f", "z", "é"]


def test_sorted_keys_is_byte_order() -> None:
    assert sorted_keys(MIXED_KEYS) == C_ORDER


def test_write_kv_sorts_by_bytes_with_newline_endings(tmp_path: Path) -> None:
    path = tmp_path / "text"
    write_kv(path, {key: f"value of {key}" for key in MIXED_KEYS})
    data = path.read_bytes()
    assert b"\r" not in data and data.endswith(b"\n")
    assert [line.split(" ")[0] for line in data.decode("utf-8").splitlines()] == C_ORDER
    assert not (tmp_path / ".text.tmp").exists()
    assert read_kv(path) == {key: f"value of {key}" for key in MIXED_KEYS}


@pytest.mark.skipif(shutil.which("sort") is None, reason="needs the coreutils `sort` to compare with")
def test_write_kv_order_matches_lc_all_c_sort(tmp_path: Path) -> None:
    path = tmp_path / "utt2spk"
    write_kv(path, {key: "x" for key in MIXED_KEYS})
    check = subprocess.run(["sort", "-C", str(path)], env={"LC_ALL": "C"}, check=False)
    assert check.returncode == 0


def test_write_kv_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "wav.scp"
    write_kv(path, {"a": "1"})
    write_kv(path, {"b": "2"})
    assert path.read_text(encoding="utf-8") == "b 2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wav.scp"]


@pytest.mark.parametrize("mapping", [{"a b": "x"}, {"": "x"}, {"a": "two\nlines"}, {"a": "cr\r"}])
def test_write_kv_refuses_what_one_line_cannot_hold(tmp_path: Path, mapping: dict[str, str]) -> None:
    with pytest.raises(InputError):
        write_kv(tmp_path / "text", mapping)
    assert not (tmp_path / "text").exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"a-1 ok\na-2 caf\xe9\n", "value is not valid UTF-8"),
        (b"a-1 ok\n\xff\xfe x\n", "not valid UTF-8"),
        (b"a-1 ok\na-2 ok\r\n", "CR character"),
        (b"a-1 ok\na-2\n", "no value"),
        (b"a-1 ok\na-2 \n", "no value"),
        (b"a-1 ok\na-1 again\n", "duplicate key 'a-1'"),
        (b"a-1 ok\n\na-2 ok\n", "blank line"),
    ],
    ids=["bad-utf8-value", "bad-utf8-key", "crlf", "no-value", "empty-value", "duplicate", "blank"],
)
def test_read_kv_names_file_and_line(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "text"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_kv(path)
    assert f"{path}:2:" in str(caught.value)
    assert expected in str(caught.value)


def test_read_kv_value_optional(tmp_path: Path) -> None:
    path = tmp_path / "text"
    path.write_bytes(b"a-1\na-2 hello world\n")
    assert read_kv(path, value_required=False) == {"a-1": "", "a-2": "hello world"}


def test_read_kv_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_kv(tmp_path / "utt2dur")


def test_scan_kv_keeps_going_and_repairs_crlf_on_request(tmp_path: Path) -> None:
    path = tmp_path / "text"
    path.write_bytes(b"b-1 one\r\na-1 caf\xe9\r\nc-1\ttab\r\n")
    table = scan_kv(path, repair_crlf=True)
    assert table.crlf_repaired == 3
    assert [r.key for r in table.lines] == ["b-1", "c-1\ttab"]
    reasons = {line: " | ".join(i.reason for i in table.issues if i.line == line) for line in (1, 2, 3)}
    assert reasons[1] == ""
    assert "not valid UTF-8" in reasons[2]
    assert "tab character" in reasons[3] and "no value" in reasons[3]  # key "c-1\ttab", no value

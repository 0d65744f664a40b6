"""The bounded reader and the atomic writer every kept file goes through."""

from __future__ import annotations

from pathlib import Path

import pytest

from cilium_tui.textfile import TextFileError, read_bounded_text, write_atomic


def test_reads_utf8_text_up_to_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_text("héllo", encoding="utf-8")
    assert read_bounded_text(path, cap=6) == "héllo"


def test_a_file_over_the_cap_is_refused_from_what_is_read(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 7)
    with pytest.raises(TextFileError, match="larger than 6 bytes"):
        read_bounded_text(path, cap=6)


def test_an_endless_file_is_refused_without_reading_it_all() -> None:
    with pytest.raises(TextFileError, match="larger than 1 MiB"):
        read_bounded_text(Path("/dev/zero"), cap=2**20)


def test_missing_unreadable_and_binary_files_say_why(tmp_path: Path) -> None:
    with pytest.raises(TextFileError, match="cannot read: No such file") as missing:
        read_bounded_text(tmp_path / "absent", cap=10)
    assert missing.value.missing
    with pytest.raises(TextFileError, match="cannot read") as directory:
        read_bounded_text(tmp_path, cap=10)
    assert not directory.value.missing
    (tmp_path / "bin").write_bytes(b"\xff\xfe")
    with pytest.raises(TextFileError, match="not UTF-8"):
        read_bounded_text(tmp_path / "bin", cap=10)


def test_write_replaces_the_file_whole_with_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_text("old")
    write_atomic(path, "new", mode=0o640, durable=True)
    assert path.read_text() == "new"
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "\udcff")  # a lone surrogate cannot be encoded
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f"]

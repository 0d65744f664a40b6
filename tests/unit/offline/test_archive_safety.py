"""Malicious and broken sysdumps: refused or skipped with a one-line message, nothing written."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from cilium_tui.offline.archive import ArchiveError, Limits, read_archive
from cilium_tui.offline.source import OfflineError, read_offline
from cilium_tui.offline.sysdump import snapshot_of, wanted
from tests.unit.offline.builders import TOP, TS, agent_pod, sysdump_files, write_zip

NODES = f"{TOP}/k8s-nodes-{TS}.yaml"
NODE = {"metadata": {"name": "vm-1"}, "status": {"nodeInfo": {"kernelVersion": "6.2.0"}}}


def _good() -> dict[str, bytes]:
    return sysdump_files([NODE], [agent_pod("cilium-1", "vm-1", "x:v1.13.4")], None, {})


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture
def untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory whose tree (and its parent's) must not change."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path


def _zip_with(path: Path, extra: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in _good().items():
            zf.writestr(name, data)
        for info, data in extra:
            zf.writestr(info, data)
    return path


@pytest.mark.parametrize(
    ("name", "why"),
    [
        (f"{TOP}/../../k8s-nodes-{TS}.yaml", "path traversal"),
        ("../evil.yaml", "path traversal"),
        ("/etc/cron.d/evil", "absolute path"),
        ("C:/Windows/evil.yaml", "absolute path"),
        (f"{TOP}\\..\\evil.yaml", "backslash"),
    ],
)
def test_traversal_and_absolute_names_are_refused(untouched: Path, name: str, why: str) -> None:
    before = _tree(untouched)
    path = _zip_with(untouched / "evil.zip", [(name, b"apiVersion: v1\nitems: []\n")])
    before.add("evil.zip")
    archive = read_archive(path, wanted)
    assert any(why in p and "refused" in p for p in archive.problems), archive.problems
    assert all(unsafe not in archive.members for unsafe in (name,))
    assert _tree(untouched) == before
    assert not Path("/etc/cron.d/evil").exists()


def test_zip_bomb_member_is_refused_by_its_decompressed_size(tmp_path: Path) -> None:
    bomb = b"\0" * (4 * 1024 * 1024)  # 4 MiB of zeros, ~4 KiB compressed
    path = _zip_with(tmp_path / "bomb.zip", [(f"{TOP}/cilium-configmap-{TS}.yaml", bomb)])
    assert path.stat().st_size < 64 * 1024
    archive = read_archive(path, wanted, Limits(member=1024 * 1024))
    assert f"{TOP}/cilium-configmap-{TS}.yaml" not in archive.members
    assert any("larger than 1 MiB once decompressed" in p for p in archive.problems)


def test_total_cap_stops_many_members(tmp_path: Path) -> None:
    extra = [
        (f"{TOP}/cilium-bugtool-cilium-{i}-{TS}/cmd/cilium-status---verbose.md", b"x" * 600_000)
        for i in range(4)
    ]
    path = _zip_with(tmp_path / "many.zip", extra)
    archive = read_archive(path, wanted, Limits(member=1024 * 1024, total=2 * 1024 * 1024))
    assert sum(len(v) for v in archive.members.values()) <= 2 * 1024 * 1024
    assert any("total cap of 2 MiB" in p for p in archive.problems)


def test_symlink_member_is_ignored(tmp_path: Path) -> None:
    link = zipfile.ZipInfo(f"{TOP}/cilium-configmap-{TS}.yaml")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = _zip_with(tmp_path / "link.zip", [(link, b"/etc/passwd")])
    archive = read_archive(path, wanted)
    assert f"{TOP}/cilium-configmap-{TS}.yaml" not in archive.members
    assert any("ignored, a symlink" in p for p in archive.problems)


def test_symlink_in_a_folder_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("apiVersion: v1\nkind: NodeList\nitems: [{metadata: {name: stolen}}]\n")
    root = tmp_path / TOP
    for name, data in _good().items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    (root / f"k8s-nodes-{TS}.yaml").unlink()
    (root / f"k8s-nodes-{TS}.yaml").symlink_to(outside)
    (root / "linked-dir").symlink_to(tmp_path)
    archive = read_archive(root, wanted)
    assert f"k8s-nodes-{TS}.yaml" not in archive.members
    assert sum("ignored, a symlink" in p for p in archive.problems) == 2
    snapshot = snapshot_of(archive, "sysdump x")
    assert snapshot.node("stolen") is None


def test_truncated_archive_is_one_clear_error(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "cut.zip", _good())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(OfflineError, match="not a zip archive, or truncated"):
        read_offline(path)


def test_corrupt_member_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "bad.zip", _good())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(NODES)
        offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        size = info.compress_size
    data = bytearray(path.read_bytes())
    for i in range(offset, offset + size):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    archive = read_archive(path, wanted)
    assert NODES not in archive.members
    assert any(p.startswith(NODES) and "corrupt or truncated" in p for p in archive.problems)
    assert f"{TOP}/k8s-pods-{TS}.yaml" in archive.members
    snapshot = snapshot_of(archive, "sysdump bad.zip")
    assert snapshot.node("vm-1") is not None  # known from its agent pod
    assert any("corrupt" in e for e in snapshot.errors)


def test_not_a_zip_and_missing_files_are_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ArchiveError) as e:
        read_archive(junk, wanted)
    assert "\n" not in str(e.value)
    with pytest.raises(OfflineError, match="no such file"):
        read_offline(tmp_path / "absent.zip", "sysdump")


def test_messages_escape_control_characters(tmp_path: Path) -> None:
    path = _zip_with(tmp_path / "esc.zip", [("../\x1b[31mred", b"")])
    archive = read_archive(path, wanted)
    assert all("\x1b" not in p for p in archive.problems)
    assert any("\\x1b" in p for p in archive.problems)


def test_a_zip_without_sysdump_files_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("README.txt", "hello")
    with pytest.raises(OfflineError, match="not a cilium sysdump"):
        read_offline(path)
    assert [p.name for p in tmp_path.iterdir()] == ["other.zip"]


def test_a_second_member_of_the_same_name_is_ignored(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        path = _zip_with(tmp_path / "dup.zip", [(NODES, b"kind: NodeList\nitems: []\n")])
    archive = read_archive(path, wanted)
    assert b"vm-1" in archive.members[NODES]
    assert any("a second member of that name" in p for p in archive.problems)


def test_a_sysdump_whose_pod_list_is_unreadable_says_so_per_node(tmp_path: Path) -> None:
    files = _good()
    files[f"{TOP}/k8s-pods-{TS}.yaml"] = b"items: [unclosed\n"
    _, snapshot = read_offline(write_zip(tmp_path / "s.zip", files))
    assert any("k8s-pods" in e and "not valid YAML" in e for e in snapshot.errors)
    record = snapshot.node("vm-1")
    assert record is not None
    assert "no readable k8s-pods-*.yaml" in record.errors["agent"]

"""ssh_config sliced per host keeps every section that may apply, in order; files read once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cilium_tui.collect.ssh_files import ConfigSlices, KnownHosts

CONFIG = """\
User global
Host node-1 NODE-2
  HostName 10.0.0.1
Host=node-3
  HostName 10.0.0.3
Host *.lab !bad.lab
  Port 2222
Match user root
  IdentityFile ~/.ssh/root
Host "node-1"
  User quoted
"""


def test_a_host_gets_the_globals_its_own_sections_and_every_pattern(tmp_path: Path) -> None:
    path = tmp_path / "ssh_config"
    path.write_text(CONFIG)
    slices = ConfigSlices(path)
    node1 = Path(slices.for_host("node-1")[0]).read_text()
    assert node1 == (
        "User global\nHost node-1 NODE-2\n  HostName 10.0.0.1\nHost *.lab !bad.lab\n"
        "  Port 2222\nMatch user root\n  IdentityFile ~/.ssh/root\n"
        'Host "node-1"\n  User quoted\n'
    )
    node2 = Path(slices.for_host("node-2")[0]).read_text()  # OpenSSH matches any case
    assert "HostName 10.0.0.1" in node2 and "10.0.0.3" not in node2
    node3 = Path(slices.for_host("node-3")[0]).read_text()
    assert "10.0.0.3" in node3 and "10.0.0.1" not in node3 and "Port 2222" in node3
    assert slices.parses == 1
    slices.close()
    assert not Path(node1).exists()
    assert slices.original() == [str(path)]


def test_hosts_with_the_same_slice_share_one_file(tmp_path: Path) -> None:
    """A fleet matched by one pattern costs one write, not one per host."""
    path = tmp_path / "ssh_config"
    path.write_text(CONFIG)
    slices = ConfigSlices(path)
    fleet = [slices.for_host(f"10.1.0.{i}")[0] for i in range(50)]
    assert set(fleet) == {fleet[0]} and slices.files_written == 1
    node1 = slices.for_host("node-1")[0]
    assert node1 != fleet[0] and "10.0.0.1" in Path(node1).read_text()
    assert slices.for_host("NODE-1") == [node1] and slices.files_written == 2
    assert "10.0.0.1" not in Path(fleet[0]).read_text()
    slices.close()


def test_no_config_file_means_no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.ssh/config
    assert ConfigSlices(None).for_host("x") == []


def test_known_hosts_read_again_only_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "known_hosts"
    path.write_text("")
    known = KnownHosts()
    first = known.load([str(path)])
    assert first is not None and known.load([str(path)]) is first
    assert known.parses == 1
    path.write_text("# changed\n")
    os.utime(path, ns=(1, 1))
    assert known.load([str(path)]) is not first
    assert known.parses == 2
    assert known.load([str(tmp_path / "missing")]) is None


def test_the_pool_keeps_at_most_ssh_keep_connections(tmp_path: Path) -> None:
    """Kept connections are bounded by the setting, and by the open-files limit below it."""
    from cilium_tui.collect.fdlimit import connection_budget
    from cilium_tui.collect.ssh import SshPool
    from cilium_tui.settings import DEFAULT_SSH_KEEP

    config = tmp_path / "ssh_config"
    config.write_text("")
    assert SshPool(config).max_connections == min(DEFAULT_SSH_KEEP, connection_budget())
    assert SshPool(config, max_connections=5).max_connections == 5
    assert SshPool(config, max_connections=10**9).max_connections == connection_budget()

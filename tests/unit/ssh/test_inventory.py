"""The inventory file: defaults, boards, node mapping, and errors that name the line and field."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cilium_tui.collect.inventory import (
    Inventory,
    InventoryError,
    InventoryHost,
    SshTarget,
    host_matches,
    inventory_toml,
    load_inventory,
    parse_jump,
    ssh_config_hosts,
)

GOOD = """\
[defaults]
user = "debian"
port = 2222
identity = "~/.ssh/lab"
jump = "bastion"

[[hosts]]
node = "vm-1"
ssh = "10.0.0.11"

[[hosts]]
name = "board-4"
ssh = "board-4"
user = "root"
jump = "ops@gw:2200,bastion"
sudo = false
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inventory.toml"
    path.write_text(text)
    return path


def test_hosts_take_the_defaults_unless_they_say_otherwise(tmp_path: Path) -> None:
    inventory = load_inventory(write(tmp_path, GOOD))
    vm, board = inventory.hosts
    assert vm == InventoryHost(
        "vm-1", "vm-1", SshTarget("10.0.0.11", 2222, "debian", "~/.ssh/lab", "bastion")
    )
    assert board.node is None
    assert board.target == SshTarget(
        "board-4", 2222, "root", "~/.ssh/lab", "ops@gw:2200,bastion", sudo=False
    )
    assert inventory.boards == (board,)


def test_nodes_map_by_entry_then_ssh_config_host_then_internal_ip(tmp_path: Path) -> None:
    inventory = load_inventory(write(tmp_path, GOOD))
    hosts = ["*", "k3s-* !k3s-bad"]
    assert inventory.target_for_node("vm-1", "10.9.9.9", hosts) == inventory.hosts[0].target
    by_alias = inventory.target_for_node("k3s-2", "10.0.0.12", hosts)
    assert by_alias is not None and (by_alias.host, by_alias.user) == ("k3s-2", "debian")
    # A Node's InternalIP is whatever its writer put there: dialled only when the user's
    # ssh_config names that address, or the user asks for it.
    assert inventory.target_for_node("k3s-bad", "10.0.0.13", hosts) is None
    assert "--ssh-to-internal-ip" in inventory.no_target_reason("10.0.0.13")
    by_ip = inventory.target_for_node("k3s-bad", "10.0.0.13", [*hosts, "10.0.0.*"])
    assert by_ip is not None and (by_ip.host, by_ip.user) == ("10.0.0.13", "debian")
    allowed = replace(inventory, ssh_to_internal_ip=True)
    by_option = allowed.target_for_node("k3s-bad", "10.0.0.13", hosts)
    assert by_option is not None and by_option.host == "10.0.0.13"
    assert allowed.target_for_node("nowhere", None, hosts) is None


def test_the_inventory_may_allow_internal_ips(tmp_path: Path) -> None:
    text = GOOD.replace("[defaults]\n", "[defaults]\nssh_to_internal_ip = true\n")
    inventory = load_inventory(write(tmp_path, text))
    assert inventory.ssh_to_internal_ip
    assert not load_inventory(write(tmp_path, GOOD)).ssh_to_internal_ip
    by_ip = inventory.target_for_node("k3s-9", "10.0.0.19")
    assert by_ip is not None and by_ip.host == "10.0.0.19"
    bad = GOOD.replace("[defaults]\n", '[defaults]\nssh_to_internal_ip = "yes"\n')
    with pytest.raises(InventoryError, match="ssh_to_internal_ip: expected true or false"):
        load_inventory(write(tmp_path, bad))


def test_host_patterns() -> None:
    assert host_matches("board-1", ["board-*"])
    assert not host_matches("board-1", ["*"])
    assert not host_matches("board-1", ["board-* !board-1"])


def test_ssh_config_host_lines(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("Host a b\n  HostName x\nhost c*\nMatch all\nHost *\n")
    assert ssh_config_hosts(config) == ["a b", "c*", "*"]
    assert ssh_config_hosts(tmp_path / "missing") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[hosts]]\nnode = "a"\nssh = "a"\nport = "22"\n', "inventory.toml:4: hosts[0].port"),
        (
            '[[hosts]]\nnode = "a"\nssh = "a"\n\n[[hosts]]\nnode = "b"\nssh = "b"\nport = 0\n',
            "inventory.toml:8: hosts[1].port: expected an integer 1-65535, got 0",
        ),
        ('[[hosts]]\nnode = "a"\nssh = "a"\nsudo = "yes"\n', "hosts[0].sudo: expected true"),
        ('[[hosts]]\nnode = "a"\n', "hosts[0].ssh: missing"),
        ('[[hosts]]\nssh = "a"\n', "set `node` (a Kubernetes node) or `name` (a board)"),
        (
            '[[hosts]]\nnode = "a"\nssh = "a"\nhost = "x"\n',
            "inventory.toml:4: hosts[0].host: unknown",
        ),
        ('[defaults]\njump = "a@@b"\n', "inventory.toml:2: defaults.jump: not a jump host spec"),
        ('[[hosts]]\nnode = "a"\nssh = "a; rm -rf /"\n', "hosts[0].ssh: not a valid value"),
        (
            '[[hosts]]\nnode = "a"\nssh = "a"\n[[hosts]]\nnode = "a"\nssh = "b"\n',
            "'a' repeats hosts[0]",
        ),
        ('[[hosts]\nnode = "a"\n', "not valid TOML"),
        ("[cluster]\n", "unknown table 'cluster'"),
    ],
)
def test_malformed_files_say_where(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InventoryError) as caught:
        load_inventory(write(tmp_path, text))
    assert message in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="cannot read"):
        load_inventory(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("spec", "target"),
    [
        ("gw", SshTarget("gw")),
        ("ops@gw:2200", SshTarget("gw", 2200, "ops")),
        ("[fe80::1]:22", SshTarget("fe80::1", 22)),
        ("a,ops@b", SshTarget("b", user="ops", jump="a")),
    ],
)
def test_jump_specs(spec: str, target: SshTarget) -> None:
    assert parse_jump(spec) == target


def test_written_inventory_reads_back(tmp_path: Path) -> None:
    defaults = SshTarget("", port=2222, user="debian")
    hosts = (
        InventoryHost("vm-1", "vm-1", SshTarget("10.0.0.11", 2222, "debian")),
        InventoryHost('b"4', None, SshTarget("b4", 22, "root", sudo=False)),
    )
    text = inventory_toml(hosts, defaults)
    assert load_inventory(write(tmp_path, text)) == Inventory(defaults, hosts)


def test_target_command_line() -> None:
    target = SshTarget("b4", 2222, "root", "/k", "gw")
    assert target.ssh_command() == "ssh -p 2222 -i /k -J gw root@b4"
    assert str(target) == "root@b4:2222"

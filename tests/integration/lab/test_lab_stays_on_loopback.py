"""The lab never points the product at another machine (issue 12, item 6).

Its Nodes advertise the loopback address their SSH board listens on, and a scan maps a node to its
InternalIP only when told to. Every SSH dial of these scans is recorded where the pool resolves
it (the ssh_config's HostName applied); a dial to anything but loopback is refused before a
packet leaves, so these tests cannot send traffic elsewhere even when they fail.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

import cilium_tui.collect.ssh as ssh_module
from cilium_tui.collect.inventory import Inventory, load_inventory, ssh_config_hosts
from cilium_tui.collect.kube import KubeClient
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.collect.ssh import SshPool
from cilium_tui.lab.runner import RunningLab, start_lab
from tests.integration.lab.conftest import FAST


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name would be resolved by DNS: not allowed here either


class Dials:
    """Every address the SSH pool dials; non-loopback ones are refused, and `passthrough` False
    refuses every dial (recorded all the same)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, passthrough: bool) -> None:
        self.addresses: list[str] = []
        real = ssh_module.asyncssh.connect

        async def connect(host: str, *args: Any, options: Any, **kw: Any) -> Any:
            self.addresses.append(options.host)
            if not passthrough or not _loopback(options.host):
                raise ConnectionRefusedError(f"refused by the test: {options.host}")
            return await real(host, *args, options=options, **kw)

        monkeypatch.setattr(ssh_module.asyncssh, "connect", connect)

    @property
    def outside(self) -> list[str]:
        return [a for a in self.addresses if not _loopback(a)]


@pytest.fixture
def lab() -> Iterator[RunningLab]:
    with start_lab("seed", timing=FAST) as running:
        yield running


async def _scan(
    lab: RunningLab, inventory: Inventory, ssh_hosts: list[str], *, ssh_config: bool = False
) -> ClusterSource:
    files = lab.files
    assert files is not None
    kube = await KubeClient.connect(str(files.kubeconfig))
    ssh = SshPool(
        files.ssh_config if ssh_config else None,
        known_hosts=files.known_hosts,
        connect_timeout=5,
    )
    return ClusterSource("lab", kube=kube, ssh=ssh, inventory=inventory, ssh_hosts=ssh_hosts)


async def test_nodes_advertise_the_loopback_address_their_board_listens_on(
    lab: RunningLab,
) -> None:
    assert lab.boards is not None
    source = await _scan(lab, Inventory(), [])
    try:
        assert source.kube is not None
        nodes = await source.kube.list_nodes()
    finally:
        await source.close()
    for node in nodes:
        addresses = {a["type"]: a["address"] for a in node["status"]["addresses"]}
        board = lab.boards.boards[node["metadata"]["name"]].endpoint
        assert addresses["InternalIP"] == board.address
        assert _loopback(board.address)
        annotations = node["metadata"]["annotations"]
        assert annotations["k3s.io/internal-ip"] == board.address


async def test_a_scan_without_the_inventory_dials_nothing(
    lab: RunningLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    dials = Dials(monkeypatch, passthrough=False)
    source = await _scan(lab, Inventory(), [])
    try:
        snapshot = await source.scan()
    finally:
        await source.close()
    assert dials.addresses == []
    for record in snapshot.nodes:
        assert record.agent is not None  # the Kubernetes side was read
        assert record.ssh_host is None
        assert "--ssh-to-internal-ip" in record.errors["ssh"]


async def test_internal_ips_are_dialled_only_when_asked_and_are_loopback(
    lab: RunningLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    dials = Dials(monkeypatch, passthrough=False)
    source = await _scan(lab, replace(Inventory(), ssh_to_internal_ip=True), [])
    try:
        snapshot = await source.scan()
    finally:
        await source.close()
    assert lab.boards is not None
    boards = {b.endpoint.address for b in lab.boards.boards.values()}
    assert set(dials.addresses) == boards  # each node's InternalIP: its board's address
    assert dials.outside == []
    assert all(r.ssh_host in boards for r in snapshot.nodes)


async def test_the_demo_s_own_files_dial_only_loopback(
    lab: RunningLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    dials = Dials(monkeypatch, passthrough=True)
    files = lab.files
    assert files is not None
    source = await _scan(
        lab,
        load_inventory(files.inventory),
        ssh_config_hosts(files.ssh_config),
        ssh_config=True,
    )
    try:
        snapshot = await source.scan()
    finally:
        await source.close()
    assert len(dials.addresses) >= len(snapshot.nodes)
    assert dials.outside == []
    assert all(r.probe is not None for r in snapshot.nodes), [r.errors for r in snapshot.nodes]

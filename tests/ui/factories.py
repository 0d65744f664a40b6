"""Snapshot variations for the UI tests: pure model edits, no Textual."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from cilium_tui.model import NodeInfo, NodeRecord, Snapshot


def with_node(
    snapshot: Snapshot, name: str, change: Callable[[NodeRecord], NodeRecord]
) -> Snapshot:
    nodes = tuple(change(r) if r.name == name else r for r in snapshot.nodes)
    return dataclasses.replace(snapshot, nodes=nodes)


def with_kernel(record: NodeRecord, kernel: str) -> NodeRecord:
    """The record after a kernel upgrade, as both the Node object and the probe would say."""
    node = dataclasses.replace(record.node, kernel_version=kernel) if record.node else None
    probe = dataclasses.replace(record.probe, kernel_release=kernel) if record.probe else None
    return dataclasses.replace(record, node=node, probe=probe)


def renamed(snapshot: Snapshot, names: Sequence[tuple[str, str]]) -> Snapshot:
    mapping = dict(names)
    nodes = tuple(renamed_record(r, mapping.get(r.name, r.name)) for r in snapshot.nodes)
    return dataclasses.replace(snapshot, nodes=nodes)


def renamed_record(record: NodeRecord, name: str) -> NodeRecord:
    node = dataclasses.replace(record.node, name=name) if record.node else None
    return dataclasses.replace(record, name=name, node=node)


def node_info(name: str, kernel: str = "6.8.0-63-generic") -> NodeInfo:
    return NodeInfo(name=name, kernel_version=kernel, architecture="amd64", os_image="Ubuntu 24.04")


def dead(record: NodeRecord, agent_error: str, ssh_error: str) -> NodeRecord:
    """The node as a scan sees it when its agent exec and its SSH both fail."""
    return dataclasses.replace(
        record,
        agent=None,
        agent_raw=None,
        probe=None,
        errors={"agent": agent_error, "ssh": ssh_error},
    )

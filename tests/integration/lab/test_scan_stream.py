"""A scan streams per-node facts as they arrive, and keeps no raw report unless asked."""

from __future__ import annotations

import json

from cilium_tui.collect.scan import ClusterSource, ScanLimits
from cilium_tui.collect.source import NodeScanned, NodesListed, ScanProgress
from cilium_tui.connect import open_source
from cilium_tui.settings import Settings


async def test_nodes_listed_first_then_each_part_as_it_arrives(seed: ClusterSource) -> None:
    steps: list[ScanProgress] = []
    snapshot = await seed.scan(steps.append)
    events = [s.event for s in steps if s.event is not None]
    listed = events[0]
    assert isinstance(listed, NodesListed)
    names = sorted(r.name for r in snapshot.nodes)
    assert sorted(r.name for r in listed.records) == names
    assert all(r.agent is None and r.probe is None for r in listed.records)
    scanned = [e for e in events[1:] if isinstance(e, NodeScanned)]
    assert len(scanned) == len(events) - 1
    last = {e.record.name: e for e in scanned}
    assert all(not e.pending for e in last.values())
    assert {name: e.record for name, e in last.items()} == {r.name: r for r in snapshot.nodes}
    # Kubernetes nodes stream two parts (agent, then probe or the reverse); boards one.
    parts = {name: sum(e.record.name == name for e in scanned) for name in names}
    assert parts == {r.name: 2 if r.node is not None else 1 for r in snapshot.nodes}


async def test_raw_report_fetched_on_demand(seed: ClusterSource) -> None:
    snapshot = await seed.scan()
    record = next(r for r in snapshot.nodes if r.agent is not None)
    assert record.agent_raw is None  # O(1) bytes kept per node
    report = await seed.agent_report(record)
    assert json.loads(report)["cilium"]["state"] == record.agent.cilium_state


async def test_the_concurrency_setting_bounds_execs_and_probes() -> None:
    source = await open_source(Settings(demo="seed", concurrency=3))
    try:
        assert source.kube is not None and source.ssh is not None
        assert source.kube._exec_concurrency == 3
        assert source.ssh._concurrency == 3
    finally:
        await source.close()


async def test_probes_do_not_wait_behind_a_hung_exec() -> None:
    """One exec slot, held by an agent that never answers: every SSH probe still comes back
    before that exec gives up (a node holds no slot across its two parts)."""
    source = await open_source(Settings(demo="seed", concurrency=1), faults=["exec-hang:k3s-vm-1"])
    source.limits = ScanLimits(agent_timeout=2.0)
    try:
        steps: list[ScanProgress] = []
        snapshot = await source.scan(steps.append)
        done = [s.event for s in steps if isinstance(s.event, NodeScanned)]
        hung = next(
            i
            for i, e in enumerate(done)
            if e.record.name == "k3s-vm-1" and "agent" in e.record.errors
        )
        host_parts = {}  # node -> index of the event that brought its host facts
        for i, e in enumerate(done):
            if "ssh" not in e.pending and e.record.probe is not None:
                host_parts.setdefault(e.record.name, i)
        assert len(host_parts) == len(snapshot.nodes)
        assert max(host_parts.values()) < hung, "a probe waited for the hung exec"
    finally:
        await source.close()

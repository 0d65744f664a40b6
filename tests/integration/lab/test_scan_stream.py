"""A scan streams per-node facts as they arrive, and keeps no raw report unless asked."""

from __future__ import annotations

import json

from cilium_tui.collect.scan import ClusterSource, ScanLimits
from cilium_tui.connect import open_source
from cilium_tui.model import NodeRecord, Snapshot
from cilium_tui.settings import Settings


class Recorder:
    """A ScanStream that keeps what it heard, in order."""

    def __init__(self) -> None:
        self.heard: list[Snapshot | NodeRecord] = []

    def listed(self, snapshot: Snapshot) -> None:
        self.heard.append(snapshot)

    def node_read(self, record: NodeRecord) -> None:
        self.heard.append(record)


async def test_nodes_listed_first_then_each_node_as_it_is_read(seed: ClusterSource) -> None:
    stream = Recorder()
    snapshot = await seed.scan(stream=stream)
    listed, *read = stream.heard
    assert isinstance(listed, Snapshot)
    assert [r.name for r in listed.nodes] == [r.name for r in snapshot.nodes]
    assert all(r.agent is None and r.probe is None for r in listed.nodes)
    assert sorted(read, key=lambda r: r.name) == list(snapshot.nodes)  # type: ignore[arg-type]


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
    """One exec slot, held by an agent that never answers: every SSH probe is done before that
    exec gives up (a node holds no slot across its two parts, and probes wait on no exec)."""
    source = await open_source(Settings(demo="seed", concurrency=1), faults=["exec-hang:k3s-vm-1"])
    source.limits = ScanLimits(agent_timeout=2.0)
    try:
        steps: list[str] = []
        snapshot = await source.scan(lambda step: steps.append(step.message))
        probes = [i for i, m in enumerate(steps) if m.startswith("probe ")]
        assert len(probes) == len(snapshot.nodes)
        assert max(probes) < steps.index("agent k3s-vm-1"), steps
        hung = next(r for r in snapshot.nodes if r.name == "k3s-vm-1")
        assert "agent" in hung.errors and hung.probe is not None
    finally:
        await source.close()

"""The screenshot fixture: the lab's seed cluster as one Snapshot, assembled without the network.

`python -m cilium_tui.ui.screenshots` and the UI's snapshot tests must render the same picture on
any machine without starting anything, so this module builds the Snapshot a scan of the lab's
`seed` scenario produces, from the same parts the lab serves and the same parsers the scan uses:

- each agent's datapath is decided by the lab's agent model (`lab.agent.start_agent`: BPF host
  routing on the three 6.2 VMs, Legacy on the three 4.19 boards), its `cilium status -o json`
  printed by the lab's renderer and read back by the real parser (`facts.status`);
- the Node objects, agent Pods and cilium-config are the lab's API objects (`lab.objects`), read
  by the real parsers (`facts.node`, `facts.pod`, `facts.config`);
- each machine's answer to the SSH probe script is the lab board's (`lab.ssh_shell.BoardShell`,
  the code behind the lab's SSH servers), read by the real probe parser (`facts.probe`).

The checklist's verdicts are then the real catalogue's, judged from these facts.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from cilium_tui.collect.probe import probe_command
from cilium_tui.collect.source import NodeEvent, ProgressCallback, ScanProgress
from cilium_tui.facts.config import parse_configmap
from cilium_tui.facts.node import parse_node
from cilium_tui.facts.pod import parse_agent_pod
from cilium_tui.facts.probe import parse_probe
from cilium_tui.facts.status import parse_status
from cilium_tui.lab.agent import apply_host_effects, start_agent
from cilium_tui.lab.objects import agent_pod_name, agent_pod_object, configmap_object, node_object
from cilium_tui.lab.render_json import render_status_json
from cilium_tui.lab.scenarios import NodeSpec, Scenario, scenario, status_context
from cilium_tui.lab.ssh_shell import BoardShell
from cilium_tui.model import NodeRecord, Snapshot

TAKEN_AT = datetime(2024, 5, 6, 10, 42, 17, tzinfo=UTC)
"""The lab's fixed "now" (`lab.scenarios.LAB_NOW`), so screenshots never show today's time."""

SEED = "seed"
CONTEXT = "cilium-tui-lab"


def seed_snapshot() -> Snapshot:
    return lab_snapshot(SEED)


def lab_snapshot(name: str) -> Snapshot:
    """The Snapshot a scan of the lab scenario `name` would return, with every agent started."""
    lab = scenario(name)
    config = parse_configmap(configmap_object(lab), lab.cilium_version)
    return Snapshot(
        taken_at=TAKEN_AT,
        source=f"lab {lab.name}",
        nodes=tuple(_record(lab, node) for node in lab.nodes),
        config=config,
        context=CONTEXT,
        kube_proxy_present=lab.kube_proxy,
    )


def _record(lab: Scenario, node: NodeSpec) -> NodeRecord:
    outcome = start_agent(lab.cilium_version, lab.config, node.host, node_ipv6=node.ipv6)
    apply_host_effects(outcome, node.host)
    pod = parse_agent_pod(
        agent_pod_object(lab, node, agent_pod_name(lab, node), ready=outcome.ready, restarts=0)
    )
    raw = None
    if outcome.status is not None:
        doc = render_status_json(
            outcome.status, lab.cilium_version, status_context(lab, node, outcome.details)
        )
        raw = json.dumps(doc, indent=2) + "\n"
    return NodeRecord(
        name=node.name,
        node=parse_node(node_object(node)),
        pod=pod,
        agent=parse_status(raw) if raw is not None else None,
        agent_raw=raw,
        probe=parse_probe(BoardShell(node.host).execute(probe_command())[1]),
        ssh_host=node.name,
    )


# --------------------------------------------------------------------------------------------
# A Source that serves the fixture
# --------------------------------------------------------------------------------------------


class StaticSource:
    """A `Source` that serves one fixed snapshot and no node events."""

    def __init__(self, snapshot: Snapshot | None = None, name: str = "lab seed") -> None:
        self._snapshot = snapshot or seed_snapshot()
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    async def scan(self, progress: ProgressCallback | None = None) -> Snapshot:
        total = len(self._snapshot.nodes)
        for done, record in enumerate(self._snapshot.nodes, 1):
            if progress is not None:
                progress(ScanProgress(done, total, f"probed {record.name}"))
        return self._snapshot

    async def node_events(self) -> AsyncIterator[NodeEvent]:
        events: tuple[NodeEvent, ...] = ()
        for event in events:
            yield event

    async def close(self) -> None:
        return None

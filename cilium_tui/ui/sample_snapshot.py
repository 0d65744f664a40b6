"""The screenshot fixture: the lab's seed cluster as one Snapshot, assembled without the network.

`python -m cilium_tui.ui.screenshots` and the UI's snapshot tests must render the same picture on
any machine without starting anything, so this module builds the Snapshot a scan of the lab's
`seed` scenario produces, from the same parts the lab serves and the same parsers the scan uses:

- each agent's datapath is decided by the lab's agent model (`lab.agent.start_agent`: BPF host
  routing on the three 6.2 VMs, Legacy on the three 4.19 boards), its `cilium status -o json`
  printed by the lab's renderer and read back by the real parser (`facts.status`);
- the Node objects, agent Pods and cilium-config are the lab's API objects (`lab.objects`), read
  by the real parsers (`facts.node`, `facts.pod`, `facts.config`);
- only the host probe facts are transcribed from each machine's state (`lab.host.HostState`)
  instead of being read over SSH, so their evidence names the commands the probe runs.

The checklist's verdicts are then the real catalogue's, judged from these facts.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from cilium_tui.collect.source import NodeEvent, ProgressCallback, ScanProgress
from cilium_tui.facts.config import parse_configmap
from cilium_tui.facts.node import parse_node
from cilium_tui.facts.pod import parse_agent_pod
from cilium_tui.facts.status import parse_status
from cilium_tui.lab.agent import apply_host_effects, start_agent
from cilium_tui.lab.host import HostState
from cilium_tui.lab.objects import agent_pod_name, agent_pod_object, configmap_object, node_object
from cilium_tui.lab.render_json import render_status_json
from cilium_tui.lab.scenarios import NodeSpec, Scenario, scenario, status_context
from cilium_tui.model import Evidence, IrqAffinity, NodeRecord, ProbeFacts, Snapshot

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
        probe=probe_facts(node.host),
        ssh_host=node.name,
    )


# --------------------------------------------------------------------------------------------
# Host facts, transcribed from the machine as the SSH probe would read them
# --------------------------------------------------------------------------------------------


def probe_facts(host: HostState) -> ProbeFacts:
    os_release = dict(line.split("=", 1) for line in host.os_release.splitlines() if "=" in line)
    irqbalance = host.units.get("irqbalance")
    tuned = host.units.get("tuned")
    preempt, preempt_source = _preemption(host)
    congestion = host.sysctls.get("net.ipv4.tcp_congestion_control")
    facts = {
        "kernel_release": ("uname -r", host.kernel_release),
        "machine": ("uname -m", host.machine),
        "kernel_build": ("uname -v", host.kernel_build),
        "mtu": (f"cat /sys/class/net/{host.default_nic}/mtu", str(host.mtu)),
        "nic_driver": (f"ethtool -i {host.default_nic}", f"driver: {host.nic_driver}"),
        "tcp_congestion_control": ("sysctl net.ipv4.tcp_congestion_control", str(congestion)),
    }
    return ProbeFacts(
        kernel_release=host.kernel_release,
        machine=host.machine,
        kernel_build=host.kernel_build,
        hostname=host.hostname,
        os_id=os_release.get("ID", "").strip('"') or None,
        os_version_id=os_release.get("VERSION_ID", "").strip('"') or None,
        os_pretty_name=os_release.get("PRETTY_NAME", "").strip('"') or None,
        cpufreq=host.governors is not None,
        cpu_governors=tuple(host.governors or ()),
        irqbalance_active=_unit_state(irqbalance, active=True),
        irqbalance_enabled=_unit_state(irqbalance, active=False),
        tuned_installed=tuned.installed if tuned is not None else False,
        tuned_profile=host.tuned_profile,
        preempt=preempt,
        preempt_source=preempt_source,
        tcp_congestion_control=congestion,
        default_nic=host.default_nic,
        nic_driver=host.nic_driver,
        mtu=host.mtu,
        xdp_attached=host.xdp_attached,
        nic_irqs=tuple(IrqAffinity(i.number, i.name, i.affinity) for i in host.irqs),
        notrack_rules=any("cilium: NOTRACK" in line for line in host.iptables_raw),
        privilege="root" if host.sudo == "root" else "sudo",
        evidence={
            field: Evidence("ssh probe", command, value)
            for field, (command, value) in facts.items()
        },
    )


def _unit_state(unit: object, *, active: bool) -> str:
    if unit is None or not getattr(unit, "installed", False):
        return "not-found"
    if active:
        return "active" if getattr(unit, "active", False) else "inactive"
    return "enabled" if getattr(unit, "enabled", False) else "disabled"


def _preemption(host: HostState) -> tuple[str | None, str | None]:
    """The preemption model from /boot/config-<release>, as the probe reads it."""
    config = host.kernel_config
    source = f"/boot/config-{host.kernel_release}"
    for key, model in (
        ("CONFIG_PREEMPT_RT", "rt"),
        ("CONFIG_PREEMPT_DYNAMIC", "dynamic"),
        ("CONFIG_PREEMPT", "full"),
        ("CONFIG_PREEMPT_VOLUNTARY", "voluntary"),
        ("CONFIG_PREEMPT_NONE", "none"),
    ):
        if config.get(key) == "y":
            return model, source
    return None, None


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

"""Snapshots of the lab's scenarios built without sockets, from the lab's own models.

Each node's agent is started by the lab's agent model (`lab.agent.start_agent`) with the given
cilium-config on its machine, its Node and Pod objects are the lab's, parsed by the real parsers,
and its probe is the lab board shell's answer to the real probe command, parsed by the real probe
parser: the same facts a scan of the running lab reads, in a few milliseconds.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime

from cilium_tui.collect.probe import probe_command
from cilium_tui.facts.config import parse_configmap
from cilium_tui.facts.node import parse_node
from cilium_tui.facts.pod import parse_agent_pod
from cilium_tui.facts.probe import parse_probe
from cilium_tui.lab.agent import apply_host_effects, start_agent
from cilium_tui.lab.chart import ChartValues, render_config
from cilium_tui.lab.host import HostState
from cilium_tui.lab.objects import agent_pod_object, configmap_object, node_object
from cilium_tui.lab.scenarios import Scenario, scenario
from cilium_tui.lab.ssh_shell import BoardShell
from cilium_tui.model import NodeRecord, Snapshot

TAKEN_AT = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
RESOURCE_VERSION = "4711"


def lab_scenario(
    name: str = "seed", *, version: str | None = None, values: ChartValues | None = None
) -> Scenario:
    """A scenario, optionally on another Cilium release or with other Helm values."""
    chosen = scenario(name)
    if version is None and values is None:
        return chosen
    version = version or chosen.cilium_version
    config = render_config(version, values) if values is not None else dict(chosen.config)
    return Scenario(**{**chosen.__dict__, "cilium_version": version, "config": config})


def lab_snapshot(
    chosen: Scenario | str = "seed",
    config: Mapping[str, str | None] | None = None,
    *,
    hosts: Mapping[str, Mapping[str, object]] | None = None,
    probe: bool = True,
) -> Snapshot:
    """The scan of `chosen` after its agents started with cilium-config `config` changes applied
    (None removes a key) on machines with `hosts` changes (node -> HostState field -> value)."""
    chosen = lab_scenario(chosen) if isinstance(chosen, str) else chosen
    data = dict(chosen.config)
    for key, value in (config or {}).items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    records = []
    for spec in chosen.nodes:
        host: HostState = copy.deepcopy(spec.host)
        for field, value in (hosts or {}).get(spec.name, {}).items():
            setattr(host, field, value)
        outcome = start_agent(chosen.cilium_version, data, host, node_ipv6=spec.ipv6)
        apply_host_effects(outcome, host)
        node_spec = copy.copy(spec)
        object.__setattr__(node_spec, "host", host)
        pod = agent_pod_object(
            chosen,
            node_spec,
            f"cilium-{spec.name[-5:]}",
            ready=outcome.ready,
            waiting_reason=None if outcome.ready else "CrashLoopBackOff",
            termination_message=outcome.fatal,
        )
        facts = parse_probe(BoardShell(host).execute(probe_command())[1]) if probe else None
        records.append(
            NodeRecord(
                name=spec.name,
                node=parse_node(node_object(node_spec)),
                pod=parse_agent_pod(pod),
                agent=outcome.status,
                probe=facts,
                ssh_host=spec.name if probe else None,
            )
        )
    configmap = configmap_object(chosen, resource_version=RESOURCE_VERSION)
    configmap["data"] = data
    return Snapshot(
        taken_at=TAKEN_AT,
        source=f"lab {chosen.name}",
        nodes=tuple(records),
        config=parse_configmap(configmap, chosen.cilium_version),
        context=f"lab-{chosen.name}",
        kube_proxy_present=chosen.kube_proxy,
    )

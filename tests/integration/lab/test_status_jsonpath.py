"""Agents are asked only for the fields the checks read (`-o jsonpath=`), and what they answer
judges exactly as their full status does."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from cilium_tui.facts.status import parse_status
from cilium_tui.facts.status_json import STATUS_JSONPATH, parse_status_json, status_from_jsonpath
from cilium_tui.model import AgentStatus, BpfMap
from tests.integration.lab.conftest import lab_source

NOT_FACTS = ("evidence", "source_format", "notes")


def facts(status: AgentStatus) -> dict[str, object]:
    return {
        f.name: getattr(status, f.name)
        for f in dataclasses.fields(status)
        if f.name not in NOT_FACTS
    }


@pytest.mark.parametrize("scenario", ["seed", "training", "modern"])
async def test_the_fields_asked_for_give_the_facts_of_the_full_status(scenario: str) -> None:
    source = await lab_source(scenario)
    try:
        snapshot = await source.scan()
        read = [r for r in snapshot.nodes if r.agent is not None]
        assert read
        for record in read:
            assert record.agent is not None
            full = await source.agent_report(record)
            assert len(full) > 3 * len(STATUS_JSONPATH)
            assert facts(record.agent) == facts(parse_status(full)), record.name
    finally:
        await source.close()


async def test_the_answer_is_the_same_size_whatever_the_cluster_size() -> None:
    sizes = {}
    for nodes in (4, 40):
        source = await lab_source(f"scale:{nodes}")
        try:
            assert source.kube is not None
            snapshot = await source.scan()
            pod = next(r.pod for r in snapshot.nodes if r.pod is not None)
            argv = ["cilium", "status", "-o", f"jsonpath={STATUS_JSONPATH}"]
            answer = await source.kube.exec(pod.namespace, pod.name, "cilium-agent", argv)
            full = await source.kube.exec(
                pod.namespace, pod.name, "cilium-agent", ["cilium", "status", "-o", "json"]
            )
            sizes[nodes] = (len(answer.stdout), len(full.stdout))
        finally:
            await source.close()
    assert sizes[40][1] > sizes[4][1] + 36 * 50, "the full status lists every peer"
    assert abs(sizes[40][0] - sizes[4][0]) < 64, sizes


def test_a_real_agents_printing_quirks() -> None:
    """Go's printing, unlike JSON: a nil object prints "<no value>", an omitempty false prints
    "false", an empty string nothing."""
    output = (
        "\n#0=Ok\n#1=1.15.4 (v1.15.4-9b3f9a8c)\n#4={Strict [eth0] ...}\n#5=Strict"
        "\n#13={true Hybrid ...}\n#14=true\n#16=Hybrid\n#17=opt"
        "\n#18=\n#21=BPF\n#22=<no value>\n#30={false  []}\n#31=false\n#32="
        "\n#51={0.0025 [...]}\n#52=0.0025\n#53=IP cache\t512000;Session affinity\t65536;\n"
    )
    doc = status_from_jsonpath(output)
    assert "masquerading" not in doc
    assert doc["bandwidth-manager"] == {"enabled": False}
    assert doc["bpf-maps"]["maps"] == [
        {"name": "IP cache", "size": 512000},
        {"name": "Session affinity", "size": 65536},
    ]
    status = parse_status_json(doc)
    assert (status.cilium_state, status.cilium_version) == ("Ok", "1.15.4")
    assert status.host_routing == "BPF"
    assert status.masquerading is None, "no masquerading object: unknown, not off"
    assert status.bandwidth_manager is not None and not status.bandwidth_manager.enabled
    assert (status.nodeport_mode, status.dsr_dispatch) == ("Hybrid", "opt")
    assert status.bpf_map_dynamic_ratio == 0.0025
    assert status_from_jsonpath("Error: unknown shorthand flag: 'o' in -o\n") == {}


def test_agents_printing_the_same_maps_share_them() -> None:
    """A scan keeps each agent's maps and their evidence: a fleet's agents, printing the same
    rows, hold one copy of them (at 5000 nodes, ~10 KiB each otherwise)."""

    def status(node_ip: str, maps: str) -> Any:
        output = f"\n#0=Ok\n#1=1.15.4 (v1.15.4-9b3f9a8c)\n#6=eth0 {node_ip}\n#53={maps}\n"
        return parse_status_json(status_from_jsonpath(output))

    same = "IP cache\t512000;Session affinity\t65536;"
    a, b = status("10.0.0.1", same), status("10.0.0.2", same)
    assert a.bpf_maps == (BpfMap("IP cache", 512000), BpfMap("Session affinity", 65536))
    assert a.bpf_maps is b.bpf_maps
    assert a.evidence["bpf_maps"]._value is b.evidence["bpf_maps"]._value
    assert a.evidence["bpf_maps"].text == b.evidence["bpf_maps"].text
    other = status("10.0.0.3", "IP cache\t1024;")
    assert other.bpf_maps == (BpfMap("IP cache", 1024),)
    assert other.evidence["bpf_maps"].text != a.evidence["bpf_maps"].text

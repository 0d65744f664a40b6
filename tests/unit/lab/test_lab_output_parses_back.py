"""The lab's agent output, read back by the real parsers, says what the agent model decided.

Two independent pieces meet here: the lab renders what a Cilium agent of a given version prints,
the fact parsers read real Cilium output. If the lab drifted from the real format (or the parsers
from the lab), the console's demo would show something other than what the lab simulates.
"""

from __future__ import annotations

import json

import pytest

from cilium_tui.facts.status import parse_status
from cilium_tui.lab.agent import start_agent
from cilium_tui.lab.render_json import render_status_json
from cilium_tui.lab.render_text import render_status_text
from cilium_tui.lab.scenarios import scenario, status_context
from cilium_tui.model import AgentStatus

CASES = [
    (name, node.name)
    for name in ("seed", "training", "modern", "scale:12")
    for node in scenario(name).nodes
]

ALWAYS = ("cilium_version", "kube_proxy_replacement", "host_routing", "hubble", "encryption")
VERBOSE = ("nodeport_mode", "xdp_acceleration", "clock_source")


def _outputs(name: str, node_name: str) -> tuple[AgentStatus, str, str, str]:
    lab = scenario(name)
    node = lab.node(node_name)
    outcome = start_agent(lab.cilium_version, lab.config, node.host, node_ipv6=node.ipv6)
    assert outcome.ready, outcome.fatal
    assert outcome.status is not None
    context = status_context(lab, node, outcome.details)
    text = render_status_text(outcome.status, lab.cilium_version, context=context)
    verbose = render_status_text(outcome.status, lab.cilium_version, verbose=True, context=context)
    doc = json.dumps(render_status_json(outcome.status, lab.cilium_version, context))
    return outcome.status, text, verbose, doc


def _masq(status: AgentStatus) -> str | None:
    return status.masquerading.mode if status.masquerading else None


def _bwm(status: AgentStatus) -> tuple[bool, str | None] | None:
    bwm = status.bandwidth_manager
    return None if bwm is None else (bwm.enabled, bwm.congestion_control if bwm.enabled else None)


@pytest.mark.parametrize(("name", "node"), CASES)
def test_text_json_and_verbose_read_back_as_the_model(name: str, node: str) -> None:
    model, text, verbose, doc = _outputs(name, node)
    for output in (text, verbose, doc):
        parsed = parse_status(output)
        for field in ALWAYS:
            assert getattr(parsed, field) == getattr(model, field), (field, output[:200])
        assert _masq(parsed) == _masq(model)
        assert _bwm(parsed) == _bwm(model)
        if model.network_routing is not None:  # printed from 1.16 on
            assert parsed.network_routing == model.network_routing
            assert parsed.device_mode == model.device_mode
    from_json, from_verbose = parse_status(doc), parse_status(verbose)
    for field in VERBOSE:
        assert getattr(from_json, field) == getattr(model, field), (field, name, node)
        # The verbose text omits some lines in some modes (no XDP line with KPR disabled).
        assert getattr(from_verbose, field) in (None, getattr(model, field)), (field, name, node)


def test_seed_reads_back_as_bpf_on_the_vms_and_legacy_on_the_boards() -> None:
    seed = scenario("seed")
    routing = {
        node.host.machine: parse_status(_outputs("seed", node.name)[1]).host_routing
        for node in seed.nodes
    }
    assert routing == {"x86_64": "BPF", "aarch64": "Legacy"}
    assert sorted(node.host.kernel_release for node in seed.nodes) == [
        "4.19.0-24-arm64",
        "4.19.0-24-arm64",
        "4.19.0-24-arm64",
        "6.2.0-39-generic",
        "6.2.0-39-generic",
        "6.2.0-39-generic",
    ]
    assert all(
        parse_status(_outputs("seed", n.name)[1]).host_routing
        == ("BPF" if n.host.machine == "x86_64" else "Legacy")
        for n in seed.nodes
    )

"""Who set enable-host-legacy-routing, told apart from what the agent forced."""

from __future__ import annotations

from dataclasses import replace

from cilium_tui.checks.legacy_origin import set_by
from cilium_tui.checks.view import NodeView
from cilium_tui.checks.why_legacy import explain
from cilium_tui.model import CiliumConfig, NodeRecord
from tests.unit.checks.seed import config, modern, setting, snapshot
from tests.unit.remedy.lab_snapshot import lab_snapshot

FORCED = setting(True, "enable-host-legacy-routing", "true")


def _with(rec: NodeRecord, os_image: str | None = None, **labels: str) -> NodeRecord:
    assert rec.node is not None
    node = replace(rec.node, labels=labels, os_image=os_image or rec.node.os_image)
    return replace(rec, node=node)


def test_the_chart_in_chaining_mode_is_named_with_its_evidence() -> None:
    snap = lab_snapshot(
        "seed", {"enable-host-legacy-routing": "true", "cni-chaining-mode": "generic-veth"}
    )
    record = snap.nodes[0]
    explanation = explain(NodeView(snap, record))
    assert explanation is not None
    explicit = next(c for c in explanation.causes if c.id == "explicit")
    assert "set by the Helm chart, which writes it whenever CNI chaining is on" in explicit.text
    assert "not forced by the agent" in explicit.text
    assert "cilium-config cni-chaining-mode: generic-veth" in explicit.evidence
    board = explain(NodeView(snap, snap.nodes[3]))
    assert board is not None
    kernel = [c for c in board.causes if c.id == "kernel"]
    assert kernel and "set by" not in kernel[0].text  # what the agent forced says no "who"


def test_platform_iac_and_talos_are_told_by_labels() -> None:
    iac = CiliumConfig(data={}, labels={"app.kubernetes.io/managed-by": "Terraform"})
    aks = _with(modern(), **{"kubernetes.azure.com/cluster": "prod"})
    whos = [o.who for o in set_by(iac, aks)]
    assert whos[0].startswith("Terraform (infrastructure as code")
    assert whos[1].startswith("the managed platform, AKS")
    talos = _with(modern(), os_image="Talos (v1.9.5)")
    assert "Talos" in set_by(CiliumConfig(data={}), talos)[0].who
    assert set_by(CiliumConfig(data={}), modern()) == ()  # nothing says who: nothing invented


def test_the_explicit_cause_names_who_on_the_model() -> None:
    rec = modern(cilium_version="1.16.4", host_routing="Legacy")
    cfg = config(host_legacy_routing=FORCED)
    cfg = replace(cfg, helm_managed=True, helm_release="cilium")
    explanation = explain(NodeView(snapshot(rec, cilium_config=cfg), rec))
    assert explanation is not None
    [cause] = [c for c in explanation.causes if c.id == "explicit"]
    assert "set by Helm values (bpf.hostLegacyRouting=true)" in cause.text

"""`cilium-tui explain`: what one saved agent status output says, and what the catalogue judges.

A support engineer pastes a customer's `cilium-dbg status` (text or JSON) and gets the diagnosis.
Pure: (source name, output text) in, a document or text out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cilium_tui.checks.catalogue import evaluate_node, item
from cilium_tui.checks.types import Finding, State
from cilium_tui.checks.view import NodeView
from cilium_tui.checks.why_legacy import LegacyExplanation, explain
from cilium_tui.facts.status import looks_like_status, parse_status
from cilium_tui.model import AgentStatus, NodeRecord, Snapshot
from cilium_tui.report.document import finding_document, legacy_document
from cilium_tui.report.safe import plain
from cilium_tui.report.text import INDENT, _table, _wrap


@dataclass(frozen=True)
class Explanation:
    source: str
    status: AgentStatus
    recognised: bool
    findings: tuple[Finding, ...]
    """Only what the output lets the catalogue judge (unknown items are left out)."""
    legacy: LegacyExplanation | None


def explain_output(source: str, text: str) -> Explanation:
    status = parse_status(text)
    if not looks_like_status(text) or status.is_empty:
        return Explanation(source, status, recognised=False, findings=(), legacy=None)
    record = NodeRecord(name=source, agent=status, agent_raw=text)
    snapshot = Snapshot(taken_at=datetime.now(UTC), source=f"file {source}", nodes=(record,))
    findings = tuple(f for f in evaluate_node(snapshot, record) if f.state is not State.UNKNOWN)
    legacy = explain(NodeView(snapshot, record))
    return Explanation(source, status, recognised=True, findings=findings, legacy=legacy)


def _facts(status: AgentStatus) -> dict[str, Any]:
    bwm = status.bandwidth_manager
    masq = status.masquerading
    return {
        "cilium_version": status.cilium_version,
        "host_routing": status.host_routing,
        "network_routing": status.network_routing,
        "tunnel_protocol": status.tunnel_protocol,
        "kube_proxy_replacement": status.kube_proxy_replacement,
        "masquerading": masq.mode if masq is not None else None,
        "bandwidth_manager": (
            None
            if bwm is None
            else {"enabled": bwm.enabled, "congestion_control": bwm.congestion_control}
        ),
        "ipv4_big_tcp": None if status.ipv4_big_tcp is None else status.ipv4_big_tcp.enabled,
        "ipv6_big_tcp": None if status.ipv6_big_tcp is None else status.ipv6_big_tcp.enabled,
        "nodeport_mode": status.nodeport_mode,
        "xdp_acceleration": status.xdp_acceleration,
        "device_mode": status.device_mode,
        "attach_mode": status.attach_mode,
        "hubble": status.hubble,
        "encryption": status.encryption,
        "kubernetes_version": status.kubernetes_version,
    }


def explanation_document(e: Explanation) -> dict[str, Any]:
    findings = []
    for f in e.findings:
        doc = finding_document(item(f.item_id), f)
        findings.append({"item": f.item_id, "title": item(f.item_id).title, **doc})
    return {
        "source": e.source,
        "format": e.status.source_format if e.recognised else None,
        "recognised": e.recognised,
        **_facts(e.status),
        "evidence": {name: str(ev) for name, ev in e.status.evidence.items()},
        "findings": findings,
        "why_legacy": legacy_document(e.legacy),
    }


def render_explanations_json(explanations: Sequence[Explanation]) -> str:
    docs = [explanation_document(e) for e in explanations]
    return json.dumps(docs, indent=2, ensure_ascii=False) + "\n"


_FACT_LABELS = (
    ("cilium_version", "Cilium"),
    ("kube_proxy_replacement", "Kube-proxy replacement"),
    ("host_routing", "Host routing"),
    ("network_routing", "Network routing"),
    ("tunnel_protocol", "Tunnel protocol"),
    ("masquerading", "Masquerading"),
    ("bandwidth_manager", "Bandwidth manager"),
    ("ipv4_big_tcp", "IPv4 BIG TCP"),
    ("ipv6_big_tcp", "IPv6 BIG TCP"),
    ("nodeport_mode", "NodePort mode"),
    ("xdp_acceleration", "XDP acceleration"),
    ("device_mode", "Device mode"),
    ("attach_mode", "Attach mode"),
    ("hubble", "Hubble"),
    ("encryption", "Encryption"),
    ("kubernetes_version", "Kubernetes"),
)


def _show(value: Any) -> str:
    if value is None:
        return "? (not printed)"
    if isinstance(value, bool):
        return "Enabled" if value else "Disabled"
    if isinstance(value, dict):
        if not value["enabled"]:
            return "Disabled"
        cc = value["congestion_control"]
        return f"Enabled ({cc})" if cc else "Enabled"
    return str(value)


def render_explanation_text(e: Explanation) -> str:
    fmt = "JSON" if e.status.source_format == "json" else "text"
    head = f"== {plain(e.source)}"
    if not e.recognised:
        return f"{head}\n{INDENT}not a Cilium agent status output (cilium-dbg status [-o json])\n"
    lines = [f"{head}  (agent status, {fmt})", "Facts"]
    facts = _facts(e.status)
    rows = [[label, plain(_show(facts[key]))] for key, label in _FACT_LABELS]
    lines += _table(rows)
    lines.append("Checklist (what this output can tell)")
    if e.findings:
        rows = [[f.item_id, str(f.state), plain(f.reason)] for f in e.findings]
        lines += _table(rows)
    else:
        lines.append(f"{INDENT}(nothing: the output carries none of the facts the items need)")
    if e.legacy is not None:
        lines.append("Why Legacy")
        for n, cause in enumerate(e.legacy.causes, 1):
            lines += _wrap(f"{n}. ", cause.text, INDENT)
            lines += _wrap("fix: ", cause.fix, INDENT * 3)
        lines += _wrap("advice: ", e.legacy.advice, INDENT)
    return "\n".join(lines) + "\n"

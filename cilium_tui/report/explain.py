"""`cilium-tui explain`: what one saved agent status output says, and what the catalogue judges.

A support engineer pastes a customer's `cilium-dbg status` (text or JSON) and gets the diagnosis.
Pure: (source name, output text) in, a document or text out. A paste that holds several outputs
(two nodes' statuses one after the other) is split, and each part explained on its own under its
own name: one node's facts never lend another theirs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cilium_tui.checks.catalogue import evaluate_node, item
from cilium_tui.checks.types import Finding, State
from cilium_tui.checks.view import NodeView
from cilium_tui.checks.why_legacy import LegacyExplanation, explain
from cilium_tui.facts.status import looks_like_status, parse_status, split_status_outputs
from cilium_tui.facts.version_window import VersionWindow
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
    window: VersionWindow = field(default_factory=VersionWindow)
    """The releases the output can come from: its version, else its shape's bounds."""
    split_from: str | None = None
    """The input this output was cut from, when that held several."""


def explain_output(source: str, text: str, split_from: str | None = None) -> Explanation:
    status = parse_status(text)
    if not looks_like_status(text) or status.is_empty:
        return Explanation(source, status, recognised=False, findings=(), legacy=None)
    record = NodeRecord(name=source, agent=status, agent_raw=text)
    snapshot = Snapshot(taken_at=datetime.now(UTC), source=f"file {source}", nodes=(record,))
    findings = tuple(f for f in evaluate_node(snapshot, record) if f.state is not State.UNKNOWN)
    view = NodeView(snapshot, record)
    return Explanation(
        source,
        status,
        recognised=True,
        findings=findings,
        legacy=explain(view),
        window=view.cilium_window,
        split_from=split_from,
    )


def explain_outputs(source: str, text: str) -> list[Explanation]:
    """One explanation per status output in `text`, each named for where it sits in the input
    ("paste.txt #2 (cilium-b9q4z)")."""
    parts = split_status_outputs(text)
    if len(parts) == 1:
        return [explain_output(source, text)]
    return [
        explain_output(
            f"{source} #{n}" + (f" ({part.hint})" if part.hint else ""), part.text, source
        )
        for n, part in enumerate(parts, 1)
    ]


def _facts(status: AgentStatus) -> dict[str, Any]:
    bwm = status.bandwidth_manager
    masq = status.masquerading
    masquerading = None
    if masq is not None:  # as printed: "BPF (ip-masq-agent)" says who picks what is masqueraded
        masquerading = masq.mode + (" (ip-masq-agent)" if masq.ip_masq_agent else "")
    return {
        "cilium_version": status.cilium_version,
        "host_routing": status.host_routing,
        "network_routing": status.network_routing,
        "tunnel_protocol": status.tunnel_protocol,
        "kube_proxy_replacement": status.kube_proxy_replacement,
        "masquerading": masquerading,
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
        "split_from": e.split_from,
        **_facts(e.status),
        "cilium_window": None if e.status.cilium_version or not e.recognised else str(e.window),
        "cilium_window_evidence": list(e.window.evidence) if e.recognised else [],
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
    lines = [f"{head}  (agent status, {fmt})"]
    if e.split_from is not None:
        lines.append(f"{INDENT}one of several status outputs in {plain(e.split_from)}: read alone")
    lines.append("Facts")
    facts = _facts(e.status)
    rows = [[label, plain(_show(facts[key]))] for key, label in _FACT_LABELS]
    if not e.status.cilium_version and e.window.bounded:
        rows[0][1] = f"? (not printed; the output's shape says {e.window})"
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

"""Every fact known about one node, with its evidence, for the detail view. Pure.

Two lists: the *effective* facts (what the checklist judges from: `checks.view.NodeView`, the
agent's running value first, else cilium-config's, with a drift note where they disagree), and
the *collected* facts (every field the collectors read, by walking the model's dataclasses, so a
field added to the model shows up here without anyone remembering to add it). None shows as the
dim "?", with the reason it is unknown where one can be told.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from cilium_tui.checks.fact import Fact
from cilium_tui.checks.rollup import gist
from cilium_tui.checks.types import Finding
from cilium_tui.checks.view import NodeView
from cilium_tui.model import CiliumConfig, Evidence, NodeRecord
from cilium_tui.ui.cells import STATE_TONES, UNKNOWN, Cell, Tone, text_cell, unknown_cell

_SKIP = frozenset({"name", "evidence", "labels", "source_format", "errors"})


@dataclass(frozen=True)
class FactRow:
    source: str
    """Where the value comes from: "agent", "config", "probe", "node", "image", "predicted",
    "agent pod"; a collector's name for its error."""
    name: str
    value: Cell
    evidence: tuple[str, ...] = ()
    note: str = ""
    """A drift note (configured and running disagree) or why the value is unknown."""


# --------------------------------------------------------------------------------------------
# Effective facts
# --------------------------------------------------------------------------------------------

Scope = Literal["cilium", "host"]

EFFECTIVE: tuple[tuple[str, Scope, Callable[[NodeView], Fact[object]]], ...] = (
    ("Cilium version", "cilium", lambda v: v.cilium),
    ("kernel", "host", lambda v: v.kernel),
    ("kernel upstream release", "host", lambda v: v.kernel_upstream),
    ("host routing", "cilium", lambda v: v.host_routing),
    ("routing mode", "cilium", lambda v: v.routing),
    ("tunnel protocol", "cilium", lambda v: v.tunnel_protocol),
    ("kube-proxy replacement", "cilium", lambda v: v.kpr),
    ("BPF NodePort", "cilium", lambda v: v.bpf_nodeport),
    ("load-balancer mode", "cilium", lambda v: v.lb_mode),
    ("DSR dispatch", "cilium", lambda v: v.dsr_dispatch),
    ("XDP acceleration", "cilium", lambda v: v.xdp),
    ("masquerading", "cilium", lambda v: v.masquerading),
    ("iptables conntrack bypass", "cilium", lambda v: v.no_conntrack),
    ("legacy host routing forced", "cilium", lambda v: v.legacy_forced),
    ("encryption", "cilium", lambda v: v.encryption),
    ("bandwidth manager", "cilium", lambda v: v.bandwidth_manager),
    ("BBR for pods", "cilium", lambda v: v.bbr),
    ("IPv4 BIG TCP", "cilium", lambda v: v.big_tcp(4)),
    ("IPv6 BIG TCP", "cilium", lambda v: v.big_tcp(6)),
    ("IPv6", "cilium", lambda v: v.ipv6),
    ("endpoint routes", "cilium", lambda v: v.endpoint_routes),
    ("CNI chaining", "cilium", lambda v: v.cni_chaining),
    ("device mode", "cilium", lambda v: v.device_mode),
    ("BPF map dynamic size ratio", "cilium", lambda v: v.map_ratio),
    ("distributed LRU", "cilium", lambda v: v.distributed_lru),
    ("MTU setting", "cilium", lambda v: v.mtu_setting),
    ("Hubble", "cilium", lambda v: v.hubble),
)
"""The NodeView facts the catalogue judges from, in the order a datapath reads: versions,
routing, services, masquerading, throughput, the rest."""


def effective_rows(view: NodeView) -> list[FactRow]:
    """The node's effective facts: value as its source printed it, origin, evidence, drift."""
    rows = []
    for name, scope, read in EFFECTIVE:
        fact = read(view)
        if fact.value is None:
            why = view.host_unknown(name) if scope == "host" else view.cilium_unknown(name)
            rows.append(FactRow("", name, unknown_cell(), note=why))
            continue
        value = text_cell(_shown(fact))
        if fact.drift:
            value = dataclasses.replace(value, tone=Tone.OFF, detail="drift")
        rows.append(FactRow(fact.origin or "", name, value, fact.evidence, fact.drift or ""))
    return rows


def _shown(fact: Fact[object]) -> str:
    if fact.text is not None:
        return fact.text
    return _plain(fact.value)


# --------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------

FINDING_COLUMNS = ("ITEM", "STATE", "WHY", "EVIDENCE")


def finding_rows(findings: Iterable[Finding], titles: Mapping[str, str]) -> list[FactRow]:
    """The checklist's verdicts on one node, in catalogue order: item, state, the gist of why;
    the full reason, blockers, drift and advice as the row's note."""
    rows = []
    for finding in findings:
        state = Cell(finding.state.value, STATE_TONES[finding.state])
        if finding.recommended is False:
            state = dataclasses.replace(state, detail="not advised")
        why = finding.blocked_by[0] if finding.blocked_by else gist(finding)
        note = [finding.reason]
        note += [f"blocked by: {blocker}" for blocker in finding.blocked_by]
        if finding.drift:
            note.append(f"drift: {finding.drift}")
        if finding.advice:
            note.append(f"advice: {finding.advice}")
        title = titles.get(finding.item_id, finding.item_id)
        rows.append(FactRow(why, title, state, finding.evidence, "\n".join(note)))
    return rows


# --------------------------------------------------------------------------------------------
# Collected facts
# --------------------------------------------------------------------------------------------


def fact_rows(record: NodeRecord, config: CiliumConfig | None = None) -> list[FactRow]:
    """Every field the collectors read about `record`, collector errors, and cilium-config's
    normalised settings."""
    rows: list[FactRow] = []
    for source, facts in (
        ("node", record.node),
        ("agent pod", record.pod),
        ("agent", record.agent),
        ("probe", record.probe),
    ):
        if facts is not None:
            rows.extend(_dataclass_rows(source, facts))
    for collector, error in sorted(record.errors.items()):
        rows.append(FactRow(collector, "error", Cell(error, Tone.ERROR)))
    if record.probe is not None:
        rows.extend(FactRow("probe", "error", Cell(e, Tone.ERROR)) for e in record.probe.errors)
    if config is not None:
        for name, setting in sorted(config.settings.items()):
            shown = format_value(setting.value)
            if setting.defaulted:
                shown = dataclasses.replace(shown, detail="default")
            rows.append(FactRow("config", name, shown, (evidence_text(setting.evidence),)))
    return rows


def _dataclass_rows(source: str, facts: object) -> Iterator[FactRow]:
    evidence: Mapping[str, Evidence] = getattr(facts, "evidence", {})
    for field in dataclasses.fields(facts):  # type: ignore[arg-type]
        if field.name in _SKIP:
            continue
        proof = evidence.get(field.name)
        yield FactRow(
            source,
            field.name.replace("_", " "),
            format_value(getattr(facts, field.name)),
            (evidence_text(proof),) if proof is not None else (),
        )


def evidence_text(evidence: Evidence) -> str:
    """ "cilium status: Host Routing: Legacy" rather than repeating a label the line already has."""
    if evidence.where and evidence.text.startswith(evidence.where):
        return f"{evidence.source}: {evidence.text}"
    return str(evidence)


def format_value(value: object) -> Cell:
    """One value as a cell: None -> "?", booleans -> yes/no, tuples joined, nested facts as
    name=value pairs. Unknown parts of nested facts are left out, not shown as "no"."""
    if value is None:
        return unknown_cell()
    plain = _plain(value)
    return text_cell(plain) if plain else Cell("(none)", Tone.NA)


def _plain(value: object) -> str:
    if value is None:
        return UNKNOWN
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(_plain(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ", ".join(
            f"{f.name.replace('_', ' ')}={_plain(getattr(value, f.name))}"
            for f in dataclasses.fields(value)
            if getattr(value, f.name) not in (None, ())
        )
    return str(value)

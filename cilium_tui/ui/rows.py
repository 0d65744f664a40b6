"""The node table's rows: one NodeRecord (plus its findings) in, one row of cells out.

Pure, so every column can be tested without Textual. Unknown facts render as a dim "?", never as
"off": a value is shown as off only when the agent, the ConfigMap or the probe said so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from cilium_tui.checks.fact import Fact
from cilium_tui.checks.types import Finding
from cilium_tui.checks.view import NodeView
from cilium_tui.checks.why_legacy import host_routing_finding, legacy_cause
from cilium_tui.facts.kernel import parse_kernel
from cilium_tui.model import NodeRecord, Snapshot
from cilium_tui.ui.cells import Cell, Tone, shorten, text_cell, unknown_cell

REASON_WIDTH = 32
"""Longest fault reason shown in a cell; the detail view has the full text."""

CAUSE_WIDTH = 34
"""Longest first cause of Legacy host routing shown, with its "+N" more: the column that matters
most gets the room for the catalogue's longest blockers ("kube-proxy replacement Disabled")."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    render: Callable[[NodeView, tuple[Finding, ...]], Cell]
    filterable: bool = False
    """Whether the `/` filter matches this column's text."""


@dataclass(frozen=True)
class NodeRow:
    key: str
    cells: Mapping[str, Cell]

    def matches(self, query: str) -> bool:
        """Case-insensitive substring match on the filterable columns: name, arch, kernel, modes."""
        needle = query.strip().casefold()
        return not needle or any(
            needle in self.cells[c.key].plain.casefold() for c in COLUMNS if c.filterable
        )


def node_rows(snapshot: Snapshot, findings: Mapping[str, tuple[Finding, ...]]) -> list[NodeRow]:
    return [node_row(snapshot, r, findings.get(r.name, ())) for r in snapshot.nodes]


def node_row(snapshot: Snapshot, record: NodeRecord, findings: tuple[Finding, ...] = ()) -> NodeRow:
    """One row. Effective facts (agent first, else cilium-config) come from the checklist's
    NodeView, so the table and the checklist never interpret a node differently."""
    view = NodeView(snapshot, record)
    cells = {c.key: c.render(view, findings) for c in COLUMNS}
    changed = snapshot.since.get(record.name)
    if changed:
        cells = since_marked(cells, changed)
    return NodeRow(record.name, {k: c if k == "name" else _shared(c) for k, c in cells.items()})


SHARED_CELLS = 4096
"""Distinct cells kept for sharing; past that the pool starts again (a bound on its memory)."""
_shared_cells: dict[Cell, Cell] = {}


def _shared(cell: Cell) -> Cell:
    """One object for every equal cell: most values repeat from node to node ("arm64", "Ready",
    "BPF"), so 5000 rows hold a few hundred cells besides their names instead of 80,000 (memory,
    and objects for the garbage collector to walk); names, all different, are not pooled."""
    if len(_shared_cells) >= SHARED_CELLS:
        _shared_cells.clear()
    return _shared_cells.setdefault(cell, cell)


SINCE_MARK = "Δ"
"""Marks a value that changed since the snapshot the console compares with (`--since FILE`)."""

SINCE_COLUMNS = {
    "kernel": "kernel",
    "cilium": "cilium",
    "host routing": "host_routing",
    "routing": "routing",
    "kube-proxy replacement": "kpr",
    "masquerading": "masquerading",
    "bandwidth manager": "bandwidth",
    "BBR": "bandwidth",
    "IPv4 BIG TCP": "big_tcp",
    "IPv6 BIG TCP": "big_tcp",
    "XDP": "xdp",
    "": "agent",
}
"""The column that shows each fact `offline.diff` compares ("" marks a node that is new)."""


def since_marked(cells: Mapping[str, Cell], changed: Mapping[str, str]) -> dict[str, Cell]:
    """The cells with "Δ was BPF" after each value that changed since then (the name is left
    alone: it is the row's identity)."""
    marked = dict(cells)
    done: set[str] = set()
    for what, before in changed.items():
        key = SINCE_COLUMNS.get(what)
        if key is None or key in done:
            continue
        done.add(key)
        cell = marked[key]
        mark = f"{SINCE_MARK} {before}" if not what else f"{SINCE_MARK} was {before}"
        marked[key] = replace(cell, detail=f"{cell.detail} {mark}".strip())
    return marked


# --------------------------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------------------------


def _name(view: NodeView, _: object) -> Cell:
    return text_cell(view.name)


_ROLE_ORDER = ("control-plane", "master", "etcd", "worker")


def _role(view: NodeView, _: object) -> Cell:
    node = view.record.node
    if node is None:
        return text_cell("ssh-only", Tone.NA)
    if not node.roles:
        return text_cell("<none>")
    ranked = sorted(node.roles, key=lambda r: (_rank(r), r))
    return text_cell(ranked[0])


def _rank(role: str) -> int:
    return _ROLE_ORDER.index(role) if role in _ROLE_ORDER else len(_ROLE_ORDER)


def _arch(view: NodeView, _: object) -> Cell:
    return text_cell(view.record.architecture)


def _kernel(view: NodeView, _: object) -> Cell:
    """`uname -r` over SSH, else the Node object's; flagged when the two disagree (a reboot the
    Node object has seen and the last probe has not, or an inventory pointing at another host)."""
    fact = view.kernel
    release = fact.text if fact.known else view.record.kernel
    if release is None:
        return unknown_cell()
    parsed = parse_kernel(release)
    tone = Tone.OFF if fact.drift else Tone.PLAIN
    return Cell(release, tone, sort_key=(0, parsed.version.release if parsed else (), release))


def _os(view: NodeView, _: object) -> Cell:
    record = view.record
    pretty = record.probe.os_pretty_name if record.probe is not None else None
    if not pretty and record.node is not None:
        pretty = record.node.os_image
    return text_cell(short_os(pretty) if pretty else None)


def short_os(pretty: str) -> str:
    """ "Debian GNU/Linux 10 (buster)" -> "Debian 10"; "Ubuntu 24.04.2 LTS" -> "Ubuntu 24.04.2"."""
    text = re.sub(r"\s*\([^)]*\)", "", pretty)
    text = re.sub(r"\s+(GNU/Linux|LTS)\b", "", text)
    return " ".join(text.split()) or pretty


def _cilium(view: NodeView, _: object) -> Cell:
    return text_cell(view.cilium.text if view.cilium.known else None)


def _host_routing(view: NodeView, findings: tuple[Finding, ...]) -> Cell:
    fact = view.host_routing
    mode = fact.value
    if mode is None:
        return unknown_cell()
    if mode == "BPF":
        return Cell(mode, Tone.BPF, sort_key=(0, 0, ""))
    if fact.origin == "predicted":
        mode = "Legacy?"
    cause = legacy_cause(findings)
    finding = host_routing_finding(findings)
    more = len(finding.blocked_by) - 1 if cause and finding and finding.blocked_by else 0
    suffix = f" +{more}" if more else ""
    detail = shorten(cause, CAUSE_WIDTH - len(suffix)) + suffix if cause else ""
    return Cell(mode, Tone.LEGACY, detail, sort_key=(0, 1, mode + detail))


def _drifting(fact: Fact[object], shown: str) -> Cell:
    """A configured-vs-running disagreement is flagged in the cell; the detail view says why."""
    return text_cell(shown, Tone.OFF) if fact.drift else text_cell(shown)


def _routing(view: NodeView, _: object) -> Cell:
    fact = view.routing
    if fact.value is None:
        return unknown_cell()
    protocol = view.tunnel_protocol.value
    shown = f"tunnel/{protocol}" if fact.value == "tunnel" and protocol else str(fact.value)
    return _drifting(fact, shown)


def _kpr(view: NodeView, _: object) -> Cell:
    """The mode as the agent prints it ("strict", "true", "partial"), or as cilium-config spells
    it when only the config speaks (its normalised value is a mere yes/no)."""
    fact = view.kpr
    if fact.value is None:
        return unknown_cell()
    setting = view.config.setting("kpr_full") if view.config is not None else None
    shown = fact.text or str(fact.value)
    if fact.origin == "config" and setting is not None and setting.raw:
        shown = setting.raw
    return _drifting(fact, shown.lower())


def _masquerading(view: NodeView, _: object) -> Cell:
    fact = view.masquerading
    masq = view.agent.masquerading if view.agent is not None else None
    if fact.value is None:
        return unknown_cell()
    shown = str(fact.value)
    if masq is not None and masq.ip_masq_agent:
        shown += " (ip-masq-agent)"
    return _drifting(fact, shown)


def _bandwidth(view: NodeView, _: object) -> Cell:
    """ "on/bbr", "on/cubic" or "off": the congestion control the Bandwidth Manager gives pods
    (the host's own TCP congestion control is a probe fact, in the detail view)."""
    fact = view.bandwidth_manager
    if fact.value is None:
        return unknown_cell()
    if not fact.value:
        return _drifting(fact, "off")
    bwm = view.agent.bandwidth_manager if view.agent is not None else None
    cc = bwm.congestion_control if bwm is not None else None
    return _drifting(fact, f"on/{cc.lower()}" if cc else "on")


def _big_tcp(view: NodeView, _: object) -> Cell:
    families = [("v4", view.big_tcp(4)), ("v6", view.big_tcp(6))]
    on = [name for name, fact in families if fact.value]
    if on:
        return text_cell("+".join(on))
    if any(fact.known for _, fact in families):
        return text_cell("off")
    return unknown_cell()


def _mtu(view: NodeView, _: object) -> Cell:
    probe = view.record.probe
    mtu = probe.mtu if probe is not None else None
    return unknown_cell() if mtu is None else Cell(str(mtu), sort_key=(0, mtu))


def _xdp(view: NodeView, _: object) -> Cell:
    fact = view.xdp
    if fact.value is not None:
        return text_cell(str(fact.value))
    probe = view.record.probe
    attached = probe.xdp_attached if probe is not None else None
    return text_cell(None if attached is None else "attached" if attached else "none")


# Health columns sort faults first: a dead node is what one sorts by AGENT or SSH to find.
_FAULT, _DEGRADED, _HEALTHY, _IDLE = 0, 1, 2, 3


def _agent_state(view: NodeView, _: object) -> Cell:
    """The agent pod's state first (missing, crash-looping, starting), then whether its status
    could be read: "unreachable" is an agent that runs but did not answer the exec."""
    record = view.record
    pod = record.pod
    if pod is None:
        if record.node is None:
            return Cell("n/a", Tone.NA, sort_key=(0, _IDLE, ""))
        return _fault("no agent", None)
    restarts = f"{pod.restarts} restarts" if pod.restarts else None
    if pod.waiting_reason:
        return _fault(pod.waiting_reason, restarts)
    if pod.ready is False or pod.phase not in (None, "Running"):
        return _fault("NotReady", pod.phase if pod.phase != "Running" else restarts)
    error = record.errors.get("agent")
    if error:
        return _fault("unreachable", error)
    state = record.agent.cilium_state if record.agent is not None else None
    if pod.ready and state not in (None, "Ok"):
        return Cell("Ready", Tone.OFF, state or "", sort_key=(0, _DEGRADED, ""))
    if pod.ready:
        return Cell("Ready", Tone.ON, sort_key=(0, _HEALTHY, ""))
    return unknown_cell()


def _ssh_state(view: NodeView, _: object) -> Cell:
    record = view.record
    error = record.errors.get("ssh")
    if record.probe is not None and record.probe.source == "ssh":  # not facts via the agent pod
        privilege = record.probe.privilege
        detail = privilege if privilege == "no-sudo" else ""
        health = _DEGRADED if detail else _HEALTHY
        return Cell("ok", Tone.OFF if detail else Tone.ON, detail, sort_key=(0, health, ""))
    if record.ssh_host is None:  # --no-ssh, or no SSH target for this node: not a fault
        return Cell("no-ssh", Tone.NA, shorten(error or "", REASON_WIDTH), sort_key=(0, _IDLE, ""))
    if error:
        return _fault("unreachable", _without_subject(error, record.ssh_host))
    return unknown_cell()


def _without_subject(error: str, host: str) -> str:
    """ "rock64-3 (127.77.0.16:22): cannot connect: refused" -> "cannot connect: refused": the
    row already names the host, and the cell has room for the reason only."""
    subject = re.match(rf"{re.escape(host)}(?: \([^)]*\))?: ", error)
    return error[subject.end() :] if subject else error


def _fault(state: str, reason: str | None) -> Cell:
    """ "unreachable · connection refused": the reason without a repeat of the state word."""
    reason = (reason or "").strip()
    if reason.lower().startswith(state.lower() + ":"):
        reason = reason[len(state) + 1 :].strip()
    detail = shorten(reason, REASON_WIDTH) if reason else ""
    return Cell(state, Tone.ERROR, detail, sort_key=(0, _FAULT, state))


COLUMNS: tuple[Column, ...] = (
    Column("name", "NAME", _name, filterable=True),
    Column("arch", "ARCH", _arch, filterable=True),
    Column("kernel", "KERNEL", _kernel, filterable=True),
    Column("os", "OS", _os),
    Column("cilium", "CILIUM", _cilium),
    Column("host_routing", "HOST ROUTING", _host_routing, filterable=True),
    Column("agent", "AGENT", _agent_state),
    Column("ssh", "SSH", _ssh_state),
    Column("routing", "ROUTING", _routing, filterable=True),
    Column("kpr", "KPR", _kpr),
    Column("masquerading", "MASQ", _masquerading),
    Column("bandwidth", "BWM/CC", _bandwidth),
    Column("big_tcp", "BIG TCP", _big_tcp),
    Column("mtu", "MTU", _mtu),
    Column("xdp", "XDP", _xdp),
    Column("role", "ROLE", _role),
)
"""Ordered by what a Cilium tuner looks for: health (AGENT, SSH) sits beside host routing and the
role comes last, so on a narrow terminal it is the role that scrolls out of view, never a dead
node. At 140 columns the seed shows every column but ROLE."""
COLUMN_KEYS = tuple(c.key for c in COLUMNS)

DEFAULT_COLUMNS = (
    "name",
    "arch",
    "kernel",
    "cilium",
    "host_routing",
    "agent",
    "ssh",
    "routing",
    "kpr",
    "masquerading",
    "bandwidth",
)
"""What the node table shows until the user picks (`columns` in the config file, or `c`): it
fits 120 terminal columns on the seed. The rest (OS, BIG TCP, MTU, XDP, ROLE) comes with the
wide toggle (`w`), as k9s shows its extra node columns."""


def wide_columns(chosen: Sequence[str]) -> tuple[str, ...]:
    """The chosen columns, then every other one in the table's own order."""
    return (*chosen, *(key for key in COLUMN_KEYS if key not in chosen))


def known_columns(keys: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the known column keys in `keys`, in order, NAME first; the unknown ones)."""
    known = tuple(dict.fromkeys(k for k in ("name", *keys) if k in COLUMN_KEYS))
    return known, tuple(k for k in keys if k not in COLUMN_KEYS)

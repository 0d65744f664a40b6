"""The remediation pane's content as Rich renderables: a plan's preview, a rollout as it happens,
and the result of an apply. Pure: built without a running app, from `cilium_tui.remedy` data.

Every piece of outside text (node names, config values, commands, reasons) goes into `Text` or
`Syntax`, never through markup: a Rich `Table` parses plain `str` cells as markup, so none is given
one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.style import Style
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from cilium_tui.checks.types import State
from cilium_tui.remedy.engine import ApplyResult, NodeCheck, Preflight, Progress
from cilium_tui.remedy.plan import Outcome, Plan, PlanStatus
from cilium_tui.remedy.preview import HELM_WARNING, config_diff, equivalent_commands
from cilium_tui.ui.cells import STATE_TONES, Cell, Tone
from cilium_tui.ui.paint import ToneStyles, cell_text

HEADING = Style(bold=True)

STATUS_CELLS: dict[PlanStatus, Cell] = {
    "ready": Cell("READY", Tone.ON, "can be applied"),
    "refused": Cell("REFUSED", Tone.ERROR, "nothing will be applied"),
    "nothing": Cell("NOTHING TO DO", Tone.NA, "already as the item wants"),
    "guidance": Cell("GUIDANCE", Tone.OFF, "steps for a person: nothing is applied"),
}

OUTCOME_CELLS: dict[Outcome, Cell] = {
    Outcome.TAKES: Cell("takes it", Tone.ON),
    Outcome.ALREADY: Cell("already", Tone.NA),
    Outcome.NOT_APPLICABLE: Cell("n/a", Tone.NA),
    Outcome.NO_EFFECT: Cell("NO EFFECT", Tone.BLOCKED),
    Outcome.FATAL: Cell("WOULD FAIL", Tone.ERROR),
    Outcome.UNKNOWN: Cell("unknown", Tone.UNKNOWN),
}
"""What the change does to each node (the plan's assessments)."""

RESULT_CELLS: dict[str, Cell] = {
    "verified": Cell("VERIFIED", Tone.ON),
    "mismatch": Cell("APPLIED, NOT AS EXPECTED", Tone.OFF),
    "applied": Cell("APPLIED", Tone.ON),
    "stopped": Cell("STOPPED", Tone.ERROR),
    "conflict": Cell("CONFLICT", Tone.OFF),
    "denied": Cell("DENIED", Tone.ERROR),
    "failed": Cell("FAILED", Tone.ERROR),
    "refused": Cell("REFUSED", Tone.ERROR),
}


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style=HEADING)


def _table(*columns: str) -> Table:
    table = Table(box=None, show_edge=False, pad_edge=False, header_style=HEADING)
    for column in columns:
        table.add_column(Text(column), overflow="fold")
    return table


@dataclass(frozen=True)
class Look:
    """How code is shown: the theme's tone styles, dark or light, and the pane's background (a
    syntax theme's own background would paint boxes over it)."""

    styles: ToneStyles
    dark: bool = True
    background: str | None = None


def _syntax(code: str, lexer: str, look: Look) -> Syntax:
    return Syntax(
        code.rstrip("\n"),
        lexer,
        theme="ansi_dark" if look.dark else "ansi_light",
        background_color=look.background,
        word_wrap=True,
    )


def _bullets(lines: Iterable[str], style: Style | None = None) -> Text:
    text = Text(end="")
    for line in lines:
        text.append(f"• {line}\n", style=style or Style())
    return text


def _states(states: Sequence[State], styles: ToneStyles) -> Text:
    text = Text(end="")
    for index, state in enumerate(states):
        if index:
            text.append("/")
        text.append_text(cell_text(Cell(state.value, STATE_TONES[state]), styles))
    return text


# --------------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------------


def plan_view(plan: Plan, look: Look) -> Group:
    """Everything the plan will do, before it is done: what `cilium-tui plan` prints, in colour."""
    styles = look.styles
    parts: list[RenderableType] = []
    title = Text(f"{plan.title} ", style=HEADING)
    title.append(f"({plan.item_id})  ", style=styles[Tone.NA])
    title.append_text(cell_text(STATUS_CELLS[plan.status], styles))
    parts += [title, Text(plan.summary)]
    cluster = plan.cluster
    where = cluster.source + (f", context {cluster.context}" if cluster.context else "")
    if plan.kind == "config":
        where += f"; {cluster.namespace}/{cluster.configmap}"
        where += f" resourceVersion {cluster.resource_version or '?'}"
        where += f"; Cilium {cluster.cilium_version or 'unknown'}"
    parts.append(Text(where, style=styles[Tone.NA]))
    if plan.undoes:
        parts.append(Text(f"Undoes journal entry {plan.undoes}", style=styles[Tone.OFF]))
    if not plan.recommended:
        parts.append(Text("Not recommended by the tuning guide.", style=styles[Tone.OFF]))
    if plan.refusals:
        parts.append(_heading("Refused"))
        parts.append(
            _bullets(
                (r.reason + (f" [{', '.join(r.nodes)}]" if r.nodes else "") for r in plan.refusals),
                styles[Tone.ERROR],
            )
        )
    if plan.assessments:
        parts.append(_heading("Which nodes can take it"))
        nodes = _table("NODE", "NOW", "CHANGE", "WHY")
        for a in plan.assessments:
            now = (
                Cell(a.state_before.value, STATE_TONES[a.state_before])
                if a.state_before
                else Cell("?", Tone.UNKNOWN)
            )
            nodes.add_row(
                Text(a.node),
                cell_text(now, styles),
                cell_text(OUTCOME_CELLS[a.outcome], styles),
                Text(a.reason),
            )
        parts.append(nodes)
    diff = config_diff(plan)
    if diff:
        parts += [_heading("cilium-config, before and after"), _syntax(diff, "diff", look)]
    if plan.restart is not None and plan.status == "ready":
        size = max(len(b) for b in plan.restart.batches)
        at_a_time = "one node" if size == 1 else f"{size} nodes"
        parts.append(_heading(f"Agent restarts, {at_a_time} at a time"))
        order = Text(end="")
        order.append(
            "delete the pod, wait for Ready "
            f"(up to {plan.restart.ready_timeout:g} s), re-check the item; stop at the first "
            "failure\n",
            style=styles[Tone.NA],
        )
        for number, batch in enumerate(plan.restart.batches, 1):
            order.append(f"{number}. {', '.join(batch)}\n")
        parts.append(order)
    if plan.disruption:
        parts += [_heading("May be disrupted"), Text(plan.disruption)]
    if plan.node_steps:
        parts.append(_heading("Node commands (over SSH, each checked before and after)"))
        parts.append(_bullets(f"{s.node}: {s.change.title}" for s in plan.node_steps))
    parts += _commands(plan, look)
    if plan.per_node_config is not None:
        pnc = plan.per_node_config
        parts.append(
            _heading(f"Per-node alternative for {', '.join(pnc.nodes)} (CiliumNodeConfig, beta)")
        )
        parts += [
            Text("cilium-tui does not apply it.", style=styles[Tone.NA]),
            _syntax(pnc.to_yaml(), "yaml", look),
        ]
    if plan.guidance:
        parts.append(_heading("Steps"))
        for step in plan.guidance:
            parts.append(Text(f"• {step.text}"))
            if step.commands:
                parts.append(_syntax("\n".join(step.commands), "bash", look))
    if plan.warnings:
        parts += [_heading("Warnings"), _bullets(plan.warnings, styles[Tone.OFF])]
    if plan.status == "ready" and plan.expectations:
        parts.append(_heading("Expected afterwards (verified by a re-scan)"))
        expected = _table("NODE", "ITEM", "STATE")
        for e in plan.expectations:
            item = Text(e.item_id + ("" if e.primary else " (side effect)"))
            expected.add_row(Text(e.node), item, _states(e.states, styles))
        parts.append(expected)
    return Group(*parts)


def _commands(plan: Plan, look: Look) -> list[RenderableType]:
    """The same change by hand: helm, cilium, kubectl, ssh."""
    commands = equivalent_commands(plan)
    lines: list[str] = []
    notes: list[str] = []
    if plan.kind == "config" and plan.changes:
        if plan.cluster.helm_managed:
            notes.append(HELM_WARNING.format(release=plan.cluster.helm_release or "unknown"))
        if commands.helm:
            lines.append(commands.helm)
        if commands.helm_unmapped:
            notes.append(f"no Helm value writes {', '.join(commands.helm_unmapped)}")
        lines += commands.cilium_cli
        if commands.kubectl_patch:
            lines.append(commands.kubectl_patch)
        lines += commands.restarts
    lines += commands.node_commands
    if not lines:
        return []
    parts: list[RenderableType] = [_heading("Equivalent commands")]
    if notes:
        parts.append(_bullets(notes, look.styles[Tone.NA]))
    parts.append(_syntax("\n".join(lines), "bash", look))
    return parts


def preflight_view(preflight: Preflight, styles: ToneStyles) -> Text:
    """Why an apply cannot start (missing rights, no SSH route), said before anything changes."""
    text = Text("Cannot apply: ", style=styles[Tone.ERROR] + HEADING, end="")
    text.append("nothing was changed\n")
    for problem in preflight.problems:
        text.append(f"• {problem}\n", style=styles[Tone.ERROR])
    return text


# --------------------------------------------------------------------------------------------
# A rollout, step by step
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeProgress:
    node: str
    batch: int
    state: Cell
    message: str = ""


@dataclass(frozen=True)
class Rollout:
    """Where an apply stands: one line per node it touches, in the order it touches them."""

    nodes: tuple[NodeProgress, ...]
    last: str = "starting"
    done: int = 0
    total: int = 0

    def node(self, name: str) -> NodeProgress | None:
        return next((n for n in self.nodes if n.node == name), None)


WAITING = Cell("waiting", Tone.NA)

_NODE_STATES: dict[tuple[str, str], Cell] = {
    ("node-step", "info"): Cell("running commands", Tone.OFF),
    ("node-step", "ok"): Cell("commands done", Tone.ON),
    ("restart", "info"): Cell("restarting", Tone.OFF),
    ("restart", "warning"): Cell("no agent", Tone.OFF),
    ("ready", "info"): Cell("waiting for Ready", Tone.OFF),
    ("ready", "ok"): Cell("Ready", Tone.ON),
    ("check", "ok"): Cell("as expected", Tone.ON),
}
"""(phase, level) of a node's progress -> its state; any error stops the node."""


def rollout_start(plan: Plan) -> Rollout:
    """Every node the plan restarts or runs commands on, waiting, in rollout order."""
    batches = list(plan.restart.batches) if plan.restart is not None else []
    seen = {node for batch in batches for node in batch}
    for step in plan.node_steps:  # node plans: one node at a time, as the engine runs them
        if step.node not in seen:
            batches.append((step.node,))
            seen.add(step.node)
    nodes = tuple(
        NodeProgress(node, number, WAITING)
        for number, batch in enumerate(batches, 1)
        for node in batch
    )
    return Rollout(nodes)


def rollout_step(rollout: Rollout, step: Progress) -> Rollout:
    """The rollout after one progress report of the engine."""
    where = f"{step.node}: " if step.node else ""
    updated = dataclasses.replace(
        rollout, last=f"{where}{step.message}", done=step.done, total=step.total
    )
    current = rollout.node(step.node) if step.node else None
    if current is None:
        return updated
    if step.level == "error":
        state = Cell("stopped", Tone.ERROR)
    else:
        state = _NODE_STATES.get((step.phase, step.level), current.state)
    node = dataclasses.replace(current, state=state, message=step.message)
    return dataclasses.replace(
        updated, nodes=tuple(node if n.node == step.node else n for n in rollout.nodes)
    )


def rollout_view(rollout: Rollout, styles: ToneStyles) -> Group:
    head = Text("Rollout  ", style=HEADING)
    if rollout.total:
        head.append(f"{rollout.done}/{rollout.total}  ", style=styles[Tone.NA])
    head.append(rollout.last)
    table = _table("#", "NODE", "STATE", "LAST STEP")
    for n in rollout.nodes:
        table.add_row(Text(str(n.batch)), Text(n.node), cell_text(n.state, styles), Text(n.message))
    return Group(head, table)


# --------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------


def result_view(result: ApplyResult, styles: ToneStyles, *, undo_key: str = "u") -> Group:
    """What the apply did, each node next to the plan's expectation, and how to undo it."""
    head = Text("Result  ", style=HEADING)
    head.append_text(cell_text(RESULT_CELLS.get(result.outcome, Cell(result.outcome)), styles))
    parts: list[RenderableType] = [head, Text(result.message)]
    checks: Sequence[NodeCheck] = (
        result.verification.checks if result.verification is not None else result.checks
    )
    if checks:
        table = _table("NODE", "ITEM", "EXPECTED", "NOW", "")
        for check in checks:
            now = (
                cell_text(Cell(check.actual.value, STATE_TONES[check.actual]), styles)
                if check.actual is not None
                else Text("?", style=styles[Tone.UNKNOWN])
            )
            mark = Cell("✓", Tone.ON) if check.ok else Cell("✗", Tone.ERROR)
            item = check.item_id + ("" if check.primary else " (side effect)")
            table.add_row(
                Text(check.node),
                Text(item),
                _states(check.expected, styles),
                now,
                cell_text(mark, styles),
            )
        parts.append(table)
    if result.entry_id:
        parts.append(Text(f"journal entry {result.entry_id}", style=styles[Tone.NA]))
    if result.undo_offered:
        parts.append(Text(f"Press {undo_key} to undo this change.", style=HEADING))
    if result.replan is not None:
        parts.append(
            Text(
                "The cluster changed since the preview: the plan below is built against it as "
                "it is now. Review it and apply again.",
                style=styles[Tone.OFF],
            )
        )
    return Group(*parts)

"""The remediation pane's content as Rich renderables: a plan's preview, a rollout as it happens,
and the result of an apply. Pure: built without a running app, from `cilium_tui.remedy` data.

Every piece of outside text (node names, config values, commands, reasons) goes into `Text` or
`Syntax`, never through markup: a Rich `Table` parses plain `str` cells as markup, so none is given
one. Commands are never soft-wrapped: `ShellLines` folds them between arguments to the width they
are drawn at, so that a copy runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.style import Style
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from cilium_tui.checks import catalogue
from cilium_tui.checks.types import State
from cilium_tui.remedy.engine import ApplyResult, NodeCheck, Preflight, Progress
from cilium_tui.remedy.plan import Outcome, Plan, PlanStatus
from cilium_tui.remedy.preview import (
    CONFIG_SET_WARNING,
    HELM_WARNING,
    KUBECTL_NOTE,
    config_diff,
    equivalent_commands,
)
from cilium_tui.remedy.shell_lines import fold
from cilium_tui.report.safe import plain
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
    "interrupted": Cell("INTERRUPTED", Tone.ERROR),
    "busy": Cell("ANOTHER RUN IS CHANGING THE CLUSTER", Tone.OFF),
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
    syntax theme's own background would paint boxes over it); and the console's keys (after the
    user's keymap) that the steps name."""

    styles: ToneStyles
    dark: bool = True
    background: str | None = None
    checklist_key: str = "2"
    preview_key: str = "p"

    def preview_item(self, item_id: str) -> Text:
        """How to preview an item's remediation in the console (a guidance step names it)."""
        text = Text("→ ")
        text.append(catalogue.item(item_id).title, style=HEADING)
        text.append(
            f" ({item_id}): on the Checklist ({self.checklist_key}) select it and press "
            f"{self.preview_key} to preview it"
        )
        return text


def _syntax(code: str, lexer: str, look: Look, *, wrap: bool = True) -> Syntax:
    return Syntax(
        code.rstrip("\n"),
        lexer,
        theme="ansi_dark" if look.dark else "ansi_light",
        background_color=look.background,
        word_wrap=wrap,
    )


@dataclass(frozen=True)
class ShellLines:
    r"""Shell commands, highlighted, each folded between its arguments to the width it is drawn
    at (` \` continuations; see `cilium_tui.remedy.shell_lines`), never soft-wrapped inside one.
    An argument longer than the whole width is cut with "…" (`cilium-tui plan` prints it whole)
    rather than wrapped into a command that would run differently."""

    commands: tuple[str, ...]
    look: Look

    def lines(self, width: int) -> list[str]:
        folded = [line for command in self.commands for line in fold(command, width)]
        return [line if len(line) <= width else line[: width - 1] + "…" for line in folded]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield _syntax("\n".join(self.lines(options.max_width)), "bash", self.look, wrap=False)


def _bullets(lines: Iterable[str], style: Style | None = None) -> Text:
    text = Text(end="")
    for line in lines:
        text.append(f"• {line}\n", style=style or Style())
    return text


def _states(states: Sequence[State]) -> Cell:
    """ "on" or "on/n/a", in the first state's tone."""
    tone = STATE_TONES[states[0]] if states else Tone.UNKNOWN
    return Cell("/".join(s.value for s in states), tone)


def _state(state: State | None) -> Cell:
    return Cell(state.value, STATE_TONES[state]) if state else Cell("?", Tone.UNKNOWN)


LIST_LIMIT = 24
"""Up to this many nodes, a table has a row per node; beyond, the nodes whose rows are the same
are grouped on one ("497 nodes: rock64-1, rock64-2, … (+494)"), so that the pane of a big
cluster stays readable, and cheap to lay out."""

NodeRows = Sequence[tuple[str, tuple[Cell, ...]]]


def _sample(nodes: Sequence[str], shown: int = 3) -> str:
    if len(nodes) == 1:
        return nodes[0]
    more = f", … (+{len(nodes) - shown})" if len(nodes) > shown else ""
    return f"{len(nodes)} nodes: {', '.join(nodes[:shown])}{more}"


def _node_table(columns: Sequence[str], rows: NodeRows, styles: ToneStyles) -> Table:
    """A row per node, or per group of nodes with the same cells (see LIST_LIMIT)."""
    grouped = len(rows) > LIST_LIMIT
    table = _table("NODES" if grouped else "NODE", *columns)
    groups: dict[tuple[Cell, ...], list[str]] = {}
    for node, cells in rows:
        groups.setdefault(cells if grouped else (Cell(node), *cells), []).append(node)
    ordered = (
        sorted(groups.items(), key=lambda group: -len(group[1])) if grouped else groups.items()
    )
    for cells, nodes in ordered:
        shown = cells if grouped else cells[1:]
        table.add_row(
            Text(plain(_sample(nodes) if grouped else nodes[0])),
            *(cell_text(c, styles) for c in shown),
        )
    return table


# --------------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------------


def plan_view(plan: Plan, look: Look, *, state: Cell | None = None) -> Group:
    """Everything the plan will do, before it is done: what `cilium-tui plan` prints, in colour.
    `state` is what the title says in place of the plan's status (while it is applied, or once
    it is done)."""
    styles = look.styles
    parts: list[RenderableType] = []
    title = Text(f"{plan.title} ", style=HEADING)
    title.append(f"({plan.item_id})  ", style=styles[Tone.NA])
    title.append_text(cell_text(state or STATUS_CELLS[plan.status], styles))
    parts += [title, Text(plain(plan.summary))]
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
        assessed: NodeRows = [
            (a.node, (_state(a.state_before), OUTCOME_CELLS[a.outcome], Cell(a.reason)))
            for a in plan.assessments
        ]
        parts.append(_node_table(("NOW", "CHANGE", "WHY"), assessed, styles))
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
        batches = list(enumerate(plan.restart.batches, 1))
        if len(batches) > LIST_LIMIT:  # the first batches (the canaries) and the last ones
            skipped = len(batches) - LIST_LIMIT
            batches = [*batches[: LIST_LIMIT - 2], (0, ()), *batches[-2:]]
        for number, batch in batches:
            line = f"{number}. {', '.join(batch)}" if batch else f"… {skipped} more batches"
            order.append(line + "\n")
        parts.append(order)
    if plan.disruption:
        parts += [_heading("May be disrupted"), Text(plain(plan.disruption))]
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
            parts.append(Text(f"• {plain(step.text)}"))
            if step.commands:
                parts.append(ShellLines(step.commands, look))
            parts += [look.preview_item(item_id) for item_id in step.items]
    if plan.warnings:
        parts += [_heading("Warnings"), _bullets(plan.warnings, styles[Tone.OFF])]
    if plan.status == "ready" and plan.expectations:
        parts.append(_heading("Expected afterwards (verified by a re-scan)"))
        expected: NodeRows = [
            (e.node, (Cell(e.item_id + ("" if e.primary else " (side effect)")), _states(e.states)))
            for e in plan.expectations
        ]
        parts.append(_node_table(("ITEM", "STATE"), expected, styles))
    return Group(*parts)


def _commands(plan: Plan, look: Look) -> list[RenderableType]:
    """The same change by hand, in `cilium-tui plan`'s order: helm first when Helm manages the
    ConfigMap, `cilium config set` under its all-at-once restart warning, kubectl, ssh. Only for
    a plan that can be applied: what was refused is not handed out to paste. Each warning is a
    line of its own above its commands, never a comment inside them (a wrapped comment pasted
    into a shell would run its second half)."""
    if plan.status != "ready":
        return []
    commands = equivalent_commands(plan)
    parts: list[RenderableType] = []

    def block(notes: Sequence[str], lines: Sequence[str]) -> None:
        if notes:
            parts.append(_bullets(notes, look.styles[Tone.NA]))
        if lines:
            parts.append(ShellLines(tuple(lines), look))

    if plan.kind == "config" and plan.changes:
        cluster = plan.cluster
        helm_notes = commands.helm_notes
        rollout = [commands.rollout_restart] if commands.rollout_restart else []
        helm = [commands.helm, *rollout] if commands.helm else []
        if cluster.helm_managed:
            release = cluster.helm_release or "unknown"
            block([HELM_WARNING.format(release=release), *helm_notes], helm)
        if commands.cilium_cli:
            block([CONFIG_SET_WARNING], [*commands.cilium_cli, *rollout])
        if commands.kubectl_patch:
            block(
                [KUBECTL_NOTE],
                [
                    commands.kubectl_patch,
                    *_first(commands.restarts, "one per node, in the restart order above"),
                ],
            )
        if not cluster.helm_managed:
            block(helm_notes, helm)
    block([], _first(commands.node_commands, "the same on every node of the plan"))
    return [_heading("Equivalent commands"), *parts] if parts else []


def _first(lines: Sequence[str], rest: str, shown: int = 3) -> list[str]:
    """All of `lines`, or on a big cluster the first few and a comment saying what follows
    (`cilium-tui plan` prints every one of them)."""
    if len(lines) <= LIST_LIMIT:
        return list(lines)
    return [*lines[:shown], f"# … {len(lines) - shown} more: {rest} (cilium-tui plan lists all)"]


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
    if len(rollout.nodes) > LIST_LIMIT:  # where the nodes stand, grouped; `last` says the step
        rows: NodeRows = [(n.node, (n.state,)) for n in rollout.nodes]
        return Group(head, _node_table(("STATE",), rows, styles))
    table = _table("#", "NODE", "STATE", "LAST STEP")
    for n in rollout.nodes:
        table.add_row(
            Text(str(n.batch)),
            Text(plain(n.node)),
            cell_text(n.state, styles),
            Text(plain(n.message)),
        )
    return Group(head, table)


# --------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------


def result_view(result: ApplyResult, styles: ToneStyles, *, undo_key: str = "u") -> Group:
    """What the apply did, each node next to the plan's expectation, and how to undo it."""
    head = Text("Result  ", style=HEADING)
    head.append_text(cell_text(RESULT_CELLS.get(result.outcome, Cell(result.outcome)), styles))
    parts: list[RenderableType] = [head, Text(plain(result.message))]
    checks: Sequence[NodeCheck] = (
        result.verification.checks if result.verification is not None else result.checks
    )
    if checks:
        rows = [
            (
                check.node,
                (
                    Cell(check.item_id + ("" if check.primary else " (side effect)")),
                    _states(check.expected),
                    _state(check.actual),
                    Cell("✓", Tone.ON) if check.ok else Cell("✗", Tone.ERROR),
                ),
            )
            for check in checks
        ]
        parts.append(_node_table(("ITEM", "EXPECTED", "NOW", ""), rows, styles))
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

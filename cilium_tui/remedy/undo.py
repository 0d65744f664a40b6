"""Undo as a plan: `undo_plan(entry, snapshot=None) -> Plan`, applied like any other. Pure.

From a journal entry it builds the plan that puts back exactly what the change altered:

- every cilium-config key it touched gets its previous value byte for byte, and keys that were
  absent are removed (a merge patch with null);
- the agents it restarted are restarted again, in the same order and batches;
- every node step it ran is reverted with its undo commands, expecting the check to print what it
  printed before the change (journalled), and undone in reverse order;
- the item is expected back in the state it was in before, on every node.

The patch carries the resourceVersion the change left behind; with a `snapshot` (a fresh scan),
the values and resourceVersion are those of now, so the preview shows what will really change.
"""

from __future__ import annotations

from dataclasses import replace

from cilium_tui.collect.node_commands import NodeChange
from cilium_tui.model import Snapshot
from cilium_tui.remedy.context import state_group
from cilium_tui.remedy.journal import JournalEntry, JournalError
from cilium_tui.remedy.plan import Expectation, KeyChange, NodeStep, Plan


def _reverted(step: NodeStep, before: list[str]) -> NodeStep:
    change = step.change
    back = NodeChange(
        title=f"undo: {change.title}",
        apply=change.undo,
        check=change.check,
        expect=tuple(before),
        undo=change.apply,
    )
    return NodeStep(step.node, back, change.expect, step.ssh_host)


def undo_plan(entry: JournalEntry, snapshot: Snapshot | None = None) -> Plan:
    """The plan that reverts `entry`. Raises JournalError when it cannot be undone."""
    if entry.undone_by is not None:
        raise JournalError(f"journal entry {entry.id} was already undone by {entry.undone_by}")
    if not entry.mutated:
        raise JournalError(f"journal entry {entry.id} changed nothing ({entry.status})")
    original = entry.load_plan()
    config = snapshot.config if snapshot is not None else None
    current = dict(config.data) if config is not None else None
    written = {c.key: c.new for c in original.changes}
    changes = tuple(
        KeyChange(
            key,
            current.get(key) if current is not None else written.get(key),
            value,
            "its value before " + entry.id,
        )
        for key, value in entry.previous.items()
        if entry.resource_version_after is not None
    )
    changes = tuple(c for c in changes if c.old != c.new)
    steps_by_node: dict[str, list[NodeStep]] = {}
    for step in original.node_steps:
        steps_by_node.setdefault(step.node, []).append(step)
    steps = tuple(
        _reverted(steps_by_node[node][index], entry.node_before[node][index])
        for node, index in reversed(entry.steps_done)
    )
    restart = None
    if entry.restarted and original.restart is not None:
        restarted = set(entry.restarted)
        batches = tuple(
            kept
            for batch in original.restart.batches
            if (kept := tuple(n for n in batch if n in restarted))
        )
        restart = replace(original.restart, batches=batches) if batches else None
    before = {a.node: a.state_before for a in original.assessments}
    expectations = tuple(
        Expectation(node, original.item_id, state_group(state), f"as before {entry.id}")
        for node, state in before.items()
        if state is not None
    )
    rv = config.resource_version if config is not None else entry.resource_version_after
    return replace(
        original,
        summary=f"undo {entry.id}: put back what it changed",
        cluster=replace(original.cluster, resource_version=rv),
        changes=changes,
        restart=restart,
        node_steps=steps,
        expectations=expectations,
        refusals=(),
        guidance=(),
        per_node_config=None,
        warnings=(),
        undoes=entry.id,
        basis=snapshot,
        recommended=True,
    )

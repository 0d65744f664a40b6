"""Undo as a plan: `undo_plan(entry, snapshot, cluster=..., journal=...) -> Plan`. Pure.

From a journal entry it builds the plan that puts back exactly what the change altered, applied
like any other plan:

- every cilium-config key it touched gets its previous value byte for byte, and keys that were
  absent are removed (a merge patch with null);
- the agents it restarted are restarted again, in the same order and batches;
- every node step it ran is reverted with its undo commands, expecting the check to print what it
  printed before the change (journalled), and undone in reverse order;
- the item is expected back in the state it was in before, on every node.

The patch carries the resourceVersion the change left behind; with a `snapshot` (a fresh scan),
the values and resourceVersion are those of now, so the preview shows what will really change,
and each node's line says where the item is now and what it goes back to.

The plan is refused (with the reason) when `cluster`, the cluster cilium-tui is connected to, is
not the one the change was made on, or when a later change still in effect touched the same
cilium-config or the same hosts: putting back old values under it would mix two configurations
(native routing undone under DSR is a crash loop). Changes are undone newest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from cilium_tui.checks.catalogue import item as catalogue_item
from cilium_tui.collect.node_commands import rebuild, reverted
from cilium_tui.model import Snapshot
from cilium_tui.remedy.context import state_group
from cilium_tui.remedy.journal import ClusterIdentity, JournalEntry, JournalError
from cilium_tui.remedy.plan import (
    Expectation,
    KeyChange,
    NodeAssessment,
    NodeStep,
    Outcome,
    Plan,
    Refusal,
)


def _reverted(step: NodeStep, before: list[str]) -> NodeStep:
    """The step that reverts `step`: its commands rebuilt through the allow-list, never taken
    as written (a journal entry is data, not a program)."""
    try:
        change = rebuild(step.change)
    except ValueError as e:
        raise JournalError(f"node step on {step.node}: {e}") from None
    return NodeStep(step.node, reverted(change, before), change.expect, step.ssh_host)


def _touched(entry: JournalEntry) -> set[str]:
    """What a change altered: its ConfigMap ("kube-system/cilium-config") and its hosts."""
    touched = {f"host {node}" for node, _ in entry.steps_done}
    if entry.resource_version_after is not None:
        cluster = entry.plan.get("cluster") or {}
        ns = cluster.get("namespace", "kube-system")
        touched.add(f"{ns}/{cluster.get('configmap', 'cilium-config')}")
    return touched


def _later_changes(entry: JournalEntry, journal: Sequence[JournalEntry]) -> tuple[Refusal, ...]:
    """A refusal per later change of the same cluster, still in effect, that touched the same
    cilium-config or hosts as `entry` (newest first: the order to undo them in)."""
    if entry.cluster is None:
        return ()
    touched = _touched(entry)
    later = sorted(
        (
            other
            for other in journal
            if (other.created, other.id) > (entry.created, entry.id)
            and other.undoable
            and other.undoes is None
            and other.why_not_on(entry.cluster) is None
        ),
        key=lambda other: (other.created, other.id),
        reverse=True,
    )
    refusals = []
    for other in later:
        shared = sorted(touched & _touched(other))
        if shared:
            refusals.append(
                Refusal(
                    f"journal entry {other.id} ({other.item_id}) changed {', '.join(shared)} "
                    f"after {entry.id} and is still in effect: undo {other.id} first (changes "
                    "are undone newest first)"
                )
            )
    return tuple(refusals)


def _assessments(
    original: Plan, entry: JournalEntry, snapshot: Snapshot | None
) -> tuple[NodeAssessment, ...]:
    """Per node: the item now (from `snapshot`) and the state it goes back to."""
    item = catalogue_item(original.item_id)
    assessments = []
    for a in original.assessments:
        record = snapshot.node(a.node) if snapshot is not None else None
        now = item.evaluate(snapshot, record).state if snapshot and record else None
        if a.state_before is None:
            outcome, reason = Outcome.TAKES, f"its previous values are put back ({entry.id})"
        elif now is not None and now in state_group(a.state_before):
            outcome, reason = Outcome.ALREADY, f"{a.state_before.value}, as before {entry.id}"
        else:
            back = a.state_before.value
            outcome, reason = Outcome.TAKES, f"back to {back}: previous values of {entry.id}"
        assessments.append(NodeAssessment(a.node, outcome, reason, now))
    return tuple(assessments)


def undo_plan(
    entry: JournalEntry,
    snapshot: Snapshot | None = None,
    *,
    cluster: ClusterIdentity | None = None,
    journal: Sequence[JournalEntry] = (),
    restart: Sequence[str] | None = None,
) -> Plan:
    """The plan that reverts `entry`, refused when `cluster` (the connected one, when known) is
    not where it was made or when a later change in `journal` must be undone first.

    `restart`: the nodes whose agent runs the changed config now, as the cluster shows
    (`reconcile.changed_nodes`); default: those the journal says were restarted.

    Raises JournalError when the entry cannot be undone at all (nothing changed, already undone,
    its plan unreadable).
    """
    if entry.undone_by is not None:
        raise JournalError(f"journal entry {entry.id} was already undone by {entry.undone_by}")
    if entry.unsettled:
        raise JournalError(
            f"journal entry {entry.id} was interrupted and its outcome is not on record: "
            "reconcile it from the cluster first (`cilium-tui undo` does)"
        )
    if not entry.mutated:
        raise JournalError(f"journal entry {entry.id} changed nothing ({entry.status})")
    original = entry.load_plan()
    config = snapshot.config if snapshot is not None else None
    rv = config.resource_version if config is not None else entry.resource_version_after
    here = original.cluster
    if snapshot is not None:  # the cluster connected to: its name is the word typed to confirm
        here = replace(here, source=snapshot.source, context=snapshot.context)
    undo = replace(
        original,
        summary=f"undo {entry.id}: put back what it changed",
        cluster=replace(here, resource_version=rv),
        # quoted, not repeated: "Hubble stops working" is what the change did, not its undo
        disruption=f"the way back from {entry.id}, whose preview warned: {original.disruption}"
        if original.disruption
        else "",
        guidance=(),
        per_node_config=None,
        warnings=(),
        undoes=entry.id,
        basis=snapshot,
        recommended=True,
    )
    why_not = entry.why_not_on(cluster) if cluster is not None else None
    if why_not is not None:  # nothing is worked out against another cluster
        return replace(
            undo,
            changes=(),
            restart=None,
            node_steps=(),
            assessments=(),
            expectations=(),
            refusals=(Refusal(why_not),),
        )
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
    theirs = tuple(
        f"cilium-config {c.key} was changed by someone else after {entry.id} (it wrote "
        f"{written.get(c.key)!r}, it is {c.old!r} now): the undo puts back {c.new!r} and drops "
        "that edit"
        for c in changes
        if current is not None and c.key in written and c.old != written[c.key]
    )
    steps_by_node: dict[str, list[NodeStep]] = {}
    for step in original.node_steps:
        steps_by_node.setdefault(step.node, []).append(step)
    steps = tuple(
        _reverted(steps_by_node[node][index], entry.node_before[node][index])
        for node, index in reversed(entry.steps_done)
    )
    restart_plan = None
    restarted = list(entry.restarted if restart is None else restart)
    if restarted and original.restart is not None:
        batches = tuple(
            kept
            for batch in original.restart.batches
            if (kept := tuple(n for n in batch if n in restarted))
        )
        planned = {n for b in batches for n in b}
        batches += tuple((n,) for n in restarted if n not in planned)
        restart_plan = replace(original.restart, batches=batches) if batches else None
    before = {a.node: a.state_before for a in original.assessments}
    expectations = tuple(
        Expectation(node, original.item_id, state_group(state), f"as before {entry.id}")
        for node, state in before.items()
        if state is not None
    )
    return replace(
        undo,
        changes=changes,
        restart=restart_plan,
        node_steps=steps,
        assessments=_assessments(original, entry, snapshot),
        expectations=expectations,
        refusals=_later_changes(entry, journal),
        warnings=theirs,
    )

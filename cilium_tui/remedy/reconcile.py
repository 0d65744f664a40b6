"""What a change really did, read from the cluster rather than assumed from the journal. Pure.

A journal entry records each mutation's intent before it is sent (`journal.Intent`) and the UID of
every agent pod just before the first one (`JournalEntry.agents_before`). After an interruption
(kill -9, Ctrl-C, a PATCH answered late, a journal that could not be written) the cluster says
the rest:

- the patch landed when cilium-config is no longer at the resourceVersion the patch expected and
  its keys hold the values the patch wrote (an answer that never came does not matter);
- an agent started under the change when its pod's UID is not one of `agents_before`: it read
  cilium-config after the patch. That is also how a node whose status does not print a setting
  (1.13 has no routing line) is known to run it.

    found = reconcile(entry, config_data, config_rv, agents)   # agents: node -> pod UID now
    found.lines()        # "worker-1: runs the changed config (its agent started after the patch)"
    settle(entry, found)                                        # the entry updated to match
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cilium_tui.remedy.journal import JournalEntry

Agents = Mapping[str, str]
"""Node -> the UID of its agent pod now."""


@dataclass(frozen=True)
class Reconciliation:
    """Where a change stands on the cluster."""

    entry_id: str
    patched: bool
    """cilium-config carries the change (whatever the journal managed to record)."""
    patch_note: str
    """One phrase on cilium-config."""
    changed: tuple[str, ...]
    """Nodes whose agent started under the changed config."""
    unchanged: tuple[str, ...]
    """Nodes whose agent runs the config from before the change."""
    no_agent: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        lines = [f"cilium-config: {self.patch_note}"]
        after = "its agent started after the patch"
        lines += [f"{node}: runs the changed config ({after})" for node in self.changed]
        before = "its agent started before the change" if self.patched else "nothing was changed"
        lines += [f"{node}: runs the previous config ({before})" for node in self.unchanged]
        then = "; the next one starts under the changed config" if self.patched else ""
        lines += [f"{node}: no agent pod now{then}" for node in self.no_agent]
        return lines


def _patch_state(
    entry: JournalEntry, data: Mapping[str, str] | None, rv: str | None
) -> tuple[bool, str]:
    written = {c["key"]: c.get("new") for c in entry.plan.get("changes") or [] if "key" in c}
    intents = [i for i in entry.intents if i.kind == "patch"]
    if not written:
        return False, "not part of this change"
    if entry.resource_version_after is not None:
        return True, f"patched (resourceVersion {entry.resource_version_after} after the patch)"
    if not intents:
        return False, "not patched: the run ended before the patch was sent"
    if data is None:
        return False, "unknown: it could not be read"
    expected = intents[-1].resource_version
    if rv == expected:
        return False, f"not patched: still at resourceVersion {rv}, as before"
    if all(data.get(k) == v for k, v in written.items()):
        return True, f"patched: the server applied it (resourceVersion {rv} now)"
    return False, (
        f"not patched by this change: resourceVersion {rv} and its keys hold other values "
        "(someone else changed it)"
    )


def changed_nodes(
    entry: JournalEntry, agents: Agents, undos: Sequence[JournalEntry] = ()
) -> list[str]:
    """Nodes whose agent runs `entry`'s changed config now: started after its patch and, when an
    undo in `undos` put the previous config back, before that undo's patch."""
    if entry.resource_version_after is None:
        return []
    if not entry.agents_before:  # an entry from before agents were recorded: its own word
        return [n for n in entry.restarted if n in agents]
    before = set(entry.agents_before.values())
    restored = [
        set(u.agents_before.values())
        for u in sorted(undos, key=lambda u: (u.created, u.id))
        if u.resource_version_after is not None and u.agents_before
    ]
    cutoff = restored[0] if restored else None
    return [
        node
        for node, uid in agents.items()
        if uid not in before and (cutoff is None or uid in cutoff)
    ]


def reconcile(
    entry: JournalEntry,
    data: Mapping[str, str] | None,
    rv: str | None,
    agents: Agents,
    undos: Sequence[JournalEntry] = (),
) -> Reconciliation:
    """Where `entry` stands, from cilium-config's `data` and resourceVersion `rv` (None when it
    could not be read) and the agent pods now."""
    patched, note = _patch_state(entry, data, rv)
    probe = entry
    if patched and entry.resource_version_after is None:
        probe = _copy_with_rv(entry, rv or "?")
    changed = changed_nodes(probe, agents, undos) if patched else []
    known = set(entry.agents_before) | set(agents)
    return Reconciliation(
        entry.id,
        patched,
        note,
        tuple(changed),
        tuple(n for n in agents if n not in changed),
        tuple(sorted(n for n in known if n not in agents)),
    )


def _copy_with_rv(entry: JournalEntry, rv: str) -> JournalEntry:
    copy = JournalEntry.from_dict(entry.to_dict())
    copy.resource_version_after = rv
    return copy


def settle(entry: JournalEntry, found: Reconciliation, rv: str | None) -> bool:
    """Bring `entry` in line with what the cluster showed; True when anything changed."""
    before = entry.to_dict()
    if found.patched and entry.resource_version_after is None:
        entry.resource_version_after = rv
    for intent in entry.intents:
        intent.answered = True
    for node in found.changed:
        if node not in entry.restarted:
            entry.restarted.append(node)
    if entry.to_dict() == before:
        return False
    entry.note("reconciled", "from the cluster: " + "; ".join(found.lines()))
    return True

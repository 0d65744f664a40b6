"""A step's done-condition: a small declarative vocabulary, judged on the checklist's findings.

A lesson file writes a condition as a TOML table; `parse_condition` reads it:

    { item = "native-routing", state = "on" }
        every node where the item applies has it on (n/a nodes are skipped; at least one node
        must be on). `states = ["off", "blocked"]` accepts any of several states.
    { item = "bpf-host-routing", state = "on", blocked_by = "kernel" }
        the same, except that a node BLOCKED only by unmet requirements whose checklist text
        starts with "kernel" (e.g. "kernel 4.19 < 5.10") is accepted instead: "BPF wherever the
        kernel allows, and Legacy because of the kernel elsewhere". A list accepts several
        prefixes; every blocker of the node must match one of them.
    { item = "bbr", state = "on", nodes = "some" }
        at least one node is in the state (the others may be anything).
    { visited = true }
        the learner has opened the step (a "look" step: done on visit, see `lessons.progress`).
    { reached = ["native-routing", "bpf-masquerading"] }
        those steps have been seen done on this cluster before (progress), so that "undo it all"
        is not done on a cluster that never left its start.
    { all = [ ... ] } / { any = [ ... ] }
        every / at least one of the conditions inside.

Conditions read the same judgement the checklist shows (`checks.judgement.Judgement`): a state is
the checklist's state for that node, so "configured, not verified" (UNKNOWN) never counts as on
or off. Nothing here re-derives a requirement: `blocked_by` reads the checklist's own blockers.
Each evaluation is pure and returns whether it holds and the evidence, one short line each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from cilium_tui.checks.ids import ItemId
from cilium_tui.checks.judgement import Judgement
from cilium_tui.checks.rollup import gist
from cilium_tui.checks.types import Finding, State
from cilium_tui.report.safe import plain

Quantifier = Literal["every", "some"]
MAX_NAMES = 4
"""Node names listed in one line of evidence before "and N more"."""


class LessonError(ValueError):
    """A lesson that cannot be used; the message names the file and what is wrong in it."""


@dataclass(frozen=True)
class Context:
    """What a condition is judged on: the live scan's judgement and the learner's progress."""

    judgement: Judgement
    step: str = ""
    """The step whose condition is judged (for `visited`)."""
    visited: frozenset[str] = frozenset()
    reached: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Result:
    done: bool
    evidence: tuple[str, ...] = ()


def _names(findings: Iterable[Finding]) -> str:
    nodes = [plain(f.node) for f in findings]
    if len(nodes) <= MAX_NAMES:
        return ", ".join(nodes)
    return f"{', '.join(nodes[:MAX_NAMES])} and {len(nodes) - MAX_NAMES} more"


def _grouped(findings: Iterable[Finding], label: Any) -> list[tuple[str, list[Finding]]]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(label(finding), []).append(finding)
    return list(groups.items())


def _missing_label(finding: Finding) -> str:
    """ "off: vxlan tunnelling", "configured, not verified: agent CrashLoopBackOff"."""
    state = "configured, not verified" if finding.unverified else finding.state.value
    return f"{state}: {gist(finding)}"


@dataclass(frozen=True)
class ItemState:
    """The item is in one of `states` on every node where it applies (or on `some`)."""

    item: ItemId
    states: tuple[State, ...]
    blocked_by: tuple[str, ...] = ()
    nodes: Quantifier = "every"

    def _excused(self, finding: Finding) -> bool:
        return (
            bool(self.blocked_by)
            and finding.state is State.BLOCKED
            and bool(finding.blocked_by)
            and all(b.startswith(self.blocked_by) for b in finding.blocked_by)
        )

    def evaluate(self, context: Context) -> Result:
        wanted_text = "/".join(s.value for s in self.states)
        rollup = context.judgement.rollup(self.item)
        if rollup is None:
            why = context.judgement.error or "the checklist has no verdict for it"
            return Result(False, (f"{self.item}: not judged: {plain(why)}",))
        counted = [f for f in rollup.findings if f.state is not State.NA or State.NA in self.states]
        if not counted:
            return Result(False, (f"{self.item}: n/a on every node",))
        wanted = [f for f in counted if f.state in self.states]
        excused = [f for f in counted if f.state not in self.states and self._excused(f)]
        missing = [f for f in counted if f.state not in self.states and not self._excused(f)]
        evidence = []
        if wanted:
            evidence.append(f"{self.item}: {wanted_text} ({_names(wanted)})")
        for blockers, found in _grouped(excused, lambda f: ", ".join(f.blocked_by)):
            evidence.append(f"{self.item}: blocked by {plain(blockers)} ({_names(found)})")
        if self.nodes == "some":
            if not wanted:
                evidence.append(f"{self.item}: no node is {wanted_text} yet")
            return Result(bool(wanted), tuple(evidence))
        for reason, found in _grouped(missing, _missing_label):
            evidence.append(f"{self.item}: {plain(reason)} ({_names(found)})")
        if not wanted:
            evidence.append(f"{self.item}: no node is {wanted_text} yet")
        return Result(bool(wanted) and not missing, tuple(evidence))


@dataclass(frozen=True)
class Visited:
    """The learner opened this step (done on visit)."""

    def evaluate(self, context: Context) -> Result:
        if context.step in context.visited:
            return Result(True, ("visited",))
        return Result(False, ("not visited yet",))


@dataclass(frozen=True)
class Reached:
    """These steps were seen done on this cluster before."""

    steps: tuple[str, ...]

    def evaluate(self, context: Context) -> Result:
        missing = [s for s in self.steps if s not in context.reached]
        if missing:
            return Result(False, (f"not yet done here: {', '.join(missing)}",))
        return Result(True, (f"done here before: {', '.join(self.steps)}",))


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...] = field(default=())

    def evaluate(self, context: Context) -> Result:
        results = [c.evaluate(context) for c in self.conditions]
        evidence = tuple(e for r in results for e in r.evidence)
        return Result(all(r.done for r in results), evidence)


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...] = field(default=())

    def evaluate(self, context: Context) -> Result:
        results = [c.evaluate(context) for c in self.conditions]
        held = [r for r in results if r.done]
        if held:
            return Result(True, held[0].evidence)
        return Result(False, tuple(e for r in results for e in r.evidence))


Condition = ItemState | Visited | Reached | AllOf | AnyOf


# --------------------------------------------------------------------------------------------
# Reading a condition from a lesson file
# --------------------------------------------------------------------------------------------

_ITEM_KEYS = frozenset({"item", "state", "states", "blocked_by", "nodes"})


def _strings(value: object, where: str, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise LessonError(f"{where}: {what} must be a string or a non-empty list of strings")


def item_id(value: object, where: str) -> ItemId:
    """A catalogue item id, or a LessonError naming the known ones."""
    try:
        return ItemId(str(value))
    except ValueError:
        known = ", ".join(i.value for i in ItemId)
        raise LessonError(f"{where}: no checklist item {value!r}; known: {known}") from None


def _item_state(obj: Mapping[str, Any], where: str) -> ItemState:
    unknown = sorted(set(obj) - _ITEM_KEYS)
    if unknown:
        raise LessonError(f"{where}: unknown key {', '.join(unknown)} in an item condition")
    if ("state" in obj) == ("states" in obj):
        raise LessonError(f"{where}: an item condition needs state or states (one of them)")
    try:
        states = tuple(
            State(s) for s in _strings(obj.get("state", obj.get("states")), where, "state")
        )
    except ValueError:
        known = ", ".join(s.value for s in State)
        raise LessonError(f"{where}: a state is one of {known}") from None
    nodes = obj.get("nodes", "every")
    if nodes not in ("every", "some"):
        raise LessonError(f"{where}: nodes is every or some, not {nodes!r}")
    blocked = obj.get("blocked_by")
    return ItemState(
        item_id(obj["item"], where),
        states,
        () if blocked is None else _strings(blocked, where, "blocked_by"),
        nodes,
    )


def parse_condition(obj: object, where: str) -> Condition:
    """The condition a lesson file's table describes; LessonError naming `where` otherwise."""
    if not isinstance(obj, Mapping):
        raise LessonError(f'{where}: a condition is a table, e.g. {{ item = ..., state = "on" }}')
    if "item" in obj:
        return _item_state(obj, where)
    if len(obj) != 1:
        keys = ", ".join(sorted(obj)) or "nothing"
        raise LessonError(
            f"{where}: a condition is item, visited, reached, all or any (one of them), not {keys}"
        )
    [(key, value)] = obj.items()
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise LessonError(f"{where}: {key} takes a non-empty list of conditions")
        inner = tuple(parse_condition(v, f"{where}.{key}[{i}]") for i, v in enumerate(value))
        return AllOf(inner) if key == "all" else AnyOf(inner)
    if key == "visited":
        if value is not True:
            raise LessonError(f"{where}: write visited = true")
        return Visited()
    if key == "reached":
        return Reached(_strings(value, where, "reached"))
    raise LessonError(f"{where}: unknown condition {key!r} (item, visited, reached, all, any)")


def reached_steps(condition: Condition) -> tuple[str, ...]:
    """Every step id a condition's `reached` names (for validation)."""
    if isinstance(condition, Reached):
        return condition.steps
    if isinstance(condition, AllOf | AnyOf):
        return tuple(s for c in condition.conditions for s in reached_steps(c))
    return ()


def items_of(condition: Condition) -> tuple[ItemId, ...]:
    """Every item a condition reads."""
    if isinstance(condition, ItemState):
        return (condition.item,)
    if isinstance(condition, AllOf | AnyOf):
        return tuple(i for c in condition.conditions for i in items_of(c))
    return ()


def is_visit(condition: Condition) -> bool:
    """Whether the condition is only "visited" (a look step)."""
    return isinstance(condition, Visited)

"""The machinery every item's plan is built with: one build's facts, prerequisite gates, assembly.

An item's recipe (`remedy/recipes/`) says *what* to write and how each node reacts to it; the
`PlanContext` does the rest alike for every item:

- **cluster-wide config plans** (`config_plan`): the version-correct keys (`facts.config`), the
  cilium-config as it would be afterwards, every node judged against it (`Outcome`), refused as a
  whole when one node would fail to start or silently not take it (cilium-config is read by every
  agent), with the CiliumNodeConfig that gives the change to the nodes that can; restarts ordered
  canary first, control plane last, in batches; expectations per node;
- **node plans** (`node_plan`): SSH commands on the nodes that can take them; the others are
  skipped with their reason;
- **guidance plans** (`guidance_plan`): steps and commands only.

How a node reacts is judged twice over: `now` is the node as scanned; `after` is the same node
seen through the changed cilium-config with no agent status (what the checklist would predict),
so prerequisites that other settings provide are judged as they will be after the change.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cilium_tui.checks.catalogue import item as catalogue_item
from cilium_tui.checks.ids import ItemId
from cilium_tui.checks.legacy_causes import legacy_causes
from cilium_tui.checks.requirements import Requirement, assess
from cilium_tui.checks.types import Finding, Item, State
from cilium_tui.checks.view import NodeView
from cilium_tui.facts.config import Value, config_write_for, parse_configmap
from cilium_tui.facts.node_config import held_by_override
from cilium_tui.facts.version import CiliumVersion, parse_cilium_version
from cilium_tui.model import NodeRecord, Snapshot
from cilium_tui.remedy.plan import (
    REFUSING,
    ClusterRef,
    Expectation,
    Guidance,
    KeyChange,
    NodeAssessment,
    NodeStep,
    Outcome,
    PerNodeConfig,
    Plan,
    PlanKind,
    Refusal,
    Restart,
    with_changes,
)
from cilium_tui.remedy.preview import apply_manifest, restart_command

HOST_ROUTING = ItemId.BPF_HOST_ROUTING
CONTROL_PLANE_ROLES = frozenset({"control-plane", "master"})
OFF_STATES = (State.OFF, State.BLOCKED)


@dataclass(frozen=True)
class PlanOptions:
    batch_size: int = 1
    """Agents restarted at a time."""
    ready_timeout: float = 120.0
    """How long a restarted agent may take to become Ready before the rollout stops."""
    native_cidr: str | None = None
    """The native-routing CIDR to write (default: from cilium-config or the nodes' pod CIDRs)."""


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    reason: str
    expect: tuple[State, ...] | None = None
    """The item's state afterwards, when it is not the recipe's usual one for the outcome."""


@dataclass(frozen=True)
class Write:
    """One setting the plan writes (a `facts.config.SETTINGS` name), spelled per release."""

    setting: str
    value: Value
    reason: str


@dataclass(frozen=True)
class NodeCase:
    """One node as a recipe judges it: as scanned, and through the changed config."""

    record: NodeRecord
    now: NodeView
    after: NodeView
    finding: Finding
    """The item's finding now."""

    @property
    def name(self) -> str:
        return self.record.name

    def gates(self) -> Gates:
        return Gates(self)

    def host_routing_after(self) -> tuple[str, str]:
        """("BPF" | "Legacy", why) once the agent restarts with the changed config."""
        causes = legacy_causes(self.after)
        if causes:
            return "Legacy", "; ".join(c.blocker for c in causes)
        if self.now.host_routing.value == "Legacy" and not legacy_causes(self.now):
            return "Legacy", "Legacy now for a reason not found in the facts (see the agent log)"
        return "BPF", "every requirement of BPF host routing is met"


class Gates:
    """A node's prerequisites for a change, checked in order; the worst failure decides."""

    def __init__(self, case: NodeCase) -> None:
        self.case = case
        self.problems: list[tuple[Outcome, str]] = []

    def need(self, ok: bool | None, outcome: Outcome, text: str, unknown: str = "") -> Gates:
        """`text` names the unmet requirement when `ok` is False; `unknown` when it is None."""
        if ok is False:
            self.problems.append((outcome, text))
        elif ok is None:
            self.problems.append((Outcome.UNKNOWN, unknown or f"cannot verify: {text}"))
        return self

    def require(self, requirements: Iterable[Requirement]) -> Gates:
        """The item's requirements, evaluated on the node as the checklist evaluates them: the
        unmet ones the agent reaches refuse the node as their `Failure` says."""
        found = assess(requirements, self.case.now)
        for unmet in found.reached:
            self.problems.append((Outcome.of(unmet.failure), unmet.text))
        for unknown in found.unknown:
            self.problems.append((Outcome.UNKNOWN, f"cannot verify {unknown}"))
        return self

    def verdict(self, takes: str, expect: tuple[State, ...] | None = None) -> Verdict:
        if not self.problems:
            return Verdict(Outcome.TAKES, takes, expect)
        worst = max(self.problems, key=lambda p: p[0].severity)[0]
        # The refusal says what the worst outcome is; a lesser one says its own with its reason.
        ranked = sorted(self.problems, key=lambda p: -p[0].severity)
        texts = (
            text if outcome == worst else f"{outcome.says}: {text}" for outcome, text in ranked
        )
        return Verdict(worst, "; ".join(dict.fromkeys(texts)))


Assess = Callable[[NodeCase], Verdict]
StepFor = Callable[[NodeCase], NodeStep | None]


def state_group(state: State | None) -> tuple[State, ...]:
    """The states that count as "unchanged" from `state` (off and blocked are both off)."""
    if state is None or state == State.UNKNOWN:
        return tuple(State)
    return OFF_STATES if state in OFF_STATES else (state,)


def expected(case: NodeCase, verdict: Verdict, target: State) -> tuple[State, ...]:
    """The item's states acceptable on the node afterwards."""
    if verdict.expect is not None:
        return verdict.expect
    if verdict.outcome in (Outcome.TAKES, Outcome.ALREADY):
        return (target,)
    if verdict.outcome == Outcome.NOT_APPLICABLE:
        return (State.NA,)
    return state_group(case.finding.state)


def _is_control_plane(record: NodeRecord) -> bool:
    return record.node is not None and bool(CONTROL_PLANE_ROLES & set(record.node.roles))


class PlanContext:
    """The facts of one plan build (see the module docstring)."""

    def __init__(
        self,
        item_id: str,
        snapshot: Snapshot,
        nodes: Sequence[str] | None,
        options: PlanOptions,
    ) -> None:
        self.item: Item = catalogue_item(item_id)
        self.snapshot = snapshot
        self.options = options
        self.targets = tuple(dict.fromkeys(nodes or ()))
        self.config = snapshot.config
        self._views: dict[str, NodeView] = {}

    # -- facts ---------------------------------------------------------------------------------

    @cached_property
    def versions(self) -> Counter[str]:
        """Minor release -> agents running it (from the agent, else its image)."""
        minors: Counter[str] = Counter()
        for record in self.cilium_nodes:
            version = self.view(record).cilium.value
            if version is not None:
                minors[f"{version.minor[0]}.{version.minor[1]}"] += 1
        return minors

    @cached_property
    def version(self) -> CiliumVersion | None:
        """The cluster's Cilium release: the one most agents report."""
        found: Counter[str] = Counter()
        for record in self.cilium_nodes:
            version = self.view(record).cilium.value
            if version is not None:
                found[version.text] += 1
        return parse_cilium_version(found.most_common(1)[0][0]) if found else None

    def at_least(self, minimum: str) -> bool:
        return self.version is not None and self.version.at_least(minimum)

    @property
    def cilium_nodes(self) -> tuple[NodeRecord, ...]:
        """Kubernetes nodes (SSH-only boards run no agent)."""
        return tuple(r for r in self.snapshot.nodes if r.node is not None or r.pod is not None)

    def view(self, record: NodeRecord) -> NodeView:
        view = self._views.get(record.name)
        if view is None:
            view = self._views[record.name] = NodeView(self.snapshot, record)
        return view

    def finding(self, record: NodeRecord) -> Finding:
        return self.item.evaluate(self.snapshot, record)

    def unknown_targets(self) -> list[str]:
        names = {r.name for r in self.snapshot.nodes}
        return [n for n in self.targets if n not in names]

    def cluster_ref(self) -> ClusterRef:
        config = self.config
        return ClusterRef(
            source=self.snapshot.source,
            context=self.snapshot.context,
            namespace=config.namespace if config else "kube-system",
            configmap=config.name if config else "cilium-config",
            resource_version=config.resource_version if config else None,
            helm_managed=config.helm_managed if config else False,
            helm_release=config.helm_release if config else None,
            cilium_version=self.version.text if self.version else None,
        )

    # -- plans ---------------------------------------------------------------------------------

    def plan(self, kind: PlanKind, summary: str, **fields: Any) -> Plan:
        """A Plan of this build's item, cluster and targets; `fields` are Plan's other fields."""
        return Plan(
            item_id=self.item.id,
            title=self.item.title,
            kind=kind,
            summary=summary,
            cluster=self.cluster_ref(),
            targets=self.targets,
            basis=self.snapshot,
            **fields,
        )

    def refused(self, reason: str, *, kind: PlanKind = "config", **fields: Any) -> Plan:
        return self.plan(kind, f"refused: {reason}", refusals=(Refusal(reason),), **fields)

    def guidance_plan(
        self,
        summary: str,
        steps: Iterable[Guidance],
        *,
        assessments: Iterable[NodeAssessment] = (),
        refusals: Iterable[Refusal] = (),
        per_node_config: PerNodeConfig | None = None,
        warnings: Iterable[str] = (),
        disruption: str = "",
    ) -> Plan:
        return self.plan(
            "guidance",
            summary,
            guidance=tuple(steps),
            assessments=tuple(assessments),
            refusals=tuple(refusals),
            per_node_config=per_node_config,
            warnings=tuple(warnings),
            disruption=disruption,
        )

    def _config_problem(self) -> str | None:
        if self.config is None:
            return "cilium-config could not be read (see the scan's errors)"
        if not self.cilium_nodes:
            return "no Kubernetes node was read"
        if self.version is None:
            return (
                "the Cilium version is unknown (no agent answered, no image tag): cannot choose "
                "the keys it reads"
            )
        if len(self.versions) > 1:
            mix = ", ".join(f"{v} on {n}" for v, n in sorted(self.versions.items()))
            return f"agents run different Cilium releases ({mix}): finish the upgrade first"
        return None

    def changes_for(self, writes: Sequence[Write]) -> tuple[KeyChange, ...]:
        """The cilium-config changes that make `writes` true for the cluster's release."""
        assert self.config is not None
        data = dict(self.config.data)
        changes: dict[str, KeyChange] = {}

        def change(key: str, new: str | None, reason: str) -> None:
            first = changes.get(key)
            old = first.old if first is not None else data.get(key)
            changes[key] = KeyChange(key, old, new, first.reason if first else reason)

        for write in writes:
            spelled = config_write_for(write.setting, write.value, self.version)
            for alias in spelled.remove:
                if alias in data or alias in changes:
                    change(alias, None, f"an older key for the same setting ({spelled.key} now)")
            change(spelled.key, spelled.value, write.reason)
        return tuple(c for c in changes.values() if c.old != c.new)

    def after_snapshot(self, changes: Sequence[KeyChange]) -> Snapshot:
        """The snapshot as the checklist would predict it from the changed cilium-config."""
        if not changes or self.config is None:
            return self.snapshot
        obj = {
            "metadata": {"name": self.config.name, "namespace": self.config.namespace},
            "data": with_changes(self.config.data, changes),
        }
        config = parse_configmap(obj, self.version)
        return dataclasses.replace(self.snapshot, config=config)

    def cases(self, changes: Sequence[KeyChange], records: Iterable[NodeRecord]) -> list[NodeCase]:
        after = self.after_snapshot(changes)
        return [
            NodeCase(
                record,
                self.view(record),
                NodeView(after, dataclasses.replace(record, agent=None, errors={})),
                self.finding(record),
            )
            for record in records
        ]

    def config_plan(
        self,
        writes: Sequence[Write],
        assess: Assess,
        *,
        summary: str,
        disruption: str,
        warnings: Iterable[str] = (),
        after: Iterable[Guidance] = (),
        step_for: StepFor | None = None,
        target_state: State = State.ON,
        recommended: bool = True,
    ) -> Plan:
        """A cluster-wide cilium-config change (see the module docstring)."""
        problem = self._config_problem()
        if problem is not None:
            return self.refused(problem)
        try:
            changes = self.changes_for(writes)
        except ValueError as e:
            return self.refused(str(e))
        cases = self.cases(changes, self.cilium_nodes)
        verdicts = {case.name: (case, _reached(case, writes, assess)) for case in cases}
        assessments = tuple(
            NodeAssessment(name, v.outcome, v.reason, case.finding.state)
            for name, (case, v) in verdicts.items()
        )
        takers = [name for name, (_, v) in verdicts.items() if v.outcome == Outcome.TAKES]
        refusals = _group_refusals(verdicts.values())
        idle = _group_refusals(verdicts.values(), {Outcome.NO_EFFECT})
        if takers and len(idle) == len(refusals):
            # Nodes where it would do nothing keep running as they are: that stops no one from
            # giving the change to the nodes that take it. The preview names them.
            warnings = (
                *warnings,
                *(
                    f"does nothing on {', '.join(r.nodes)}: {r.reason.split(': ', 1)[1]}"
                    for r in idle
                ),
            )
            refusals = ()
        expectations = self._expectations(verdicts.values(), target_state)
        defaults = tuple((c.key, c.new) for c in changes if c.new is not None)
        common: dict[str, Any] = {
            "assessments": assessments,
            "expectations": expectations,
            "disruption": disruption,
            "warnings": tuple(warnings),
            "recommended": recommended,
        }
        if self.targets:
            return self._per_node(verdicts, defaults, **common)
        per_node = self.per_node_config(takers, defaults) if refusals and takers else None
        if refusals:
            return self.plan(
                "config",
                summary,
                changes=changes,
                refusals=refusals,
                per_node_config=per_node,
                **common,
            )
        if not takers:
            return self.plan("config", _nothing(verdicts.values()), **common)
        if not changes:
            summary = (
                "cilium-config already asks for this; restart the agents that still run the old "
                "config"
            )
        steps = tuple(
            step
            for case, v in verdicts.values()
            if v.outcome == Outcome.TAKES and step_for is not None
            if (step := step_for(case)) is not None
        )
        return self.plan(
            "config",
            summary,
            changes=changes,
            restart=self._restart(verdicts, disruption, restart_all=bool(changes)),
            node_steps=steps,
            guidance=tuple(after),
            **common,
        )

    def _per_node(
        self,
        verdicts: dict[str, tuple[NodeCase, Verdict]],
        defaults: tuple[tuple[str, str], ...],
        **common: Any,
    ) -> Plan:
        """`--node`: cilium-config is read by every agent, so a per-node change is a
        CiliumNodeConfig, shown as guidance (cilium-tui does not create it)."""
        missing = self.unknown_targets()
        if missing:
            return self.refused(f"no node named {', '.join(missing)}")
        chosen = {n: verdicts[n] for n in self.targets if n in verdicts}
        refusals = _group_refusals(chosen.values())
        takers = [n for n, (_, v) in chosen.items() if v.outcome == Outcome.TAKES]
        config = self.per_node_config(takers, defaults) if takers and defaults else None
        steps = []
        if config is not None:
            steps.append(
                Guidance(
                    "Give the change to these nodes only with a CiliumNodeConfig (beta), then "
                    "restart their agents one at a time:",
                    (
                        apply_manifest(config.to_yaml()),
                        *(restart_command(config.namespace, n) for n in takers),
                    ),
                )
            )
        return self.guidance_plan(
            f"a per-node change for {', '.join(self.targets)} (shown, not applied: cilium-tui "
            "changes cilium-config cluster-wide)",
            steps,
            refusals=refusals,
            per_node_config=config,
            assessments=tuple(a for a in common["assessments"] if a.node in self.targets),
            warnings=common["warnings"],
            disruption=common["disruption"],
        )

    def per_node_config(
        self, nodes: Sequence[str], defaults: tuple[tuple[str, str], ...]
    ) -> PerNodeConfig | None:
        if not nodes or not defaults:
            return None
        # CiliumNodeConfig is cilium.io/v2alpha1 in the 1.13-1.15 docs, cilium.io/v2 from 1.16.
        api = "cilium.io/v2" if self.at_least("1.16") else "cilium.io/v2alpha1"
        namespace = self.config.namespace if self.config else "kube-system"
        return PerNodeConfig(api, f"cilium-tui-{self.item.id}", namespace, tuple(nodes), defaults)

    def _restart(
        self,
        verdicts: dict[str, tuple[NodeCase, Verdict]],
        disruption: str,
        *,
        restart_all: bool,
    ) -> Restart | None:
        """Canary first (a node where the item should turn on), the control plane last."""
        records = [
            case.record
            for case, v in verdicts.values()
            if case.record.pod is not None and (restart_all or v.outcome == Outcome.TAKES)
        ]
        if not records:
            return None
        ordered = sorted(
            records,
            key=lambda r: (
                verdicts[r.name][1].outcome != Outcome.TAKES,
                _is_control_plane(r),
                r.name,
            ),
        )
        size = max(1, self.options.batch_size)
        names = [r.name for r in ordered]
        namespace = self.config.namespace if self.config else "kube-system"
        batches = tuple(tuple(names[i : i + size]) for i in range(0, len(names), size))
        return Restart(namespace, batches, self.options.ready_timeout, disruption)

    def _expectations(
        self, verdicts: Iterable[tuple[NodeCase, Verdict]], target: State
    ) -> tuple[Expectation, ...]:
        found: list[Expectation] = []
        for case, v in verdicts:
            found.append(Expectation(case.name, self.item.id, expected(case, v, target), v.reason))
            if self.item.id != HOST_ROUTING and self.item.scope == "cilium":
                found.extend(_host_routing_side_effect(case))
        return tuple(found)

    def node_plan(
        self,
        records: Iterable[NodeRecord],
        assess: Callable[[NodeCase], tuple[Verdict, NodeStep | None]],
        *,
        summary: str,
        disruption: str = "",
        warnings: Iterable[str] = (),
        after: Iterable[Guidance] = (),
        blocked: Iterable[Guidance] = (),
    ) -> Plan:
        """SSH commands on the nodes that can take them; the others are skipped with a reason."""
        missing = self.unknown_targets()
        if missing:
            return self.refused(f"no node named {', '.join(missing)}", kind="node")
        chosen = [r for r in records if not self.targets or r.name in self.targets]
        cases = self.cases((), chosen)
        results = [(case, *assess(case)) for case in cases]
        assessments = tuple(
            NodeAssessment(case.name, v.outcome, v.reason, case.finding.state)
            for case, v, _ in results
        )
        expectations = tuple(
            Expectation(case.name, self.item.id, expected(case, v, State.ON), v.reason)
            for case, v, _ in results
        )
        steps = tuple(step for _, v, step in results if v.outcome == Outcome.TAKES and step)
        skipped = [f"{case.name}: {v.reason}" for case, v, _ in results if v.outcome in REFUSING]
        common: dict[str, Any] = {
            "assessments": assessments,
            "expectations": expectations,
            "disruption": disruption,
        }
        if not steps:
            if skipped:
                return self.plan(
                    "node",
                    f"refused: no node can take it ({'; '.join(skipped)})",
                    refusals=_group_refusals((c, v) for c, v, _ in results),
                    guidance=tuple(blocked),
                    warnings=tuple(warnings),
                    **common,
                )
            return self.plan("node", _nothing((c, v) for c, v, _ in results), **common)
        return self.plan(
            "node",
            summary,
            node_steps=steps,
            guidance=tuple(after) + (tuple(blocked) if skipped else ()),
            warnings=tuple(warnings) + tuple(f"skipped {s}" for s in skipped),
            **common,
        )


def _reached(case: NodeCase, writes: Sequence[Write], assess: Assess) -> Verdict:
    """The recipe's verdict, unless a CiliumNodeConfig holds a written setting otherwise on the
    node, judged on its configuration after the change (whether or not cilium-config already
    says it: restarting the agent would not help either)."""
    config = case.after.config
    held = [
        why
        for write in writes
        if config is not None and (why := held_by_override(config, write.setting, write.value))
    ]
    return Verdict(Outcome.NO_EFFECT, "; ".join(held)) if held else assess(case)


def _host_routing_side_effect(case: NodeCase) -> list[Expectation]:
    """Host routing afterwards, when the change moves it (e.g. BPF masquerading -> BPF)."""
    now = case.now.host_routing.value
    after, why = case.host_routing_after()
    if now is None or now == after:
        return []
    states = (State.ON,) if after == "BPF" else OFF_STATES
    return [Expectation(case.name, HOST_ROUTING, states, f"host routing {after}: {why}", False)]


def _group_refusals(
    verdicts: Iterable[tuple[NodeCase, Verdict]], outcomes: Iterable[Outcome] = REFUSING
) -> tuple[Refusal, ...]:
    """One refusal per distinct reason, naming its nodes."""
    grouped: dict[tuple[Outcome, str], list[str]] = {}
    wanted = frozenset(outcomes)
    for case, v in verdicts:
        if v.outcome in wanted:
            grouped.setdefault((v.outcome, v.reason), []).append(case.name)
    return tuple(
        Refusal(f"{outcome.says}: {reason}", tuple(nodes))
        for (outcome, reason), nodes in grouped.items()
    )


def _nothing(verdicts: Iterable[tuple[NodeCase, Verdict]]) -> str:
    counts = Counter(v.outcome for _, v in verdicts)
    parts = [f"{n} {o.value}" for o, n in counts.items()]
    return "nothing to do: " + (", ".join(parts) or "no node")

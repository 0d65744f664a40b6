"""A remediation plan, as data: exactly what will change, where, in which order, and what to expect.

A `Plan` is built by `cilium_tui.remedy.planner.build_plan` from a Snapshot (pure), rendered by
`cilium_tui.remedy.preview`, confirmed with `cilium_tui.remedy.engine.confirm`, applied by
`RemedyEngine.apply`, and written to the journal (`Plan.to_dict` / `plan_from_dict`). It holds:

- `changes`: `cilium-config` keys as (key, old value or None = absent, new value or None = delete),
  in the spelling the running Cilium release reads;
- `restart`: the agents to restart, batch by batch (pod delete per node, wait for Ready), and
  what traffic may be disrupted;
- `node_steps`: commands over SSH (fixed argv lists from `collect.node_commands`, each with its
  check and its undo);
- `assessments`: per node, whether it can take the change (`Outcome`) and why;
- `expectations`: per node, the item's state expected afterwards (what verification compares);
- `refusals`: why the plan must not be applied (a node whose agent would fail to start, or where
  the change would silently do nothing); `per_node_config`: the CiliumNodeConfig that would give
  the change to the nodes that can take it;
- `guidance`: steps for what cannot be automated safely (kernel upgrades, jumbo MTU, ...).

`Plan.status` sums it up: "ready" (can be applied), "refused", "nothing" (already done) or
"guidance". `Plan.digest` identifies the exact mutations, so that a confirmation given for one
preview never applies another.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import yaml

from cilium_tui.checks.requirements import Failure
from cilium_tui.checks.types import State
from cilium_tui.collect.node_commands import NodeChange, NodeCommand
from cilium_tui.model import Snapshot

PlanKind = Literal["config", "node", "guidance"]
"""What applying does: patch cilium-config and restart agents, run SSH commands, or nothing."""
PlanStatus = Literal["ready", "refused", "nothing", "guidance"]
JSON = dict[str, Any]


class Outcome(StrEnum):
    """What a plan does to the item on one node."""

    TAKES = "takes"
    """The item will be on once the node's agent restarts (or its commands ran)."""
    ALREADY = "already"
    NOT_APPLICABLE = "n/a"
    """The item does not apply to the node and stays so (e.g. the bypass with BPF host routing)."""
    NO_EFFECT = "no-effect"
    """The agent starts, but the item stays off: the change would silently do nothing here."""
    FATAL = "fatal"
    """The agent would fail to start (crash loop): the change must not reach this node."""
    UNKNOWN = "unknown"
    """What the change would do cannot be told from the facts: not guessed, refused."""

    @property
    def label(self) -> str:
        """The word of a plan's node table: "takes it", "WOULD FAIL", ..."""
        return _LABELS[self]

    @property
    def says(self) -> str:
        """What a refusing outcome means, for a refusal's reason; "" for the others."""
        return _SAYS.get(self, "")

    @property
    def severity(self) -> int:
        """How bad a refusing outcome is: the worst of a node's decides its verdict."""
        return _SEVERITY.get(self, 0)

    @classmethod
    def of(cls, failure: Failure) -> Outcome:
        """The outcome an unmet requirement's `Failure` means for a node."""
        return cls.FATAL if failure is Failure.FATAL else cls.NO_EFFECT


_LABELS = {
    Outcome.TAKES: "takes it",
    Outcome.ALREADY: "already",
    Outcome.NOT_APPLICABLE: "n/a",
    Outcome.NO_EFFECT: "NO EFFECT",
    Outcome.FATAL: "WOULD FAIL",
    Outcome.UNKNOWN: "unknown",
}
_SAYS = {
    Outcome.FATAL: "the agent would fail to start",
    Outcome.NO_EFFECT: "the change would silently do nothing",
    Outcome.UNKNOWN: "what the change would do cannot be verified",
}
_SEVERITY = {Outcome.FATAL: 3, Outcome.NO_EFFECT: 2, Outcome.UNKNOWN: 1}

REFUSING = frozenset({Outcome.NO_EFFECT, Outcome.FATAL, Outcome.UNKNOWN})
"""Outcomes that make a cluster-wide change unsafe to offer."""


@dataclass(frozen=True)
class KeyChange:
    """One cilium-config key: its value now (None: absent) and after (None: deleted)."""

    key: str
    old: str | None
    new: str | None
    reason: str = ""
    """Why the plan touches it: "the item's setting", "required by native routing", ..."""

    @property
    def action(self) -> Literal["add", "set", "remove"]:
        if self.new is None:
            return "remove"
        return "add" if self.old is None else "set"


def with_changes(data: Mapping[str, str], changes: Sequence[KeyChange]) -> dict[str, str]:
    """A copy of ConfigMap `data` with `changes` made (a None value removes the key)."""
    after = dict(data)
    for change in changes:
        if change.new is None:
            after.pop(change.key, None)
        else:
            after[change.key] = change.new
    return after


@dataclass(frozen=True)
class NodeAssessment:
    node: str
    outcome: Outcome
    reason: str
    state_before: State | None = None
    """The item's state on the node when the plan was built."""


@dataclass(frozen=True)
class Expectation:
    """An item's state expected on a node after the plan ran (any of `states`)."""

    node: str
    item_id: str
    states: tuple[State, ...]
    reason: str
    primary: bool = True
    """False for a side effect (e.g. host routing turning BPF after BPF masquerading): reported,
    but a surprise there does not stop a rollout."""

    def met_by(self, state: State) -> bool:
        return state in self.states


@dataclass(frozen=True)
class NodeStep:
    """One node-level change, run over SSH on `node`."""

    node: str
    change: NodeChange
    before: tuple[str, ...] | None = None
    """What `change.check` prints now, as the scan read it; None when unknown. If the node prints
    something else at apply time, it changed since the preview and the step is not run."""
    ssh_host: str | None = None


@dataclass(frozen=True)
class Restart:
    """The agents to restart, batch by batch: delete the pod on each node, wait for Ready."""

    namespace: str
    batches: tuple[tuple[str, ...], ...]
    ready_timeout: float
    disruption: str

    @property
    def nodes(self) -> tuple[str, ...]:
        return tuple(node for batch in self.batches for node in batch)


@dataclass(frozen=True)
class ClusterRef:
    """The cluster and the cilium-config object a plan was built against."""

    source: str
    context: str | None = None
    namespace: str = "kube-system"
    configmap: str = "cilium-config"
    resource_version: str | None = None
    """The previewed resourceVersion: the patch carries it, so a change since fails (409)."""
    helm_managed: bool = False
    helm_release: str | None = None
    cilium_version: str | None = None


@dataclass(frozen=True)
class Refusal:
    reason: str
    nodes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PerNodeConfig:
    """A CiliumNodeConfig giving `defaults` to `nodes` only (beta; applies at the agent's restart).

    cilium-tui shows it; it does not create it.
    """

    api_version: str
    name: str
    namespace: str
    nodes: tuple[str, ...]
    defaults: tuple[tuple[str, str], ...]

    def to_yaml(self) -> str:
        doc = {
            "apiVersion": self.api_version,
            "kind": "CiliumNodeConfig",
            "metadata": {"namespace": self.namespace, "name": self.name},
            "spec": {
                "nodeSelector": {
                    "matchExpressions": [
                        {
                            "key": "kubernetes.io/hostname",
                            "operator": "In",
                            "values": list(self.nodes),
                        }
                    ]
                },
                "defaults": dict(self.defaults),
            },
        }
        return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False)


@dataclass(frozen=True)
class Guidance:
    """A step a person takes (what cannot be automated safely), with commands to copy."""

    text: str
    commands: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    """Checklist items whose own remediation is the step: each front end says how to preview
    them (`cilium-tui plan ITEM` at the command line, the item's key in the console)."""


@dataclass(frozen=True)
class Plan:
    item_id: str
    title: str
    kind: PlanKind
    summary: str
    cluster: ClusterRef
    targets: tuple[str, ...] = ()
    """The nodes asked for (`--node`); empty: every node."""
    changes: tuple[KeyChange, ...] = ()
    restart: Restart | None = None
    node_steps: tuple[NodeStep, ...] = ()
    assessments: tuple[NodeAssessment, ...] = ()
    expectations: tuple[Expectation, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    guidance: tuple[Guidance, ...] = ()
    per_node_config: PerNodeConfig | None = None
    disruption: str = ""
    warnings: tuple[str, ...] = ()
    recommended: bool = True
    """False for a change the tuning guide does not advise by default (disabling Hubble)."""
    undoes: str | None = None
    """The journal entry this plan reverts (built by `remedy.undo.undo_plan`)."""
    basis: Snapshot | None = field(default=None, compare=False, repr=False)
    """The snapshot the plan was built from (not serialised): the engine's starting picture."""

    @property
    def status(self) -> PlanStatus:
        if self.refusals:
            return "refused"
        if self.kind == "guidance":
            return "guidance"
        if not self.changes and not self.node_steps and self.restart is None:
            return "nothing"
        return "ready"

    @property
    def applicable(self) -> bool:
        return self.status == "ready"

    @property
    def restarts_agents(self) -> bool:
        return self.restart is not None and bool(self.restart.nodes)

    @property
    def digest(self) -> str:
        """A hash of what applying would do (and against which resourceVersion)."""
        what = {
            "item": self.item_id,
            "undoes": self.undoes,
            "cluster": [self.cluster.context, self.cluster.namespace, self.cluster.configmap],
            "resourceVersion": self.cluster.resource_version,
            "changes": [[c.key, c.old, c.new] for c in self.changes],
            "restart": [list(b) for b in self.restart.batches] if self.restart else None,
            "steps": [[s.node, _change_dict(s.change), s.before] for s in self.node_steps],
        }
        blob = json.dumps(what, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def data_after(self, data: Mapping[str, str]) -> dict[str, str]:
        """`data` with this plan's changes made."""
        return with_changes(data, self.changes)

    def expectations_for(self, node: str, *, primary_only: bool = False) -> tuple[Expectation, ...]:
        return tuple(
            e for e in self.expectations if e.node == node and (e.primary or not primary_only)
        )

    def to_dict(self) -> JSON:
        """JSON-ready form (journal, `cilium-tui plan --format json`); `plan_from_dict` reads it."""
        return {
            "item": self.item_id,
            "title": self.title,
            "kind": self.kind,
            "status": self.status,
            "digest": self.digest,
            "summary": self.summary,
            "cluster": {
                "source": self.cluster.source,
                "context": self.cluster.context,
                "namespace": self.cluster.namespace,
                "configmap": self.cluster.configmap,
                "resourceVersion": self.cluster.resource_version,
                "helmManaged": self.cluster.helm_managed,
                "helmRelease": self.cluster.helm_release,
                "ciliumVersion": self.cluster.cilium_version,
            },
            "targets": list(self.targets),
            "changes": [
                {"key": c.key, "old": c.old, "new": c.new, "action": c.action, "reason": c.reason}
                for c in self.changes
            ],
            "restart": None
            if self.restart is None
            else {
                "namespace": self.restart.namespace,
                "batches": [list(b) for b in self.restart.batches],
                "readyTimeout": self.restart.ready_timeout,
                "disruption": self.restart.disruption,
            },
            "nodeSteps": [
                {
                    "node": s.node,
                    "sshHost": s.ssh_host,
                    "before": None if s.before is None else list(s.before),
                    "change": _change_dict(s.change),
                }
                for s in self.node_steps
            ],
            "assessments": [
                {
                    "node": a.node,
                    "outcome": a.outcome.value,
                    "reason": a.reason,
                    "stateBefore": None if a.state_before is None else a.state_before.value,
                }
                for a in self.assessments
            ],
            "expectations": [
                {
                    "node": e.node,
                    "item": e.item_id,
                    "states": [s.value for s in e.states],
                    "reason": e.reason,
                    "primary": e.primary,
                }
                for e in self.expectations
            ],
            "refusals": [{"reason": r.reason, "nodes": list(r.nodes)} for r in self.refusals],
            "guidance": [
                {"text": g.text, "commands": list(g.commands), "items": list(g.items)}
                for g in self.guidance
            ],
            "perNodeConfig": None
            if self.per_node_config is None
            else {
                "apiVersion": self.per_node_config.api_version,
                "name": self.per_node_config.name,
                "namespace": self.per_node_config.namespace,
                "nodes": list(self.per_node_config.nodes),
                "defaults": dict(self.per_node_config.defaults),
                "yaml": self.per_node_config.to_yaml(),
            },
            "disruption": self.disruption,
            "warnings": list(self.warnings),
            "recommended": self.recommended,
            "undoes": self.undoes,
        }


def _command_dict(command: NodeCommand) -> JSON:
    return {"argv": list(command.argv), "input": command.input, "privileged": command.privileged}


def _change_dict(change: NodeChange) -> JSON:
    return {
        "title": change.title,
        "apply": [_command_dict(c) for c in change.apply],
        "check": _command_dict(change.check),
        "expect": list(change.expect),
        "undo": [_command_dict(c) for c in change.undo],
    }


class PlanFormatError(ValueError):
    """A journalled plan that cannot be read back."""


def _strings(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PlanFormatError(f"{what}: expected a list of strings")
    return tuple(value)


def _opt_str(value: object, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise PlanFormatError(f"{what}: expected a string or null")


def _command(obj: Mapping[str, Any]) -> NodeCommand:
    return NodeCommand(
        argv=_strings(obj.get("argv"), "argv"),
        input=_opt_str(obj.get("input"), "input"),
        privileged=bool(obj.get("privileged", True)),
    )


def change_from_dict(obj: Mapping[str, Any]) -> NodeChange:
    return NodeChange(
        title=str(obj.get("title", "")),
        apply=tuple(_command(c) for c in _objects(obj.get("apply"), "apply")),
        check=_command(_object(obj.get("check"), "check")),
        expect=_strings(obj.get("expect"), "expect"),
        undo=tuple(_command(c) for c in _objects(obj.get("undo"), "undo")),
    )


def _object(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PlanFormatError(f"{what}: expected an object")
    return value


def _objects(value: object, what: str) -> Sequence[Mapping[str, Any]]:
    if not isinstance(value, list):
        raise PlanFormatError(f"{what}: expected a list")
    return [_object(v, what) for v in value]


def _states(values: object) -> tuple[State, ...]:
    try:
        return tuple(State(v) for v in _strings(values, "states"))
    except ValueError as e:
        raise PlanFormatError(str(e)) from None


def plan_from_dict(obj: Mapping[str, Any]) -> Plan:
    """The Plan `Plan.to_dict` wrote (without its basis snapshot). Raises PlanFormatError."""
    try:
        cluster = _object(obj.get("cluster"), "cluster")
        restart = None if obj.get("restart") is None else _object(obj["restart"], "restart")
        pnc = None if obj.get("perNodeConfig") is None else _object(obj["perNodeConfig"], "pnc")
        kind = obj.get("kind")
        if kind not in ("config", "node", "guidance"):
            raise PlanFormatError(f"unknown plan kind {kind!r}")
        return Plan(
            item_id=str(obj["item"]),
            title=str(obj.get("title", "")),
            kind=kind,
            summary=str(obj.get("summary", "")),
            cluster=ClusterRef(
                source=str(cluster.get("source", "")),
                context=_opt_str(cluster.get("context"), "context"),
                namespace=str(cluster.get("namespace", "kube-system")),
                configmap=str(cluster.get("configmap", "cilium-config")),
                resource_version=_opt_str(cluster.get("resourceVersion"), "resourceVersion"),
                helm_managed=bool(cluster.get("helmManaged", False)),
                helm_release=_opt_str(cluster.get("helmRelease"), "helmRelease"),
                cilium_version=_opt_str(cluster.get("ciliumVersion"), "ciliumVersion"),
            ),
            targets=_strings(obj.get("targets", []), "targets"),
            changes=tuple(
                KeyChange(
                    str(c["key"]),
                    _opt_str(c.get("old"), "old"),
                    _opt_str(c.get("new"), "new"),
                    str(c.get("reason", "")),
                )
                for c in _objects(obj.get("changes", []), "changes")
            ),
            restart=None
            if restart is None
            else Restart(
                namespace=str(restart["namespace"]),
                batches=tuple(_strings(b, "batch") for b in list(restart["batches"])),
                ready_timeout=float(restart["readyTimeout"]),
                disruption=str(restart.get("disruption", "")),
            ),
            node_steps=tuple(
                NodeStep(
                    node=str(s["node"]),
                    change=change_from_dict(_object(s.get("change"), "change")),
                    before=None if s.get("before") is None else _strings(s["before"], "before"),
                    ssh_host=_opt_str(s.get("sshHost"), "sshHost"),
                )
                for s in _objects(obj.get("nodeSteps", []), "nodeSteps")
            ),
            assessments=tuple(
                NodeAssessment(
                    node=str(a["node"]),
                    outcome=Outcome(a["outcome"]),
                    reason=str(a.get("reason", "")),
                    state_before=None if a.get("stateBefore") is None else State(a["stateBefore"]),
                )
                for a in _objects(obj.get("assessments", []), "assessments")
            ),
            expectations=tuple(
                Expectation(
                    node=str(e["node"]),
                    item_id=str(e["item"]),
                    states=_states(e.get("states")),
                    reason=str(e.get("reason", "")),
                    primary=bool(e.get("primary", True)),
                )
                for e in _objects(obj.get("expectations", []), "expectations")
            ),
            refusals=tuple(
                Refusal(str(r["reason"]), _strings(r.get("nodes", []), "nodes"))
                for r in _objects(obj.get("refusals", []), "refusals")
            ),
            guidance=tuple(
                Guidance(
                    str(g["text"]),
                    _strings(g.get("commands", []), "commands"),
                    _strings(g.get("items", []), "items"),
                )
                for g in _objects(obj.get("guidance", []), "guidance")
            ),
            per_node_config=None
            if pnc is None
            else PerNodeConfig(
                api_version=str(pnc["apiVersion"]),
                name=str(pnc["name"]),
                namespace=str(pnc["namespace"]),
                nodes=_strings(pnc["nodes"], "nodes"),
                defaults=tuple(
                    (str(k), str(v)) for k, v in _object(pnc["defaults"], "defaults").items()
                ),
            ),
            disruption=str(obj.get("disruption", "")),
            warnings=_strings(obj.get("warnings", []), "warnings"),
            recommended=bool(obj.get("recommended", True)),
            undoes=_opt_str(obj.get("undoes"), "undoes"),
        )
    except (KeyError, TypeError, ValueError) as e:
        if isinstance(e, PlanFormatError):
            raise
        raise PlanFormatError(f"not a plan: {e}") from None

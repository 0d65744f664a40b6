"""Apply, verify and undo plans on a real cluster, safely. Async; talks only through `collect/`.

    engine = RemedyEngine(source)                  # ReadOnlyError in read-only mode
    plan = build_plan("bypass-iptables-conntrack", await source.scan())
    pre = await engine.preflight(plan)             # RBAC (SelfSubjectAccessReview), SSH routes
    token = confirm(plan, typed=context_name)      # restarts need the context name typed
    result = await engine.apply(plan, token, progress=print)
    result.outcome                                  # "verified", "stopped", "conflict", ...
    undo = await engine.undo_plan()                # the latest change of this cluster
    await engine.apply(undo, confirm(undo, typed=context_name), progress=print)

What `apply` does, in order, stopping at the first thing that goes wrong:

1. checks the confirmation token (for this very plan: `Plan.digest`) and runs the preflight;
2. journals the change (`remedy.journal`, 0600) *before* the first mutation, with the identity of
   the cluster (API server, context, cilium-config's UID) so that only this cluster undoes it;
3. patches cilium-config carrying the previewed resourceVersion: on 409 nothing is overwritten,
   the cluster is re-read and the result carries the new plan (`replan`, with its new diff);
4. batch by batch: runs the node steps (check before: a node that changed since the preview
   stops the run; check after), deletes each agent pod, waits for its replacement to be Ready,
   reads its status and judges the item on that node again; an agent that does not come back or an
   item that did not turn out as expected stops the rollout (`outcome="stopped"`, undo offered);
5. re-scans and compares every node with the plan's expectations (`outcome="verified"` or
   `"mismatch"`). Progress goes to the `progress` callback at every step.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

from cilium_tui.checks.catalogue import item as catalogue_item
from cilium_tui.checks.types import State
from cilium_tui.collect.inventory import SshTarget
from cilium_tui.collect.kube import (
    AGENT_SELECTOR,
    JSON,
    Busy,
    Conflict,
    KubeClient,
    KubeError,
    NotFound,
    NotReady,
)
from cilium_tui.collect.source import ProgressCallback as ScanCallback
from cilium_tui.collect.ssh import SshError, SshPool
from cilium_tui.facts.config import parse_configmap
from cilium_tui.facts.pod import parse_agent_pod
from cilium_tui.model import CiliumConfig, NodeRecord, Snapshot
from cilium_tui.remedy.context import PlanOptions
from cilium_tui.remedy.journal import ClusterIdentity, Journal, JournalEntry, JournalError
from cilium_tui.remedy.lock import ClusterLock, Locked
from cilium_tui.remedy.plan import NodeStep, Plan
from cilium_tui.remedy.planner import build_plan
from cilium_tui.remedy.reconcile import Agents, Reconciliation, changed_nodes, reconcile, settle
from cilium_tui.remedy.undo import undo_plan as build_undo_plan

ApplyOutcome = Literal[
    "verified",
    "mismatch",
    "stopped",
    "conflict",
    "denied",
    "failed",
    "refused",
    "interrupted",
    "busy",
]
Level = Literal["info", "ok", "warning", "error"]
T = TypeVar("T")


NATIVE_CIDR_KEY = "ipv4-native-routing-cidr"
AGENT_CHECK = "agent-restarted"
"""The check, per node, that its agent started under the config the plan expects there: the
only proof for what the agent's status does not print (1.13's routing mode)."""
RETRY_BACKOFF = (0.2, 0.5, 1.0, 2.0, 4.0)
"""Waits before retrying a DELETE or PATCH the server answered 429/500 (busy)."""
RECONCILE_TIMEOUT = 10.0
LOCK_MARGIN = 300.0
"""Seconds the cluster lock outlives the rollout's own budget (its waits for agents)."""


class RemedySource(Protocol):
    """What the engine needs of a cluster: `collect.scan.ClusterSource` is one."""

    kube: KubeClient | None
    ssh: SshPool | None

    async def scan(self, progress: ScanCallback | None = None) -> Snapshot: ...

    def ssh_target(self, record: NodeRecord) -> SshTarget | None: ...


class ReadOnlyError(Exception):
    """cilium-tui runs read-only: nothing may be changed."""


class ConfirmationError(Exception):
    """The plan was not confirmed (or the confirmation is for another plan)."""


def refuse_read_only(read_only: bool) -> None:
    """The one read-only check: raises ReadOnlyError in read-only mode."""
    if read_only:
        raise ReadOnlyError("read-only mode: cilium-tui changes nothing (no apply, no undo)")


# --------------------------------------------------------------------------------------------
# Confirmation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    """Proof that a person confirmed one exact plan (its digest); made by `confirm`."""

    digest: str
    typed: str | None = None


def confirmation_word(plan: Plan) -> str | None:
    """What must be typed to confirm: the context name when agents restart, else None."""
    if not plan.restarts_agents:
        return None
    return plan.cluster.context or plan.cluster.source


def confirm(plan: Plan, typed: str | None = None) -> Confirmation:
    """The confirmation token for `plan`. Raises ConfirmationError when the plan cannot be applied
    or `typed` is not the `confirmation_word` (the CLI's --yes passes the word itself)."""
    if not plan.applicable:
        raise ConfirmationError(f"{plan.item_id}: the plan is {plan.status}: nothing to apply")
    word = confirmation_word(plan)
    if word is not None and typed != word:
        raise ConfirmationError(f"agents restart: type the context name {word!r} to confirm")
    return Confirmation(plan.digest, typed)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """One step of an apply, for the console's progress view and the CLI's log."""

    phase: str
    """In order: "preflight" (or "denied"), "journal", "patch" and "patched" (or "conflict"), per
    node "node-step", "restart", "ready", "check" (or "stopped"), then "applied", "verify",
    "verified" or "mismatch", and "done"."""
    message: str
    node: str | None = None
    level: Level = "info"
    done: int = 0
    total: int = 0


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class Permission:
    verb: str
    resource: str
    namespace: str | None
    allowed: bool
    reason: str = ""

    def __str__(self) -> str:
        where = f" in namespace {self.namespace}" if self.namespace else ""
        return f"{self.verb} {self.resource}{where}"


@dataclass(frozen=True)
class Preflight:
    permissions: tuple[Permission, ...]
    problems: tuple[str, ...]
    """Why applying cannot start, one sentence each (missing rights explained)."""

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class NodeCheck:
    """An item on a node compared with what the plan expected."""

    node: str
    item_id: str
    expected: tuple[State, ...]
    actual: State | None
    reason: str
    primary: bool = True

    @property
    def ok(self) -> bool:
        return self.actual is not None and self.actual in self.expected


@dataclass(frozen=True)
class Verification:
    checks: tuple[NodeCheck, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks if c.primary)

    @property
    def surprises(self) -> tuple[NodeCheck, ...]:
        return tuple(c for c in self.checks if not c.ok)


@dataclass(frozen=True)
class ApplyResult:
    outcome: ApplyOutcome
    message: str
    entry_id: str | None = None
    checks: tuple[NodeCheck, ...] = ()
    """The item judged on each node right after its agent restarted."""
    verification: Verification | None = None
    replan: Plan | None = None
    """After a conflict: the plan against the cluster as it is now (preview it again)."""
    preflight: Preflight | None = None
    mutated: bool = False
    undoes: str | None = None
    """For an undo: the change it reverts (the way back from an unfinished undo is to undo that
    change again, never to undo the undo)."""
    state: tuple[str, ...] = ()
    """After an interruption or failure: where the cluster stands, read from it."""

    @property
    def undo_offered(self) -> bool:
        return self.mutated and self.entry_id is not None

    @property
    def way_back(self) -> str | None:
        """The command that undoes what this left behind, when something needs undoing."""
        if self.outcome == "verified" or not self.undo_offered:
            return None
        return f"cilium-tui undo {self.undoes or self.entry_id}"


def _unchanged(report: _Reporter, error: Exception) -> ApplyResult:
    """The run ends before its first change: the journal could not be written (or read what
    it records first)."""
    message = f"{error}: nothing was changed (the journal comes before any change)"
    report("stopped", message, level="error")
    return ApplyResult("failed", message)


def _agent_check(node: str, ok: bool, reason: str) -> NodeCheck:
    return NodeCheck(node, AGENT_CHECK, (State.ON,), State.ON if ok else State.OFF, reason)


def plan_namespace(entry: JournalEntry) -> str:
    return str((entry.plan.get("cluster") or {}).get("namespace") or "kube-system")


class _Stop(Exception):
    """The rollout stops here (the message says where and why)."""

    def __init__(self, message: str, node: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.node = node


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class _Reporter:
    def __init__(self, callback: ProgressCallback | None, total: int) -> None:
        self.callback = callback
        self.total = total
        self.done = 0

    def __call__(
        self, phase: str, message: str, node: str | None = None, level: Level = "info"
    ) -> None:
        if self.callback is not None:
            self.callback(Progress(phase, message, node, level, self.done, self.total))

    def step(self) -> None:
        self.done = min(self.done + 1, self.total)


# --------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------


class RemedyEngine:
    """Applies plans to the cluster `source` reads (see the module docstring)."""

    def __init__(
        self,
        source: RemedySource,
        *,
        read_only: bool = False,
        journal: Journal | None = None,
        ready_timeout: float | None = None,
    ) -> None:
        refuse_read_only(read_only)
        self.source = source
        self.journal = journal or Journal()
        self.ready_timeout = ready_timeout
        """Overrides the plans' own wait for a restarted agent (seconds)."""

    # -- preflight -------------------------------------------------------------------------------

    async def preflight(self, plan: Plan) -> Preflight:
        """Whether this plan can run here: RBAC for every verb it needs, an SSH route per step."""
        problems: list[str] = []
        permissions: list[Permission] = []
        ns = plan.cluster.namespace
        needed: list[tuple[str, str]] = []
        if plan.changes:
            needed += [("get", "configmaps"), ("patch", "configmaps")]
        if plan.restart is not None:
            needed += [("list", "pods"), ("delete", "pods"), ("create", "pods/exec")]
        kube = self.source.kube
        if needed and kube is None:
            problems.append("no Kubernetes API (kubeconfig) to change cilium-config with")
        elif needed and kube is not None:
            for verb, resource in needed:
                try:
                    allowed, reason = await kube.can_i(verb, resource, ns)
                except KubeError as e:
                    allowed, reason = False, str(e)
                permissions.append(Permission(verb, resource, ns, allowed, reason))
            missing = [p for p in permissions if not p.allowed]
            if missing:
                problems.append(
                    f"context {kube.context} may not {', '.join(map(str, missing))}: ask for a "
                    "Role granting it on the cilium objects (check with `kubectl auth can-i "
                    f"{missing[0].verb} {missing[0].resource} -n {ns}`)"
                )
        if plan.node_steps:
            if self.source.ssh is None:
                problems.append("SSH is off: the node commands cannot run")
            else:
                basis = plan.basis
                for node in dict.fromkeys(s.node for s in plan.node_steps):
                    record = basis.node(node) if basis is not None else None
                    if record is not None and self.source.ssh_target(record) is None:
                        problems.append(f"no SSH route to {node} (inventory or ssh_config)")
        return Preflight(tuple(permissions), tuple(problems))

    # -- apply -----------------------------------------------------------------------------------

    async def apply(
        self,
        plan: Plan,
        confirmation: Confirmation,
        *,
        progress: ProgressCallback | None = None,
    ) -> ApplyResult:
        """Apply a confirmed plan (see the module docstring). Raises ConfirmationError when the
        token is not for this plan; every other failure is an ApplyResult."""
        if confirmation.digest != plan.digest:
            raise ConfirmationError(
                f"the confirmation is for another plan than {plan.item_id} as previewed: "
                "preview it again"
            )
        if not plan.applicable:
            return ApplyResult("refused", f"the plan is {plan.status}: {plan.summary}")
        word = confirmation_word(plan)
        if word is not None and confirmation.typed != word:
            raise ConfirmationError(f"agents restart: type the context name {word!r} to confirm")
        restarts = plan.restart.nodes if plan.restart is not None else ()
        steps = len(plan.node_steps) + len(restarts) + (1 if plan.changes else 0) + 1
        report = _Reporter(progress, steps)
        report("preflight", "checking permissions and routes")
        preflight = await self.preflight(plan)
        if not preflight.ok:
            report("denied", "; ".join(preflight.problems), level="error")
            return ApplyResult("denied", "; ".join(preflight.problems), preflight=preflight)
        try:
            self.journal.check_writable()
        except JournalError as e:
            return _unchanged(report, e)
        kube = self.source.kube
        if kube is None or not (plan.changes or plan.restart):
            return await self._apply(plan, report, None)
        ns, name = plan.cluster.namespace, plan.cluster.configmap
        waits = len(restarts) * (
            self.ready_timeout or (plan.restart.ready_timeout if plan.restart else 0)
        )
        lock = ClusterLock(kube, ns, name, ttl=LOCK_MARGIN + waits + 60 * len(plan.node_steps))
        try:
            locked_rv = await lock.acquire(plan.cluster.resource_version if plan.changes else None)
        except Locked as e:
            report("denied", str(e), level="error")
            return ApplyResult("busy", f"{e}: nothing was changed")
        except Conflict as e:
            report("conflict", f"{e}; nothing was changed", level="warning")
            return ApplyResult(
                "conflict",
                f"{ns}/{name} changed since the preview: nothing was overwritten; review the new "
                "diff and confirm again",
                replan=await self.replan(plan),
            )
        except KubeError as e:
            report("stopped", f"{e}: nothing was changed", level="error")
            return ApplyResult("failed", f"{e}: nothing was changed")
        try:
            return await self._apply(plan, report, locked_rv if plan.changes else None)
        finally:
            with contextlib.suppress(KubeError, TimeoutError):
                await asyncio.wait_for(lock.release(), RECONCILE_TIMEOUT)

    async def _apply(self, plan: Plan, report: _Reporter, locked_rv: str | None) -> ApplyResult:
        """`apply` once the cluster is locked; `locked_rv`: cilium-config's resourceVersion after
        the lock's own patch (the data is the previewed one)."""
        basis = plan.basis or await self.source.scan()
        cluster = await self.cluster_identity(plan.cluster.namespace, plan.cluster.configmap)
        try:
            for found in await self.reconcile_unsettled(cluster):
                report(
                    "reconciled", f"{found.entry_id}: " + "; ".join(found.lines()), level="warning"
                )
            agents = await self.agents_now(plan.cluster.namespace) if plan.restart else {}
            entry = self.journal.new_entry(
                plan, {c.key: c.old for c in plan.changes}, cluster, agents
            )
        except (JournalError, KubeError) as e:
            return _unchanged(report, e)
        report("journal", f"journal entry {entry.id}")
        run = _Run(self, plan, basis, entry, report)
        run.locked_rv = locked_rv
        try:
            return await run.go()
        except asyncio.CancelledError:
            state = await run.settle_after("interrupted", f"interrupted while {run.doing}")
            report("interrupted", f"interrupted while {run.doing}", level="error")
            for line in state:
                report("interrupted", line, level="warning")
            raise
        except (KubeError, SshError, JournalError) as e:
            why = str(e)
            if isinstance(e, KubeError) and not isinstance(e, NotFound | Conflict):
                why = f"the API server failed while {run.doing}: {e}"
            state = await run.settle_after("failed", why)
            report("stopped", why, level="error")
            for line in state:
                report("stopped", line, level="warning")
            return ApplyResult(
                "failed",
                why,
                entry.id,
                tuple(run.checks),
                mutated=entry.mutated,
                undoes=plan.undoes,
                state=tuple(state),
            )

    # -- verify and undo -------------------------------------------------------------------------

    async def verify(self, plan: Plan, snapshot: Snapshot | None = None) -> Verification:
        """Every expectation of the plan against a fresh scan (or `snapshot`)."""
        snapshot = snapshot or await self.source.scan()
        checks = []
        for e in plan.expectations:
            record = snapshot.node(e.node)
            if record is None:
                checks.append(NodeCheck(e.node, e.item_id, e.states, None, "node gone", e.primary))
                continue
            finding = catalogue_item(e.item_id).evaluate(snapshot, record)
            checks.append(
                NodeCheck(e.node, e.item_id, e.states, finding.state, finding.reason, e.primary)
            )
        return Verification(tuple(checks))

    async def cluster_identity(
        self, namespace: str = "kube-system", configmap: str = "cilium-config"
    ) -> ClusterIdentity:
        """See `cluster_identity`."""
        return await cluster_identity(self.source, namespace, configmap)

    async def agents_now(self, namespace: str) -> Agents:
        """Node -> UID of its agent pod (the newest, not being deleted)."""
        kube = self.source.kube
        if kube is None:
            return {}
        pods = await kube.list_pods(namespace, label_selector=AGENT_SELECTOR)
        live = [p for p in pods if not p.get("metadata", {}).get("deletionTimestamp")]
        live.sort(key=lambda p: str(p.get("metadata", {}).get("creationTimestamp") or ""))
        return {
            str(p["spec"]["nodeName"]): str(p["metadata"]["uid"])
            for p in live
            if p.get("spec", {}).get("nodeName") and p.get("metadata", {}).get("uid")
        }

    async def reconcile(self, entry: JournalEntry, *, later: bool = True) -> Reconciliation:
        """Where `entry` stands on the cluster (read now), recorded in the entry and saved;
        `later`: by a later run (an entry left "started" was interrupted). Raises KubeError when
        the agents cannot be listed, JournalError when it cannot be saved."""
        found, rv = await self.where_it_stands(entry)
        if later and entry.status == "started":
            entry.status = "interrupted"
        if settle(entry, found, rv):
            self.journal.save(entry)
        return found

    async def where_it_stands(self, entry: JournalEntry) -> tuple[Reconciliation, str | None]:
        """`entry` against cilium-config and the agent pods now, and cilium-config's
        resourceVersion. Raises KubeError when the agents cannot be listed."""
        cluster = entry.plan.get("cluster") or {}
        ns = str(cluster.get("namespace") or "kube-system")
        name = str(cluster.get("configmap") or "cilium-config")
        data: dict[str, str] | None = None
        rv: str | None = None
        kube = self.source.kube
        if kube is not None:
            try:
                obj = await kube.get_configmap(ns, name)
                data = {str(k): str(v) for k, v in (obj.get("data") or {}).items()}
                rv = obj.get("metadata", {}).get("resourceVersion")
            except NotFound:
                data = {}
        agents = await self.agents_now(ns)
        undos = [e for e in self.journal.entries() if e.undoes == entry.id]
        return reconcile(entry, data, rv, agents, undos), rv

    async def reconcile_unsettled(
        self, cluster: ClusterIdentity | None = None
    ) -> list[Reconciliation]:
        """Reconcile every entry of this cluster whose outcome is not on record (a run killed,
        interrupted or cut off mid-way)."""
        cluster = cluster or await self.cluster_identity()
        return [
            await self.reconcile(entry)
            for entry in self.journal.entries()
            if entry.unsettled and entry.why_not_on(cluster) is None
        ]

    async def latest_undoable(self) -> JournalEntry | None:
        """The newest change of the connected cluster that can be undone."""
        return self.journal.latest_undoable(await self.cluster_identity())

    async def undo_plan(self, entry_id: str | None = None) -> Plan:
        """The plan that reverts entry `entry_id` (default: the latest undoable change of this
        cluster), built against a fresh scan; refused when the entry is another cluster's or a
        later change must be undone first. Raises JournalError when there is nothing to undo."""
        snapshot = await self.source.scan()
        config = snapshot.config
        cluster = await self.cluster_identity(
            *((config.namespace, config.name) if config is not None else ())
        )
        reconciled: list[str] = []
        if entry_id is None:  # what was interrupted is known before the latest is chosen
            for found in await self.reconcile_unsettled(cluster):
                reconciled += [
                    f"{found.entry_id} was interrupted; the cluster shows: {line}"
                    for line in found.lines()
                ]
        if entry_id is not None:
            entry = self.journal.load(entry_id)
        else:
            latest = self.journal.latest_undoable(cluster)
            if self.journal.problems:  # a newer change may hide there: never guess past it
                raise JournalError(
                    "journal entries that do not validate: "
                    + "; ".join(self.journal.problems)
                    + ": undo a change by its id, or move those files away"
                )
            if latest is None:
                raise JournalError(
                    self._nothing_to_undo(cluster) + "".join(f"; {x}" for x in reconciled)
                )
            entry = latest
        if entry.undoes is not None:
            raise JournalError(
                f"journal entry {entry.id} is the undo of {entry.undoes}: an undo is not undone; "
                f"to finish the way back, `cilium-tui undo {entry.undoes}`; to make the change "
                "again, apply it"
            )
        if entry.unsettled and entry.why_not_on(cluster) is None:
            found = await self.reconcile(entry)
            reconciled += [
                f"{entry.id} was interrupted; the cluster shows: {line}" for line in found.lines()
            ]
            if not entry.mutated:
                raise JournalError(
                    f"journal entry {entry.id} changed nothing, as the cluster shows: "
                    + "; ".join(found.lines())
                )
        restart: list[str] | None = None
        if entry.agents_before and self.source.kube is not None:
            undos = [e for e in self.journal.entries() if e.undoes == entry.id]
            agents = await self.agents_now(plan_namespace(entry))
            restart = changed_nodes(entry, agents, undos)
        plan = build_undo_plan(
            entry, snapshot, cluster=cluster, journal=self.journal.entries(), restart=restart
        )
        if reconciled:
            plan = dataclasses.replace(plan, warnings=(*reconciled, *plan.warnings))
        return plan

    def _nothing_to_undo(self, cluster: ClusterIdentity) -> str:
        others = [e for e in self.journal.entries() if e.undoable and e.undoes is None]
        message = f"nothing to undo on this cluster ({cluster}) in {self.journal.directory}"
        if others:
            message += (
                f"; {len(others)} change(s) of other clusters are undoable there when connected "
                "to them (see `cilium-tui journal`)"
            )
        return message

    async def replan(self, plan: Plan) -> Plan:
        """The same plan built again against the cluster as it is now."""
        if plan.undoes is not None:
            return await self.undo_plan(plan.undoes)
        snapshot = await self.source.scan()
        restart = plan.restart
        options = PlanOptions(
            batch_size=max(len(b) for b in restart.batches) if restart else 1,
            ready_timeout=restart.ready_timeout if restart else PlanOptions.ready_timeout,
            # a CIDR given with --native-cidr is in the plan's changes, not in the cluster
            native_cidr=next((c.new for c in plan.changes if c.key == NATIVE_CIDR_KEY), None),
        )
        return build_plan(plan.item_id, snapshot, plan.targets or None, options=options)


class _Run:
    """One apply of one plan: the state of its rollout."""

    def __init__(
        self,
        engine: RemedyEngine,
        plan: Plan,
        basis: Snapshot,
        entry: JournalEntry,
        report: _Reporter,
    ) -> None:
        self.engine = engine
        self.plan = plan
        self.basis = basis
        self.entry = entry
        self.report = report
        self.checks: list[NodeCheck] = []
        self.config_obj: JSON | None = None
        self.doing = "starting"
        self.locked_rv: str | None = None
        """The step under way, in words: what an interruption is recorded as."""

    @property
    def kube(self) -> KubeClient:
        kube = self.engine.source.kube
        if kube is None:
            raise KubeError("no Kubernetes API")
        return kube

    @property
    def ssh(self) -> SshPool:
        ssh = self.engine.source.ssh
        if ssh is None:
            raise SshError("ssh", "SSH is off")
        return ssh

    def save(self) -> None:
        self.engine.journal.save(self.entry)

    async def settle_after(self, status: str, why: str) -> list[str]:
        """After an interruption or a failure: record `why`, read where the cluster stands and
        record that too. Never raises: returns what to tell the user (the state, or why the
        journal or the cluster could not say)."""
        entry = self.entry
        entry.status = "interrupted" if status == "interrupted" else "failed"
        entry.note(status, why)
        lines: list[str] = []
        try:
            self.save()
        except JournalError as e:
            lines.append(
                f"the journal could not be written ({e}); the next run reconciles from the cluster"
            )
        if not entry.intents:
            return [*lines, "nothing was sent to the cluster"]
        try:
            found, rv = await asyncio.wait_for(
                self.engine.where_it_stands(entry), RECONCILE_TIMEOUT
            )
        except (KubeError, TimeoutError) as e:
            return [
                *lines,
                f"where the cluster stands is not known ({e}); the next `cilium-tui undo` or "
                "`cilium-tui journal` reads it from the cluster",
            ]
        if settle(entry, found, rv) and not lines:
            try:
                self.save()
            except JournalError as e:
                lines.append(f"the journal could not be written ({e})")
        return [*lines, *found.lines()]

    def note(
        self, status: str, message: str, node: str | None = None, level: Level = "info"
    ) -> None:
        """Journal an event (saved at once) and report it."""
        self.entry.note(status, message, node)
        self.save()
        self.report(status, message, node, level)

    async def go(self) -> ApplyResult:
        plan, entry = self.plan, self.entry
        try:
            if plan.changes and (conflict := await self.patch()) is not None:
                return conflict
            for batch in self.batches():
                await self.batch(batch)
        except _Stop as stop:
            entry.status = "stopped"
            self.note("stopped", stop.message, stop.node, "error")
            return ApplyResult(
                "stopped",
                stop.message + ("; undo offered" if entry.mutated else ""),
                entry.id,
                tuple(self.checks),
                mutated=entry.mutated,
                undoes=plan.undoes,
            )
        entry.status = "applied"
        self.doing = "verifying"
        self.note("applied", "every step ran")
        self.report("verify", "re-scanning to verify")
        scanned = await self.engine.verify(plan)
        verification = Verification((*scanned.checks, *await self.agent_checks()))
        self.report.step()
        entry.status = "verified" if verification.ok else "mismatch"
        surprises = "; ".join(
            f"{c.node} {c.item_id} is {c.actual.value if c.actual else 'unknown'}, expected "
            f"{'/'.join(s.value for s in c.expected)}" + ("" if c.primary else " (side effect)")
            for c in verification.surprises
        )
        if verification.ok:
            message = "every node as expected" + (f" ({surprises})" if surprises else "")
        else:
            message = f"applied, but {surprises}"
        self.note(entry.status, message, level="ok" if verification.ok else "warning")
        if plan.undoes is not None and verification.ok:
            self.mark_undone(plan.undoes)
        self.report("done", message, level="ok" if verification.ok else "warning")
        return ApplyResult(
            entry.status,
            message,
            entry.id,
            tuple(self.checks),
            verification,
            mutated=True,
            undoes=plan.undoes,
        )

    async def agent_checks(self) -> list[NodeCheck]:
        """Per node, whether its agent started under the config the plan leaves: for an apply,
        every restarted node's agent is newer than the change; for an undo, no agent started
        under the undone change is left running."""
        plan, journal = self.plan, self.engine.journal
        if plan.restart is None or self.engine.source.kube is None:
            return []
        agents = await self.engine.agents_now(plan.restart.namespace)
        if plan.undoes is not None:
            original = journal.load(plan.undoes)
            if not original.agents_before:
                return []
            undos = [e for e in journal.entries() if e.undoes == original.id]
            still = set(changed_nodes(original, agents, undos))
            left = f"its agent started under {original.id}'s change and still runs it"
            return [
                _agent_check(n, n not in still, left if n in still else "restarted since")
                for n in agents
                if n in still or n in plan.restart.nodes
            ]
        before = set(self.entry.agents_before.values())
        checks = []
        for node in plan.restart.nodes:
            uid = agents.get(node)
            if uid is None:
                checks.append(_agent_check(node, False, "no agent pod"))
            elif uid in before:
                why = "its agent started before the change: it runs the previous config"
                checks.append(_agent_check(node, False, why))
            else:
                checks.append(_agent_check(node, True, "its agent started after the change"))
        return checks

    def mark_undone(self, original_id: str) -> None:
        original = self.engine.journal.load(original_id)
        original.undone_by = self.entry.id
        original.note("undone", f"undone by {self.entry.id}")
        self.engine.journal.save(original)

    # -- cilium-config -----------------------------------------------------------------------

    async def patch(self) -> ApplyResult | None:
        plan, entry = self.plan, self.entry
        ns, name = plan.cluster.namespace, plan.cluster.configmap
        rv = self.locked_rv or plan.cluster.resource_version
        if rv is None:
            raise KubeError(f"configmap {ns}/{name}: no resourceVersion was read; scan again")
        changes = {c.key: c.new for c in plan.changes}
        intent = entry.intend("patch", resource_version=rv)
        self.save()  # the intent is on disk before the patch is sent
        self.doing = f"patching {ns}/{name}"
        self.report("patch", f"patching {ns}/{name} (resourceVersion {rv})")
        try:
            self.config_obj = await self.retrying(
                lambda: self.kube.patch_configmap_data(ns, name, changes, rv)
            )
        except Conflict as e:
            if (
                e.current is not None
                and all((e.current.get("data") or {}).get(k) == v for k, v in changes.items())
                and self.retried
            ):  # a retry after the first attempt landed: it is ours
                self.config_obj = e.current
            else:
                intent.answered = True
                return await self.conflict(e)
        except KubeError as e:
            # The server may have applied it and not answered (or answered too late).
            found = await self.engine.reconcile(entry, later=False)
            if not found.patched:
                raise
            self.report.step()
            raise _Stop(
                f"{ns}/{name} was changed, but the server's answer did not come ({e}): the "
                "rollout stops before any agent restarts"
            ) from None
        intent.answered = True
        self.patched()
        return None

    async def conflict(self, e: Conflict) -> ApplyResult:
        plan, entry = self.plan, self.entry
        ns, name = plan.cluster.namespace, plan.cluster.configmap
        entry.status = "conflict"
        self.note("conflict", f"{e}; nothing was changed", level="warning")
        replan = await self.engine.replan(plan)
        return ApplyResult(
            "conflict",
            f"{ns}/{name} changed since the preview: nothing was overwritten; review the new "
            "diff and confirm again",
            entry.id,
            replan=replan,
        )

    def patched(self) -> None:
        assert self.config_obj is not None
        ns, name = self.plan.cluster.namespace, self.plan.cluster.configmap
        rv_after = self.config_obj.get("metadata", {}).get("resourceVersion")
        self.entry.resource_version_after = str(rv_after)
        self.report.step()
        self.note("patched", f"{ns}/{name} now at resourceVersion {rv_after}")

    retried = False

    async def retrying(self, call: Callable[[], Awaitable[T]]) -> T:
        """`call()`, retried with backoff while the server answers 429/500 (busy)."""
        for wait in (*RETRY_BACKOFF, None):
            try:
                return await call()
            except Busy as e:
                if wait is None:
                    raise
                self.report("retry", f"{e}: retrying in {wait:g} s", level="warning")
                self.retried = True
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    # -- the rollout -------------------------------------------------------------------------

    def batches(self) -> list[tuple[str, ...]]:
        """The restart batches, then (node plans) one batch per node with steps."""
        batches = list(self.plan.restart.batches) if self.plan.restart is not None else []
        covered = {n for b in batches for n in b}
        for step in self.plan.node_steps:
            if step.node not in covered:
                batches.append((step.node,))
                covered.add(step.node)
        return batches

    async def batch(self, nodes: tuple[str, ...]) -> None:
        for node in nodes:
            for index, step in enumerate(s for s in self.plan.node_steps if s.node == node):
                await self.node_step(step, index)
        restarts = set(self.plan.restart.nodes) if self.plan.restart is not None else set()
        old: dict[str, JSON] = {}
        for node in nodes:
            if node in restarts and (pod := await self.delete_agent(node)) is not None:
                old[node] = pod
        for node, pod in old.items():
            await self.wait_and_check(node, pod)

    def record(self, node: str) -> NodeRecord:
        record = self.basis.node(node)
        if record is None:
            raise _Stop(f"{node} is not in the scan any more", node)
        return record

    async def node_step(self, step: NodeStep, index: int) -> None:
        node, change = step.node, step.change
        target = self.engine.source.ssh_target(self.record(node))
        if target is None:
            raise _Stop(f"no SSH route to {node}", node)
        before = _lines((await self.ssh.run_command(target, change.check)).stdout)
        befores = self.entry.node_before.setdefault(node, [])
        befores.extend([] for _ in range(index + 1 - len(befores)))
        befores[index] = before
        if tuple(before) == change.expect:
            self.note("node-step", f"{change.title}: already in place", node)
            self.report.step()
            return
        if step.before is not None and tuple(before) != step.before:
            raise _Stop(
                f"{node} changed since the preview: `{change.check.command_line(True)}` prints "
                f"{' '.join(before) or 'nothing'}, the preview read {' '.join(step.before)}",
                node,
            )
        self.report("node-step", change.title, node)
        self.entry.steps_done.append([node, index])
        self.save()
        for command in change.apply:
            result = await self.ssh.run_command(target, command)
            if result.rc != 0:
                why = (result.stderr.strip() or result.stdout.strip()).splitlines()
                raise _Stop(
                    f"{node}: `{command.command_line(True)}` failed (exit {result.rc}"
                    + (f": {why[0]}" if why else "")
                    + ")",
                    node,
                )
        after = await self.ssh.run_command(target, change.check)
        if not change.verified(after.stdout):
            raise _Stop(
                f"{node}: {change.title} did not take: the check prints "
                f"{' '.join(_lines(after.stdout)) or 'nothing'}",
                node,
            )
        self.report.step()
        self.note("node-step", f"{change.title}: done", node, "ok")

    async def delete_agent(self, node: str) -> JSON | None:
        ns = self.plan.cluster.namespace
        pods = await self.kube.list_pods(
            ns, label_selector=AGENT_SELECTOR, field_selector=f"spec.nodeName={node}"
        )
        if not pods:
            self.note("restart", "no agent pod on this node: nothing to restart", node, "warning")
            self.report.step()
            return None
        pod = pods[0]
        name, uid = pod["metadata"]["name"], pod["metadata"]["uid"]
        intent = self.entry.intend("delete", node=node, pod=name, uid=uid)
        self.save()  # the intent is on disk before the DELETE is sent
        self.doing = f"deleting agent pod {name} on {node}"
        self.report("restart", f"deleting agent pod {name}", node)
        # gone or replaced already: a retry after the first DELETE landed
        with contextlib.suppress(NotFound, Conflict):
            await self.retrying(lambda: self.kube.delete_pod(ns, name, uid=uid))
        intent.answered = True
        self.entry.restarted.append(node)
        self.save()
        return pod

    async def wait_and_check(self, node: str, old: JSON) -> None:
        assert self.plan.restart is not None
        timeout = self.engine.ready_timeout or self.plan.restart.ready_timeout
        self.doing = f"waiting for the new agent on {node}"
        self.report("ready", f"waiting up to {timeout:g} s for the new agent to be Ready", node)
        try:
            pod = await self.kube.wait_pod_ready(
                self.plan.restart.namespace, node, timeout, replacing=old
            )
        except NotReady as e:
            raise _Stop(f"the agent on {node} did not come back: {e}", node) from None
        self.report.step()
        self.note("ready", f"agent pod {pod['metadata']['name']} is Ready", node, "ok")
        await self.check_node(node, pod)

    async def check_node(self, node: str, pod: JSON) -> None:
        """Judge the item on `node` from its new agent's status (and a new probe)."""
        record = self.record(node)
        output = await self.kube.agent_status(pod)
        updates: dict[str, Any] = {
            "pod": parse_agent_pod(pod),
            "agent": output.status(),
            "agent_raw": None,  # a jsonpath answer is not the report: fetched when shown
            "errors": {},
        }
        target = self.engine.source.ssh_target(record)
        if target is not None and record.probe is not None:
            updates["probe"] = (await self.ssh.probe(target)).facts
        fresh = dataclasses.replace(record, **updates)
        snapshot = dataclasses.replace(
            self.basis,
            nodes=tuple(fresh if r.name == node else r for r in self.basis.nodes),
            config=self.config() if self.config_obj is not None else self.basis.config,
        )
        for e in self.plan.expectations_for(node, primary_only=True):
            finding = catalogue_item(e.item_id).evaluate(snapshot, fresh)
            check = NodeCheck(node, e.item_id, e.states, finding.state, finding.reason)
            self.checks.append(check)
            if not check.ok:
                raise _Stop(
                    f"{e.item_id} on {node} is {finding.state.value}, expected "
                    f"{'/'.join(s.value for s in e.states)}: {finding.reason}",
                    node,
                )
            self.note("check", f"{e.item_id} {finding.state.value}: {finding.reason}", node, "ok")

    def config(self) -> CiliumConfig:
        """cilium-config as the patch left it."""
        assert self.config_obj is not None
        return parse_configmap(self.config_obj, self.plan.cluster.cilium_version)


async def cluster_identity(
    source: RemedySource, namespace: str = "kube-system", configmap: str = "cilium-config"
) -> ClusterIdentity:
    """The cluster `source` is connected to: API server and context, and the UID of its
    cilium-config (None when it cannot be read: the server and context still tell clusters
    apart). The journal and lesson progress are keyed by it."""
    kube = source.kube
    if kube is None:
        return ClusterIdentity(None, None)
    try:
        obj = await kube.get_configmap(namespace, configmap)
        uid = obj.get("metadata", {}).get("uid")
    except KubeError:
        uid = None
    return ClusterIdentity(kube.server, kube.context, uid if isinstance(uid, str) else None)

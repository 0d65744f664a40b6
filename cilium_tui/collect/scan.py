"""One scan of a cluster: the Kubernetes API and the SSH probes, concurrently, into a Snapshot.

Every remote call has a timeout and every failure is kept as a fact about the node it concerns:
an unreachable agent or board shows up in `NodeRecord.errors`, it never aborts the scan. Fan-out is
bounded twice: by the number of node tasks in flight here, and by each client's own pool.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

from cilium_tui.collect.answers import Answers
from cilium_tui.collect.inventory import Inventory, SshTarget
from cilium_tui.collect.kube import (
    AgentPods,
    KubeClient,
    KubeError,
    agent_container,
    shown_command,
)
from cilium_tui.collect.probe import agent_pod_argv
from cilium_tui.collect.source import NodeEvent, ProgressCallback, ScanProgress, ScanStream
from cilium_tui.collect.ssh import SshError, SshPool, probe_facts
from cilium_tui.facts.config import parse_configmap
from cilium_tui.facts.node import NODE_FIELDS, parse_node
from cilium_tui.facts.node_config import parse_node_configs
from cilium_tui.facts.pod import AGENT_POD_FIELDS, image_version, parse_agent_pod
from cilium_tui.facts.probe import parse_agent_pod as parse_host_via_agent_pod
from cilium_tui.model import (
    AgentPod,
    AgentStatus,
    NodeConfig,
    NodeInfo,
    NodeRecord,
    ProbeFacts,
    Snapshot,
    unchanged,
)

T = TypeVar("T")
JSON = dict[str, Any]
CONFIGMAP = "cilium-config"


@dataclass(frozen=True)
class ScanLimits:
    agent_timeout: float = 10.0
    keep_raw: bool = False
    """Keep each agent's status output in `NodeRecord.agent_raw`. Off by default: at N nodes the
    reports are O(N) bytes each; `ClusterSource.agent_report` fetches one when it is shown."""


@dataclass
class _Progress:
    callback: ProgressCallback | None
    total: int = 1
    done: int = 0

    def step(self, message: str, count: int = 1) -> None:
        self.done += count
        if self.callback is not None:
            self.callback(ScanProgress(min(self.done, self.total), self.total, message))


@dataclass
class _NodeScan:
    """What is known of one node while its parts are being read."""

    name: str
    info: NodeInfo | None = None
    pod: tuple[AgentPod, JSON] | None = None
    target: SshTarget | None = None
    pending: set[str] = field(default_factory=set)
    """The parts still being read: "agent" (its status, an exec), "ssh" (host facts)."""
    agent: AgentStatus | None = None
    raw: str | None = None
    probe: ProbeFacts | None = None
    errors: dict[str, str] = field(default_factory=dict)
    before: NodeRecord | None = None
    """The node as the previous scan read it: what reads the same is kept from it (`unchanged`)."""

    def __post_init__(self) -> None:
        if self.before is not None:
            self.info = unchanged(self.info, self.before.node)

    def record(self) -> NodeRecord:
        return unchanged(self._record(), self.before)

    def set_agent(self, status: AgentStatus) -> AgentStatus:
        """Keep the status (the previous scan's object when it reads the same); returns it."""
        self.agent = kept = unchanged(status, self.before.agent if self.before else None)
        return kept

    def set_probe(self, facts: ProbeFacts) -> ProbeFacts:
        """Keep the host facts (the previous scan's object when they read the same)."""
        self.probe = kept = unchanged(facts, self.before.probe if self.before else None)
        return kept

    def _record(self) -> NodeRecord:
        return NodeRecord(
            name=self.name,
            node=self.info,
            pod=unchanged(self.pod[0], self.before.pod if self.before else None)
            if self.pod
            else None,
            agent=self.agent,
            agent_raw=self.raw,
            probe=self.probe,
            ssh_host=str(self.target) if self.target is not None else None,
            errors=dict(self.errors),
        )

    def done(self, part: str) -> None:
        self.pending.discard(part)


def agent_pods_by_node(objs: Sequence[JSON]) -> dict[str, tuple[AgentPod, JSON]]:
    """The agent pod of each node. During a rollout a node briefly has two (the old one
    terminating, the new one starting): the one to ask is Ready and not being deleted; else one
    not being deleted; then the newest."""
    best: dict[str, tuple[tuple[bool, bool, str], AgentPod, JSON]] = {}
    for obj in objs:
        pod = parse_agent_pod(obj)
        if pod.node is None:
            continue
        meta = obj.get("metadata") or {}
        deleting = bool(meta.get("deletionTimestamp"))
        rank = (
            pod.ready is True and not deleting,
            not deleting,
            str(meta.get("creationTimestamp") or ""),  # RFC 3339 in UTC: sorts as text
        )
        if pod.node not in best or rank > best[pod.node][0]:
            best[pod.node] = (rank, pod, obj)
    return {node: (pod, obj) for node, (_, pod, obj) in best.items()}


def _is_running(pod: AgentPod) -> bool:
    return pod.phase == "Running" and pod.waiting_reason is None


def agent_pod_problem(pod: AgentPod) -> str:
    """Why a node's agent is not running, for its row and its "configured, not verified" items."""
    if pod.waiting_reason:
        restarts = f" ({pod.restarts} restarts)" if pod.restarts else ""
        return f"agent pod {pod.name} is {pod.waiting_reason}{restarts}"
    return f"agent pod {pod.name} is {pod.phase or 'not running'}"


class Stoppable(Protocol):
    """Something a source runs for as long as it is open, stopped (blocking) when it closes."""

    def stop(self) -> None: ...


class ClusterSource:
    """A cluster read through a kubeconfig (KubeClient) and SSH (SshPool + inventory).

    Either side may be absent: no kubeconfig means SSH-only boards; `no_ssh` means no probes.
    For `--demo` it reads the embedded lab through the files the lab wrote (see cilium_tui.connect).
    """

    def __init__(
        self,
        name: str,
        *,
        kube: KubeClient | None,
        ssh: SshPool | None,
        inventory: Inventory | None = None,
        ssh_hosts: Sequence[str] = (),
        limits: ScanLimits | None = None,
        owns: Stoppable | None = None,
        journal_dir: Path | None = None,
    ) -> None:
        self._name = name
        self.kube = kube
        self.ssh = ssh
        self.inventory = inventory or Inventory()
        self._ssh_hosts = tuple(ssh_hosts)
        self.limits = limits or ScanLimits()
        self._status_command: dict[str | None, list[str]] = {}
        """Per agent image, the status command that answered last time."""
        self.owns = owns
        """What this source runs and stops in `close()` (the embedded lab, for `--demo`)."""
        self.journal_dir = journal_dir
        """Where changes made through this source are journalled, when not in the user's
        journal (the demo's go with its lab)."""
        self._previous: dict[str, NodeRecord] = {}
        """The latest scan's records by name: the next scan keeps what reads the same."""
        self.statuses: Answers[AgentStatus] = Answers()
        self.probes: Answers[ProbeFacts] = Answers()
        """What each agent and host answered: the same answer again is not parsed again."""

    @property
    def name(self) -> str:
        return self._name

    @property
    def context(self) -> str | None:
        return self.kube.context if self.kube is not None else None

    async def close(self) -> None:
        if self.ssh is not None:
            await self.ssh.close()
        if self.kube is not None:
            await self.kube.close()
        if self.owns is not None:
            owned, self.owns = self.owns, None
            await asyncio.to_thread(owned.stop)

    # -- the scan --------------------------------------------------------------------------------

    async def scan(
        self, progress: ProgressCallback | None = None, stream: ScanStream | None = None
    ) -> Snapshot:
        """One scan; `stream` hears the cluster as listed, then each node as soon as both its
        parts are read (see `ScanStream`), on the event loop: a hung node delays only itself.

        Each part is bounded on its own: agent execs by the KubeClient's concurrency, host facts
        (SSH probes) by the SshPool's; a node never holds an exec slot while its probe waits, or
        the reverse.
        """
        started = datetime.now(UTC)
        steps = _Progress(progress)
        errors: list[str] = []
        nodes: list[NodeInfo] = []
        agents = AgentPods(None, [])
        config_obj: JSON | None = None
        overrides: tuple[NodeConfig, ...] = ()
        kube_proxy: bool | None = None
        if self.kube is not None:
            nodes, agents, kube_proxy, config_obj, overrides = await self._cluster(errors)
        boards = self.inventory.boards
        steps.total = 1 + 2 * len(nodes) + len(boards)

        pods = agent_pods_by_node(agents.pods)

        def snapshot(records: Sequence[NodeRecord]) -> Snapshot:
            config = None
            if config_obj is not None:
                version = cluster_version(records)
                config = parse_configmap(config_obj, cilium_version=version)
            return Snapshot(
                taken_at=started,
                source=self._name,
                nodes=tuple(sorted(records, key=lambda r: r.name)),
                config=config,
                node_configs=overrides,
                context=self.context,
                kube_proxy_present=kube_proxy,
                errors=tuple(errors),
            )

        before = self._previous
        scans = [
            _NodeScan(
                n.name,
                n,
                pods.get(n.name),
                self._target(n),
                {"agent", "ssh"},
                before=before.get(n.name),
            )
            for n in nodes
        ]
        scans += [
            _NodeScan(b.name, target=b.target, pending={"ssh"}, before=before.get(b.name))
            for b in boards
        ]
        steps.step(f"{len(nodes)} nodes, {len(agents.pods)} agents")
        if stream is not None:
            stream.listed(snapshot([one.record() for one in scans]))

        async def part(one: _NodeScan, read: Awaitable[None]) -> None:
            await read
            if not one.pending and stream is not None:
                stream.node_read(one.record())

        await asyncio.gather(
            *(part(one, self._agent(one, steps)) for one in scans if one.info is not None),
            *(part(one, self._host(one, steps)) for one in scans),
        )
        result = snapshot([one.record() for one in scans])
        self._previous = {record.name: record for record in result.nodes}
        self.statuses.only(self._previous)
        self.probes.only(self._previous)
        return result

    async def _cluster(
        self, errors: list[str]
    ) -> tuple[list[NodeInfo], AgentPods, bool | None, JSON | None, tuple[NodeConfig, ...]]:
        kube = self.kube
        assert kube is not None
        node_objs, agents, kube_proxy = await asyncio.gather(
            _kept(kube.list_nodes(NODE_FIELDS), errors, []),
            _kept(kube.find_agent_pods(AGENT_POD_FIELDS), errors, AgentPods(None, [])),
            _kept(kube.kube_proxy_present(), errors, None),
        )
        config_obj: JSON | None = None
        overrides: tuple[NodeConfig, ...] = ()
        namespace = agents.namespace or "kube-system"
        if node_objs or agents.pods:
            config_obj, override_objs = await asyncio.gather(
                _kept(kube.get_configmap(namespace, CONFIGMAP), errors, None),
                _kept(kube.list_node_configs(namespace), errors, []),
            )
            overrides, problems = parse_node_configs(override_objs)
            errors.extend(problems)
        nodes = [parse_node(n) for n in node_objs]
        return nodes, agents, kube_proxy, config_obj, overrides

    async def _agent(self, one: _NodeScan, steps: _Progress) -> None:
        try:
            if one.pod is None:
                one.errors["agent"] = "no Cilium agent pod on this node"
                return
            agent, obj = one.pod
            if not _is_running(agent):
                one.errors["agent"] = agent_pod_problem(agent)
                return
            assert self.kube is not None
            out = await self.kube.agent_status(
                obj,
                timeout=self.limits.agent_timeout,
                prefer=self._status_command.get(agent.image),
            )
            self._status_command[agent.image] = out.command
            if self.limits.keep_raw:
                one.raw = out.raw
            answer = (out.fmt, *out.command, out.raw)
            digest, status = self.statuses.read(one.name, answer, out.status)
            if status.is_empty:
                command = shown_command(out.command)
                one.errors["agent"] = f"`{command}` printed no status we can read"
            else:
                self.statuses.keep(one.name, digest, one.set_agent(status))
        except KubeError as e:
            one.errors["agent"] = str(e)
        except Exception as e:  # a bug or a library surprise: this node's fact, not a crash
            one.errors["agent"] = _unexpected(e)
        finally:
            one.done("agent")
            steps.step(f"agent {one.name}")

    async def _host(self, one: _NodeScan, steps: _Progress) -> None:
        """Host facts over SSH, the fuller source; else through the running agent pod."""
        try:
            await self._probe(one)
            if one.probe is None and one.pod is not None and _is_running(one.pod[0]):
                await self._via_agent_pod(one.pod[1], one)
        finally:
            target = one.target
            one.done("ssh")
            steps.step(f"probe {target}" if target else "probe skipped")

    async def _via_agent_pod(self, obj: JSON, one: _NodeScan) -> None:
        """One exec of a fixed script in the agent container, which shares the host's network
        namespace, /proc and /sys: the kernel, the NIC, the governors (see `AGENT_POD_SECTIONS`)."""
        assert self.kube is not None
        meta = obj["metadata"]
        try:
            result = await self.kube.exec(
                meta["namespace"],
                meta["name"],
                agent_container(obj),
                agent_pod_argv(),
                timeout=self.limits.agent_timeout,
            )
        except KubeError as e:
            one.errors["host"] = f"no host facts via the agent pod: {e}"
            return
        except Exception as e:  # a bug or a library surprise: this node's fact, not a crash
            one.errors["host"] = f"no host facts via the agent pod: {_unexpected(e)}"
            return
        facts = parse_host_via_agent_pod(result.stdout)
        if not facts.evidence:
            why = "; ".join(facts.errors) or f"rc {result.rc}"
            one.errors["host"] = f"no host facts via the agent pod: {why}"
            return
        one.set_probe(facts)

    async def _probe(self, one: _NodeScan) -> None:
        target = one.target
        try:
            if self.ssh is None:
                one.errors["ssh"] = "SSH probing is off (--no-ssh)"
                return
            if target is None:
                internal_ip = one.info.internal_ip if one.info is not None else None
                one.errors["ssh"] = self.inventory.no_target_reason(internal_ip)
                return
            # SshPool bounds its own connects and commands with timeouts; no outer timer here,
            # which would also count the time a probe waits for its turn.
            result = await self.ssh.run_probe(target)
            answer = (result.stdout, result.stderr, str(result.rc))
            digest, facts = self.probes.read(one.name, answer, partial(probe_facts, result))
            self.probes.keep(one.name, digest, one.set_probe(facts))
        except SshError as e:
            one.errors["ssh"] = str(e)
        except Exception as e:  # a bug or a library surprise: this node's fact, not a crash
            one.errors["ssh"] = _unexpected(e)

    async def agent_report(self, record: NodeRecord) -> str:
        """The agent's full status output, read now (scans keep only the facts: see
        `ScanLimits.keep_raw`). Raises KubeError when the node has no agent to ask."""
        if record.agent_raw is not None:
            return record.agent_raw
        if self.kube is None or record.pod is None:
            raise KubeError(f"{record.name}: no Cilium agent pod to ask")
        pod = await self.kube.get_pod(record.pod.namespace, record.pod.name)
        out = await self.kube.agent_status(
            pod,
            timeout=self.limits.agent_timeout,
            prefer=self._status_command.get(record.pod.image),
            full=True,
        )
        return out.raw

    def _target(self, info: NodeInfo) -> SshTarget | None:
        if self.ssh is None:
            return None
        return self.inventory.target_for_node(info.name, info.internal_ip, self._ssh_hosts)

    def ssh_target(self, record: NodeRecord) -> SshTarget | None:
        """How this source reaches a scanned node or board over SSH (None: it does not)."""
        if self.ssh is None:
            return None
        if record.node is not None:
            return self._target(record.node)
        return next((b.target for b in self.inventory.boards if b.name == record.name), None)

    # -- live node events ------------------------------------------------------------------------

    async def node_events(self) -> AsyncIterator[NodeEvent]:
        """From the latest scan's list of Nodes on (the console scans first), else from a list."""
        if self.kube is None:
            return
        async for kind, obj in self.kube.watch_nodes(
            since=self.kube.last_node_list, fields=NODE_FIELDS
        ):
            if kind in ("ADDED", "MODIFIED", "DELETED"):
                yield NodeEvent(kind, parse_node(obj))  # type: ignore[arg-type]


def cluster_version(records: Sequence[NodeRecord]) -> str | None:
    """The Cilium release most agents report, else the agents' image tag."""
    versions = Counter(r.agent.cilium_version for r in records if r.agent is not None)
    versions.pop(None, None)
    if versions:
        return versions.most_common(1)[0][0]
    tags = Counter(image_version(r.pod.image) for r in records if r.pod is not None)
    tags.pop(None, None)
    return tags.most_common(1)[0][0] if tags else None


async def _kept(call: Awaitable[T], errors: list[str], default: T) -> T:
    """The call's result; on a KubeError the message is kept and the default returned."""
    try:
        return await call
    except KubeError as e:
        errors.append(str(e))
        return default


def _unexpected(e: Exception) -> str:
    return f"unexpected error: {type(e).__name__}: {e}"

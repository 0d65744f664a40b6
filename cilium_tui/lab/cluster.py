"""The lab's brain: a scenario's machines and Cilium agents behind the API server's hooks.

The API server (lab/kube) speaks the protocol; this module decides what the cluster *does*:

- every agent pod start asks the agent model (lab/agent) what a Cilium agent of the scenario's
  version does with the ConfigMap as it is *now* on that node's machine: Ready with a status, or a
  crash loop with the fatal error real Cilium logs;
- `cilium-dbg status [-o json | -o jsonpath=...] [--verbose]` (and `cilium status` for agents
  <= 1.14, whose image has no cilium-dbg) print what that agent decided, in the exact shape of
  that Cilium release;
- the agent container's `sh -c` runs the host reads cilium-tui sends through it, answered from the
  node's machine as a container in the host's network namespace sees it (`/proc`, `/sys`);
- the knobs change a machine (its kernel) and the Node object with it, so watches see it.

It runs on the API server's threads (exec handlers in workers, starts on its loop), hence the lock.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from cilium_tui.collect.probe import agent_pod_argv
from cilium_tui.lab.agent import AgentOutcome, apply_host_effects, start_agent
from cilium_tui.lab.host import HostState
from cilium_tui.lab.jsonpath import render_jsonpath
from cilium_tui.lab.kube.controllers import StartResult, template_hash
from cilium_tui.lab.kube.exec import ExecResult, command_not_found
from cilium_tui.lab.kube.selectors import selects
from cilium_tui.lab.kube.server import LabApiServer
from cilium_tui.lab.objects import (
    agent_pod_name,
    agent_pod_object,
    configmap_object,
    daemonset_object,
    node_object,
)
from cilium_tui.lab.release import Release
from cilium_tui.lab.render_context import ClusterHealth
from cilium_tui.lab.render_json import render_status_json
from cilium_tui.lab.render_text import render_status_text
from cilium_tui.lab.scenarios import NodeSpec, Scenario, cluster_health, status_context
from cilium_tui.lab.ssh_shell import BoardShell

CONFIGMAP = "cilium-config"
JSON = dict[str, Any]


class LabCluster:
    def __init__(self, scenario: Scenario, api: LabApiServer) -> None:
        self.scenario = scenario
        self.api = api
        self.release = Release.parse(scenario.cilium_version)
        self._lock = threading.RLock()
        self._nodes = {n.name: n for n in scenario.nodes}
        self.outcomes: dict[str, AgentOutcome] = {}
        """The running (or last crashed) agent of each node."""
        self.started_with: dict[str, dict[str, str]] = {}
        """The cilium-config each node's agent last started with (what it runs)."""
        self._rendered: dict[str, tuple[object, dict[tuple[str, bool], ExecResult]]] = {}
        """Per node: (what its output depends on, the outputs rendered for it)."""
        self._down: set[str] = set()
        """Nodes whose agent is not ready: every agent's cluster health shows them unreachable."""
        self._health: ClusterHealth | None = None
        """Every agent's peers while `_down` stays as it is (None: to build again)."""
        self._health_changes = 0
        """Counts the changes of `_down`: a rendered status is current while it stays."""
        self.status_renders = 0
        """Status documents and texts rendered so far (each exec answered from them is not)."""

    @property
    def hosts(self) -> dict[str, HostState]:
        return {name: node.host for name, node in self._nodes.items()}

    # -- seeding ---------------------------------------------------------------------------------

    def seed(self) -> None:
        """Put the scenario in the store, agents already started (as after an install)."""
        api = self.api
        api.exec_handler = self.exec_handler
        api.exec_ready = self.ready_answer
        api.agent_starter = self.agent_starter
        daemonset = daemonset_object(self.scenario)
        revision = template_hash(daemonset)
        objects: list[tuple[str, JSON]] = [
            ("configmaps", configmap_object(self.scenario)),
            ("daemonsets", daemonset),
        ]
        for node in self.scenario.nodes:
            outcome = self._start(node, dict(self.scenario.config))
            pod = agent_pod_object(
                self.scenario,
                node,
                agent_pod_name(self.scenario, node),
                ready=outcome.ready,
                waiting_reason=None if outcome.ready else "CrashLoopBackOff",
                termination_message=outcome.fatal,
            )
            # Current with the DaemonSet's template, or its controller would roll it at once.
            pod["metadata"]["labels"]["controller-revision-hash"] = revision
            objects += [("nodes", node_object(node)), ("pods", pod)]
        api.store.seed(objects)

    # -- the hooks -------------------------------------------------------------------------------

    def agent_starter(self, node_name: str, pod: JSON) -> StartResult:
        node = self._nodes.get(node_name)
        if node is None:
            return StartResult(False, "CrashLoopBackOff", f"no machine for node {node_name}")
        outcome = self._start(node, self.node_config(node_name))
        if outcome.ready:
            return StartResult(True)
        return StartResult(False, "CrashLoopBackOff", outcome.fatal)

    def exec_handler(
        self, namespace: str, pod: str, container: str, argv: Sequence[str]
    ) -> ExecResult:
        answer = self._answer(namespace, pod, argv, render=True)
        assert answer is not None
        return answer

    def ready_answer(
        self, namespace: str, pod: str, container: str, argv: Sequence[str]
    ) -> ExecResult | None:
        """The answer when it is known without work (an output rendered before, an error),
        else None: asked on the API server's loop, it never renders nor waits for the lock."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            return self._answer(namespace, pod, argv, render=False)
        finally:
            self._lock.release()

    def _answer(
        self, namespace: str, pod: str, argv: Sequence[str], *, render: bool
    ) -> ExecResult | None:
        obj = self.api.store.peek("pods", namespace, pod)  # read, never changed: no copy
        node_name = (obj or {}).get("spec", {}).get("nodeName")
        with self._lock:
            outcome = self.outcomes.get(node_name or "")
            node = self._nodes.get(node_name or "")
        if list(argv) == agent_pod_argv() and node is not None:
            return ExecResult(*BoardShell(node.host).in_agent_pod()) if render else None
        if not argv or argv[0] not in self._agent_binaries():
            return command_not_found(argv[0] if argv else "")
        if outcome is None or node is None or outcome.status is None:
            return ExecResult(1, stderr="Error: Cilium API client timeout exceeded\n")
        args = list(argv[1:])
        if args[:1] != ["status"]:
            return ExecResult(1, stderr=f"Error: unknown command {args[:1]!r} for {argv[0]!r}\n")
        return self._status(node, outcome, args[1:], render=render)

    def _agent_binaries(self) -> tuple[str, ...]:
        # cilium-dbg arrived with 1.15; its image keeps a `cilium` symlink (reference §0).
        return ("cilium", "cilium-dbg") if self.release.at_least(15) else ("cilium",)

    def _status(
        self, node: NodeSpec, outcome: AgentOutcome, flags: list[str], *, render: bool
    ) -> ExecResult | None:
        fmt, verbose = _output_format(flags), "--verbose" in flags
        with self._lock:
            # The output changes only when this agent restarts or a peer's health changes; a big
            # lab's status (every peer listed) is worth rendering once, not at every scan.
            stamp = (id(outcome), self._health_changes)
            if self._rendered.get(node.name, (None, {}))[0] != stamp:
                self._rendered[node.name] = (stamp, {})
            outputs = self._rendered[node.name][1]
            cached = outputs.get((fmt, verbose))
            if cached is not None or not render:
                return cached
            if self._health is None:
                self._health = cluster_health(self.scenario, frozenset(self._down))
            health = self._health
            self.status_renders += 1
        assert outcome.status is not None
        context = status_context(self.scenario, node, outcome.details, health=health)
        version = self.scenario.cilium_version
        if fmt == "json":
            doc = render_status_json(outcome.status, version, context)
            result = ExecResult(0, json.dumps(doc) + "\n")
        elif fmt.startswith("jsonpath="):  # the same Go structs, printed through the template
            doc = render_status_json(outcome.status, version, context)
            result = ExecResult(0, render_jsonpath(doc, fmt.removeprefix("jsonpath=")))
        else:
            text = render_status_text(outcome.status, version, verbose=verbose, context=context)
            healthy = outcome.status.cilium_state in ("Ok", "Disabled")
            result = ExecResult(0 if healthy else 1, text)
        outputs[(fmt, verbose)] = result
        return result

    # -- the model -------------------------------------------------------------------------------

    def config(self) -> dict[str, str]:
        """cilium-config's data as the API serves it now."""
        obj = self.api.store.find("configmaps", self.scenario.namespace, CONFIGMAP)
        data = (obj or {}).get("data") or {}
        return {str(k): str(v) for k, v in data.items()}

    def node_config(self, node_name: str) -> dict[str, str]:
        """What the agent's init container writes for this node: cilium-config, then each
        CiliumNodeConfig whose selector matches the Node, in name order (a later one wins)."""
        config = self.config()
        store = self.api.store
        node = store.find("nodes", None, node_name) or {}
        labels = node.get("metadata", {}).get("labels") or {}
        overrides, _ = store.list("ciliumnodeconfigs", self.scenario.namespace)
        for obj in sorted(overrides, key=lambda o: o["metadata"]["name"]):
            spec = obj.get("spec") or {}
            if "nodeSelector" in spec and selects(spec["nodeSelector"], labels):
                config.update(spec.get("defaults") or {})
        return config

    def _start(self, node: NodeSpec, config: Mapping[str, str]) -> AgentOutcome:
        with self._lock:
            outcome = start_agent(
                self.scenario.cilium_version, config, node.host, node_ipv6=node.ipv6
            )
            apply_host_effects(outcome, node.host)
            self.outcomes[node.name] = outcome
            self._set_down(node.name, not outcome.ready)
            self.started_with[node.name] = dict(config)
            return outcome

    # -- knobs -----------------------------------------------------------------------------------

    def set_kernel(self, node_name: str, release: str, build: str | None = None) -> None:
        """Boot a machine on another kernel: its `uname`, and its Node object's kernelVersion."""
        with self._lock:
            node = self._nodes[node_name]
            node.host.kernel_release = release
            if build is not None:
                node.host.kernel_build = build

        def reboot(obj: JSON) -> None:
            obj["status"]["nodeInfo"]["kernelVersion"] = release

        self.api.store.update("nodes", None, node_name, reboot)

    def add_node(self, spec: NodeSpec) -> None:
        """A new machine joins the cluster (the DaemonSet controller gives it an agent)."""
        with self._lock:
            self._nodes[spec.name] = spec
        self.api.store.put("nodes", node_object(spec))

    def remove_node(self, node_name: str) -> None:
        with self._lock:
            self._nodes.pop(node_name, None)
            self.outcomes.pop(node_name, None)
            self._set_down(node_name, False)
        self.api.store.delete("nodes", None, node_name)

    def _set_down(self, node_name: str, down: bool) -> None:
        """Note whether a node's agent is down (its peers' statuses change when that does)."""
        if down != (node_name in self._down):
            if down:
                self._down.add(node_name)
            else:
                self._down.discard(node_name)
            self._health, self._health_changes = None, self._health_changes + 1


def _output_format(flags: list[str]) -> str:
    for i, flag in enumerate(flags):
        if flag in ("-o", "--output") and i + 1 < len(flags):
            return flags[i + 1]
        if flag.startswith(("-o=", "--output=")):
            return flag.split("=", 1)[1]
    return "text"

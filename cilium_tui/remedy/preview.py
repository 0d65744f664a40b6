"""What a plan will do, shown before it is done: the diff, the equivalent commands, text and JSON.

- `config_diff(plan)`: a plain unified diff of cilium-config's data (`key: "value"` lines, sorted),
  ready for syntax highlighting;
- `equivalent_commands(plan)`: the same change by hand, every argument `shlex.quote`d: `helm upgrade
  ... --reuse-values --set ...` (first, with a warning, when Helm manages the ConfigMap: a direct
  patch is overwritten by the next `helm upgrade`), `cilium config set --restart=false KEY VALUE`
  (without it, each one restarts every Cilium pod at once) and one rolling restart of the agents'
  DaemonSet, or `kubectl patch` carrying the previewed resourceVersion, then one
  `kubectl delete pod` per node in the plan's order; and the SSH commands of node steps;
- `render_text(plan, width)` and `render_json(plan)` for `cilium-tui plan` (and the console);
  commands are folded to the width between arguments (`cilium_tui.remedy.shell_lines`), never
  inside one.

Pure: no I/O. Outside text (node names, values) is never interpreted as markup: plain strings.
"""

from __future__ import annotations

import difflib
import json
import re
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cilium_tui.remedy.plan import JSON, NodeStep, Plan
from cilium_tui.remedy.shell_lines import fold

HELM_VALUES: Mapping[str, str] = {
    "tunnel": "tunnel",
    "routing-mode": "routingMode",
    "tunnel-protocol": "tunnelProtocol",
    "ipv4-native-routing-cidr": "ipv4NativeRoutingCIDR",
    "auto-direct-node-routes": "autoDirectNodeRoutes",
    "kube-proxy-replacement": "kubeProxyReplacement",
    "enable-bpf-masquerade": "bpf.masquerade",
    "bpf-lb-mode": "loadBalancer.mode",
    "bpf-lb-dsr-dispatch": "loadBalancer.dsrDispatch",
    "bpf-lb-acceleration": "loadBalancer.acceleration",
    "install-no-conntrack-iptables-rules": "installNoConntrackIptablesRules",
    "enable-host-legacy-routing": "bpf.hostLegacyRouting",
    "enable-ipv4-big-tcp": "enableIPv4BIGTCP",
    "enable-ipv6-big-tcp": "enableIPv6BIGTCP",
    "enable-hubble": "hubble.enabled",
    "mtu": "MTU",
    "enable-bandwidth-manager": "bandwidthManager.enabled",
    "enable-bbr": "bandwidthManager.bbr",
    "bpf-map-dynamic-size-ratio": "bpf.mapDynamicSizeRatio",
    "datapath-mode": "bpf.datapathMode",
    "bpf-distributed-lru": "bpf.distributedLRU.enabled",
    "enable-bpf-clock-probe": "bpfClockProbe",
}
"""cilium-config key -> the Helm value that writes it (reference §3 and §6)."""
CHART_VERSION = re.compile(r"\d+\.\d+\.\d+(?:-(?:pre|rc)\.\d+)?")
"""A release of the cilium/cilium chart (1.16.1, 1.17.0-rc.2); vendor builds (1.17.6-cee.1) are
not, and `--version` must not name them."""

AGENT_DAEMONSET = "cilium"
"""The agents' DaemonSet, as the Cilium chart (and the lab) names it."""

CONFIG_SET_WARNING = (
    "With the cilium CLI: --restart=false keeps each `cilium config set` from deleting every "
    "Cilium pod at once (agents, operator, Envoy); one rolling restart of the agents follows."
)
KUBECTL_NOTE = (
    "Or with kubectl, as cilium-tui applies it: the patch carries the previewed "
    "resourceVersion, then the agents restart one node at a time in the order above."
)
HELM_WARNING = (
    "Helm manages cilium-config (release {release}): a direct patch (what cilium-tui applies) "
    "is overwritten by the next `helm upgrade` unless the Helm values say the same. The upgrade "
    "restarts no agent (the chart's rollOutCiliumPods is off by default): one rolling restart "
    "follows."
)


def _line(key: str, value: str) -> str:
    return f"{key}: {json.dumps(value)}"


def config_diff(plan: Plan, context: int = 2) -> str:
    """Unified diff of cilium-config's data before and after; "" when nothing changes."""
    if not plan.changes:
        return ""
    basis = plan.basis.config if plan.basis is not None else None
    if basis is not None:
        before = dict(basis.data)
    else:  # a plan read back from the journal: only the keys it touches are known
        before = {c.key: c.old for c in plan.changes if c.old is not None}
    after = plan.data_after(before)
    rv = plan.cluster.resource_version or "unknown"
    name = f"{plan.cluster.namespace}/{plan.cluster.configmap}"
    lines = difflib.unified_diff(
        [_line(k, v) for k, v in sorted(before.items())],
        [_line(k, v) for k, v in sorted(after.items())],
        fromfile=f"{name} (resourceVersion {rv})",
        tofile=f"{name} (after {plan.item_id})",
        n=context,
        lineterm="",
    )
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class EquivalentCommands:
    helm: str | None
    """`helm upgrade ... --reuse-values --set ...`; None when no change has a Helm value."""
    helm_unmapped: tuple[str, ...]
    """Keys no Helm value writes."""
    cilium_cli: tuple[str, ...]
    """`cilium config set --restart=false` (or `delete`) per key; `rollout_restart` follows."""
    kubectl_patch: str | None
    restarts: tuple[str, ...]
    """One `kubectl delete pod` per node, in the plan's order."""
    node_commands: tuple[str, ...]
    """`ssh <host> ...` per command of every node step."""
    helm_notes: tuple[str, ...] = ()
    """What a person must know about the helm command (keys it cannot write, no command)."""
    rollout_restart: str | None = None
    """The one rolling restart of the agents after the `cilium config` commands, and after
    `helm upgrade` (the chart restarts no agent by default)."""

    def to_dict(self) -> JSON:
        return {
            "helm": self.helm,
            "helmUnmapped": list(self.helm_unmapped),
            "helmNotes": list(self.helm_notes),
            "ciliumCli": list(self.cilium_cli),
            "rolloutRestart": self.rollout_restart,
            "kubectlPatch": self.kubectl_patch,
            "restarts": list(self.restarts),
            "nodeCommands": list(self.node_commands),
        }


def apply_manifest(text: str) -> str:
    """`kubectl apply` of a YAML document, as a here-document to paste."""
    return f"kubectl apply -f - <<'EOF'\n{text.rstrip(chr(10))}\nEOF"


def restart_command(namespace: str, node: str) -> str:
    """`kubectl delete pod` of the Cilium agent on one node (the DaemonSet starts a new one)."""
    return shlex.join(
        [
            "kubectl",
            "-n",
            namespace,
            "delete",
            "pod",
            "-l",
            "k8s-app=cilium",
            "--field-selector",
            f"spec.nodeName={node}",
        ]
    )


def rollout_restart_command(namespace: str) -> str:
    """A rolling restart of every agent, paced by the DaemonSet's update strategy."""
    return shlex.join(
        ["kubectl", "-n", namespace, "rollout", "restart", f"daemonset/{AGENT_DAEMONSET}"]
    )


def ssh_line(host: str, argv: Sequence[str], *, input: str | None = None, tty: bool = False) -> str:
    """A command line that runs `argv` on `host` over ssh, to paste into a local shell.

    ssh hands the remote shell one string, which it parses again: the remote command is
    `shlex.join`ed, then quoted once more as a single word, so that each argument arrives on the
    host exactly as given. `input` is piped to the command's stdin with `printf`; `tty` asks for a
    terminal (`ssh -t`), which `sudo` needs to ask for a password.
    """
    remote = shlex.join(argv)
    line = shlex.join(["ssh", *(["-t"] if tty else []), host, remote])
    if input is not None:
        text = input.removesuffix("\n")
        fmt = "%s\\n" if input.endswith("\n") else "%s"
        line = f"{shlex.join(['printf', fmt, text])} | {line}"
    return line


def node_command_lines(step: NodeStep) -> tuple[str, ...]:
    """The step's commands as `ssh` command lines to run by hand."""
    host = step.ssh_host or step.node
    return tuple(ssh_line(host, c.argv_for(root=False), input=c.input) for c in step.change.apply)


def equivalent_commands(plan: Plan) -> EquivalentCommands:
    ns = plan.cluster.namespace
    sets = [(c.key, c.new) for c in plan.changes if c.new is not None]
    helm_sets = [
        arg
        for c in plan.changes
        if c.key in HELM_VALUES
        for arg in ("--set", f"{HELM_VALUES[c.key]}={'null' if c.new is None else c.new}")
    ]
    unmapped = tuple(c.key for c in plan.changes if c.key not in HELM_VALUES)
    notes = [f"no Helm value writes {', '.join(unmapped)}"] if unmapped else []
    helm = None
    version = plan.cluster.cilium_version
    if helm_sets and version is not None and CHART_VERSION.fullmatch(version) is None:
        # Without --version, `helm upgrade` would move the release to cilium/cilium's latest.
        notes.append(
            f"Cilium {version} is not a cilium/cilium chart version (a vendor build?): upgrade "
            "with the chart and --version it was installed from, "
            + shlex.join(["--reuse-values", *helm_sets])
        )
    elif helm_sets:
        release = plan.cluster.helm_release or "cilium"
        argv = ["helm", "upgrade", release, "cilium/cilium", "-n", ns, "--reuse-values"]
        if version:
            argv += ["--version", version]
        helm = shlex.join(argv + helm_sets)
    # --restart=false: by default each command deletes every Cilium pod at once.
    flags = [*([] if ns == "kube-system" else ["--namespace", ns]), "--restart=false"]
    cilium_cli = tuple(
        shlex.join(["cilium", "config", "set", *flags, key, value]) for key, value in sets
    ) + tuple(
        shlex.join(["cilium", "config", "delete", *flags, c.key])
        for c in plan.changes
        if c.new is None
    )
    patch = None
    if plan.changes:
        body: JSON = {"data": {c.key: c.new for c in plan.changes}}
        if plan.cluster.resource_version:
            body = {"metadata": {"resourceVersion": plan.cluster.resource_version}, **body}
        patch = shlex.join(
            [
                "kubectl",
                "-n",
                ns,
                "patch",
                "configmap",
                plan.cluster.configmap,
                "--type",
                "merge",
                "-p",
                json.dumps(body, separators=(",", ":")),
            ]
        )
    restarts: tuple[str, ...] = ()
    rollout = None
    if plan.restart is not None:
        restarts = tuple(restart_command(plan.restart.namespace, n) for n in plan.restart.nodes)
        # Neither `cilium config --restart=false` nor `helm upgrade` restarts the agents (the
        # chart's rollOutCiliumPods is off by default): each is followed by one rolling restart.
        rollout = rollout_restart_command(plan.restart.namespace)
    return EquivalentCommands(
        helm=helm,
        helm_unmapped=unmapped,
        cilium_cli=cilium_cli,
        kubectl_patch=patch,
        restarts=restarts,
        node_commands=tuple(line for s in plan.node_steps for line in node_command_lines(s)),
        helm_notes=tuple(notes),
        rollout_restart=rollout,
    )


# --------------------------------------------------------------------------------------------
# Renderings
# --------------------------------------------------------------------------------------------

_STATUS = {
    "ready": "READY to apply",
    "refused": "REFUSED",
    "nothing": "NOTHING TO DO",
    "guidance": "GUIDANCE ONLY (nothing is applied)",
}


def _indent(text: str, prefix: str = "  ") -> list[str]:
    return [prefix + line if line else line for line in text.rstrip("\n").splitlines()]


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Columns padded to their widest cell; the last one is left as it is."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  " + "".join(cell.ljust(w + 2) for cell, w in zip(row, widths, strict=False)) + row[-1]
        for row in rows
    ]


def render_text(plan: Plan, width: int | None = None) -> str:
    """What `cilium-tui plan` prints; commands are folded to `width` (None: one line each)."""
    c = plan.cluster
    out = [f"{plan.title} ({plan.item_id}): {plan.summary}", f"Status: {_STATUS[plan.status]}"]
    # A kubeconfig's source is already "context NAME"; a lab's or a file's names no context.
    named = c.context and c.source != f"context {c.context}"
    where = c.source + (f", context {c.context}" if named else "")
    if plan.kind == "config":
        where += f"; {c.namespace}/{c.configmap} resourceVersion {c.resource_version or '?'}"
        where += f"; Cilium {c.cilium_version or 'unknown'}"
        if c.helm_managed:
            where += f"; managed by Helm (release {c.helm_release or 'unknown'})"
    out.append(f"Cluster: {where}")
    if plan.undoes:
        out.append(f"Undoes journal entry {plan.undoes}")
    if not plan.recommended:
        out.append("Not recommended by the tuning guide: apply only if you mean it.")
    if plan.refusals:
        out += ["", "Refused:"]
        for r in plan.refusals:
            nodes = f" [{', '.join(r.nodes)}]" if r.nodes else ""
            out.append(f"  - {r.reason}{nodes}")
    if plan.assessments:
        out += ["", "Nodes:"]
        rows = [("NODE", "NOW", "CHANGE", "WHY")]
        rows += [
            (
                a.node,
                a.state_before.value if a.state_before else "?",
                a.outcome.label,
                a.reason,
            )
            for a in plan.assessments
        ]
        out += _table(rows)
    diff = config_diff(plan)
    if diff:
        out += ["", "cilium-config changes:", *_indent(diff)]
    if plan.restart is not None and plan.status == "ready":
        size = max(len(b) for b in plan.restart.batches)
        at_a_time = "one node" if size == 1 else f"{size} nodes"
        out += [
            "",
            f"Agent restarts ({at_a_time} at a time: delete the pod, wait for Ready within "
            f"{plan.restart.ready_timeout:g} s, re-check; stop at the first failure):",
        ]
        out += [f"  {i}. {', '.join(batch)}" for i, batch in enumerate(plan.restart.batches, 1)]
    if plan.disruption:
        out += ["", f"May be disrupted: {plan.disruption}"]
    if plan.node_steps:
        out += ["", "Node commands (over SSH, each checked before and after):"]
        for step in plan.node_steps:
            out.append(f"  {step.node}: {step.change.title}")
    commands = equivalent_commands(plan)
    if plan.status != "ready":  # never hand out commands for what was refused
        commands = EquivalentCommands(None, (), (), None, (), ())

    def shell(lines: Sequence[str], indent: str = "    ") -> list[str]:
        """Commands indented, each folded to the width (none: each on one line)."""
        room = (width or sys.maxsize) - len(indent)
        return [indent + line for command in lines for line in fold(command, room)]

    if plan.kind == "config" and commands.kubectl_patch:
        # Notes at two spaces, the commands they are about at four, under them.
        out += ["", "Equivalent commands:"]
        rollout = [commands.rollout_restart] if commands.rollout_restart else []
        helm = [f"  ({note})" for note in commands.helm_notes]
        helm += shell([commands.helm, *rollout] if commands.helm else [])
        if c.helm_managed:
            out += [f"  {HELM_WARNING.format(release=c.helm_release or 'unknown')}", *helm]
        out += [f"  {CONFIG_SET_WARNING}", *shell([*commands.cilium_cli, *rollout])]
        out += [f"  {KUBECTL_NOTE}", *shell([commands.kubectl_patch, *commands.restarts])]
        if not c.helm_managed:
            out += helm
    if commands.node_commands:
        out += ["", "Node commands by hand:", *shell(commands.node_commands, "  ")]
    if plan.per_node_config is not None:
        out += [
            "",
            "Per-node alternative for "
            f"{', '.join(plan.per_node_config.nodes)} (CiliumNodeConfig, beta; not applied by "
            "cilium-tui):",
            *_indent(plan.per_node_config.to_yaml(), "    "),
        ]
    if plan.guidance:
        out += ["", "Steps:"]
        for g in plan.guidance:
            out.append(f"  - {g.text}")
            out += shell(g.commands, "      ")
    if plan.warnings:
        out += ["", "Warnings:", *(f"  - {w}" for w in plan.warnings)]
    expected = plan.expectations if plan.status == "ready" else ()
    if expected:
        out += ["", "Expected afterwards (verified by a re-scan):"]
        for e in expected:
            side = "" if e.primary else " (side effect)"
            states = "/".join(s.value for s in e.states)
            out.append(f"  {e.node}: {e.item_id} {states}{side}")
    return "\n".join(out) + "\n"


def render_json(plan: Plan) -> JSON:
    """`Plan.to_dict` plus the diff and, for a plan that can be applied, the commands."""
    doc = plan.to_dict()
    doc["diff"] = config_diff(plan)
    doc["commands"] = equivalent_commands(plan).to_dict() if plan.status == "ready" else None
    return doc

"""One node's effective facts: what its agent runs, what cilium-config asks for, what the host says.

Catalogue items never read the raw model objects; they ask a `NodeView`, which answers each
question once, from the best source, with evidence:

- the agent's status is what really runs; cilium-config is what is configured (and the only
  source for facts a status does not print, such as the routing mode before Cilium 1.16);
- where both speak and disagree, the fact carries a drift note ("configured native, agent still
  reports Tunnel: restart pending") - config drift is one of the things users most want to see;
- the kernel comes from the SSH probe's `uname -r`, else the Node object; the Cilium version from
  the agent, else the agent pod's image tag;
- an unanswerable question is a `Fact` whose value is None, with a reason ("agent status
  unavailable: exec timed out"), never a guess.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import replace
from functools import cached_property
from typing import TypeVar

from cilium_tui.checks.fact import Fact, Origin
from cilium_tui.checks.legacy_causes import legacy_causes
from cilium_tui.checks.requirements import kernel_meets
from cilium_tui.facts.kernel import KernelVersion, parse_kernel
from cilium_tui.facts.node_config import KIND as NODE_CONFIG
from cilium_tui.facts.node_config import config_for_node
from cilium_tui.facts.pod import image_version
from cilium_tui.facts.probe import AGENT_POD_SHOWS, AGENT_POD_SOURCE, SOURCE
from cilium_tui.facts.version import CiliumVersion, parse_cilium_version
from cilium_tui.facts.version_window import VersionWindow, shape_window
from cilium_tui.model import AgentStatus, CiliumConfig, NodeRecord, ProbeFacts, Snapshot

T = TypeVar("T")

OVERRIDE = "a per-node override (CiliumNodeConfig)"


def drift_causes(*fallbacks: str) -> str:
    """Why configured and running can disagree: "restart pending, ..., or a per-node override"."""
    return ", ".join(("restart pending", *fallbacks)) + f", or {OVERRIDE}"


RESTART_PENDING = drift_causes()

_KPR_FULL = {
    "strict": True,
    "true": True,
    "disabled": False,
    "false": False,
    "partial": False,
    "probe": False,
}
"""Full kube-proxy replacement, by the mode the agent prints (1.13 Strict, 1.14+ True)."""

_DEBIAN_BUILD = re.compile(r"\bDebian (\d+\.\d+\.\d+)")

_DSR_DISPATCH = {"ip option/extension": "opt", "ipip": "ipip", "geneve": "geneve"}
"""Status text of the DSR dispatch mode -> the `bpf-lb-dsr-dispatch` value."""

_STATUS_LABELS = {
    "cilium_version": ("Cilium", ".cilium.msg"),
    "kube_proxy_replacement": ("KubeProxyReplacement", ".kube-proxy-replacement.mode"),
    "host_routing": ("Host Routing", ".host-routing.mode"),
    "network_routing": ("Routing", ".routing.inter-host-routing-mode"),
    "tunnel_protocol": ("Routing", ".routing.tunnel-protocol"),
    "masquerading": ("Masquerading", ".masquerading.mode"),
    "bandwidth_manager": ("BandwidthManager", ".bandwidth-manager"),
    "ipv4_big_tcp": ("IPv4 BIG TCP", ".ipv4-big-tcp.enabled"),
    "ipv6_big_tcp": ("IPv6 BIG TCP", ".ipv6-big-tcp.enabled"),
    "encryption": ("Encryption", ".encryption.mode"),
    "hubble": ("Hubble", ".hubble.state"),
    "bpf_nodeport": ("- NodePort", ".kube-proxy-replacement.features.nodePort.enabled"),
    "nodeport_mode": ("Mode", ".kube-proxy-replacement.features.nodePort.mode"),
    "dsr_dispatch": ("DSR Dispatch Mode", ".kube-proxy-replacement.features.nodePort.dsrMode"),
    "xdp_acceleration": (
        "XDP Acceleration",
        ".kube-proxy-replacement.features.nodePort.acceleration",
    ),
    "device_mode": ("Device Mode", ".datapath-mode"),
    "cni_chaining": ("CNI Chaining", ".cni-chaining.mode"),
    "bpf_map_dynamic_ratio": ("BPF Maps", ".bpf-maps.dynamic-size-ratio"),
}
"""Where a status field is printed, for evidence when the parser recorded none."""

_PROBE_COMMANDS = {
    "kernel_release": "uname -r",
    "kernel_build": "uname -v",
    "preempt": "grep CONFIG_PREEMPT /boot/config-$(uname -r)",
    "tuned_installed": "command -v tuned-adm",
    "tuned_profile": "tuned-adm active",
    "cpufreq": "ls /sys/devices/system/cpu/cpu0/cpufreq",
    "cpu_governors": "cat /sys/devices/system/cpu/cpu*/cpufreq/scaling_governor",
    "irqbalance_active": "systemctl is-active irqbalance",
    "irqbalance_enabled": "systemctl is-enabled irqbalance",
    "nic_driver": "ethtool -i {nic}",
    "mtu": "ip -j link show dev {nic}",
    "notrack_rules": "iptables -t raw -S",
    "nic_irqs": "cat /proc/irq/*/smp_affinity_list",
}
"""The probe command behind each ProbeFacts field, for evidence when the probe recorded none."""


def _as_bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _as_str(value: object) -> str | None:
    return value.lower() if isinstance(value, str) and value else None


def _as_float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _as_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class NodeView:
    """The effective facts of one node of a snapshot. Cheap to build; each fact computed once."""

    def __init__(self, snapshot: Snapshot, record: NodeRecord) -> None:
        self.snapshot = snapshot
        self.record = record
        self.name = record.name
        agent = record.agent
        self.agent: AgentStatus | None = None if agent is None or agent.is_empty else agent
        self.config: CiliumConfig | None = snapshot.config
        """This node's configuration: cilium-config with the CiliumNodeConfigs that select it."""
        overrides, node = snapshot.node_configs, record.node
        if snapshot.config is not None and overrides and node is not None:
            self.config = config_for_node(snapshot.config, node.labels, overrides)
        self.probe: ProbeFacts | None = record.probe

    # ---------------------------------------------------------------- what we could read

    @property
    def is_cilium_node(self) -> bool:
        """False for a board that is only in the SSH inventory: no Node object, no agent."""
        r = self.record
        return r.node is not None or r.pod is not None or self.agent is not None

    @cached_property
    def agent_problem(self) -> str | None:
        """Why there is no agent status, in a few words; None when there is one."""
        if self.agent is not None:
            return None
        error = self.record.errors.get("agent")
        if error:
            return f"agent status unavailable: {error}"
        pod = self.record.pod
        if pod is None:
            return "no Cilium agent pod on this node"
        if pod.waiting_reason:
            return f"agent pod {pod.name} is {pod.waiting_reason}"
        if pod.ready is False:
            return f"agent pod {pod.name} is not ready"
        return "no agent status was collected"

    @cached_property
    def agent_state(self) -> str | None:
        """Why the running agent confirms nothing, in a few words ("agent CrashLoopBackOff",
        "agent status unreadable"); None when its status was read."""
        if self.agent is not None:
            return None
        pod = self.record.pod
        if pod is None:
            return "no Cilium agent pod"
        if pod.waiting_reason:
            return f"agent {pod.waiting_reason}"
        if pod.phase not in (None, "Running"):
            return f"agent pod {pod.phase}"
        if pod.ready is False:
            return "agent not ready"
        if self.record.errors.get("agent"):
            return "agent status unreadable"
        return "no agent status collected"

    @cached_property
    def probe_problem(self) -> str | None:
        """Why there are no host facts over SSH; None when the SSH probe ran."""
        if self.probe is not None and self.probe.source == "ssh":
            return None
        error = self.record.errors.get("ssh") or self.record.errors.get("probe")
        problem = f"no SSH probe: {error}" if error else "no SSH probe"
        if self.probe is not None:
            return f"{problem} (host facts read via the agent pod)"
        via_pod = self.record.errors.get("host")
        return f"{problem}; {via_pod}" if via_pod else problem

    @cached_property
    def privilege_problem(self) -> str | None:
        """Why the SSH probe ran without privileges (sudo wants a password, is disabled...), or
        None: its privileged reads are then unknown, which the user should hear about."""
        probe = self.probe
        if probe is None or probe.source != "ssh" or probe.privilege != "no-sudo":
            return None
        return next((e for e in probe.errors if "sudo" in e), "privileged reads were skipped")

    @property
    def host_origin(self) -> Origin:
        """The origin of host facts: the SSH probe, or the read through the agent pod."""
        return "agent-pod" if self.probe is not None and self.probe.source != "ssh" else "probe"

    @property
    def prediction_basis(self) -> str:
        """What a predicted fact was predicted from, and why the agent did not say."""
        if self.agent is None:
            return f"predicted from cilium-config and the kernel; {self.agent_problem}"
        return "predicted from the other facts; the agent status does not print it"

    def cilium_unknown(self, what: str) -> str:
        """The reason a Cilium fact is unknown: what the agent and the config failed to say."""
        agent = self.agent_problem or "the agent status does not show it"
        config = "no cilium-config" if self.config is None else "cilium-config does not say"
        return f"{what} unknown: {agent}; {config}"

    def host_unknown(self, what: str) -> str:
        """Why a host fact is unknown, and which access would show it."""
        if self.probe is not None and self.probe.source == "ssh":
            return f"{what} unknown: the probe could not read it"
        if self.probe is not None:
            access = f"; the agent pod shows only {AGENT_POD_SHOWS}; the rest needs SSH"
        elif self.record.pod is not None:
            access = (
                "; SSH to the node reads every host fact; exec into its agent pod (pods/exec) "
                f"shows {AGENT_POD_SHOWS}"
            )
        else:  # no agent pod to read through (an SSH-only board, or no agent scheduled)
            access = ""
        return f"{what} unknown: {self.probe_problem}{access}"

    def source_note(self, fact: Fact[T]) -> str:
        """How to qualify an answer that does not come from the running agent."""
        if fact.origin == "predicted":
            return f" ({self.prediction_basis})"
        if fact.origin != "config":
            return ""
        if self.agent is None:
            return f" (from cilium-config; {self.agent_problem})"
        return " (from cilium-config)"

    # ---------------------------------------------------------------- evidence and sources

    def status_evidence(self, field: str, shown: str) -> str:
        assert self.agent is not None
        recorded = self.agent.evidence.get(field)
        if recorded is not None:
            return str(recorded)
        text_label, json_path = _STATUS_LABELS.get(field, (field, field))
        if self.agent.source_format == "json":
            return f"cilium-dbg status -o json {json_path}: {shown}"
        return f"cilium-dbg status {text_label}: {shown}"

    def probe_evidence(self, field: str, shown: str) -> str:
        assert self.probe is not None
        recorded = self.probe.evidence.get(field)
        if recorded is not None:
            return str(recorded)
        nic = self.probe.default_nic or "<nic>"
        command = _PROBE_COMMANDS.get(field, field).format(nic=nic)
        source = SOURCE if self.probe.source == "ssh" else AGENT_POD_SOURCE
        return f"{source} {command}: {shown}"

    def _running(self, field: str, value: T | None, text: str | None = None) -> Fact[T]:
        """A fact the agent's status reports."""
        if value is None or self.agent is None:
            return Fact(None)
        shown = text if text is not None else _show(value)
        return Fact(value, shown, "agent", (self.status_evidence(field, shown),))

    def _configured(self, name: str, convert: Callable[[object], T | None]) -> Fact[T]:
        """A normalised cilium-config setting."""
        setting = self.config.setting(name) if self.config is not None else None
        if setting is None or setting.value is None:
            return Fact(None)
        value = convert(setting.value)
        if value is None:
            return Fact(None)
        return Fact(value, _show(setting.value), "config", (str(setting.evidence),))

    @cached_property
    def agent_stale(self) -> bool | None:
        """Whether the agent started before cilium-config's last change (so it runs an older
        config); None when either time is unknown."""
        pod, config = self.record.pod, self.config
        if pod is None or pod.started_at is None or config is None or config.changed_at is None:
            return None
        return pod.started_at < config.changed_at

    @cached_property
    def rollout_problem(self) -> str | None:
        """Configuration not rolled out to this node: its fix, "restart this agent"."""
        if not self.agent_stale:
            return None
        assert self.record.pod is not None and self.config is not None
        pod, changed = self.record.pod, self.config.changed_at
        restart = shlex.join(["kubectl", "-n", pod.namespace, "delete", "pod", pod.name])
        return (
            f"configuration not rolled out: the agent started before cilium-config's last "
            f"change ({changed:%Y-%m-%d %H:%M} UTC): restart it ({restart})"
        )

    def _rollout_hint(self, hint: str) -> str:
        """A drift's hint, sharpened by when the agent started."""
        if hint != RESTART_PENDING or self.agent_stale is None:
            return hint
        if self.agent_stale:
            return "the agent started before cilium-config's last change: restart this agent"
        return f"not a pending restart (the agent started after the last change): {OVERRIDE}"

    def _combine(
        self,
        running: Fact[T],
        configured: Fact[T],
        hint: str = RESTART_PENDING,
        subject: str = "agent",
    ) -> Fact[T]:
        """Running wins; a configured value that disagrees becomes a drift note."""
        if not running.known:
            return configured
        if configured.known and configured.value != running.value:
            hint = self._rollout_hint(hint)
            drift = (
                f"configured {configured.shown}, {subject} still reports {running.shown}: {hint}"
            )
            return replace(running, evidence=running.evidence + configured.evidence, drift=drift)
        if any(e.startswith(NODE_CONFIG) for e in configured.evidence):
            # Running as configured, but configured by this node's override: say which, since a
            # cilium-config change would not alter it here.
            return replace(running, evidence=running.evidence + configured.evidence)
        return running

    def _raw(self, key: str) -> str | None:
        """A cilium-config key the normaliser does not cover, read literally."""
        return None if self.config is None else self.config.data.get(key)

    # ---------------------------------------------------------------- versions

    @cached_property
    def cilium(self) -> Fact[CiliumVersion]:
        pod = self.record.pod
        tag = image_version(pod.image if pod is not None else None)
        image = parse_cilium_version(tag)
        image_fact: Fact[CiliumVersion] = Fact(None)
        if image is not None and pod is not None:
            image_fact = Fact(image, tag, "image", (f"agent pod {pod.name} image: {pod.image}",))
        running = self._running(
            "cilium_version",
            parse_cilium_version(self.agent.cilium_version if self.agent else None),
            self.agent.cilium_version if self.agent else None,
        )
        if not running.known:
            return image_fact
        assert running.value is not None
        if image is not None and image.version.release != running.value.version.release:
            drift = f"image {tag}, agent reports {running.shown}: agent rollout pending"
            return replace(running, evidence=running.evidence + image_fact.evidence, drift=drift)
        return running

    def cilium_minor(self) -> tuple[int, int] | None:
        return None if self.cilium.value is None else self.cilium.value.minor

    @cached_property
    def cilium_window(self) -> VersionWindow:
        """The releases this node's Cilium can be: its version, else what the shape of its
        status output allows (`Probe` KPR: <= 1.13), else any."""
        if self.cilium.value is not None:
            return VersionWindow.exact(self.cilium.value.minor, self.cilium.evidence)
        return shape_window(self.agent) if self.agent is not None else VersionWindow()

    def cilium_at_least(self, minimum: str) -> bool | None:
        """Whether this node's Cilium is at least `minimum`; None when its window straddles it."""
        version = self.cilium.value
        if version is not None:
            return version.at_least(minimum)
        return self.cilium_window.at_least(minimum)

    @cached_property
    def kernel(self) -> Fact[KernelVersion]:
        """The kernel release: `uname -r` over SSH or through the agent pod, else the Node's
        nodeInfo.kernelVersion."""
        probed = self.probe.kernel_release if self.probe is not None else None
        node = self.record.node
        reported = node.kernel_version if node is not None else None
        node_fact: Fact[KernelVersion] = Fact(None)
        if node is not None and reported:
            recorded = node.evidence.get("kernel_version")
            shown = f"Node status.nodeInfo.kernelVersion: {reported}"
            evidence = str(recorded) if recorded is not None else shown
            node_fact = Fact(parse_kernel(reported), reported, "node", (evidence,))
        parsed = parse_kernel(probed)
        if not probed or (parsed is None and node_fact.known):
            return node_fact
        read = (self.probe_evidence("kernel_release", probed),)
        fact = Fact(parsed, probed, self.host_origin, read)
        if reported and reported != probed and self.host_origin == "probe":
            drift = (
                f"Node object reports kernel {reported}, uname -r over SSH says {probed}: "
                "check that the inventory maps this node to the right SSH host"
            )
            return replace(fact, evidence=fact.evidence + node_fact.evidence, drift=drift)
        return fact

    @cached_property
    def kernel_upstream(self) -> Fact[KernelVersion]:
        """The upstream release Debian prints in `uname -v` ("#1 SMP Debian 4.19.282-1 ..."):
        the patch level its `uname -r` (4.19.0-24-arm64) hides."""
        build = self.probe.kernel_build if self.probe is not None else None
        match = _DEBIAN_BUILD.search(build or "")
        if build is None or match is None:
            return Fact(None)
        evidence = self.probe_evidence("kernel_build", build)
        return Fact(parse_kernel(match.group(1)), match.group(1), self.host_origin, (evidence,))

    def kernel_meets(self, *minimums: str) -> tuple[bool | None, Fact[KernelVersion]]:
        """Whether the kernel meets `minimums`, and the fact that tells: a Debian release that
        hides its patch level is judged by the upstream release its build string names."""
        fact = self.kernel
        met = kernel_meets(fact.value, *minimums)
        upstream = self.kernel_upstream
        if met is None and upstream.known:
            met = kernel_meets(upstream.value, *minimums)
            fact = replace(upstream, evidence=fact.evidence + upstream.evidence)
        return met, fact

    # ---------------------------------------------------------------- datapath

    @cached_property
    def kpr(self) -> Fact[bool]:
        """Full kube-proxy replacement (1.13 Strict, 1.14+ True)."""
        mode = self.agent.kube_proxy_replacement if self.agent else None
        running = self._running(
            "kube_proxy_replacement", _KPR_FULL.get(mode.lower()) if mode else None, mode
        )
        return self._combine(running, self._configured("kpr_full", _as_bool))

    @cached_property
    def bpf_nodeport(self) -> Fact[bool]:
        """BPF NodePort, which BPF masquerading and DSR need: on with full kube-proxy replacement,
        or alone with `enable-node-port: "true"` (partial replacement). The agent's own word,
        where its status prints it, comes first."""
        shown = self.agent.bpf_nodeport if self.agent else None
        running = self._running("bpf_nodeport", shown, "Enabled" if shown else "Disabled")
        if running.known:
            return running
        if self.kpr.value:
            return self.kpr
        raw = (self._raw("enable-node-port") or "").lower()
        if raw == "true":
            return Fact(
                True, "enable-node-port", "config", ('cilium-config enable-node-port: "true"',)
            )
        return self.kpr

    @cached_property
    def routing(self) -> Fact[str]:
        """ "native" or "tunnel": status prints it from 1.16 on, before that only the config."""
        shown = self.agent.network_routing if self.agent else None
        running = self._running("network_routing", _as_str(shown), shown)
        return self._combine(running, self._configured("routing_mode", _as_str))

    @cached_property
    def tunnel_protocol(self) -> Fact[str]:
        shown = self.agent.tunnel_protocol if self.agent else None
        running = self._running("tunnel_protocol", _as_str(shown), shown)
        return self._combine(running, self._configured("tunnel_protocol", _as_str))

    @cached_property
    def masquerading(self) -> Fact[str]:
        """ "BPF", "IPTables" or "Disabled"."""
        masq = self.agent.masquerading if self.agent else None
        running = self._running("masquerading", masq.mode if masq else None)
        configured = self._configured(
            "bpf_masquerade",
            lambda v: None if not isinstance(v, bool) else "BPF" if v else "IPTables",
        )
        if configured.known and (self._raw("enable-ipv4-masquerade") or "").lower() == "false":
            configured = Fact(
                "Disabled",
                "no masquerading",
                "config",
                ('cilium-config enable-ipv4-masquerade: "false"',),
            )
        elif configured.known:
            configured = replace(configured, text=configured.value)
        hint = drift_causes("a fallback to iptables masquerading (see the agent log)")
        return self._combine(running, configured, hint)

    @cached_property
    def host_routing(self) -> Fact[str]:
        """ "BPF" or "Legacy".

        Configured `enable-host-legacy-routing: "true"` decides Legacy; otherwise the agent probes,
        so without its status the answer is a prediction (only when a certain cause of Legacy is in
        the config or the kernel), else unknown.
        """
        running = self._running("host_routing", self.agent.host_routing if self.agent else None)
        forced = self._configured("host_legacy_routing", _as_bool)
        configured: Fact[str] = (
            Fact("Legacy", "legacy", "config", forced.evidence) if forced.value else Fact(None)
        )
        fact = self._combine(running, configured)
        if fact.known:
            return fact
        if self.agent is not None and self.cilium_minor() is None:
            return Fact(None)  # a status without the line, of unknown version, may predate it (1.8)
        causes = [c for c in legacy_causes(self) if c.certain]
        if not causes:
            return Fact(None)
        evidence = tuple(e for c in causes for e in c.evidence)
        return Fact("Legacy", "Legacy", "predicted", evidence)

    @cached_property
    def encryption(self) -> Fact[str]:
        """ "Disabled", "IPsec" or "Wireguard"."""
        running = self._running("encryption", self.agent.encryption if self.agent else None)
        ipsec = self._configured("ipsec", _as_bool)
        wireguard = self._configured("wireguard", _as_bool)
        configured: Fact[str] = Fact(None)
        if ipsec.value:
            configured = Fact("IPsec", "IPsec", "config", ipsec.evidence)
        elif wireguard.value:
            configured = Fact("Wireguard", "Wireguard", "config", wireguard.evidence)
        elif ipsec.value is False and wireguard.value is False:
            configured = Fact("Disabled", "Disabled", "config", ipsec.evidence + wireguard.evidence)
        return self._combine(running, configured)

    @cached_property
    def bandwidth_manager(self) -> Fact[bool]:
        bwm = self.agent.bandwidth_manager if self.agent else None
        shown = None if bwm is None else ("EDT with BPF" if bwm.enabled else "Disabled")
        running = self._running("bandwidth_manager", bwm.enabled if bwm else None, shown)
        hint = drift_causes("the agent turned it off (kernel < 5.1 or IPsec)")
        return self._combine(running, self._configured("bandwidth_manager", _as_bool), hint)

    @cached_property
    def bbr(self) -> Fact[bool]:
        """BBR for Pods: the Bandwidth Manager's congestion control."""
        bwm = self.agent.bandwidth_manager if self.agent else None
        value: bool | None = None
        shown: str | None = None
        if bwm is not None and not bwm.enabled:
            value, shown = False, "BandwidthManager Disabled"
        elif bwm is not None and bwm.congestion_control:
            value, shown = bwm.congestion_control.upper() == "BBR", bwm.congestion_control
        running = self._running("bandwidth_manager", value, shown)
        return self._combine(running, self._configured("bbr", _as_bool))

    def big_tcp(self, family: int) -> Fact[bool]:
        """IPv4 or IPv6 BIG TCP."""
        field = f"ipv{family}_big_tcp"
        status = getattr(self.agent, field, None) if self.agent else None
        shown = None if status is None else ("Enabled" if status.enabled else "Disabled")
        running = self._running(field, status.enabled if status else None, shown)
        hint = drift_causes("the agent left it off (kernel too old; see its log)")
        return self._combine(running, self._configured(field, _as_bool), hint)

    @cached_property
    def ipv4(self) -> Fact[bool]:
        return self._configured("ipv4", _as_bool)

    @cached_property
    def ipv6(self) -> Fact[bool]:
        return self._configured("ipv6", _as_bool)

    @cached_property
    def endpoint_routes(self) -> Fact[bool]:
        return self._configured("endpoint_routes", _as_bool)

    @cached_property
    def cni_chaining(self) -> Fact[str]:
        """The chaining mode; "none" when Cilium is the only CNI."""
        shown = self.agent.cni_chaining if self.agent else None
        running = self._running("cni_chaining", _as_str(shown), shown)
        return self._combine(running, self._configured("cni_chaining", _as_str))

    @cached_property
    def bbr_hostns_only(self) -> Fact[bool]:
        """`enable-bbr-hostns-only` (1.18+): BBR for host sockets only, never for Pods."""
        return self._configured("bbr_hostns_only", _as_bool)

    @cached_property
    def egress_masquerade_interfaces(self) -> Fact[str]:
        """`egress-masquerade-interfaces`, which BPF masquerading refuses; "" when unset."""
        if self.config is None:
            return Fact(None)
        value = self._raw("egress-masquerade-interfaces") or ""
        evidence = (f"cilium-config egress-masquerade-interfaces: {value!r}",) if value else ()
        return Fact(value, value or "unset", "config", evidence)

    @cached_property
    def legacy_forced(self) -> Fact[bool]:
        """`enable-host-legacy-routing: "true"` set explicitly (not the default)."""
        setting = self.config.setting("host_legacy_routing") if self.config else None
        if setting is None or setting.value is None:
            return Fact(None)
        if setting.defaulted:
            return Fact(False, "unset", "config", (str(setting.evidence),))
        return self._configured("host_legacy_routing", _as_bool)

    @cached_property
    def lb_mode(self) -> Fact[str]:
        """ "snat", "dsr" or "hybrid". Status prints it only verbosely or in JSON."""
        shown = self.agent.nodeport_mode if self.agent else None
        running = self._running("nodeport_mode", _as_str(shown), shown)
        return self._combine(running, self._configured("lb_mode", _as_str))

    @cached_property
    def dsr_dispatch(self) -> Fact[str]:
        """ "opt", "ipip" or "geneve"."""
        shown = self.agent.dsr_dispatch if self.agent else None
        value = _DSR_DISPATCH.get(shown.lower()) if shown else None
        running = self._running("dsr_dispatch", value, shown)
        return self._combine(running, self._configured("dsr_dispatch", _as_str))

    @cached_property
    def xdp(self) -> Fact[str]:
        """ "disabled", "native", "best-effort" or "generic". Verbose status or JSON only."""
        shown = self.agent.xdp_acceleration if self.agent else None
        running = self._running("xdp_acceleration", _as_str(shown), shown)
        return self._combine(running, self._configured("lb_acceleration", _as_str))

    @cached_property
    def hubble(self) -> Fact[bool]:
        shown = self.agent.hubble if self.agent else None
        value = None if shown is None else shown.lower() != "disabled"
        running = self._running("hubble", value, shown)
        return self._combine(running, self._configured("hubble", _as_bool))

    @cached_property
    def device_mode(self) -> Fact[str]:
        """ "veth", "netkit" or "netkit-l2" (operational, as the agent reports it)."""
        shown = self.agent.device_mode if self.agent else None
        running = self._running("device_mode", _as_str(shown), shown)
        return self._combine(running, self._configured("datapath_mode", _as_str))

    @cached_property
    def map_ratio(self) -> Fact[float]:
        """`bpf-map-dynamic-size-ratio`; 0 means fixed map sizes."""
        ratio = self.agent.bpf_map_dynamic_ratio if self.agent else None
        running = self._running("bpf_map_dynamic_ratio", ratio)
        return self._combine(running, self._configured("map_dynamic_size_ratio", _as_float))

    @cached_property
    def distributed_lru(self) -> Fact[bool]:
        return self._configured("distributed_lru", _as_bool)

    @cached_property
    def mtu_setting(self) -> Fact[int]:
        """cilium-config `mtu`: 0 or absent means auto-detected from the NIC."""
        return self._configured("mtu", _as_int)

    @cached_property
    def no_conntrack(self) -> Fact[bool]:
        """The iptables conntrack bypass: configured in cilium-config, visible on the node only.

        `cilium-dbg status` does not report it; the probe's NOTRACK rules are what really runs.
        """
        configured = self._configured("install_no_conntrack", _as_bool)
        rules = self.probe.notrack_rules if self.probe is not None else None
        running: Fact[bool] = Fact(None)
        if rules is not None:
            shown = "NOTRACK rules for pod traffic" if rules else "no NOTRACK rules"
            running = Fact(
                rules, shown, self.host_origin, (self.probe_evidence("notrack_rules", shown),)
            )
        return self._combine(running, configured, subject="the node")

    # ---------------------------------------------------------------- host

    def probed(self, field: str, value: T | None, shown: str | None = None) -> Fact[T]:
        """A host fact from the SSH probe."""
        if value is None or self.probe is None:
            return Fact(None)
        text = shown if shown is not None else _show(value)
        return Fact(value, text, self.host_origin, (self.probe_evidence(field, text),))

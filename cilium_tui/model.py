"""The facts cilium-tui works from: what was read about a cluster, its nodes and its agents.

Everything here is plain, frozen data. Parsers in `cilium_tui.facts` build these objects from real
command output; collectors in `cilium_tui.collect` gather the output; the checklist in
`cilium_tui.checks` judges a `Snapshot`. Nothing here does I/O.

One convention holds throughout: ``None`` means *unknown* (the output did not say, or could not be
read). It never means "off". A feature that is off is ``False`` or its own value (``"Disabled"``).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar

StatusFormat = Literal["text", "json"]
T = TypeVar("T")


class Evidence:
    """Where a fact came from, so that every judgement can be traced back to what a tool printed.

    ``source`` names the tool or object ("cilium-dbg status", "status JSON", "cilium-config",
    "Node", "ssh probe"); ``where`` the line label, JSON path, key or command; ``text`` the literal
    excerpt (one line, as printed).

    Immutable, compared and hashed by those three. `Evidence.lazy` defers making the text until it
    is first read: a scan records evidence for every field of every node, but only the few shown
    in a detail view or a report are ever read.
    """

    __slots__ = ("_render", "_text", "_value", "source", "where")

    source: str
    where: str
    _text: str | None
    _render: Callable[[Any], str] | None
    _value: object

    def __init__(self, source: str, where: str, text: str) -> None:
        self._set(source, where, text, None, None)

    @classmethod
    def lazy(cls, source: str, where: str, render: Callable[[Any], str], value: object) -> Evidence:
        """Evidence whose text is `render(value)`, made when first read (then kept). Of a
        string, integer, boolean or None, one object for every node where it reads the same
        (a fleet's agents mostly print the same values; a scan keeps each node's evidence)."""
        if type(value) in _SHARED_VALUES:
            return _shared_lazy(source, where, render, type(value).__name__, value)
        return cls._new_lazy(source, where, render, value)

    @classmethod
    def shared(cls, source: str, where: str, text: str) -> Evidence:
        """Evidence of a literal text: one object for every node where it reads the same."""
        return _shared_lazy(source, where, str, "str", text)

    @classmethod
    def _new_lazy(
        cls, source: str, where: str, render: Callable[[Any], str], value: object
    ) -> Evidence:
        evidence = cls.__new__(cls)
        evidence._set(source, where, None, render, value)
        return evidence

    def _set(
        self,
        source: str,
        where: str,
        text: str | None,
        render: Callable[[Any], str] | None,
        value: object,
    ) -> None:
        for name, field_value in (
            ("source", source),
            ("where", where),
            ("_text", text),
            ("_render", render),
            ("_value", value),
        ):
            object.__setattr__(self, name, field_value)

    @property
    def text(self) -> str:
        if self._text is None:
            assert self._render is not None
            self._set(self.source, self.where, self._render(self._value), None, None)
        assert self._text is not None
        return self._text

    def __reduce__(self) -> tuple[type[Evidence], tuple[str, str, str]]:
        """Copied and pickled as its three values (slots plus an immutable `__setattr__`
        would defeat the default way)."""
        return (Evidence, (self.source, self.where, self.text))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Evidence is immutable: cannot set {name}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Evidence is immutable: cannot delete {name}")

    def _key(self) -> tuple[str, str, str]:
        return (self.source, self.where, self.text)

    def same_as(self, other: Evidence) -> bool:
        """Equal, its text included; two lazy texts not yet made are compared by what would
        make them (the same render of identical values), so neither is made."""
        if (self.source, self.where) != (other.source, other.where):
            return False
        if self._text is None and other._text is None and self._render is other._render:
            return identical(self._value, other._value)
        return self.text == other.text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Evidence):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Evidence(source={self.source!r}, where={self.where!r}, text={self.text!r})"

    def __str__(self) -> str:
        if self.text.startswith(self.where.rstrip(":")):  # a status line already names its label
            return f"{self.source}: {self.text}"
        return f"{self.source} {self.where}: {self.text}"


_SHARED_VALUES = (str, int, bool, type(None))
"""Values whose equality (with their type) means the same text (not floats: -0.0 == 0.0)."""


@functools.lru_cache(maxsize=4096)
def _shared_lazy(
    source: str, where: str, render: Callable[[Any], str], kind: str, value: object
) -> Evidence:
    """One lazy evidence per (source, where, render, value); `kind` keeps 1 and True apart."""
    return Evidence._new_lazy(source, where, render, value)


EvidenceMap = Mapping[str, Evidence]
"""Field name of a facts object -> the evidence for that field's value."""


# --------------------------------------------------------------------------------------------
# The Cilium agent's own status (`cilium-dbg status [-o json]` inside the agent pod)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Masquerading:
    mode: str
    """As printed: "BPF", "IPTables" or "Disabled" (JSON "iptables" is normalised to "IPTables")."""
    ip_masq_agent: bool = False
    devices: tuple[str, ...] = ()
    snat_exclusion_cidr: str | None = None
    ipv4: bool | None = None
    ipv6: bool | None = None


@dataclass(frozen=True)
class BandwidthManager:
    enabled: bool
    congestion_control: str | None = None
    """"CUBIC" or "BBR" (upper-cased, as the text prints it); None where the output has no tag."""
    devices: tuple[str, ...] = ()


@dataclass(frozen=True)
class BigTCP:
    enabled: bool
    max_gso: int | None = None
    max_gro: int | None = None


@dataclass(frozen=True)
class BpfMap:
    name: str
    size: int


@dataclass(frozen=True)
class AgentStatus:
    """What one Cilium agent says about itself; None where the output does not print a fact."""

    source_format: StatusFormat
    cilium_state: str | None = None
    """"Ok", "Warning", "Failure" or "Disabled"."""
    cilium_version: str | None = None
    """The release as printed, e.g. "1.13.4", "1.17.6-cee.1", "1.15.0-pre.2"."""
    cilium_revision: str | None = None
    """The build tag in parentheses, e.g. "v1.13.4-4061cdfc"."""
    kubernetes_version: str | None = None
    kube_proxy_replacement: str | None = None
    """As printed: "Strict", "Probe", "Partial", "Disabled", "True" or "False"."""
    kpr_devices: tuple[str, ...] = ()
    direct_routing_device: str | None = None
    host_routing: str | None = None
    """"BPF" or "Legacy"."""
    network_routing: str | None = None
    """"Native" or "Tunnel" (printed only by Cilium >= 1.16)."""
    tunnel_protocol: str | None = None
    masquerading: Masquerading | None = None
    bandwidth_manager: BandwidthManager | None = None
    ipv4_big_tcp: BigTCP | None = None
    ipv6_big_tcp: BigTCP | None = None
    attach_mode: str | None = None
    """"TCX" or "Legacy TC" (text); JSON "tcx"/"tc" normalised to the text spelling."""
    device_mode: str | None = None
    """Operational device mode: "veth", "netkit" or "netkit-l2"."""
    configured_device_mode: str | None = None
    hubble: str | None = None
    """Hubble state: "Ok", "Warning", "Failure" or "Disabled"."""
    encryption: str | None = None
    """"Disabled", "IPsec" or "Wireguard"."""
    host_firewall: bool | None = None
    cni_chaining: str | None = None
    bpf_nodeport: bool | None = None
    """BPF NodePort (verbose `- NodePort:` line, the pre-1.9 feature list, or JSON): what BPF
    masquerading, DSR and XDP need, on with partial kube-proxy replacement too."""
    nodeport_mode: str | None = None
    """"SNAT", "DSR" or "Hybrid" (verbose text or JSON only)."""
    dsr_dispatch: str | None = None
    xdp_acceleration: str | None = None
    """"Disabled", "Native", "Generic" or "Best-Effort" (verbose text or JSON only)."""
    socket_lb: bool | None = None
    clock_source: str | None = None
    """"ktime" or "jiffies"."""
    clock_hz: int | None = None
    bpf_map_dynamic_ratio: float | None = None
    bpf_maps: tuple[BpfMap, ...] = ()
    evidence: EvidenceMap = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_empty(self) -> bool:
        """True when nothing Cilium-specific could be read (not a status output at all)."""
        return all(
            getattr(self, name) in (None, ())
            for name in self.__dataclass_fields__
            if name not in ("source_format", "evidence")
        )


# --------------------------------------------------------------------------------------------
# The Kubernetes Node object
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeInfo:
    name: str
    kernel_version: str | None = None
    architecture: str | None = None
    """Kubernetes spelling: "amd64", "arm64", "riscv64"."""
    os_image: str | None = None
    kubelet_version: str | None = None
    container_runtime: str | None = None
    internal_ip: str | None = None
    external_ip: str | None = None
    hostname: str | None = None
    roles: tuple[str, ...] = ()
    ready: bool | None = None
    ready_reason: str | None = None
    unschedulable: bool = False
    labels: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    resource_version: str | None = None
    pod_cidrs: tuple[str, ...] = ()
    """`spec.podCIDRs` (else `spec.podCIDR`): the pod ranges Kubernetes gave the node."""
    evidence: EvidenceMap = field(default_factory=dict, compare=False, hash=False)


# --------------------------------------------------------------------------------------------
# The cilium-config ConfigMap, normalised across Cilium versions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One normalised configuration value and where it came from.

    ``value`` is normalised (e.g. routing mode "native"/"tunnel" whether the ConfigMap says 1.13's
    ``tunnel: disabled`` or 1.14+'s ``routing-mode: native``). ``key``/``raw`` are what the
    ConfigMap literally holds; ``defaulted`` is True when the key is absent and ``value`` is the
    agent's documented default.
    """

    value: str | bool | int | float | None
    key: str | None
    raw: str | None
    defaulted: bool = False
    source: str = "cilium-config"
    """Where `raw` was read: cilium-config, or the CiliumNodeConfig that overrides it."""

    @property
    def evidence(self) -> Evidence:
        if self.key is None or self.raw is None:
            return Evidence(self.source, "(absent)", f"default {self.value!r}")
        return Evidence(self.source, self.key, f'"{self.raw}"')


@dataclass(frozen=True)
class LabelRequirement:
    """One term of a LabelSelector; matchLabels' `k: v` is `k In (v)`."""

    key: str
    operator: str
    """In, NotIn, Exists or DoesNotExist."""
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class NodeConfig:
    """A CiliumNodeConfig: cilium-config keys overridden on the nodes it selects."""

    name: str
    defaults: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    requirements: tuple[LabelRequirement, ...] = ()
    """All must hold (an empty selector: every node)."""
    selects: bool = True
    """False when the object has no nodeSelector at all: it applies to no node."""


@dataclass(frozen=True)
class CiliumConfig:
    """The `cilium-config` ConfigMap: its raw data plus the settings the checklist needs."""

    data: Mapping[str, str]
    namespace: str = "kube-system"
    name: str = "cilium-config"
    resource_version: str | None = None
    helm_managed: bool = False
    helm_release: str | None = None
    settings: Mapping[str, Setting] = field(default_factory=dict, compare=False, hash=False)
    """Normalised settings by name (see `cilium_tui.facts.config.SETTINGS` for the names)."""
    labels: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    """The ConfigMap's labels: who manages it (Helm, an IaC tool, a platform)."""
    changed_at: datetime | None = None
    """The last write to the ConfigMap (its managedFields' latest time), when the API says."""
    read_as: str | None = None
    """The Cilium version whose keys `settings` were read by (None: any)."""
    overridden_by: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    """For one node's configuration: key -> the CiliumNodeConfig that sets it there."""

    def setting(self, name: str) -> Setting | None:
        return self.settings.get(name)

    def value(self, name: str) -> str | bool | int | float | None:
        s = self.settings.get(name)
        return None if s is None else s.value


# --------------------------------------------------------------------------------------------
# What the SSH probe reads on a node or board
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IrqAffinity:
    irq: int
    name: str
    cpus: str
    """`smp_affinity_list` as printed, e.g. "0-3" or "2"."""


HostSource = Literal["ssh", "agent pod"]
"""How host facts were read: the SSH probe, or through the agent pod (which runs in the host's
network namespace and sees its /proc and /sys, but not its systemd, tuned or /etc)."""


@dataclass(frozen=True)
class ProbeFacts:
    """Host facts read over SSH, or fewer of them through the agent pod (``source``).
    None = could not be read (see ``errors``)."""

    kernel_release: str | None = None
    machine: str | None = None
    """`uname -m` spelling: "x86_64", "aarch64"."""
    kernel_build: str | None = None
    """`uname -v`."""
    hostname: str | None = None
    os_id: str | None = None
    os_version_id: str | None = None
    os_pretty_name: str | None = None
    cpufreq: bool | None = None
    """False when the node exposes no cpufreq (common in VMs): the governor item is then n/a."""
    cpu_governors: tuple[str, ...] = ()
    irqbalance_active: str | None = None
    """`systemctl is-active irqbalance`: "active", "inactive", "failed", or "not-found"."""
    irqbalance_enabled: str | None = None
    tuned_installed: bool | None = None
    tuned_profile: str | None = None
    """Active tuned profile; "" when tuned runs with no active profile."""
    preempt: str | None = None
    """"none", "voluntary", "full", "dynamic", "rt" (from the kernel config or `uname -v`)."""
    preempt_source: str | None = None
    tcp_congestion_control: str | None = None
    default_nic: str | None = None
    nic_driver: str | None = None
    mtu: int | None = None
    xdp_attached: bool | None = None
    nic_irqs: tuple[IrqAffinity, ...] = ()
    notrack_rules: bool | None = None
    """True when iptables raw has Cilium's NOTRACK rules for pod traffic (conntrack bypass)."""
    privilege: str | None = None
    """"root", "sudo" (passwordless sudo works) or "no-sudo" (privileged reads were skipped)."""
    errors: tuple[str, ...] = ()
    source: HostSource = "ssh"
    evidence: EvidenceMap = field(default_factory=dict, compare=False, hash=False)


# --------------------------------------------------------------------------------------------
# The snapshot: everything known about a cluster at one moment
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentPod:
    name: str
    namespace: str
    node: str | None
    phase: str | None = None
    ready: bool | None = None
    restarts: int = 0
    waiting_reason: str | None = None
    """e.g. "CrashLoopBackOff"."""
    image: str | None = None
    started_at: datetime | None = None
    """When the running agent container started: it read cilium-config then."""


@dataclass(frozen=True)
class NodeRecord:
    """One node (or SSH-only board) with everything collected about it."""

    name: str
    node: NodeInfo | None = None
    """None for a board that is in the SSH inventory but is not a Kubernetes node."""
    pod: AgentPod | None = None
    agent: AgentStatus | None = None
    agent_raw: str | None = None
    """The agent status output exactly as read (for the detail view)."""
    probe: ProbeFacts | None = None
    ssh_host: str | None = None
    errors: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Per-collector errors: {"agent": "exec timed out after 10 s", "ssh": "unreachable: ..."}."""

    @property
    def kernel(self) -> str | None:
        """The kernel release: the probe's `uname -r` first, else the Node object's."""
        if self.probe is not None and self.probe.kernel_release:
            return self.probe.kernel_release
        return self.node.kernel_version if self.node is not None else None

    @property
    def architecture(self) -> str | None:
        """Kubernetes spelling (amd64/arm64), from the Node object or mapped from `uname -m`."""
        if self.node is not None and self.node.architecture:
            return self.node.architecture
        if self.probe is not None and self.probe.machine:
            return {"x86_64": "amd64", "aarch64": "arm64"}.get(
                self.probe.machine, self.probe.machine
            )
        return None


@dataclass(frozen=True)
class Snapshot:
    taken_at: datetime
    source: str
    """Where it came from: "context <name>", "lab <scenario>", "file <path>"."""
    nodes: tuple[NodeRecord, ...] = ()
    config: CiliumConfig | None = None
    node_configs: tuple[NodeConfig, ...] = ()
    """The CiliumNodeConfigs, by name: each node's configuration is cilium-config with the
    overrides that select it (`facts.node_config.config_for_node`)."""
    context: str | None = None
    kube_proxy_present: bool | None = None
    """True when a kube-proxy DaemonSet exists in the cluster."""
    errors: tuple[str, ...] = ()
    since: Mapping[str, Mapping[str, str]] = field(default_factory=dict, compare=False, hash=False)
    """Per node, the facts that changed since an older snapshot the console compares with
    (`--since`), each with its value then: {"k3s-vm-2": {"host routing": "BPF"}} ("?" where it
    was unknown, {"": "new"} for a node that was not there). Empty otherwise; never saved."""

    def node(self, name: str) -> NodeRecord | None:
        for record in self.nodes:
            if record.name == name:
                return record
        return None


def identical(a: object, b: object) -> bool:
    """Equal in every field, those equality leaves out (evidence, labels) included, and of the
    same types throughout (`1 == True` and `1 == 1.0` in Python, yet they print differently)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, Evidence):
        assert isinstance(b, Evidence)
        return a.same_as(b)
    if dataclasses.is_dataclass(a):
        return all(identical(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, tuple | list):
        assert isinstance(b, tuple | list)
        return len(a) == len(b) and all(map(identical, a, b))
    if isinstance(a, Mapping):
        assert isinstance(b, Mapping)
        return list(a) == list(b) and all(identical(v, b[k]) for k, v in a.items())
    return a == b


def unchanged(new: T, old: T | None) -> T:
    """`old` when `new` is identical to it, else `new`: a scan that reads the same facts as the
    one before keeps the objects it already has, so two snapshots alive at once (the shown one
    and the next) share what did not change instead of holding it twice."""
    return old if old is not None and identical(new, old) else new

"""The requirements of the catalogue's items, declared once as executable data.

Each item lists its `Requirement`s; one evaluation (`assess`) of that list on a node serves the
checklist (blocked by what, and what turning the item on anyway would do), why-Legacy and the
planner (its gates: refused as fatal, refused as doing nothing, or ready). A requirement says
what happens when it is unmet (`Failure`), which Cilium releases it applies to, and whether the
agent stops checking there (`gate`: e.g. below kernel 5.1 the Bandwidth Manager turns itself off
before BBR's own checks run).

Also the kernel and Cilium version arithmetic: met, unmet, or not verifiable from what we read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from packaging.version import Version

from cilium_tui.checks.fact import Fact
from cilium_tui.checks.ids import ItemId
from cilium_tui.facts.kernel import KernelVersion
from cilium_tui.facts.version import CiliumVersion

if TYPE_CHECKING:
    from cilium_tui.checks.view import NodeView

T = TypeVar("T")

SOCKET_LB_KERNEL = ("4.19.57", "5.1.16", "5.2")
"""The tuning guide's "Kernel >= 4.19.57, >= 5.1.16, >= 5.2" (socket LB, conntrack bypass)."""


class Failure(StrEnum):
    """What an unmet requirement does to an item turned on anyway: the checklist says it, the
    planner refuses on it (FATAL) or leaves the node as it is (NO_EFFECT)."""

    FATAL = "fatal"
    NO_EFFECT = "no-effect"

    @property
    def consequence(self) -> str:
        """ "would make the agent fail to start" / "would silently do nothing"."""
        if self is Failure.FATAL:
            return "would make the agent fail to start"
        return "would silently do nothing"


_DISTRO_ABI = re.compile(r"^\d+\.\d+\.0-\d+")


@lru_cache(maxsize=64)
def version(text: str) -> Version:
    """A requirement's version ("5.10", "4.19.57"), parsed once: every node checks the same few."""
    return Version(text)


def _hides_patch_level(kernel: KernelVersion) -> bool:
    """Debian and Ubuntu name kernels X.Y.0-ABI-flavour: the real patch level is not shown."""
    return bool(_DISTRO_ABI.match(kernel.release))


def at_least(kernel: KernelVersion, minimum: str) -> bool:
    return kernel.version >= version(minimum)


def kernel_meets(kernel: KernelVersion | None, *minimums: str) -> bool | None:
    """Whether `kernel` meets the requirement; None when it cannot be told.

    `minimums` is one version ("5.10") or a stable-series list ("4.19.57", "5.1.16", "5.2"): every
    entry but the last applies within its own major.minor series. Unknown (None) when the kernel
    is unknown, when a patch-level minimum meets a distribution release that hides its patch level
    (`4.19.0-24-arm64` is really 4.19.2xx), or for RHEL 8's 4.18, whose backports Cilium accepts.
    """
    if kernel is None:
        return None
    if at_least(kernel, minimums[-1]):
        return True
    if kernel.is_rhel8:
        return None
    for minimum in minimums:
        wanted = version(minimum)
        if kernel.version.release[:2] != wanted.release[:2]:
            continue
        if kernel.version >= wanted:
            return True
        if len(wanted.release) > 2 and _hides_patch_level(kernel):
            return None
        return False
    return False


CILIUM_MINIMUM_KERNEL = (("1.18", "5.10"), ("1.16", "5.4"))
"""Cilium's minimum kernel, newest release first; RHEL 8.6's 4.18 counts as equivalent to it
(the system requirements of those releases)."""


def cilium_minimum_kernel(cilium: CiliumVersion | None) -> str | None:
    """The minimum kernel of this Cilium release, where one is tabled."""
    if cilium is None:
        return None
    return next((kernel for since, kernel in CILIUM_MINIMUM_KERNEL if cilium.at_least(since)), None)


def meets_cilium_minimum(kernel: KernelVersion, minimum: str) -> bool:
    """The kernel meets a Cilium release's minimum: upstream, or RHEL 8.6+ in its place."""
    return kernel.is_rhel86_or_newer or at_least(kernel, minimum)


def kernel_shortfall(kernel: KernelVersion, *minimums: str) -> str:
    """An unmet kernel requirement, short enough to group nodes by: "kernel 4.19 < 5.10"."""
    with_patch = any(len(version(m).release) > 2 for m in minimums)
    shown = str(kernel.version) if with_patch else kernel.short
    return f"kernel {shown} < {'/'.join(minimums)}"


def cilium_meets(cilium: CiliumVersion | None, minimum: str) -> bool | None:
    return None if cilium is None else cilium.at_least(minimum)


def cilium_shortfall(cilium: CiliumVersion, minimum: str) -> str:
    return f"Cilium {cilium} < {minimum}"


# --------------------------------------------------------------------------------------------
# Requirements as data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One requirement judged on one node: met (True), unmet (False) or not verifiable (None)."""

    met: bool | None
    unmet: str = ""
    """The unmet requirement, short enough to group nodes by: "kernel 4.19 < 5.18"."""
    unknown: str = ""
    """What could not be verified: "kernel >= 5.18 (unknown)"."""
    evidence: tuple[str, ...] = ()


Test = Callable[["NodeView"], Check]


@dataclass(frozen=True)
class Requirement:
    """A requirement of a catalogue item: shown as `text`, checked per node by `test`."""

    text: str
    test: Test | None = field(default=None, compare=False, repr=False)
    """None for what no fact can tell (e.g. "the network routes the pod CIDRs"): shown only."""
    failure: Failure = Failure.FATAL
    """What turning the item on does where this requirement is unmet."""
    since: str | None = None
    until: str | None = None
    """The Cilium releases (minor, inclusive) the requirement applies to; None: open-ended."""
    when: Callable[[NodeView], bool] | None = field(default=None, compare=False, repr=False)
    """A further condition on the node (e.g. only with a dispatch mode)."""
    gate: bool = False
    """Unmet, the agent turns the item off before it checks the requirements listed after it."""
    fix: str | None = None
    """The catalogue item whose remediation meets it; None when no Cilium setting can."""
    cilium_min: str | None = None
    """Set on "Cilium >= X": unmet, the item does not exist in the node's release (n/a)."""

    def applies(self, view: NodeView) -> bool:
        cilium = view.cilium.value
        if cilium is not None:
            if self.since is not None and not cilium.at_least(self.since):
                return False
            if self.until is not None and cilium.at_least(_next_minor(self.until)):
                return False
        return self.when is None or self.when(view)


def _next_minor(release: str) -> str:
    major, minor = (int(part) for part in release.split(".")[:2])
    return f"{major}.{minor + 1}"


@dataclass(frozen=True)
class Unmet:
    requirement: Requirement
    check: Check

    @property
    def text(self) -> str:
        return self.check.unmet

    @property
    def failure(self) -> Failure:
        return self.requirement.failure


@dataclass(frozen=True)
class Assessment:
    """An item's requirements evaluated on one node."""

    unmet: tuple[Unmet, ...] = ()
    """Every unmet requirement, in the item's order (what the node lacks)."""
    reached: tuple[Unmet, ...] = ()
    """The unmet requirements the agent reaches: those up to the first unmet gate. They decide
    what turning the item on would do."""
    unknown: tuple[str, ...] = ()
    """Requirements that could not be verified (reached ones only)."""

    @property
    def failure(self) -> Failure | None:
        """What turning the item on would do: FATAL when any reached requirement is fatal."""
        failures = {u.failure for u in self.reached}
        if Failure.FATAL in failures:
            return Failure.FATAL
        return Failure.NO_EFFECT if failures else None

    @property
    def evidence(self) -> tuple[str, ...]:
        return tuple(e for u in self.unmet for e in u.check.evidence)


def assess(requirements: Iterable[Requirement], view: NodeView) -> Assessment:
    """Evaluate `requirements` on one node, in order (see `Requirement.gate`)."""
    unmet: list[Unmet] = []
    reached: list[Unmet] = []
    unknown: list[str] = []
    stopped = False
    for requirement in requirements:
        if requirement.test is None or not requirement.applies(view):
            continue
        check = requirement.test(view)
        if check.met is False:
            found = Unmet(requirement, check)
            unmet.append(found)
            if not stopped:
                reached.append(found)
                stopped = requirement.gate
        elif check.met is None and not stopped:
            unknown.append(check.unknown)
    return Assessment(tuple(unmet), tuple(reached), tuple(unknown))


# -- the requirements several items share, worded alike so that roll-ups group them ------------


def kernel(
    *minimums: str,
    failure: Failure = Failure.FATAL,
    purpose: str = "",
    gate: bool = False,
    since: str | None = None,
) -> Requirement:
    """The node's kernel is at least `minimums` (see `kernel_meets`)."""

    def test(view: NodeView) -> Check:
        met, fact = view.kernel_meets(*minimums)
        unmet = ""
        if met is False:
            assert fact.value is not None
            unmet = kernel_shortfall(fact.value, *minimums) + purpose
        return Check(met, unmet, f"kernel >= {'/'.join(minimums)} ({fact.shown})", fact.evidence)

    text = f"kernel >= {', >= '.join(minimums)}{purpose}"
    return Requirement(text, test, failure, since=since, gate=gate)


def cilium(minimum: str, failure: Failure = Failure.NO_EFFECT) -> Requirement:
    """The running Cilium is at least `minimum` (older agents ignore the setting)."""

    def test(view: NodeView) -> Check:
        fact = view.cilium
        met = view.cilium_at_least(minimum)  # the version, else the status output's shape
        evidence = fact.evidence or view.cilium_window.evidence
        unmet = ""
        if met is False:
            version = fact.value
            shortfall = f"{view.cilium_window} < {minimum}"
            unmet = cilium_shortfall(version, minimum) if version is not None else shortfall
        return Check(met, unmet, f"Cilium >= {minimum}", evidence)

    return Requirement(f"Cilium >= {minimum}", test, failure, gate=True, cilium_min=minimum)


def on_fact(
    fact_of: Callable[[NodeView], Fact[T]],
    ok: Callable[[T], bool],
    unmet: Callable[[NodeView, Fact[T]], str],
    what: str,
) -> Test:
    """A test of one fact of the node: unknown (`what`) when the fact is, else `ok(value)`."""

    def test(view: NodeView) -> Check:
        fact = fact_of(view)
        if fact.value is None:
            return Check(None, unknown=what)
        met = ok(fact.value)
        return Check(met, "" if met else unmet(view, fact), what, fact.evidence)

    return test


MASQUERADING_MODES = ("BPF", "IPTables", "Disabled")
"""The masquerading modes Cilium prints; any other value is not understood."""


def _masquerading(view: NodeView) -> Fact[str]:
    masq = view.masquerading
    return masq if masq.value in MASQUERADING_MODES else Fact(None)  # unreadable: no verdict


def bpf_nodeport(failure: Failure, why: str = "", **options: Any) -> Requirement:
    def unmet(view: NodeView, _: Fact[bool]) -> str:
        kpr = view.kpr
        return (f"kube-proxy replacement {kpr.shown}" if kpr.known else "BPF NodePort off") + why

    test = on_fact(lambda v: v.bpf_nodeport, bool, unmet, "BPF NodePort")
    text = "BPF NodePort (kube-proxy replacement)"
    return Requirement(text, test, failure, fix=ItemId.KUBE_PROXY_REPLACEMENT, **options)


@dataclass(frozen=True)
class FactRequirement:
    """A requirement on one fact of the node, shared by several items: call it with the
    `Failure` it means for an item (and a `why` for the unmet text) to get the Requirement."""

    text: str
    fact_of: Callable[[NodeView], Fact[Any]]
    ok: Callable[[Any], bool]
    unmet: Callable[[Fact[Any], str], str]
    what: str
    fix: str | None = None

    def __call__(self, failure: Failure, why: str = "", **options: Any) -> Requirement:
        test = on_fact(self.fact_of, self.ok, lambda _, fact: self.unmet(fact, why), self.what)
        return Requirement(self.text, test, failure, fix=self.fix, **options)


native_routing = FactRequirement(
    "native routing", lambda v: v.routing, lambda r: r == "native",
    lambda f, why: f"tunnel routing{why}", "routing mode", ItemId.NATIVE_ROUTING,
)  # fmt: skip
full_kube_proxy_replacement = FactRequirement(
    "full kube-proxy replacement", lambda v: v.kpr, bool,
    lambda f, why: f"kube-proxy replacement {f.shown}{why}", "kube-proxy mode",
    ItemId.KUBE_PROXY_REPLACEMENT,
)  # fmt: skip
bpf_or_no_masquerading = FactRequirement(
    "BPF masquerading", _masquerading, lambda m: m in ("BPF", "Disabled"),
    lambda f, why: f"iptables masquerading{why}", "masquerading mode",
    ItemId.BPF_MASQUERADING,
)  # fmt: skip
bpf_host_routing = FactRequirement(
    "BPF host routing", lambda v: v.host_routing, lambda h: h == "BPF",
    lambda f, why: f"BPF host routing {f.shown}{why}", "host routing",
    ItemId.BPF_HOST_ROUTING,
)  # fmt: skip
no_encryption = FactRequirement(
    "no encryption", lambda v: v.encryption, lambda e: e == "Disabled",
    lambda f, why: f"encryption {f.shown}{why}", "encryption",
)  # fmt: skip
no_ipsec = FactRequirement(
    "no IPsec", lambda v: v.encryption, lambda e: e != "IPsec",
    lambda f, why: f"IPsec encryption{why}", "encryption",
)  # fmt: skip

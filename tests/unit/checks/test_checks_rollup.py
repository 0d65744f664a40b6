"""Roll-up headlines: counts per state, reasons grouped, most common first."""

from __future__ import annotations

from cilium_tui.checks.catalogue import item
from cilium_tui.checks.rollup import gist, headline, rollup
from cilium_tui.checks.types import Finding, State

HOST_ROUTING = item("bpf-host-routing")


def f(node: str, state: State, reason: str = "x", *blocked_by: str) -> Finding:
    return Finding("bpf-host-routing", node, state, reason, blocked_by=blocked_by)


def test_all_on() -> None:
    findings = tuple(f(f"n{i}", State.ON) for i in range(6))
    assert headline(HOST_ROUTING, findings) == "BPF host routing: on 6/6 nodes"


def test_blocked_grouped_most_common_first_with_counts_when_partial() -> None:
    findings = (
        f("a", State.BLOCKED, "r", "kernel 4.19 < 5.10"),
        f("b", State.BLOCKED, "r", "kernel 4.19 < 5.10", "iptables masquerading"),
        f("c", State.BLOCKED, "r", "kernel 4.19 < 5.10"),
        f("d", State.ON),
    )
    assert headline(HOST_ROUTING, findings) == (
        "BPF host routing: on 1/4 nodes; 3 blocked: kernel 4.19 < 5.10, iptables masquerading (1)"
    )


def test_off_unknown_and_na() -> None:
    findings = (
        f("a", State.OFF, "iptables masquerading: pod egress SNAT goes through netfilter"),
        f("b", State.UNKNOWN, "host routing unknown: agent status unavailable: timeout; no config"),
        f("c", State.NA, "not a Kubernetes node"),
    )
    assert headline(HOST_ROUTING, findings) == (
        "BPF host routing: on 0/2 nodes; 1 off: iptables masquerading; "
        "1 unknown: agent status unavailable: timeout; 1 n/a"
    )


def test_all_na_and_no_nodes() -> None:
    findings = (f("a", State.NA, "IPv6 is disabled (enable-ipv6: false)"),)
    assert (
        headline(HOST_ROUTING, findings) == "BPF host routing: n/a on every node (IPv6 is disabled)"
    )
    assert headline(HOST_ROUTING, ()) == "BPF host routing: no nodes"


def test_many_groups_are_cut() -> None:
    findings = tuple(f(f"n{i}", State.BLOCKED, "r", f"cause {i}") for i in range(5))
    assert headline(HOST_ROUTING, findings).endswith(
        "cause 0 (1), cause 1 (1), cause 2 (1), 2 more"
    )


def test_gist_cuts_at_the_first_clause() -> None:
    assert gist(f("a", State.OFF, "vxlan tunnelling (from cilium-config): every pod")) == (
        "vxlan tunnelling"
    )


def test_counts_cover_every_state() -> None:
    r = rollup(HOST_ROUTING, (f("a", State.ON), f("b", State.OFF)))
    assert r.counts == {State.ON: 1, State.OFF: 1, State.BLOCKED: 0, State.NA: 0, State.UNKNOWN: 0}
    assert [x.node for x in r.failing] == ["b"]


def test_configured_but_not_verified_is_counted_apart_with_the_agent_s_state() -> None:
    unverified = Finding(
        "bpf-host-routing",
        "vm-2",
        State.UNKNOWN,
        "configured, not verified: agent CrashLoopBackOff; cilium-config asks for native routing",
        configured=State.ON,
    )
    findings = (*(f(f"n{i}", State.ON) for i in range(5)), unverified)
    assert gist(unverified) == "agent CrashLoopBackOff"
    assert headline(HOST_ROUTING, findings) == (
        "BPF host routing: on 5/6 nodes; 1 unverified: agent CrashLoopBackOff"
    )

"""Plans built from the lab's scenarios: what they change, where, and what they refuse."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cilium_tui.checks.types import State
from cilium_tui.lab.chart import ChartValues
from cilium_tui.lab.host import Unit
from cilium_tui.lab.scenarios import SEED_CIDR, TRAINING_VALUES
from cilium_tui.remedy.context import PlanOptions
from cilium_tui.remedy.plan import Outcome, Plan
from cilium_tui.remedy.planner import REMEDIES, build_plan
from tests.unit.remedy.lab_snapshot import lab_scenario, lab_snapshot

VMS = ("k3s-vm-1", "k3s-vm-2", "k3s-vm-3")
BOARDS = ("rock64-1", "rock64-2", "rock64-3")
DEBIAN_5_10 = {"kernel_release": "5.10.0-26-arm64", "kernel_build": "#1 SMP Debian 5.10.197-1"}


def outcomes(plan: Plan) -> dict[str, Outcome]:
    return {a.node: a.outcome for a in plan.assessments}


def changes(plan: Plan) -> dict[str, tuple[str | None, str | None]]:
    return {c.key: (c.old, c.new) for c in plan.changes}


def refused_nodes(plan: Plan) -> dict[str, tuple[str, ...]]:
    return {r.reason: r.nodes for r in plan.refusals}


def test_every_catalogue_item_has_a_plan_on_the_seed() -> None:
    seed = lab_snapshot("seed")
    statuses = {r.item_id: build_plan(r.item_id, seed).status for r in REMEDIES}
    ready = {i for i, s in statuses.items() if s == "ready"}
    assert ready == {
        "bypass-iptables-conntrack",
        "bandwidth-manager",  # the VMs take it; on the boards it does nothing, harmlessly
        "bbr",
        "hubble",
        "cpu-governor",
        "irqbalance",
    }
    assert {i for i, s in statuses.items() if s == "nothing"} == {
        "native-routing",
        "kube-proxy-replacement",
        "bpf-masquerading",
        "nodeport-dsr",
        "bpf-map-sizing",
    }
    assert {r.item_id for r in REMEDIES if not r.automatable} == {
        "jumbo-mtu",
        "netkit",
        "kernel",
        "preempt-none",
    }


def test_unknown_item_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="native-routing"):
        build_plan("no-such-item", lab_snapshot("seed"))


def test_conntrack_bypass_on_the_seed_is_for_the_legacy_boards() -> None:
    plan = build_plan("bypass-iptables-conntrack", lab_snapshot("seed"))
    assert plan.status == "ready"
    assert changes(plan) == {"install-no-conntrack-iptables-rules": ("false", "true")}
    assert outcomes(plan) == {
        **dict.fromkeys(VMS, Outcome.NOT_APPLICABLE),
        **dict.fromkeys(BOARDS, Outcome.TAKES),
    }
    # Canary first (a node that should turn on), one at a time, the control plane last.
    assert plan.restart is not None
    assert plan.restart.batches == tuple(
        (n,) for n in (*BOARDS, "k3s-vm-2", "k3s-vm-3", "k3s-vm-1")
    )
    expected = {e.node: e.states for e in plan.expectations if e.primary}
    assert expected == {**dict.fromkeys(VMS, (State.NA,)), **dict.fromkeys(BOARDS, (State.ON,))}
    assert plan.cluster.resource_version == "4711"
    assert plan.cluster.helm_managed and plan.cluster.helm_release == "cilium"


def test_batches_follow_the_batch_size() -> None:
    options = PlanOptions(batch_size=4, ready_timeout=30)
    plan = build_plan("hubble", lab_snapshot("seed"), options=options)
    assert plan.restart is not None and plan.restart.ready_timeout == 30
    assert [len(b) for b in plan.restart.batches] == [4, 2]
    assert plan.restart.batches[-1][-1] == "k3s-vm-1"  # the K3s server goes last


def test_hubble_off_is_offered_but_not_recommended() -> None:
    plan = build_plan("hubble", lab_snapshot("seed"))
    assert plan.status == "ready" and not plan.recommended
    assert changes(plan) == {"enable-hubble": ("true", "false")}
    assert {e.states for e in plan.expectations} == {(State.OFF,)}


# --------------------------------------------------------------------------------------------
# Version-correct spellings
# --------------------------------------------------------------------------------------------


def test_native_routing_on_1_13_writes_tunnel_disabled_and_a_cidr() -> None:
    plan = build_plan("native-routing", lab_snapshot("training"))
    assert plan.status == "ready"
    assert changes(plan) == {
        "tunnel": ("vxlan", "disabled"),
        "ipv4-native-routing-cidr": (None, SEED_CIDR),  # K3s's default, holding every podCIDR
        "auto-direct-node-routes": ("false", "true"),
    }


def test_native_routing_on_1_14_writes_routing_mode_and_drops_the_old_key() -> None:
    chosen = lab_scenario("training", version="1.14.6", values=TRAINING_VALUES)
    plan = build_plan("native-routing", lab_snapshot(chosen, {"tunnel": "vxlan"}))
    assert changes(plan)["routing-mode"] == ("tunnel", "native")
    assert changes(plan)["tunnel"] == ("vxlan", None)  # 1.14 would still prefer it


def test_native_routing_cidr_from_the_pod_cidrs_or_the_command_line() -> None:
    training = lab_snapshot("training")
    cover = build_plan("native-routing", training, options=PlanOptions(native_cidr="10.40.0.0/14"))
    assert changes(cover)["ipv4-native-routing-cidr"] == (None, "10.40.0.0/14")
    kubeadm = lab_scenario("modern", values=ChartValues(ipam="kubernetes"))
    plan = build_plan("native-routing", lab_snapshot(kubeadm))
    assert changes(plan)["routing-mode"] == ("tunnel", "native")
    assert changes(plan)["ipv4-native-routing-cidr"] == (None, "10.244.0.0/22")


@pytest.mark.parametrize(("version", "spelled"), [("1.13.4", "strict"), ("1.16.4", "true")])
def test_kube_proxy_replacement_spelling(version: str, spelled: str) -> None:
    chosen = lab_scenario("training", version=version, values=TRAINING_VALUES)
    plan = build_plan("kube-proxy-replacement", lab_snapshot(chosen))
    assert plan.status == "ready"
    assert changes(plan)["kube-proxy-replacement"][1] == spelled
    assert plan.guidance  # remove kube-proxy afterwards: the training cluster runs it


# --------------------------------------------------------------------------------------------
# Refused: agents that would fail to start, changes that would silently do nothing
# --------------------------------------------------------------------------------------------


def test_bbr_goes_to_the_vms_and_names_the_boards_where_it_does_nothing() -> None:
    """Below kernel 5.1 the Bandwidth Manager turns itself off and BBR is ignored: the boards'
    agents start as before, so the VMs' last step is not refused because of them."""
    plan = build_plan("bbr", lab_snapshot("seed"))
    assert plan.status == "ready" and plan.refusals == ()
    assert changes(plan) == {
        "enable-bandwidth-manager": (None, "true"),
        "enable-bbr": (None, "true"),
    }
    assert outcomes(plan) == {
        **dict.fromkeys(VMS, Outcome.TAKES),
        **dict.fromkeys(BOARDS, Outcome.NO_EFFECT),  # kernel < 5.1: no Bandwidth Manager at all
    }
    assert (
        "does nothing on rock64-1, rock64-2, rock64-3: kernel 4.19 < 5.1 (Bandwidth Manager)"
    ) in plan.warnings
    assert not any("cluster-wide" in w for w in plan.warnings)
    scoped = build_plan("bbr", lab_snapshot("seed"), VMS)
    assert scoped.per_node_config is not None and scoped.per_node_config.nodes == VMS
    assert dict(scoped.per_node_config.defaults) == {
        "enable-bandwidth-manager": "true",
        "enable-bbr": "true",
    }
    assert scoped.per_node_config.api_version == "cilium.io/v2alpha1"  # Cilium 1.13


def test_bandwidth_manager_is_not_refused_for_the_nodes_that_cannot_take_it() -> None:
    plan = build_plan("bandwidth-manager", lab_snapshot("seed"))
    assert plan.status == "ready"
    assert plan.restart is not None and plan.restart.batches[0] in {(vm,) for vm in VMS}
    assert any(w.startswith("does nothing on rock64-1, rock64-2, rock64-3") for w in plan.warnings)


def test_bbr_without_ssh_is_config_only_and_says_what_undo_cannot_restore() -> None:
    """Host facts read through the agent pod (--no-ssh): no shell to set the sysctl with, so no
    node step (which would stop the whole apply at its preflight), and the preview says so."""
    seed = lab_snapshot("seed")
    via_pod = replace(
        seed,
        nodes=tuple(
            replace(r, probe=replace(r.probe, source="agent pod")) if r.probe else r
            for r in seed.nodes
        ),
    )
    assert build_plan("bbr", seed).node_steps  # over SSH, for undo to restore the sysctl
    plan = build_plan("bbr", via_pod)
    assert plan.status == "ready" and plan.node_steps == ()
    assert not any("over SSH too" in w for w in plan.warnings)
    assert any(
        w.startswith("Without SSH to k3s-vm-1, k3s-vm-2, k3s-vm-3")
        and "net.ipv4.tcp_congestion_control" in w
        for w in plan.warnings
    )


def test_bbr_on_a_5_10_board_would_crash_its_agent() -> None:
    board = {"rock64-1": DEBIAN_5_10}
    plan = build_plan("bbr", lab_snapshot("seed", hosts=board))
    assert outcomes(plan)["rock64-1"] == Outcome.FATAL
    reasons = [r for r in plan.refusals if r.nodes == ("rock64-1",)]
    assert reasons and reasons[0].reason.startswith("the agent would fail to start: kernel 5.10")


def test_bbr_with_legacy_host_routing_would_crash_the_agents() -> None:
    plan = build_plan("bbr", lab_snapshot("training"))
    assert {outcomes(plan)[n] for n in VMS} == {Outcome.FATAL}
    [vm_reason] = [r.reason for r in plan.refusals if r.nodes == VMS]
    assert "BPF host routing Legacy" in vm_reason


@pytest.mark.parametrize(
    ("config", "missing"),
    [
        ({"tunnel": "vxlan"}, "tunnel routing"),
        ({"kube-proxy-replacement": "partial"}, "kube-proxy replacement"),
        ({"enable-bpf-masquerade": None}, "iptables masquerading"),
    ],
)
def test_conntrack_bypass_requirements(config: dict[str, str | None], missing: str) -> None:
    plan = build_plan("bypass-iptables-conntrack", lab_snapshot("seed", config))
    assert plan.status == "refused"
    assert any(missing in r.reason and "fail to start" in r.reason for r in plan.refusals)


def test_conntrack_bypass_without_ipv4_would_stop_every_agent() -> None:
    """The agent's start-up check: "install-no-conntrack-iptables-rules requires IPv4 support",
    also on the nodes where BPF host routing makes the bypass unnecessary."""
    ipv6_only = lab_snapshot("seed", {"enable-ipv4": "false", "enable-ipv6": "true"})
    plan = build_plan("bypass-iptables-conntrack", ipv6_only)
    assert plan.status == "refused" and plan.per_node_config is None
    assert refused_nodes(plan) == {
        "the agent would fail to start: IPv4 disabled (enable-ipv4: false; the agent requires IPv4 "
        "for the bypass)": (*VMS, *BOARDS)
    }


def test_each_reason_of_a_refusal_says_its_own_outcome() -> None:
    """DSR on the training cluster: the tunnel would stop the agents; without BPF NodePort the
    mode would merely be ignored. Each reason is labelled with what it does, the worst first."""
    plan = build_plan("nodeport-dsr", lab_snapshot("training"))
    [refusal] = plan.refusals
    assert refusal.reason == (
        "the agent would fail to start: tunnel routing (DSR's IP-option dispatch needs native "
        "routing); the change would silently do nothing: kube-proxy replacement Disabled"
    )


def test_big_tcp_with_tunnelling_is_refused() -> None:
    modern = lab_snapshot(
        "modern", {"routing-mode": "tunnel", "enable-ipv4-big-tcp": "false"}, probe=False
    )
    plan = build_plan("ipv4-big-tcp", modern)
    assert plan.status == "refused"
    assert all("tunnel routing" in r.reason for r in plan.refusals)


def test_bpf_host_routing_on_old_kernels_is_refused_with_guidance() -> None:
    plan = build_plan("bpf-host-routing", lab_snapshot("seed"))
    assert plan.status == "refused"
    assert refused_nodes(plan) == {
        "the change would silently do nothing: host routing stays Legacy: kernel 4.19 < 5.10": (
            BOARDS
        )
    }
    assert any("cilium-tui plan bypass-iptables-conntrack" in g.commands for g in plan.guidance)


def test_forced_legacy_routing_is_unset_where_the_kernel_allows() -> None:
    forced = lab_snapshot("seed", {"enable-host-legacy-routing": "true"})
    plan = build_plan("bpf-host-routing", forced)
    assert changes(plan) == {"enable-host-legacy-routing": ("true", "false")}
    assert plan.status == "ready"  # the boards stay Legacy (kernel 4.19), harmlessly
    assert any(w.startswith("does nothing on rock64-1, rock64-2, rock64-3") for w in plan.warnings)


def test_netkit_needs_kernel_6_8() -> None:
    old = {"worker-2": {"kernel_release": "6.2.0-39-generic"}}
    modern = lab_snapshot("modern", {"datapath-mode": "veth"}, hosts=old)
    plan = build_plan("netkit", modern)
    assert plan.kind == "guidance" and plan.status == "refused"
    assert refused_nodes(plan) == {"the agent would fail to start: kernel 6.2 < 6.8": ("worker-2",)}
    assert plan.per_node_config is not None
    assert plan.per_node_config.nodes == ("cp-1", "worker-1")
    assert plan.per_node_config.api_version == "cilium.io/v2"


def test_xdp_on_a_driver_without_native_xdp_is_refused() -> None:
    plan = build_plan("xdp-acceleration", lab_snapshot("seed"))
    assert outcomes(plan) == {
        **dict.fromkeys(VMS, Outcome.TAKES),  # virtio_net has native XDP
        **dict.fromkeys(BOARDS, Outcome.FATAL),
    }
    assert refused_nodes(plan) == {
        "the agent would fail to start: NIC driver st_gmac has no native XDP": BOARDS
    }


def test_xdp_without_a_probe_is_not_guessed() -> None:
    plan = build_plan("xdp-acceleration", lab_snapshot("seed", probe=False))
    assert set(outcomes(plan).values()) == {Outcome.UNKNOWN}
    assert plan.status == "refused"


def test_unknown_cilium_version_refuses_config_changes() -> None:
    seed = lab_snapshot("seed")
    blind = replace(seed, nodes=tuple(replace(r, agent=None, pod=None) for r in seed.nodes))
    plan = build_plan("hubble", blind)
    assert plan.status == "refused"
    assert "Cilium version is unknown" in plan.refusals[0].reason


# --------------------------------------------------------------------------------------------
# --node, node plans, guidance
# --------------------------------------------------------------------------------------------


def test_a_config_change_for_some_nodes_is_a_node_config_shown_as_guidance() -> None:
    plan = build_plan("bandwidth-manager", lab_snapshot("seed"), ["k3s-vm-1", "k3s-vm-2"])
    assert plan.kind == "guidance" and plan.status == "guidance"
    assert plan.per_node_config is not None
    assert plan.per_node_config.nodes == ("k3s-vm-1", "k3s-vm-2")
    commands = [c for g in plan.guidance for c in g.commands]
    assert commands[0].startswith("kubectl apply -f - <<'EOF'\napiVersion: cilium.io/v2alpha1")
    assert commands[1:] == [
        f"kubectl -n kube-system delete pod -l k8s-app=cilium --field-selector spec.nodeName={n}"
        for n in ("k3s-vm-1", "k3s-vm-2")
    ]
    assert build_plan("bandwidth-manager", lab_snapshot("seed"), ["nope"]).status == "refused"


def test_cpu_governor_runs_on_the_boards_with_their_previous_governors() -> None:
    plan = build_plan("cpu-governor", lab_snapshot("seed"))
    assert plan.kind == "node" and plan.status == "ready"
    assert [s.node for s in plan.node_steps] == list(BOARDS)
    third = plan.node_steps[2]
    assert third.before == ("schedutil",) * 4
    assert [c.input for c in third.change.undo] == ["schedutil\n"] * 4
    assert {outcomes(plan)[n] for n in VMS} == {Outcome.NOT_APPLICABLE}  # no cpufreq in VMs
    only = build_plan("cpu-governor", lab_snapshot("seed"), ["rock64-2"])
    assert [s.node for s in only.node_steps] == ["rock64-2"]


def test_irqbalance_undo_restarts_it_only_as_it_was() -> None:
    seed = lab_snapshot("seed")
    plan = build_plan("irqbalance", seed)
    assert plan.node_steps[0].change.undo[0].argv == (
        "systemctl",
        "enable",
        "--now",
        "irqbalance",
    )
    manual = {"rock64-1": {"units": {"irqbalance": Unit(active=True, enabled=False)}}}
    plan = build_plan("irqbalance", lab_snapshot("seed", hosts=manual))
    step = next(s for s in plan.node_steps if s.node == "rock64-1")
    assert step.change.undo[0].argv == ("systemctl", "start", "irqbalance")


def test_nodes_without_sudo_or_probe_are_skipped_not_guessed() -> None:
    hosts = {"rock64-1": {"sudo": "password"}}
    plan = build_plan("cpu-governor", lab_snapshot("seed", hosts=hosts))
    assert [s.node for s in plan.node_steps] == ["rock64-2", "rock64-3"]
    assert outcomes(plan)["rock64-1"] == Outcome.NO_EFFECT
    assert any(w.startswith("skipped rock64-1: needs root") for w in plan.warnings)
    blind = build_plan("cpu-governor", lab_snapshot("seed", probe=False))
    assert blind.status == "refused"
    assert set(outcomes(blind).values()) == {Outcome.UNKNOWN}


def test_tuned_missing_everywhere_is_refused_with_install_steps() -> None:
    plan = build_plan("tuned-profile", lab_snapshot("seed"))
    assert plan.status == "refused"
    assert any("apt-get install tuned" in " ".join(g.commands) for g in plan.guidance)
    modern = build_plan("tuned-profile", lab_snapshot("modern"))
    [step] = modern.node_steps
    assert (step.node, step.before) == ("cp-1", ("Current active profile: balanced",))
    assert step.change.undo[0].argv == ("tuned-adm", "profile", "balanced")


def test_guidance_plans_apply_nothing() -> None:
    seed = lab_snapshot("seed")
    for item_id in ("kernel", "preempt-none", "jumbo-mtu"):
        plan = build_plan(item_id, seed)
        assert plan.status == "guidance" and not plan.applicable
        assert not plan.changes and not plan.node_steps and plan.restart is None
        assert plan.guidance
    kernel = build_plan("kernel", seed)
    assert [g.text.split(" ")[1] for g in kernel.guidance] == list(BOARDS)
    assert "kubectl drain rock64-1 --ignore-daemonsets --delete-emptydir-data" in (
        kernel.guidance[0].commands
    )


def test_training_walk_plans_in_order() -> None:
    """Each step of the walk is refused until the steps before it are done."""
    training = lab_snapshot("training")
    assert build_plan("bpf-masquerading", training).status == "refused"  # needs KPR first
    with_kpr = lab_snapshot("training", {"kube-proxy-replacement": "strict"})
    plan = build_plan("bpf-masquerading", with_kpr)
    assert plan.status == "ready"
    side = {e.node: e.states for e in plan.expectations if not e.primary}
    assert side == dict.fromkeys(VMS, (State.ON,))  # the VMs' host routing turns BPF


def test_node_plans_need_no_cluster() -> None:
    """An SSH inventory of boards only: no cilium-config, no agents."""
    seed = lab_snapshot("seed")
    boards = replace(
        seed,
        config=None,
        nodes=tuple(replace(r, node=None, pod=None, agent=None) for r in seed.nodes),
    )
    plan = build_plan("irqbalance", boards)
    assert plan.status == "ready" and len(plan.node_steps) == 6
    assert build_plan("hubble", boards).status == "refused"


def test_bbr_sets_the_host_congestion_control_so_that_undo_restores_it() -> None:
    cubic = lab_snapshot("modern", {"enable-bbr": "false"})
    plan = build_plan("bbr", cubic)
    assert plan.status == "ready"
    assert changes(plan) == {"enable-bbr": ("false", "true")}  # the manager is already on
    assert [(s.node, s.before) for s in plan.node_steps] == [
        (n, ("cubic",)) for n in ("cp-1", "worker-1", "worker-2")
    ]
    step = plan.node_steps[0]
    assert step.change.apply[0].argv == ("sysctl", "-w", "net.ipv4.tcp_congestion_control=bbr")
    assert step.change.undo[0].argv == ("sysctl", "-w", "net.ipv4.tcp_congestion_control=cubic")

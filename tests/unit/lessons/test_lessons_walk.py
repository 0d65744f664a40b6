"""The seed lesson judged on the training lab's snapshots (built without sockets), step by step
through the planner's own changes; and the hints a refused plan gets."""

from __future__ import annotations

from cilium_tui.checks.judgement import judge
from cilium_tui.lessons import (
    Progress,
    evaluate,
    hint_for_refusal,
    load_lesson,
    next_hint,
    prerequisites,
)
from cilium_tui.model import Snapshot
from cilium_tui.remedy.planner import build_plan
from tests.unit.remedy.lab_snapshot import lab_snapshot

SEED = load_lesson("seed")
LOOKED = Progress().visit("seed", "mixed-cluster").visit("seed", "why-legacy")


def done(snapshot: Snapshot, progress: Progress = LOOKED) -> list[str]:
    return list(evaluate(SEED, judge(snapshot), progress).done_ids)


def applied(config: dict[str, str | None], item_id: str) -> dict[str, str | None]:
    """`config` with the changes of `item_id`'s plan on the lab as `config` makes it."""
    plan = build_plan(item_id, lab_snapshot("training", config))
    assert plan.status == "ready", (item_id, plan.refusals)
    return {**config, **{c.key: c.new for c in plan.changes}}


def test_a_fresh_training_lab_has_nothing_done() -> None:
    status = evaluate(SEED, judge(lab_snapshot("training")))
    assert status.done_ids == ()
    assert status.current is not None and status.current.step.id == "mixed-cluster"
    looked = evaluate(SEED, judge(lab_snapshot("training")), LOOKED)
    assert looked.done_ids == ("mixed-cluster", "why-legacy")
    assert looked.current is not None and looked.current.step.id == "native-routing"
    assert looked.current.evidence == ("native-routing: off: vxlan tunnelling (k3s-vm-1, "
                                       "k3s-vm-2, k3s-vm-3, rock64-1 and 2 more)",
                                       "native-routing: no node is on yet")  # fmt: skip
    assert next_hint(looked) == "Next: step 3 (Native routing): apply native-routing"


def test_each_step_is_done_only_after_its_change_and_undo_returns_to_the_start() -> None:
    config: dict[str, str | None] = {}
    progress = LOOKED
    expected = ["mixed-cluster", "why-legacy"]
    walk = [
        ("native-routing", ["native-routing"]),
        ("kube-proxy-replacement", ["kube-proxy-replacement"]),
        # The VMs flip with BPF masquerading: the flip step turns done with it.
        ("bpf-masquerading", ["bpf-masquerading", "host-routing-flip"]),
        ("bypass-iptables-conntrack", ["conntrack-bypass"]),
        ("bandwidth-manager", ["bandwidth-manager"]),
        ("bbr", ["bbr"]),
    ]
    configs = [config]
    for item_id, now_done in walk:
        assert not set(now_done) & set(done(lab_snapshot("training", config), progress))
        config = applied(config, item_id)
        configs.append(config)
        status = evaluate(SEED, judge(lab_snapshot("training", config)), progress)
        expected += now_done
        assert list(status.done_ids) == expected, item_id
        progress = progress.reach("seed", status.done_ids)
    assert next_hint(status) == "Next: step 10 (Undo it all): undo the latest change"

    for config in reversed(configs[:-1]):  # undo, newest first
        status = evaluate(SEED, judge(lab_snapshot("training", config)), progress)
    assert status.done_ids == (*expected[:2], "undo-all")
    assert status.complete and status.current is None  # every step was reached on the way
    assert next_hint(status) == "Lesson seed complete: every step was done on this cluster."
    midway = evaluate(SEED, judge(lab_snapshot("training", configs[3])), progress)
    assert midway.current is not None and midway.current.step.id == "undo-all"
    # The same start, on a cluster where the walk never happened, is not "undone".
    assert "undo-all" not in done(lab_snapshot("training"))


def test_bpf_masquerading_before_kpr_names_the_step_to_do_first() -> None:
    start = lab_snapshot("training", applied({}, "native-routing"))
    plan = build_plan("bpf-masquerading", start)
    assert plan.status == "refused"
    assert prerequisites(plan) == ("kube-proxy-replacement",)
    status = evaluate(SEED, judge(start), LOOKED)
    assert hint_for_refusal(SEED, plan, status) == (
        "Do step 4 (Kube-proxy replacement) first before step 5: bpf-masquerading needs "
        "kube-proxy-replacement (the change would silently do nothing: kube-proxy replacement "
        "Disabled (BPF masquerading needs BPF NodePort))."
    )


def test_the_first_step_not_done_is_named() -> None:
    plan = build_plan("bypass-iptables-conntrack", lab_snapshot("training"))
    assert plan.status == "refused"
    hint = hint_for_refusal(SEED, plan)
    assert hint is not None and hint.startswith("Do step 3 (Native routing) first before step 7")
    kpr_done = lab_snapshot(
        "training", applied(applied({}, "native-routing"), "kube-proxy-replacement")
    )
    status = evaluate(SEED, judge(kpr_done), LOOKED)
    plan = build_plan("bypass-iptables-conntrack", kpr_done)
    hint = hint_for_refusal(SEED, plan, status)
    assert hint is not None and hint.startswith("Do step 5 (BPF masquerading) first")


def test_bbr_before_the_flip_points_to_the_flip() -> None:
    plan = build_plan("bbr", lab_snapshot("training"))
    hint = hint_for_refusal(SEED, plan)
    assert hint is not None
    assert hint.startswith("Do step 6 (Watch the VMs flip to BPF host routing) first before step 9")


def test_what_no_step_can_fix_gets_the_lessons_own_hint() -> None:
    config = applied(applied(applied({}, "native-routing"), "kube-proxy-replacement"),
                     "bpf-masquerading")  # fmt: skip
    plan = build_plan("bpf-host-routing", lab_snapshot("training", config))
    assert plan.refusals and prerequisites(plan) == ()  # the boards' kernel only
    assert hint_for_refusal(SEED, plan) == SEED.step("host-routing-flip").hints[0].text
    with_bwm = lab_snapshot("training", applied(config, "bandwidth-manager"))
    plan = build_plan("bandwidth-manager", with_bwm)  # again: on the VMs, nothing on the boards
    assert plan.status == "refused" and prerequisites(plan) == ()
    assert hint_for_refusal(SEED, plan) == SEED.step("bandwidth-manager").hints[0].text
    modern = load_lesson("modern")
    plan = build_plan("ipv6-big-tcp", lab_snapshot("modern"))
    assert hint_for_refusal(modern, plan) == modern.step("big-tcp").hints[0].text


def test_a_plan_that_is_not_refused_gets_no_hint() -> None:
    plan = build_plan("native-routing", lab_snapshot("training"))
    assert plan.status == "ready" and hint_for_refusal(SEED, plan) is None
    assert hint_for_refusal(load_lesson("modern"), build_plan("xdp-acceleration",
                            lab_snapshot("training"))) is None  # fmt: skip


def test_the_modern_lesson_on_its_lab() -> None:
    modern = load_lesson("modern")
    status = evaluate(modern, judge(lab_snapshot("modern")))
    assert [s.step.id for s in status.steps if s.done] == ["netkit", "bbr", "big-tcp"]
    assert status.current is not None and status.current.step.id == "modern-cluster"


def test_a_crash_looping_agent_configured_for_it_is_not_done() -> None:
    """BBR on the Legacy VMs crash-loops their agents: cilium-config asks for native routing,
    but no running agent there shows it, so the step is not done (the boards' agents run it)."""
    config = {**applied({}, "native-routing"), "enable-bandwidth-manager": "true",
              "enable-bbr": "true"}  # fmt: skip
    status = evaluate(SEED, judge(lab_snapshot("training", config)), LOOKED)
    step = status.of("native-routing")
    assert not step.done
    assert step.evidence == (
        "native-routing: on (rock64-1, rock64-2, rock64-3)",
        "native-routing: configured, not verified: agent CrashLoopBackOff (k3s-vm-1, k3s-vm-2, "
        "k3s-vm-3)",
    )

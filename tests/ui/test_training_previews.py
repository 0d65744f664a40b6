"""What the previews say on the training lab (Cilium's defaults): BPF host routing's refusal names
the console's keys for the items to fix first, and BPF masquerading says which nodes flip to BPF
host routing and which stay Legacy, with the cause."""

from __future__ import annotations

from pathlib import Path

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.remedy.context import PlanOptions
from tests.ui.support import (
    confirm_and_wait,
    console_on_lab,
    pane,
    press_apply,
    press_preview,
    settle,
    shown,
)

SIZE = (160, 45)
VMS = ("k3s-vm-1", "k3s-vm-2", "k3s-vm-3")
BOARDS = ("rock64-1", "rock64-2", "rock64-3")


async def test_the_host_routing_refusal_names_console_keys(
    training: ClusterSource, tmp_path: Path
) -> None:
    app = console_on_lab(training, tmp_path, keymap={"preview": "v"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_preview(pilot, "bpf-host-routing", "v")
        text = " ".join(shown(app).split())
        assert "cilium-tui plan" not in text, "no command-line advice in the console"
        for title, item_id in (
            ("Kube-proxy replacement", "kube-proxy-replacement"),
            ("BPF masquerading", "bpf-masquerading"),
            ("Linux kernel", "kernel"),
            ("Bypass iptables conntrack", "bypass-iptables-conntrack"),
        ):
            said = (
                f"→ {title} ({item_id}): on the Checklist (2) select it and press v to preview it"
            )
            assert said in text


async def test_the_masquerading_preview_says_the_boards_stay_legacy(
    training: ClusterSource, tmp_path: Path
) -> None:
    app = console_on_lab(training, tmp_path, plan_options=PlanOptions(batch_size=3))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        for item_id in ("native-routing", "kube-proxy-replacement"):
            await press_apply(pilot, item_id)
            await confirm_and_wait(pilot, "lab-training")
        await press_preview(pilot, "bpf-masquerading")
        plan = pane(app).plan
        assert plan is not None and plan.status == "ready"
        why = {a.node: a.reason for a in plan.assessments}
        for vm in VMS:
            assert why[vm].endswith("; host routing turns BPF"), why[vm]
        for board in BOARDS:
            assert why[board].endswith("; host routing stays Legacy: kernel 4.19 < 5.10")
        assert "host routing stays Legacy: kernel 4.19 < 5.10" in shown(app)

"""The training walk in the console, on the lab's `training` cluster (Cilium's defaults, every node
Legacy): native routing, kube-proxy replacement, BPF masquerading and DSR applied through the UI
turn the 6.2 VMs to BPF host routing while the 4.19 boards stay Legacy with the kernel named as the
cause; then the conntrack bypass where it is recommended. The node table and the checklist follow
each step."""

from __future__ import annotations

from pathlib import Path

from cilium_tui.checks.types import State
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.remedy.context import PlanOptions
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.widgets.node_table import NodeTable
from tests.ui.support import confirm_and_wait, console_on_lab, pane, press_apply, settle

VMS = ("k3s-vm-1", "k3s-vm-2", "k3s-vm-3")
BOARDS = ("rock64-1", "rock64-2", "rock64-3")
WALK = ("native-routing", "kube-proxy-replacement", "bpf-masquerading", "nodeport-dsr")
SIZE = (160, 45)


def states(app: CiliumTuiApp, item_id: str) -> dict[str, State]:
    assert app.cluster is not None
    rollup = app.cluster.judgement.rollup(item_id)
    assert rollup is not None
    return {f.node: f.state for f in rollup.findings}


async def test_the_training_walk(training: ClusterSource, tmp_path: Path) -> None:
    # Three agents at a time: the walk is about what changes; rollouts are tested elsewhere.
    app = console_on_lab(training, tmp_path, plan_options=PlanOptions(batch_size=3))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = app.main.query_one(NodeTable)
        assert {table.cell(n, "host_routing").text for n in (*VMS, *BOARDS)} == {"Legacy"}
        for item_id in WALK:
            await press_apply(pilot, item_id)
            await confirm_and_wait(pilot, "lab-training")
            result = pane(app).result
            assert result is not None and result.outcome == "verified", (item_id, result.message)
            assert set(states(app, item_id).values()) == {State.ON}, item_id

        for vm in VMS:
            assert table.cell(vm, "host_routing").plain == "BPF"
        for board in BOARDS:
            assert table.cell(board, "host_routing").plain == "Legacy · kernel 4.19 < 5.10"
            assert table.cell(board, "routing").text == "native"
        assert states(app, "bpf-host-routing") == {
            **dict.fromkeys(VMS, State.ON),
            **dict.fromkeys(BOARDS, State.BLOCKED),
        }

        await press_apply(pilot, "bypass-iptables-conntrack")
        await confirm_and_wait(pilot, "lab-training")
        result = pane(app).result
        assert result is not None and result.outcome == "verified", result.message
        assert states(app, "bypass-iptables-conntrack") == {
            **dict.fromkeys(VMS, State.NA),
            **dict.fromkeys(BOARDS, State.ON),
        }

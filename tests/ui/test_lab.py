"""The console on the real lab: the embedded API server and SSH boards, read by the real collectors
(the path `cilium-tui --demo` takes), changed under the console's feet with the lab's knobs."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.lab.runner import RunningLab
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.panes.checklist import ChecklistPane
from cilium_tui.ui.widgets.node_table import NodeTable
from tests.integration.lab.conftest import running
from tests.ui.support import console_on_lab, settle, spy_updates

SIZE = (160, 45)
VMS = ("k3s-vm-1", "k3s-vm-2", "k3s-vm-3")
BOARDS = ("rock64-1", "rock64-2", "rock64-3")
DEADLINE = 30.0
"""How long the lab may take to reflect a change (agent restarts back off)."""


def table_of(app: CiliumTuiApp) -> NodeTable:
    return app.main.query_one(NodeTable)


async def rescan_until(
    pilot: Pilot[object], done: Callable[[], bool], seen: Callable[[], object] | None = None
) -> list[object]:
    """Press r until `done()`, recording `seen()` after each scan; fails after DEADLINE."""
    observed: list[object] = []
    deadline = time.monotonic() + DEADLINE
    while True:
        await pilot.press("r")
        await settle(pilot)
        if seen is not None:
            observed.append(seen())
        if done():
            return observed
        assert time.monotonic() < deadline, f"the console never showed it; saw {observed}"
        await pilot.pause(0.2)


async def test_the_seed_splits_bpf_vms_from_legacy_boards(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    app = console_on_lab(seed_lab, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.shown_keys == [*VMS, *BOARDS]
        for vm in VMS:
            assert table.cell(vm, "host_routing").plain == "BPF"
            assert table.cell(vm, "kernel").text == "6.2.0-39-generic"
        for board in BOARDS:
            assert table.cell(board, "host_routing").plain == "Legacy · kernel 4.19 < 5.10"
            assert table.cell(board, "arch").text == "arm64"
        assert all(table.cell(n, "agent").text == "Ready" for n in (*VMS, *BOARDS))
        assert all(table.cell(n, "ssh").text == "ok" for n in (*VMS, *BOARDS))
        assert str(app.main.query_one("#demo-badge").render()) == "DEMO · seed"
        assert app.cluster is not None
        rollup = app.cluster.judgement.rollup("bypass-iptables-conntrack")
        assert rollup is not None
        assert {f.node for f in rollup.findings if f.recommended} == set(BOARDS)
        await pilot.press("2")
        assert app.main.query_one(ChecklistPane).select_item("bpf-host-routing")
        await pilot.pause()
        assert "on 3/6 nodes; 3 blocked: kernel 4.19 < 5.10" in str(
            app.main.query_one("#item-text").render()
        )


async def test_a_kernel_change_in_the_lab_updates_that_row_and_keeps_the_cursor(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    lab: RunningLab = running(seed_lab)
    app = console_on_lab(seed_lab, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        table.move_cursor(row=table.get_row_index("k3s-vm-3"))
        updated = spy_updates(table)
        # A security update: the board boots a newer 4.19 (the Node object changes, and uname).
        lab.cluster.set_kernel("rock64-2", "4.19.0-26-arm64", "#1 SMP Debian 4.19.304-1")
        await rescan_until(pilot, lambda: table.cell("rock64-2", "kernel").text[-8:] == "26-arm64")
        assert {row for row, _ in updated} == {"rock64-2"}, "no other row was touched"
        assert ("rock64-2", "kernel") in updated
        assert table.cell("rock64-2", "host_routing").plain == "Legacy · kernel 4.19 < 5.10"
        assert table.cursor_key == "k3s-vm-3"


async def test_a_restarting_agent_goes_through_not_ready_back_to_ready(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    lab = running(seed_lab)
    app = console_on_lab(seed_lab, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.cell("rock64-1", "agent").text == "Ready"

        def agent() -> str:
            return table.cell("rock64-1", "agent").text

        lab.api.set_agent_unready("rock64-1")  # the agent restarts and fails to come up
        seen = await rescan_until(pilot, lambda: agent() != "Ready", agent)
        lab.api.set_agent_unready("rock64-1", unready=False)  # restarts again, healthy
        seen += await rescan_until(pilot, lambda: agent() == "Ready", agent)
        down = [state for state in seen if state != "Ready"]
        assert down, seen
        assert set(down) <= {"no agent", "NotReady", "CrashLoopBackOff", "ContainerCreating"}
        assert seen[-1] == "Ready"
        assert table.cell("rock64-1", "host_routing").plain == "Legacy · kernel 4.19 < 5.10"
        assert table.cell("rock64-2", "agent").text == "Ready", "the other agents never moved"


async def test_an_unreachable_board_says_why_and_the_rest_renders(
    seed_lab: ClusterSource, tmp_path: Path
) -> None:
    lab = running(seed_lab)
    app = console_on_lab(seed_lab, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        lab.cluster.hosts["rock64-3"].reachable = False
        await rescan_until(pilot, lambda: table.cell("rock64-3", "ssh").text == "unreachable")
        ssh = table.cell("rock64-3", "ssh")
        record = app.cluster.record("rock64-3") if app.cluster else None
        assert record is not None
        assert record.errors["ssh"].startswith("rock64-3 (127.77.")
        assert record.errors["ssh"].endswith(f": {ssh.detail}"), "the reason, without the host"
        assert table.cell("rock64-3", "agent").text == "Ready", "the agent is read over the API"
        assert table.cell("rock64-3", "host_routing").plain == "Legacy · kernel 4.19 < 5.10"
        # Without SSH the host facts the agent pod can show come through it, marked as such.
        assert record.probe is not None and record.probe.source == "agent pod"
        assert table.cell("rock64-3", "mtu").text == "1500"
        assert all(table.cell(n, "ssh").text == "ok" for n in (*VMS, "rock64-1", "rock64-2"))
        log = [entry.text for entry in app.activity]
        assert any(line.startswith("rock64-3: ssh: ") for line in log)

"""Read-only on the running lab, over SSH too: the console previews the seed's node plans but
sends no write to a board, proven by the boards' command log next to the API server's."""

from __future__ import annotations

import copy
from pathlib import Path

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.lab.boards import LabBoards
from cilium_tui.ui.screens.main import MainScreen
from tests.integration.lab.conftest import running
from tests.ui.support import console_on_lab, pane, settle, shown

SIZE = (160, 45)
NODE_PLANS = ("cpu-governor", "irqbalance")
"""Ready plans of the seed whose every change is an SSH command (sudo tee, systemctl disable)."""


async def test_read_only_sends_no_write_over_ssh(seed_lab: ClusterSource, tmp_path: Path) -> None:
    lab = running(seed_lab)
    boards = lab.boards
    assert isinstance(boards, LabBoards)
    machines = copy.deepcopy(lab.cluster.hosts)
    app = console_on_lab(seed_lab, tmp_path, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        scanned = boards.commands.records()
        assert {e.host for e in scanned} == set(machines), "the scan probed every machine"
        assert boards.commands.mutating() == [], "probing only reads"
        boards.commands.clear()
        lab.api.requests.clear()
        for item_id in NODE_PLANS:
            await app.choose_item(item_id)
            await settle(pilot)
            plan = pane(app).plan
            assert plan is not None and plan.item_id == item_id
            assert plan.status == "ready" and plan.node_steps, "something it could apply"
            assert "READY" in shown(app)
            await pilot.press("a", "y", "u", "y")  # apply, undo, and a yes to any dialog
            await settle(pilot)
            assert isinstance(app.screen, MainScreen), "no confirmation dialog"
    assert lab.api.requests.mutating() == []
    assert boards.commands.mutating() == [], "no command that could change a board"
    assert boards.commands.privileged() == [], "no command run with root rights"
    assert lab.cluster.hosts == machines, "every board as it was"

"""Remediation over SSH against the real-sshd boards of the network-namespace bed (root).

The remediation engine plans, applies, verifies and undoes the host items on boards reached
through real OpenSSH (one behind the jump host, one as a non-root user with sudo, one whose sudo
wants a password): the boards' state changes, on those boards only, and comes back exactly.
It lives beside the bed so that the session's one bed serves it (a second bed in the same
process would collide with the first's namespaces).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cilium_tui.collect.inventory import Inventory, InventoryHost, SshTarget
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.collect.ssh import SshPool
from cilium_tui.remedy.engine import RemedyEngine, confirm
from cilium_tui.remedy.journal import Journal
from cilium_tui.remedy.plan import Outcome
from cilium_tui.remedy.planner import build_plan
from tests.integration.ssh.netns_bed import NetnsBed

pytestmark = pytest.mark.root

BOARDS = ("b1", "b2", "b3", "b4", "b5")


def state(bed: NetnsBed) -> dict[str, tuple[tuple[bool, bool], list[str]]]:
    """Each board's irqbalance (active, enabled) and CPU governors, read from its own files."""
    return {n: (bed.board(n).unit("irqbalance"), bed.board(n).governors()) for n in BOARDS}


async def test_host_items_applied_and_undone_on_real_boards(bed: NetnsBed, tmp_path: Path) -> None:
    inventory = Inventory(hosts=tuple(InventoryHost(n, None, SshTarget(n)) for n in BOARDS))
    source = ClusterSource(
        "netns bed", kube=None, ssh=SshPool(config_path=bed.ssh_config), inventory=inventory
    )
    engine = RemedyEngine(source, journal=Journal(tmp_path))
    before = state(bed)
    try:
        irqbalance = build_plan("irqbalance", await source.scan())
        assert irqbalance.status == "ready"
        outcomes = {a.node: a.outcome for a in irqbalance.assessments}
        assert outcomes == {
            **dict.fromkeys(("b1", "b2", "b3", "b5"), Outcome.TAKES),
            "b4": Outcome.NO_EFFECT,  # its sudo wants a password
        }
        result = await engine.apply(irqbalance, confirm(irqbalance))
        assert result.outcome == "verified", result.message
        after = state(bed)
        for name in ("b1", "b2", "b3", "b5"):
            assert after[name][0] == (False, False), name
        assert after["b4"] == before["b4"]

        governors = build_plan("cpu-governor", await source.scan())
        assert [s.node for s in governors.node_steps] == ["b1", "b3", "b5"]  # b2: no cpufreq
        result = await engine.apply(governors, confirm(governors))
        assert result.outcome == "verified", result.message
        for name in ("b1", "b3", "b5"):
            assert bed.board(name).governors() == ["performance"] * 4
    finally:
        for _ in range(2):  # the governors, then irqbalance
            if await engine.latest_undoable() is None:
                break
            undo = await engine.undo_plan()
            undone = await engine.apply(undo, confirm(undo))
            assert undone.outcome == "verified", undone.message
        await source.close()
    assert state(bed) == before

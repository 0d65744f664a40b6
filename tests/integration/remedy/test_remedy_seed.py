"""Every remediable item of the seed cluster: applied, verified and undone, byte for byte."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from cilium_tui.checks.catalogue import item
from cilium_tui.checks.types import State
from cilium_tui.remedy.engine import Progress
from cilium_tui.remedy.planner import REMEDIES, build_plan
from tests.integration.remedy.conftest import Lab, apply

StartLab = Callable[[str], Awaitable[Lab]]
SEED_READY = (
    "bypass-iptables-conntrack",
    "hubble",
    "bandwidth-manager",  # the VMs take it; the boards (kernel 4.19) run on without it
    "bbr",
    "cpu-governor",
    "irqbalance",
)
AGENT_SYSCTLS = ("bandwidth-manager", "bbr")
"""The agent itself raises host sysctls for these: undo restores cilium-config, not them."""


async def test_the_seed_offers_exactly_these_changes(lab: StartLab) -> None:
    seed = await lab("seed")
    snapshot = await seed.source.scan()
    ready = tuple(r.item_id for r in REMEDIES if build_plan(r.item_id, snapshot).applicable)
    assert ready == SEED_READY


@pytest.mark.parametrize("item_id", SEED_READY)
async def test_apply_verify_undo(lab: StartLab, item_id: str) -> None:
    seed = await lab("seed")
    config, hosts = seed.config(), seed.hosts()
    plan = build_plan(item_id, await seed.source.scan())
    steps: list[Progress] = []

    result = await apply(seed, plan, steps.append)
    assert result.outcome == "verified", result.message
    assert result.verification is not None and result.verification.ok
    assert result.entry_id is not None and result.undo_offered
    if plan.changes:
        assert seed.config() == plan.data_after(config)
    if plan.node_steps:
        assert seed.hosts() != hosts
    restarted = [s.node for s in steps if s.phase == "restart"]
    assert restarted == (list(plan.restart.nodes) if plan.restart else [])
    entry = seed.journal.load(result.entry_id)
    assert entry.status == "verified"
    assert entry.previous == {c.key: c.old for c in plan.changes}

    undo = await seed.engine.undo_plan()
    assert undo.undoes == result.entry_id
    undone = await apply(seed, undo)
    assert undone.outcome == "verified", undone.message
    assert seed.config() == config  # the whole data dict, byte for byte
    if item_id in AGENT_SYSCTLS:
        assert any("undo restores cilium-config, not those sysctls" in w for w in plan.warnings)
    else:
        assert seed.hosts() == hosts  # governors, irqbalance, NOTRACK rules: all back
    assert seed.journal.load(result.entry_id).undone_by == undone.entry_id
    assert await seed.engine.latest_undoable() is None


async def test_conntrack_bypass_turns_on_where_host_routing_is_legacy(lab: StartLab) -> None:
    seed = await lab("seed")
    plan = build_plan("bypass-iptables-conntrack", await seed.source.scan())
    result = await apply(seed, plan)
    assert {c.node: c.actual for c in result.checks} == {
        **dict.fromkeys(("rock64-1", "rock64-2", "rock64-3"), State.ON),
        **dict.fromkeys(("k3s-vm-1", "k3s-vm-2", "k3s-vm-3"), State.NA),
    }
    board = seed.running.cluster.hosts["rock64-1"]
    assert any("NOTRACK for pod traffic" in rule for rule in board.iptables_raw)
    snapshot = await seed.source.scan()
    bypass = item("bypass-iptables-conntrack")
    on = [r.name for r in snapshot.nodes if bypass.evaluate(snapshot, r).state == State.ON]
    assert on == ["rock64-1", "rock64-2", "rock64-3"]

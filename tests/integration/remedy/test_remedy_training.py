"""The training walk: from Cilium's defaults to BPF host routing wherever the kernel allows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from cilium_tui.checks.catalogue import item
from cilium_tui.checks.types import State
from cilium_tui.checks.why_legacy import why_legacy
from cilium_tui.model import Snapshot
from cilium_tui.remedy.context import PlanOptions
from cilium_tui.remedy.engine import ApplyResult, Confirmation, ConfirmationError, confirm
from cilium_tui.remedy.plan import Plan
from cilium_tui.remedy.planner import build_plan
from tests.integration.remedy.conftest import Lab, apply

StartLab = Callable[[str], Awaitable[Lab]]
VMS = ("k3s-vm-1", "k3s-vm-2", "k3s-vm-3")
BOARDS = ("rock64-1", "rock64-2", "rock64-3")
WALK = ("native-routing", "kube-proxy-replacement", "bpf-masquerading", "nodeport-dsr")
THREE = PlanOptions(batch_size=3)
"""Three agents at a time: the walk is about what changes, the rollout is tested elsewhere."""


async def apply_refused(lab: Lab, plan: Plan) -> ApplyResult:
    """What the engine does with a refused plan handed to it anyway (no `confirm` gives one)."""
    return await lab.engine.apply(plan, Confirmation(plan.digest, lab.source.context))


def states(snapshot: Snapshot, item_id: str) -> dict[str, State]:
    entry = item(item_id)
    return {r.name: entry.evaluate(snapshot, r).state for r in snapshot.nodes}


def host_routing(snapshot: Snapshot) -> dict[str, str | None]:
    return {r.name: r.agent.host_routing if r.agent else None for r in snapshot.nodes}


async def test_the_training_walk(lab: StartLab) -> None:
    training = await lab("training")
    before = await training.source.scan()
    assert set(host_routing(before).values()) == {"Legacy"}
    assert build_plan("bypass-iptables-conntrack", before).status == "refused"  # not yet

    for item_id in WALK:
        plan = build_plan(item_id, await training.source.scan(), options=THREE)
        assert plan.status == "ready", (item_id, plan.summary, plan.refusals)
        result = await apply(training, plan)
        assert result.outcome == "verified", (item_id, result.message)

    walked = await training.source.scan()
    for item_id in WALK:
        assert set(states(walked, item_id).values()) == {State.ON}, item_id
    assert host_routing(walked) == {**dict.fromkeys(VMS, "BPF"), **dict.fromkeys(BOARDS, "Legacy")}
    causes = {e.node: e.causes for e in why_legacy(walked)}
    assert set(causes) == set(BOARDS)
    assert {(c[0].id, c[0].blocker) for c in causes.values()} == {("kernel", "kernel 4.19 < 5.10")}
    assert states(walked, "bpf-host-routing") == {
        **dict.fromkeys(VMS, State.ON),
        **dict.fromkeys(BOARDS, State.BLOCKED),
    }

    # Where host routing stays Legacy, bypass iptables connection tracking.
    bypass = build_plan("bypass-iptables-conntrack", walked, options=THREE)
    assert bypass.status == "ready"
    assert {a.node for a in bypass.assessments if a.outcome == "takes"} == set(BOARDS)
    result = await apply(training, bypass)
    assert result.outcome == "verified", result.message
    final = await training.source.scan()
    assert states(final, "bypass-iptables-conntrack") == {
        **dict.fromkeys(VMS, State.NA),
        **dict.fromkeys(BOARDS, State.ON),
    }


async def test_the_walk_undone_newest_first_and_never_out_of_order(lab: StartLab) -> None:
    """The 1.13 spellings (`tunnel: disabled`, `kube-proxy-replacement: strict`) go back byte for
    byte, one change at a time; undoing native routing under DSR (a crash loop: "Node Port dsr
    mode cannot be used with vxlan tunneling") is refused until the later changes are undone."""
    training = await lab("training")
    configs = [training.config()]
    entries = []
    for item_id in WALK:
        plan = build_plan(item_id, await training.source.scan(), options=THREE)
        result = await apply(training, plan)
        assert result.outcome == "verified", (item_id, result.message)
        assert result.entry_id is not None
        entries.append(result.entry_id)
        configs.append(training.config())
    assert configs[-1]["tunnel"] == "disabled" and configs[-1]["kube-proxy-replacement"] == "strict"

    native_routing = await training.engine.undo_plan(entries[0])
    assert native_routing.status == "refused"
    assert [r.reason.split(" after ")[0] for r in native_routing.refusals] == [
        f"journal entry {entries[i]} ({WALK[i]}) changed kube-system/cilium-config"
        for i in (3, 2, 1)
    ]
    assert f"undo {entries[3]} first" in native_routing.refusals[0].reason
    with pytest.raises(ConfirmationError):
        confirm(native_routing)
    assert (await apply_refused(training, native_routing)).outcome == "refused"
    assert training.config() == configs[-1]

    for step in reversed(range(len(WALK))):
        undo = await training.engine.undo_plan()
        assert undo.undoes == entries[step] and undo.status == "ready", undo.refusals
        undone = await apply(training, undo)
        assert undone.outcome == "verified", (WALK[step], undone.message)
        assert training.config() == configs[step]  # the whole data, byte for byte
    assert await training.engine.latest_undoable() is None
    final = await training.source.scan()
    assert set(host_routing(final).values()) == {"Legacy"}

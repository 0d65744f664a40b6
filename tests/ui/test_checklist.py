"""The checklist pane under Pilot, on Rollup/Finding objects built by hand."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static, Tree

from cilium_tui.checks.types import Finding, Rollup, State
from cilium_tui.model import Snapshot
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.panes.checklist import ChecklistPane
from cilium_tui.ui.state import Judgement, judgement_of
from tests.ui.factories import with_kernel, with_node
from tests.ui.support import ScriptedSource, make_app, settle

SIZE = (140, 40)


def pane_of(app: CiliumTuiApp) -> ChecklistPane:
    return app.main.query_one(ChecklistPane)


def labels(tree: Tree[Any]) -> list[str]:
    return [str(node.label) for node in tree.root.children]


def side_text(app: CiliumTuiApp) -> str:
    return str(app.main.query_one("#item-text", Static).render())


async def open_checklist(app: CiliumTuiApp, pilot: Any) -> Tree[Any]:
    await settle(pilot)
    await pilot.press("2")
    await pilot.pause()
    return pane_of(app).checklist_tree


async def test_items_show_counts_done_marks_and_expand_per_node() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tree = await open_checklist(app, pilot)
        lines = labels(tree)
        assert len(lines) == 7
        assert lines[0].split()[:3] == ["eBPF", "host", "routing"]
        assert lines[0].endswith("3 on  3 blocked")
        assert lines[1].startswith("✓  Full kube-proxy replacement")
        assert not lines[0].startswith("✓")
        assert "Skips the host's iptables" in side_text(app)
        assert "kernel >= 5.10" in side_text(app)
        assert "https://docs.cilium.io/" in side_text(app)
        await pilot.press("space")
        await pilot.pause()
        item = tree.root.children[0]
        assert item.is_expanded
        children = [str(child.label).split()[:2] for child in item.children]
        assert ["board-1", "blocked"] in children and ["vm-1", "on"] in children
        await pilot.press("down", "down", "down", "down")
        await pilot.pause()
        cursor = tree.cursor_node
        assert cursor is not None and isinstance(cursor.data, Finding)
        assert cursor.data.node == "board-1"
        assert "blocked by: kernel 4.19 < 5.10" in side_text(app)
        assert "Advice: Upgrade the board" in side_text(app)


async def test_state_filter_cycles_and_narrows_items_and_nodes() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tree = await open_checklist(app, pilot)
        await pilot.press("f")
        await pilot.pause()
        assert pane_of(app).state_filter is State.OFF
        titles = [line.strip().split("  ")[0] for line in labels(tree)]
        assert titles == [
            "Bandwidth Manager",
            "CPU frequency governor: performance",
            "Kernel preemption: none",
        ]
        governor = tree.root.children[1]
        assert {f.data.state for f in governor.children if isinstance(f.data, Finding)} == {
            State.OFF
        }
        summary = str(app.main.query_one("#checklist-summary", Static).render())
        assert "showing items with a node off (3)" in summary
        for _ in range(5):
            await pilot.press("f")
        await pilot.pause()
        assert pane_of(app).state_filter is None
        assert len(labels(tree)) == 7


async def test_refresh_keeps_expansion_and_cursor() -> None:
    seed = ScriptedSource().snapshots[0]
    upgraded = with_node(seed, "vm-2", lambda r: with_kernel(r, "6.8.0-63-generic"))
    source = ScriptedSource(seed, upgraded)
    calls = []

    def judge(snapshot: Snapshot) -> Judgement:
        from cilium_tui.ui.sample_snapshot import sample_rollups

        rollups = sample_rollups(snapshot)
        calls.append(snapshot)
        if len(calls) > 1:  # the second verdict differs, so the tree is rebuilt
            rollups = rollups[:-1]
        return judgement_of(rollups)

    app = make_app(source, judge=judge)
    async with app.run_test(size=SIZE) as pilot:
        tree = await open_checklist(app, pilot)
        await pilot.press("down", "space", "down")
        await pilot.pause()
        before = tree.cursor_node
        assert before is not None and isinstance(before.data, Finding)
        await pilot.press("r")
        await settle(pilot)
        assert len(labels(tree)) == 6
        assert tree.root.children[1].is_expanded
        after = tree.cursor_node
        assert after is not None and isinstance(after.data, Finding)
        assert (after.data.item_id, after.data.node) == (before.data.item_id, before.data.node)


async def test_p_shows_the_item_in_the_remediation_placeholder() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(app, pilot)
        await pilot.press("p")
        await pilot.pause()
        assert app.main.tabs.active == "remediation"
        text = str(app.main.query_one("#remediation-text", Static).render())
        assert text.startswith("eBPF host routing\nBPF host routing: 3/6 nodes")
        assert "not available in this build yet" in text


async def test_empty_and_failing_catalogues_say_so() -> None:
    empty = make_app(judge=lambda _: Judgement())
    async with empty.run_test(size=SIZE) as pilot:
        await open_checklist(empty, pilot)
        summary = str(empty.main.query_one("#checklist-summary", Static).render())
        assert summary == "The catalogue has no items for this cluster yet."
        assert labels(pane_of(empty).checklist_tree) == []

    failing = make_app(judge=lambda _: Judgement(error="the checklist failed: KeyError: 'x'"))
    async with failing.run_test(size=SIZE, notifications=True) as pilot:
        await open_checklist(failing, pilot)
        summary = str(failing.main.query_one("#checklist-summary", Static).render())
        assert summary == "the checklist failed: KeyError: 'x'"
        assert any(e.text == summary for e in failing.activity)


def test_rollups_are_constructible_for_tests() -> None:
    """The pane reads only Rollup/Finding fields, so hand-made ones are enough (as here)."""
    from cilium_tui.ui.sample_snapshot import sample_rollups, seed_snapshot

    rollups = sample_rollups(seed_snapshot())
    assert all(isinstance(r, Rollup) for r in rollups)
    assert sum(len(r.findings) for r in rollups) == 7 * 6

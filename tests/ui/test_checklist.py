"""The checklist pane under Pilot: the real catalogue's judgement of the seed, and hand-made
Rollup/Finding objects where the pane's own behaviour (hostile text, empty or failing
catalogues) is what is tested."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static, Tree

from cilium_tui.checks.catalogue import CATALOGUE
from cilium_tui.checks.judgement import Judgement, judge, judgement_of
from cilium_tui.checks.types import Finding, Item, Requirement, Rollup, State
from cilium_tui.model import NodeRecord, Snapshot
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.panes.checklist import ChecklistPane
from tests.ui.factories import with_kernel, with_node
from tests.ui.support import ScriptedSource, make_app, plain, settle

SIZE = (140, 40)


def pane_of(app: CiliumTuiApp) -> ChecklistPane:
    return app.main.query_one(ChecklistPane)


def labels(tree: Tree[Any]) -> list[str]:
    return [str(node.label) for node in tree.root.children]


def titles(tree: Tree[Any]) -> list[str]:
    return [label[2:].split("  ")[0].strip() for label in labels(tree)]


def counts(label: str) -> list[str]:
    """The five counts at the end of an item's line (ON OFF BLK N/A UNK; · for none)."""
    return label.split()[-5:]


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
        assert len(lines) == len(CATALOGUE)
        assert lines[0].startswith("✓ Native routing")
        assert counts(lines[0]) == ["6", "·", "·", "·", "·"]
        routing = lines[titles(tree).index("BPF host routing")]
        assert not routing.startswith("✓") and counts(routing) == ["3", "·", "3", "·", "·"]
        bypass = lines[titles(tree).index("Bypass iptables conntrack")]
        assert counts(bypass) == ["·", "3", "·", "3", "·"], "recommended on the boards, n/a on VMs"
        assert "Why it matters" in side_text(app)
        assert "https://docs.cilium.io/" in side_text(app)
        assert pane_of(app).select_item("bpf-host-routing")
        await pilot.pause()
        assert "• kernel >= 5.10" in side_text(app)
        await pilot.press("space")
        await pilot.pause()
        item = tree.cursor_node
        assert item is not None and item.is_expanded
        children = [str(child.label).split()[:3] for child in item.children]
        assert ["rock64-1", "blocked", "kernel"] in children
        assert ["k3s-vm-1", "on", "BPF"] in children
        await pilot.press(*["down"] * 4)
        await pilot.pause()
        cursor = tree.cursor_node
        assert cursor is not None and isinstance(cursor.data, Finding)
        assert cursor.data.node == "rock64-1"
        assert "blocked by: kernel 4.19 < 5.10" in side_text(app)
        assert "Advice: BPF host routing is impossible here" in side_text(app)


async def test_state_filter_cycles_and_narrows_items_and_nodes() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        tree = await open_checklist(app, pilot)
        await pilot.press("f")
        await pilot.pause()
        assert pane_of(app).state_filter is State.OFF
        shown = titles(tree)
        assert "Bypass iptables conntrack" in shown and "Jumbo MTU" in shown
        assert "BPF host routing" not in shown, "no node is off: on or blocked"
        assert "Native routing" not in shown
        assert pane_of(app).select_item("bypass-iptables-conntrack", expand=True)
        await pilot.pause()
        bypass = tree.root.children[shown.index("Bypass iptables conntrack")]
        assert pane_of(app).state_filter is State.OFF, "selecting a shown item keeps the filter"
        nodes = {f.data.node for f in bypass.children if isinstance(f.data, Finding)}
        assert nodes == {"rock64-1", "rock64-2", "rock64-3"}
        summary = str(app.main.query_one("#checklist-summary", Static).render())
        assert f"showing items with a node off ({len(shown)})" in summary
        for _ in range(5):
            await pilot.press("f")
        await pilot.pause()
        assert pane_of(app).state_filter is None
        assert len(labels(tree)) == len(CATALOGUE)


async def test_refresh_keeps_expansion_and_cursor() -> None:
    seed = ScriptedSource().snapshots[0]
    upgraded = with_node(seed, "k3s-vm-2", lambda r: with_kernel(r, "6.8.0-63-generic"))
    source = ScriptedSource(seed, upgraded)
    calls = []

    def judge_twice(snapshot: Snapshot) -> Judgement:
        calls.append(snapshot)
        judged = judge(snapshot)
        if len(calls) > 1:  # the second verdict differs, so the tree is rebuilt
            return judgement_of(judged.rollups[:-1])
        return judged

    app = make_app(source, judge=judge_twice)
    async with app.run_test(size=SIZE) as pilot:
        tree = await open_checklist(app, pilot)
        await pilot.press("down", "space", "down")
        await pilot.pause()
        before = tree.cursor_node
        assert before is not None and isinstance(before.data, Finding)
        await pilot.press("r")
        await settle(pilot)
        assert len(labels(tree)) == len(CATALOGUE) - 1
        assert tree.root.children[1].is_expanded
        after = tree.cursor_node
        assert after is not None and isinstance(after.data, Finding)
        assert (after.data.item_id, after.data.node) == (before.data.item_id, before.data.node)


async def test_p_shows_the_item_in_the_remediation_pane() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(app, pilot)
        pane_of(app).select_item("bpf-host-routing")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert app.main.tabs.active == "remediation"
        await settle(pilot)
        text = plain(app.main.query_one("#remediation-text", Static))
        assert text.startswith("BPF host routing (bpf-host-routing)  REFUSED · nothing will be")
        assert "host routing stays Legacy" in text


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


def _hostile_item(text: str) -> Item:
    def evaluate(_: Snapshot, record: NodeRecord) -> Finding:
        return Finding("odd", record.name, State.OFF, text)

    return Item("odd", f"Item {text}", text, (Requirement(text),), text, text, evaluate)


async def test_catalogue_text_with_brackets_renders_literally() -> None:
    """Titles, reasons and requirements are catalogue text; none of it is markup."""
    hostile = "[bold]x[/] [/oops]"
    item = _hostile_item(hostile)
    finding = Finding("odd", "k3s-vm-1", State.BLOCKED, hostile, blocked_by=(hostile,))
    rollup = Rollup(item, (finding,), {**dict.fromkeys(State, 0), State.BLOCKED: 1}, hostile)
    app = make_app(judge=lambda _: judgement_of((rollup,)))
    async with app.run_test(size=SIZE) as pilot:
        tree = await open_checklist(app, pilot)
        line = labels(tree)[0]
        assert line.startswith(f"  Item {hostile} ") and counts(line) == ["·", "·", "1", "·", "·"]
        assert f"• {hostile}" in side_text(app)
        await pilot.press("space", "down")
        await pilot.pause()
        assert f"blocked by: {hostile}" in side_text(app)


async def test_a_refresh_that_changes_no_line_keeps_the_tree() -> None:
    """A node changed in a way no item's counts show (a kernel's build suffix): the items take
    their new roll-ups in place; the tree is not cleared and built again (counted by the very
    tree nodes kept)."""
    seed = ScriptedSource().snapshots[0]
    record = seed.node("k3s-vm-2")
    assert record is not None and record.probe is not None
    kernel = f"{record.probe.kernel_release}+1"
    patched = with_node(seed, "k3s-vm-2", lambda r: with_kernel(r, kernel))
    app = make_app(ScriptedSource(seed, patched))
    async with app.run_test(size=SIZE) as pilot:
        tree = await open_checklist(app, pilot)
        before = list(tree.root.children)
        lines = labels(tree)
        await pilot.press("r")
        await settle(pilot)
        assert app.snapshot is not None and app.snapshot.node("k3s-vm-2") != record
        assert labels(tree) == lines
        assert list(tree.root.children) == before, "the same tree nodes: no rebuild"
        assert all(n.data is r for n, r in zip(before, pane_of(app)._rollups, strict=True))
        judged = next(r for r in pane_of(app)._rollups if r.item.id == before[0].data.item.id)
        assert before[0].data is judged, "each item holds its new roll-up"

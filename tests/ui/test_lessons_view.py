"""The lessons in the console without a lab: started from the palette, the panel beside the
screens, the Lessons key in the footer; every `fix:` line of a node's why-Legacy actionable with p
(it previews that item on the node, asked which when there are several)."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import Static

from cilium_tui.ui.lessons import LessonsScreen
from cilium_tui.ui.screens.detail import NodeDetailScreen
from tests.ui.support import (
    ScriptedSource,
    lab_scan,
    make_app,
    palette_hits,
    palette_search,
    pane,
    plain,
    settle,
)

SIZE = (120, 40)


async def test_p_on_a_fix_line_previews_its_item_on_the_node() -> None:
    app = make_app(ScriptedSource(lab_scan("training")))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(NodeDetailScreen("rock64-1"))
        await pilot.pause()
        routing = str(app.screen.query_one("#detail-routing").render())
        assert "(checklist: Kube-proxy replacement) · p previews it" in routing
        assert "(checklist: BPF masquerading) · p previews it" in routing
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette), "two fixes: which one?"
        hits = await palette_hits(pilot)
        prompts = [str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)]
        assert [p.splitlines()[0] for p in prompts] == [
            "Preview Kube-proxy replacement",
            "Preview BPF masquerading",
        ]
        await pilot.press(*"masq", "enter")
        await settle(pilot)
        assert app.main.tabs.active == "remediation"
        assert (pane(app).item_id, pane(app).nodes) == ("bpf-masquerading", ("rock64-1",))


async def test_a_lesson_started_from_the_palette_shows_its_panel_and_key() -> None:
    app = make_app(ScriptedSource(lab_scan("training")))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        panel = app.main.query_one("#lesson-panel", Static)
        assert app.lesson_status is None and not panel.display, "no lesson: no panel"
        footer = " ".join(str(k.render()) for k in app.main.query("FooterKey") if k.display)
        assert "l Lessons" in footer
        await palette_search(pilot, "lesson seed")
        await pilot.press("enter")
        await settle(pilot)
        assert app.lesson_status is not None and app.lesson_status.lesson.name == "seed"
        assert panel.display
        text = plain(panel)
        assert "Step 1/10  See the mixed cluster" in text
        assert "Not done yet" in text
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LessonsScreen)
        assert "0/10 steps done" in plain(app.screen.query_one("#lessons-title", Static))

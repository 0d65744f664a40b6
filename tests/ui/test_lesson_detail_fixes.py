"""Every `fix:` line of a node's why-Legacy is actionable with p: it previews that item on the
node (asked which when there are several)."""

from __future__ import annotations

from textual.command import CommandPalette

from cilium_tui.ui.screens.detail import NodeDetailScreen
from tests.ui.support import ScriptedSource, lab_scan, make_app, palette_hits, pane, settle

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

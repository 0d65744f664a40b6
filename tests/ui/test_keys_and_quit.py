"""Keys that must always work: ctrl+p opens the palette, ctrl+q quits from any modal, help shows
every keymap id however narrow the terminal, and a rolling change is not quit by accident; the
palette shows outside text as it is."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.command import CommandPalette
from textual.content import Content
from textual.widgets import DataTable

from cilium_tui.collect.inventory import load_inventory
from cilium_tui.collect.kube import KubeClient
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.collect.ssh import SshPool
from cilium_tui.lab.kube.controllers import Timing
from cilium_tui.lab.runner import start_lab
from cilium_tui.remedy.journal import Journal
from cilium_tui.ui.app import CiliumTuiApp, binding_ids
from cilium_tui.ui.commands import literal_markup
from cilium_tui.ui.dialogs import ConfirmDialog
from cilium_tui.ui.screens.help import HelpScreen
from cilium_tui.ui.screens.main import MainScreen
from tests.ui.support import (
    confirm_dialog,
    console_on_lab,
    make_app,
    pane,
    press_apply,
    settle,
    until,
)

SIZE = (140, 40)


def screen_text(app: CiliumTuiApp) -> str:
    """What the terminal shows, as text (from the SVG screenshot: what was rendered)."""
    svg = app.export_screenshot()
    return html.unescape("".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))).replace("\xa0", " ")


async def test_ctrl_p_opens_the_command_palette() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("colon")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette), "':' still opens it too"


@pytest.mark.parametrize("modal", ["help", "palette", "dialog"])
async def test_ctrl_q_quits_from_any_modal_and_q_does_not(modal: str) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if modal == "help":
            await pilot.press("question_mark")
        elif modal == "palette":
            await pilot.press("ctrl+p")
        else:
            app.push_screen(ConfirmDialog("Really?", "A question."))
        await pilot.pause()
        assert not isinstance(app.screen, MainScreen)
        if modal == "dialog":
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog), "a plain q does nothing in a dialog"
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


@pytest.mark.parametrize("size", [(80, 24), (100, 70), (120, 40)])
async def test_help_shows_every_keymap_id(size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table", DataTable)
        labels = [c.label.plain for c in table.ordered_columns]
        assert labels[-1] == "ID", "the places are headings, not a column running off the edge"
        through_id = labels.index("ID") + 1
        id_right_edge = sum(c.get_render_width(table) for c in table.ordered_columns[:through_id])
        assert id_right_edge <= table.scrollable_content_region.width, "the ID column fits"
        if size[1] >= 70:  # every row on screen at once: the ids are in what was rendered
            text = screen_text(app)
            missing = [i for i in binding_ids() if f" {i} " not in text]
            assert not missing


async def lab_at_its_own_pace() -> ClusterSource:
    """The seed lab with the DaemonSet controller's real delays: an agent takes 1.5 s to come
    back, so a rollout of six lasts long enough to try quitting in the middle of it."""
    lab = start_lab("seed", timing=Timing())
    files = lab.files
    assert files is not None
    kube = await KubeClient.connect(str(files.kubeconfig))
    ssh = SshPool(files.ssh_config, known_hosts=files.known_hosts)
    inventory = load_inventory(files.inventory)
    return ClusterSource(
        "lab seed",
        kube=kube,
        ssh=ssh,
        inventory=inventory,
        owns=lab,
        journal_dir=files.directory / "journal",
    )


async def test_quit_while_a_change_rolls_out_asks_first(tmp_path: Path) -> None:
    source = await lab_at_its_own_pace()
    app = console_on_lab(source, tmp_path, ready_timeout=30)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await press_apply(pilot, "bypass-iptables-conntrack")
        await confirm_dialog(pilot)
        await pilot.press(*"lab-seed", "enter")
        await until(pilot, lambda: pane(app).rolling_out, "the rollout to start")
        await pilot.press("q")
        dialog = await confirm_dialog(pilot)
        assert "Quit" in str(dialog.query_one("#confirm-title").render())
        body = str(dialog.query_one("#confirm-body").render())
        assert "being applied right now" in body and "marks it interrupted" in body
        assert app.focused is dialog.query_one("#cancel"), "Cancel is focused"
        await pilot.press("enter")  # a reflexive Enter keeps the console
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, MainScreen)
        await pilot.press("ctrl+q")
        await confirm_dialog(pilot)
        await pilot.press("y")
        await pilot.pause()
    await source.close()
    entries = Journal(tmp_path).entries()
    assert [e.status for e in entries] == ["interrupted"]
    assert any(e.message.startswith("interrupted while ") for e in entries[0].events)
    assert any(e.message.startswith("interrupted") for e in entries[0].events)


@given(st.text(alphabet=st.sampled_from("[]/$\\ab=:"), max_size=20))
def test_palette_help_text_renders_as_it_is(text: str) -> None:
    """The palette parses help as markup; a headline such as `[$var]` must show as written."""
    assert Content.from_markup(literal_markup(text)).plain == text

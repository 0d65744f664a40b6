"""The remediation pane at 80 columns: every equivalent command, as Textual draws it, copies as the
command it stands for. Folded between arguments with ` \\` to the pane's width, never soft-wrapped
inside one; `cilium config set` with --restart=false and one rolling restart after it."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Static

from cilium_tui.remedy.plan import Plan
from cilium_tui.remedy.planner import REMEDIES
from cilium_tui.remedy.preview import (
    equivalent_commands,
    rollout_restart_command,
)
from cilium_tui.ui.app import CiliumTuiApp
from cilium_tui.ui.remedy_view import LIST_LIMIT
from tests.ui.support import ScriptedSource, make_app, pane, settle, until
from tests.unit.remedy.lab_snapshot import lab_snapshot
from tests.unit.remedy.pasted import check_pasted, meaning, pasted, shown_in_order

SIZE = (80, 40)


async def preview(pilot: Pilot[None], app: CiliumTuiApp, item_id: str) -> Plan:
    """Choose `item_id` in the remediation pane and wait for its plan to be shown."""
    remediation = pane(app)
    remediation.choose(item_id)

    def built() -> bool:
        return remediation.plan is not None and remediation.plan.item_id == item_id

    await until(pilot, built, f"the plan of {item_id}")
    await pilot.pause()
    assert remediation.plan is not None
    return remediation.plan


def drawn(app: CiliumTuiApp) -> tuple[list[str], int]:
    """The preview's lines as Textual renders them, and the width they are drawn in."""
    static = app.main.query_one("#remediation-text", Static)
    width, height = static.size
    strips = static.render_lines(Region(0, 0, width, height))
    return [strip.text.rstrip() for strip in strips], width


def after(lines: list[str], heading: str) -> list[str]:
    """The lines from `heading` up to the next blank line."""
    if heading not in lines:
        return []
    start = lines.index(heading) + 1
    return lines[start : lines.index("", start) if "" in lines[start:] else len(lines)]


@pytest.mark.parametrize("scenario", ["seed", "training", "modern"])
async def test_every_command_in_the_pane_pastes_as_the_command_it_stands_for(
    scenario: str,
) -> None:
    snapshot = lab_snapshot(scenario)
    app = make_app(ScriptedSource(snapshot))
    checked = 0
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        for remedy in REMEDIES:
            plan = await preview(pilot, app, remedy.item_id)
            lines, width = drawn(app)
            assert width <= SIZE[0] - 4
            section = after(lines, "Equivalent commands")
            commands = pasted(section)
            commands_of = equivalent_commands(plan)
            # Of a list longer than LIST_LIMIT, the pane shows the first three and says how many
            # more `cilium-tui plan` lists.
            expected = shown_in_order(commands_of, LIST_LIMIT) if plan.status == "ready" else []
            check_pasted(commands, expected)
            if commands_of.cilium_cli and plan.status == "ready":
                assert rollout_restart_command("kube-system") in commands
            for step in plan.guidance:  # guidance commands are drawn the same way
                for command in step.commands:
                    if command.startswith("ssh "):
                        assert meaning(command) in [meaning(c) for c in pasted(lines)]
            assert not [line for line in section if line.endswith("…")], "nothing cut"
            checked += len(commands)
    assert checked > 0

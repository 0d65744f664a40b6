"""The log pane's widget: every activity entry, newest at the bottom, never parsed as markup."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.style import Style
from rich.text import Text
from textual.widgets import RichLog

from cilium_tui.report.safe import plain
from cilium_tui.ui.activity import Activity, Level
from cilium_tui.ui.cells import Tone
from cilium_tui.ui.paint import tone_styles

if TYPE_CHECKING:
    from cilium_tui.ui.app import CiliumTuiApp

_TONES = {Level.INFO: Tone.PLAIN, Level.WARNING: Tone.OFF, Level.ERROR: Tone.ERROR}


class ActivityLog(RichLog):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(max_lines=5000, wrap=True, markup=False, highlight=False, id=id)

    def on_mount(self) -> None:
        console = cast("CiliumTuiApp", self.app)
        for entry in console.activity:
            self.add(entry)
        console.activity_signal.subscribe(self, self.add)

    def add(self, entry: Activity) -> None:
        style = tone_styles(self.app.theme_variables).get(_TONES[entry.level], Style())
        line = Text(entry.at.strftime("%H:%M:%S "), style=Style(dim=True), end="")
        line.append(plain(entry.text), style=style)
        self.write(line)

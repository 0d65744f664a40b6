"""The command palette (ctrl+p and `:`): screens, nodes, checklist items and actions.

Node names and item titles come from the cluster, so they are shown as plain Content, never
parsed as markup (Textual's own `Matcher.highlight` parses its candidate as markup). The palette
parses a hit's help as markup: it goes through `literal_markup`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

if TYPE_CHECKING:
    from cilium_tui.ui.app import CiliumTuiApp


@dataclass(frozen=True)
class PaletteCommand:
    title: str
    help: str
    run: Callable[[], object]


class ConsoleCommands(Provider):
    def _commands(self) -> list[PaletteCommand]:
        return cast("CiliumTuiApp", self.app).palette_commands()

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(
                Content(command.title),
                command.run,
                text=command.title,
                help=literal_markup(command.help),
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(
                    score,
                    highlight(matcher, command.title),
                    command.run,
                    text=command.title,
                    help=literal_markup(command.help),
                )


def literal_markup(text: str) -> str:
    """Markup that renders as `text` itself. `textual.markup.escape` leaves `[$var]` (a theme
    variable to Textual) and doubles backslashes; escaping every `[` is all markup needs."""
    return text.replace("[", "\\[")


def highlight(matcher: Matcher, title: str) -> Content:
    """The title as plain Content with the matched characters styled."""
    content = Content(title)
    _, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content

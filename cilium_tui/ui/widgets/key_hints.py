"""The footer's key hints, fitted to the terminal's width.

Textual's `Footer` lays every shown binding out in one row and lets the row run off the right
edge, cutting a hint in half. `KeyHints` is the compact footer that shows, in the bindings' own
order, only the hints that fit whole, help's first: help lists every key, so what is left out is
one `?` away. The order is the priority: the focused widget's keys, then the screen's, then the
app's (help, quit, the changes, then the rest; see `CiliumTuiApp.BINDINGS`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

HELP_KEY = "question_mark"
"""The hint that is kept first: help lists the ones left out."""


class KeyHints(Footer):
    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self._widths: dict[Widget, int] = {}
        self._composed: Hashable = None
        """The bindings the hints show (see `_shown_bindings`)."""
        self._pending = False
        self.recomposed = 0
        """Times the hints were built again (tests count work with it)."""

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Textual's footer is built again at every change of focus or bindings (13 times
        while the console opens); here once per burst of changes, and only when the hints
        would differ."""
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._pending:
            self._pending = True
            self.call_after_refresh(self._bindings_changed)

    async def _bindings_changed(self) -> None:
        self._pending = False
        if self.is_attached and self._shown_bindings() != self._composed:
            await self.recompose()

    def _shown_bindings(self) -> Hashable:
        return tuple(
            (binding.key, binding.action, binding.description, binding.show, enabled, tooltip)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
        )

    async def recompose(self) -> None:
        self._composed = self._shown_bindings() if self.is_attached else None
        self.recomposed += 1
        await super().recompose()
        self._widths = {}
        self.call_after_refresh(self._fit)

    def on_resize(self, _: Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        hints = list(self.query_children("FooterKey"))
        if not self._widths:  # measured once per composition, while every hint is shown
            if not hints or any(h.outer_size.width == 0 for h in hints):
                return
            self._widths = {h: h.outer_size.width + h.styles.margin.right for h in hints}
        keep = fit(
            [(getattr(h, "key", ""), self._widths.get(h, 0)) for h in hints], self.size.width
        )
        for hint, shown in zip(hints, keep, strict=True):
            hint.display = shown


def fit(hints: Sequence[tuple[str, int]], width: int) -> list[bool]:
    """Which of the (key, width) hints to show in `width` columns: help's first, then the
    others in order up to the first that does not fit (the order is their priority)."""
    room = width + 1  # the last hint's margin may fall off the edge
    first = [i for i, (key, _) in enumerate(hints) if key == HELP_KEY]
    keep = [False] * len(hints)
    for index in [*first, *(i for i in range(len(hints)) if i not in first)]:
        needed = hints[index][1]
        if needed > room:
            break
        room -= needed
        keep[index] = True
    return keep

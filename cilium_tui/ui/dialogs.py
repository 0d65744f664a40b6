"""Confirmation dialogs for changes to a cluster.

`ConfirmDialog` puts Cancel first and focuses it, so a reflexive Enter never changes anything
(k9s' delete dialog does the same). With ``require_word`` the Confirm button stays disabled until
the exact word (e.g. the kubeconfig context) is typed: the variant for changes to a whole cluster.
There, y and n are not answers (a context name may contain an n): typing goes to the word box,
Esc cancels, and Enter confirms only from the box, on the exact word.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
    ]

    def __init__(
        self,
        title: str,
        body: str,
        *,
        confirm_label: str = "Confirm",
        require_word: str | None = None,
    ) -> None:
        super().__init__()
        self._title = title
        self._body = body
        self._confirm_label = confirm_label
        self.require_word = require_word

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Text(self._title), id="confirm-title")
            yield Static(Text(self._body), id="confirm-body")
            if self.require_word is not None:
                yield Static(Text(f"Type {self.require_word} to confirm:"), id="confirm-prompt")
                yield Input(placeholder=self.require_word, select_on_focus=False, id="confirm-word")
            hint = (
                "type the word, then Enter · Esc cancels"
                if self.require_word is not None
                else "y confirms · n or Esc cancels"
            )
            yield Static(hint, id="confirm-hint", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(
                    Text(self._confirm_label),
                    variant="error",
                    id="confirm",
                    disabled=self.require_word is not None,
                )

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @property
    def word_typed(self) -> bool:
        if self.require_word is None:
            return True
        return self.query_one("#confirm-word", Input).value == self.require_word

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "answer":
            return self.require_word is None
        return True

    def action_answer(self, answer: bool) -> None:
        if answer and not self.word_typed:
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def on_key(self, event: events.Key) -> None:
        """Typing while Cancel (or Confirm) is focused goes to the word box."""
        box = self.query("#confirm-word").first(Input) if self.require_word is not None else None
        if box is not None and not box.has_focus and event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            box.focus()
            box.insert_text_at_cursor(event.character)

    @on(Input.Changed, "#confirm-word")
    def _word_changed(self) -> None:
        self.query_one("#confirm", Button).disabled = not self.word_typed
        self.refresh_bindings()

    @on(Input.Submitted, "#confirm-word")
    def _word_submitted(self) -> None:
        if self.word_typed:
            self.dismiss(True)

    @on(Button.Pressed, "#confirm")
    def _confirmed(self) -> None:
        self.action_answer(True)

    @on(Button.Pressed, "#cancel")
    def _cancelled(self) -> None:
        self.dismiss(False)

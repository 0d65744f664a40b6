"""The confirmation dialog: Cancel first and focused, y/n/esc, and the typed-word variant."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Button, Input, Static

from cilium_tui.ui.dialogs import ConfirmDialog


class Host(App[None]):
    """A bare app that shows one dialog and records its answer."""

    def __init__(self, dialog: ConfirmDialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.answers: list[bool | None] = []

    def compose(self) -> ComposeResult:
        yield Static("behind")

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.answers.append)


def plain() -> ConfirmDialog:
    return ConfirmDialog("Restart agents?", "kube-system/cilium [rolling]")


def typed() -> ConfirmDialog:
    return ConfirmDialog("Apply?", "changes prod", confirm_label="Apply", require_word="prod-eu")


async def test_cancel_is_first_and_focused_so_enter_cancels() -> None:
    app = Host(plain())
    async with app.run_test() as pilot:
        await pilot.pause()
        buttons = list(app.dialog.query(Button))
        assert [b.id for b in buttons] == ["cancel", "confirm"]
        assert app.focused is buttons[0]
        await pilot.press("enter")
        await pilot.pause()
    assert app.answers == [False]


async def test_y_confirms_n_and_escape_cancel() -> None:
    for key, answer in (("y", True), ("n", False), ("escape", False)):
        app = Host(plain())
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
        assert app.answers == [answer], key


async def test_clicking_confirm_confirms() -> None:
    app = Host(plain())
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.click("#confirm")
        await pilot.pause()
    assert app.answers == [True]


async def test_typed_variant_enables_confirm_only_on_the_exact_word() -> None:
    app = Host(typed())
    async with app.run_test() as pilot:
        await pilot.pause()
        confirm = app.dialog.query_one("#confirm", Button)
        box = app.dialog.query_one("#confirm-word", Input)
        assert confirm.disabled
        assert app.focused is app.dialog.query_one("#cancel", Button), "Cancel first, always"
        await pilot.press(*"prod-e")
        await pilot.pause()
        assert app.focused is box and box.value == "prod-e", "typing goes to the word box"
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers == [] and confirm.disabled, "a prefix is not the word"
        await pilot.press(*"uu")
        await pilot.pause()
        assert confirm.disabled, "nor is a longer word"
        await pilot.press("backspace")
        await pilot.pause()
        assert not confirm.disabled
        assert box.value == "prod-eu"
        await pilot.press("enter")
        await pilot.pause()
    assert app.answers == [True]


async def test_typed_variant_a_reflexive_enter_cancels() -> None:
    app = Host(typed())
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert app.answers == [False]


async def test_typed_variant_y_and_n_are_letters_escape_cancels() -> None:
    app = Host(ConfirmDialog("Apply?", "", require_word="training-ny"))
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press(*"training-ny")
        await pilot.pause()
        assert app.answers == [], "n and y went into the box, they did not answer"
        assert app.dialog.query_one("#confirm-word", Input).value == "training-ny"
        assert not app.dialog.query_one("#confirm", Button).disabled
        await pilot.press("escape")
        await pilot.pause()
    assert app.answers == [False]

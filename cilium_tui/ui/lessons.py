"""The console's lessons: the active lesson judged on every published scan, the panel beside the
screens, and the Lessons view (its steps with progress; enter goes to a step's screen).

The engine is `cilium_tui.lessons` (pure); here it meets the app. `LessonGuide` keeps the
learner's progress on this cluster through the lessons' own store: a "look" step is done once it
was gone to from the Lessons view, a "do" step only when the latest judgement shows it (the
guide never marks one done itself), and what was seen done is remembered so that "undo it all"
needs the walk to have happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cilium_tui.checks.judgement import Judgement
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.lessons import Lesson, LessonStatus, Progress, evaluate
from cilium_tui.lessons.progress import ProgressStore, store_for
from cilium_tui.remedy.engine import cluster_identity
from cilium_tui.remedy.journal import ClusterIdentity
from cilium_tui.ui.lesson_view import Keys, panel_text, progress_line, step_line, step_text
from cilium_tui.ui.paint import ToneStyles, tone_styles
from cilium_tui.ui.widgets.key_hints import KeyHints
from cilium_tui.ui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from cilium_tui.collect.source import Source
    from cilium_tui.ui.app import CiliumTuiApp

PANEL_MIN_WIDTH = 110
"""Below this terminal width the panel is left out (the Lessons view still shows the step)."""


@dataclass
class LessonGuide:
    """One lesson on one cluster, and the learner's progress there."""

    lesson: Lesson
    progress: Progress
    store: ProgressStore | None = None
    """None: progress is kept for this session only (a source the store cannot name)."""
    identity: ClusterIdentity | None = None

    def evaluate(self, judgement: Judgement) -> LessonStatus:
        return evaluate(self.lesson, judgement, self.progress)

    def visit(self, step_id: str) -> None:
        self.progress = self.progress.visit(self.lesson.name, step_id)

    def reach(self, status: LessonStatus) -> bool:
        """Remember the steps the scan shows done; whether that is new."""
        before = self.progress.of(self.lesson.name).reached
        if set(status.done_ids) <= before:
            return False
        self.progress = self.progress.reach(self.lesson.name, status.done_ids)
        return True

    def save(self) -> None:
        """Raises ProgressError."""
        if self.store is not None and self.identity is not None:
            self.store.save(self.identity, self.progress)


async def open_guide(lesson: Lesson, source: Source) -> tuple[LessonGuide, list[str]]:
    """The guide of `lesson` on the cluster `source` reads, with the progress kept there; and
    the problems met reading it (a broken progress file is empty progress, said once)."""
    if not isinstance(source, ClusterSource):
        return LessonGuide(lesson, Progress()), []
    store = store_for(source)
    identity = await cluster_identity(source)
    progress = store.load(identity)
    return LessonGuide(lesson, progress, store, identity), list(store.problems)


def _console(widget: Static | Screen[None]) -> CiliumTuiApp:
    return cast("CiliumTuiApp", widget.app)


class LessonPanel(Static):
    """Beside the screen: the lesson's progress and its current step, while a lesson is on."""

    def __init__(self) -> None:
        super().__init__(id="lesson-panel")
        self._styles: ToneStyles = tone_styles({})

    def on_mount(self) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        self.watch(self.app, "lesson_status", self._show)
        self.app.theme_changed_signal.subscribe(self, self._repaint)

    def on_resize(self) -> None:
        self._show(_console(self).lesson_status)

    def _repaint(self, _: Theme) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        self._show(_console(self).lesson_status)

    def _show(self, status: LessonStatus | None) -> None:
        self.display = status is not None and self.app.size.width >= PANEL_MIN_WIDTH
        if status is not None:
            self.update(panel_text(status, self._styles, Keys(_console(self).user_keymap)))


class LessonsScreen(Screen[None]):
    """The lesson's steps with their progress; the highlighted one in full beside them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="lessons.back"),
        Binding("enter", "go", "Go to the step", id="lessons.go"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._styles: ToneStyles = tone_styles({})

    def compose(self) -> ComposeResult:
        console = _console(self)
        yield TopBar(console.source, demo=console.demo, read_only=console.read_only)
        yield Static(id="lessons-title")
        with Horizontal(id="lessons-body"):
            yield OptionList(id="lessons-steps")
            yield Static(id="lessons-step")
        yield KeyHints()

    def on_mount(self) -> None:
        self._styles = tone_styles(self.app.theme_variables)
        self.watch(self.app, "lesson_status", self._show)
        steps = self.query_one("#lessons-steps", OptionList)
        status = _console(self).lesson_status
        current = status.current if status is not None else None
        if current is not None:
            steps.highlighted = current.number - 1
        steps.focus()

    @property
    def highlighted(self) -> str | None:
        """The id of the highlighted step."""
        status = _console(self).lesson_status
        index = self.query_one("#lessons-steps", OptionList).highlighted
        if status is None or index is None or not 0 <= index < len(status.steps):
            return None
        return status.steps[index].step.id

    def _show(self, status: LessonStatus | None) -> None:
        title = self.query_one("#lessons-title", Static)
        steps = self.query_one("#lessons-steps", OptionList)
        if status is None:
            title.update(Text("No lesson: start one from the command palette (Lesson …)."))
            steps.clear_options()
            return
        title.update(Text(progress_line(status), style="bold"))
        keep = steps.highlighted
        steps.clear_options()
        steps.add_options(
            Option(step_line(status, s, self._styles), id=s.step.id) for s in status.steps
        )
        if keep is not None:
            steps.highlighted = keep
        self._detail()

    def on_option_list_option_highlighted(self, _: OptionList.OptionHighlighted) -> None:
        self._detail()

    def on_option_list_option_selected(self, _: OptionList.OptionSelected) -> None:
        self.action_go()

    def _detail(self) -> None:
        status = _console(self).lesson_status
        step_id = self.highlighted
        if status is None or step_id is None:
            return
        keys = Keys(_console(self).user_keymap)
        text = step_text(status, status.of(step_id), self._styles, keys)
        self.query_one("#lessons-step", Static).update(text)

    def action_back(self) -> None:
        self.dismiss()

    def action_go(self) -> None:
        """Leave for the step's screen (on the app's loop: this screen goes away first)."""
        step_id = self.highlighted
        if step_id is not None:
            console = _console(self)
            self.dismiss()
            console.call_later(console.go_to_step, step_id)

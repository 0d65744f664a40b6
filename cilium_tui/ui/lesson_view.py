"""A lesson as the console shows it, as Rich text: the step list with progress, and one step in
full (why it matters, what to look at, what to do and with which keys, whether the scan shows it
done). Pure: built without a running app, from `cilium_tui.lessons` data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rich.style import Style
from rich.text import Text

from cilium_tui.checks import catalogue
from cilium_tui.lessons import LessonStatus, StepStatus, describe
from cilium_tui.lessons.lesson import Look
from cilium_tui.report.safe import plain
from cilium_tui.ui.cells import Tone
from cilium_tui.ui.paint import ToneStyles

HEADING = Style(bold=True)
DONE, CURRENT, TODO = "✓", "▸", "·"

SCREEN_NAMES = {
    "nodes": "the Nodes tab",
    "checklist": "the Checklist",
    "remediation": "the Remediation tab",
    "detail": "a node's detail",
}
DETAIL_SECTIONS = {"host-routing": "detail-host-routing", "why-legacy": "detail-host-routing"}
"""A lesson's `section` of a node's detail -> the detail's tab that shows it."""


@dataclass(frozen=True)
class Keys:
    """The console's keys a step names, after the user's keymap."""

    keys: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, binding_id: str, default: str) -> str:
        return self.keys.get(binding_id, default)


def mark(status: LessonStatus, step: StepStatus) -> str:
    current = status.current
    if step.done:
        return DONE
    return CURRENT if current is not None and current.step.id == step.step.id else TODO


def progress_line(status: LessonStatus) -> str:
    done = len(status.done_ids)
    return f"{status.lesson.title}: {done}/{len(status.steps)} steps done"


def step_line(status: LessonStatus, step: StepStatus, styles: ToneStyles) -> Text:
    """One row of the step list: its mark, number and title."""
    shown = mark(status, step)
    tone = Tone.ON if step.done else Tone.OFF if shown == CURRENT else Tone.NA
    text = Text(f"{shown} ", style=styles[tone], end="")
    text.append(
        f"{step.number}. {plain(step.step.title)}", style=HEADING if shown == CURRENT else ""
    )
    return text


def look_text(look: Look) -> str:
    """Where to look, in words: "the Nodes tab, the HOST ROUTING column"."""
    parts = [SCREEN_NAMES[look.screen]]
    if look.node:
        parts.append(f"node {plain(look.node)}")
    if look.item:
        parts.append(f"item {catalogue.item(look.item).title}")
    if look.column:
        parts.append(f"the {look.column.replace('_', ' ').upper()} column")
    if look.section:
        parts.append(f"its {look.section.replace('-', ' ')}")
    return ", ".join(parts)


def action_keys(step: StepStatus, keys: Keys) -> str:
    """How to do the step's action with the console's keys."""
    action = step.step.action
    go = f"{keys('lessons', 'l')} then enter takes you there"
    if action is None:
        return f"look: {go}"
    if action.kind == "apply":
        return f"{describe(action)}: {go}; {keys('apply', 'a')} applies it"
    if action.kind == "preview":
        return f"{describe(action)}: {go}"
    if action.kind == "undo":
        return f"{describe(action)}: press {keys('undo', 'u')} (again for each change)"
    return f"{describe(action)} yourself (cilium-tui shows it, never runs it); {go}"


def step_text(status: LessonStatus, step: StepStatus, styles: ToneStyles, keys: Keys) -> Text:
    """One step in full: the panel beside the screen, and the lessons view's detail."""
    text = Text(f"Step {step.number}/{len(status.steps)}  ", style=HEADING)
    text.append(plain(step.step.title), style=HEADING)
    text.append("\n")
    if step.step.why:
        text.append(f"Why: {plain(step.step.why)}\n", style=styles[Tone.NA])
    if step.step.text:
        text.append(plain(" ".join(step.step.text.split())) + "\n")
    text.append("Look at: ", style=HEADING)
    text.append(look_text(step.step.look) + "\n")
    text.append("Do: ", style=HEADING)
    text.append(action_keys(step, keys) + "\n")
    if step.done:
        text.append("Done", style=styles[Tone.ON] + HEADING)
        text.append(" — the scan shows it\n" if step.step.kind == "do" else " — visited\n")
    else:
        text.append("Not done yet", style=styles[Tone.OFF] + HEADING)
        text.append(" — the scan decides, not a key\n" if step.step.kind == "do" else "\n")
    for line in step.evidence:
        text.append(f"← {plain(line)}\n", style=styles[Tone.NA])
    return text


def panel_text(status: LessonStatus, styles: ToneStyles, keys: Keys) -> Text:
    """The panel beside the screen: the lesson's progress and its current step."""
    text = Text(f"Lesson  {progress_line(status)}\n\n", style=HEADING)
    current = status.current
    if current is None:
        text.append("Complete: every step is done on this cluster.", style=styles[Tone.ON])
        return text
    text.append_text(step_text(status, current, styles, keys))
    return text

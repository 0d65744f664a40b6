"""A lesson, as data: one TOML file per lesson in `cilium_tui/lessons/data/`.

    name = "seed"                    # the file's name without .toml
    title = "..."
    scenario = "training"            # the `--demo` scenario it is written for
    summary = "..."

    [[steps]]
    id = "native-routing"            # lowercase letters, digits and dashes; unique
    title = "Native routing"
    item = "native-routing"          # optional: the checklist item the step is about; its own
                                     # `why` is the step's why (never copied here)
    text = "..."                     # optional: what to notice, in the lesson's words
    look = { screen = "checklist", item = "native-routing" }
                                     # screen: nodes | checklist | remediation | detail, plus
                                     # optionally item, node, column, section to highlight
    action = { apply = "native-routing" }
                                     # optional: apply = ITEM, preview = ITEM, undo = true, or
                                     # run = ["uname", "-r"] with on = "NODE" (a command to run
                                     # on a node, shown; cilium-tui does not run it)
    done = { item = "native-routing", state = "on" }   # see `lessons.conditions`
    hints = [ { refused = "bbr", text = "..." } ]      # optional: said when ITEM's plan is refused

`load_lesson(name)` reads one with importlib.resources (so it works from a wheel), `parse_lesson`
reads any text; both raise `LessonError` naming the file and the problem.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args

from cilium_tui.checks.catalogue import item as catalogue_item
from cilium_tui.checks.ids import ItemId
from cilium_tui.lessons.conditions import (
    Condition,
    LessonError,
    is_visit,
    item_id,
    parse_condition,
    reached_steps,
)
from cilium_tui.remedy.planner import REMEDIES

Screen = Literal["nodes", "checklist", "remediation", "detail"]
ActionKind = Literal["apply", "preview", "undo", "run"]
StepKind = Literal["look", "do"]

SCREENS: tuple[str, ...] = get_args(Screen)
DATA = "cilium_tui.lessons.data"
MAX_LESSON_BYTES = 256 * 1024
"""A lesson is a few kB; a bigger file is a mistake, refused before parsing."""
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_LOOK_KEYS = frozenset({"screen", "item", "node", "column", "section"})
_STEP_KEYS = frozenset({"id", "title", "item", "text", "look", "action", "done", "hints"})
_LESSON_KEYS = frozenset({"name", "title", "scenario", "summary", "steps"})
_AUTOMATED = frozenset(r.item_id for r in REMEDIES if r.automatable)


@dataclass(frozen=True)
class Look:
    """What to look at: a screen, and what to highlight there (each optional)."""

    screen: Screen
    item: ItemId | None = None
    node: str | None = None
    column: str | None = None
    """A node-table column id (`ui` names them; e.g. "kernel", "host_routing")."""
    section: str | None = None
    """A part of the screen: in a node's detail, the tab (host-routing, effective, findings,
    collected, raw)."""

    def to_dict(self) -> dict[str, str | None]:
        return {
            "screen": self.screen,
            "item": self.item,
            "node": self.node,
            "column": self.column,
            "section": self.section,
        }


@dataclass(frozen=True)
class Action:
    """What the learner does: apply or preview an item's remediation, undo the latest change,
    or run a command on a node (shown, never run by cilium-tui)."""

    kind: ActionKind
    item: ItemId | None = None
    argv: tuple[str, ...] = ()
    node: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "item": self.item, "argv": list(self.argv), "node": self.node}


@dataclass(frozen=True)
class HintRule:
    """Said when the plan of `refused` is refused while the lesson is active."""

    refused: ItemId
    text: str


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    look: Look
    done: Condition
    item: ItemId | None = None
    text: str = ""
    action: Action | None = None
    hints: tuple[HintRule, ...] = ()

    @property
    def why(self) -> str:
        """Why it matters: the checklist item's own text ("" for a step about no item)."""
        return catalogue_item(self.item).why if self.item is not None else ""

    @property
    def kind(self) -> StepKind:
        """ "look" when the step is done on visit; "do" when the cluster must show it."""
        return "look" if is_visit(self.done) else "do"

    @property
    def about(self) -> ItemId | None:
        """The item whose remediation the step applies or previews, if any."""
        action = self.action
        return action.item if action is not None else None


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    scenario: str
    """The `--demo` scenario the lesson is written for."""
    summary: str
    steps: tuple[Step, ...]

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"lesson {self.name} has no step {step_id!r}")

    def number(self, step_id: str) -> int:
        """The step's number, from 1."""
        return 1 + [s.id for s in self.steps].index(step_id)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _text(obj: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = obj.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise LessonError(f"{where}: {key} must be a non-empty string")
    return value.strip()


def _table(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise LessonError(f"{where}: expected a table")
    return value


def _no_unknown(obj: Mapping[str, Any], known: frozenset[str], where: str) -> None:
    unknown = sorted(set(obj) - known)
    if unknown:
        raise LessonError(f"{where}: unknown key {', '.join(unknown)}")


def _applicable(value: object, where: str) -> ItemId:
    """An item whose remediation cilium-tui applies (not guidance only)."""
    found = item_id(value, where)
    if found not in _AUTOMATED:
        raise LessonError(f"{where}: {found} has no remediation cilium-tui can apply")
    return found


def _look(value: object, where: str) -> Look:
    obj = _table(value, where)
    _no_unknown(obj, _LOOK_KEYS, where)
    screen = obj.get("screen")
    if screen not in SCREENS:
        raise LessonError(f"{where}: screen is one of {', '.join(SCREENS)}, not {screen!r}")
    item = obj.get("item")
    return Look(
        screen,
        None if item is None else item_id(item, where),
        *(_text(obj, k, where, required=False) or None for k in ("node", "column", "section")),
    )


def _action(value: object, where: str) -> Action:
    obj = _table(value, where)
    if "apply" in obj or "preview" in obj:
        kind: ActionKind = "apply" if "apply" in obj else "preview"
        _no_unknown(obj, frozenset({kind}), where)
        read = _applicable if kind == "apply" else item_id
        return Action(kind, read(obj[kind], where))
    if "undo" in obj:
        _no_unknown(obj, frozenset({"undo"}), where)
        if obj["undo"] is not True:
            raise LessonError(f"{where}: write undo = true")
        return Action("undo")
    if "run" in obj:
        _no_unknown(obj, frozenset({"run", "on"}), where)
        argv = obj["run"]
        if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
            raise LessonError(f"{where}: run is a command as a list of arguments")
        return Action("run", argv=tuple(argv), node=_text(obj, "on", where))
    raise LessonError(f"{where}: an action is apply, preview, undo or run")


def _hints(value: object, where: str) -> tuple[HintRule, ...]:
    if not isinstance(value, list):
        raise LessonError(f"{where}: hints is a list of {{ refused = ITEM, text = ... }}")
    rules = []
    for index, rule in enumerate(value):
        here = f"{where}[{index}]"
        obj = _table(rule, here)
        _no_unknown(obj, frozenset({"refused", "text"}), here)
        rules.append(HintRule(item_id(obj.get("refused"), here),
                              _text(obj, "text", here)))  # fmt: skip
    return tuple(rules)


def _step(value: object, where: str) -> Step:
    obj = _table(value, where)
    _no_unknown(obj, _STEP_KEYS, where)
    step_id = _text(obj, "id", where)
    if not _ID.match(step_id):
        raise LessonError(f"{where}: id {step_id!r}: lowercase letters, digits and dashes")
    where = f"{where} ({step_id})"
    item = obj.get("item")
    for key in ("look", "done"):
        if key not in obj:
            raise LessonError(f"{where}: {key} is missing")
    return Step(
        id=step_id,
        title=_text(obj, "title", where),
        look=_look(obj["look"], f"{where}.look"),
        done=parse_condition(obj["done"], f"{where}.done"),
        item=None if item is None else item_id(item, where),
        text=_text(obj, "text", where, required=False),
        action=None if obj.get("action") is None else _action(obj["action"], f"{where}.action"),
        hints=_hints(obj.get("hints", []), f"{where}.hints"),
    )


def parse_lesson(text: str, source: str, name: str | None = None) -> Lesson:
    """The lesson in `text` (TOML); `source` names it in errors, `name` is what its `name`
    must be (its file's name). Raises LessonError."""
    try:
        obj = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise LessonError(f"{source}: not TOML: {e}") from None
    _no_unknown(obj, _LESSON_KEYS, source)
    lesson_name = _text(obj, "name", source)
    if name is not None and lesson_name != name:
        raise LessonError(f"{source}: name is {lesson_name!r}; the file says {name!r}")
    raw_steps = obj.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise LessonError(f"{source}: a lesson needs [[steps]]")
    steps = tuple(_step(s, f"{source}: steps[{i}]") for i, s in enumerate(raw_steps))
    seen: list[str] = []
    for step in steps:
        if step.id in seen:
            raise LessonError(f"{source}: step id {step.id!r} is used twice")
        for earlier in reached_steps(step.done):
            if earlier not in seen:
                raise LessonError(
                    f"{source}: step {step.id}: reached names {earlier!r}, not an earlier step"
                )
        seen.append(step.id)
    return Lesson(
        name=lesson_name,
        title=_text(obj, "title", source),
        scenario=_text(obj, "scenario", source),
        summary=_text(obj, "summary", source),
        steps=steps,
    )


def lesson_names() -> tuple[str, ...]:
    """The lessons the package carries, by name, sorted."""
    return tuple(
        sorted(
            entry.name.removesuffix(".toml")
            for entry in resources.files(DATA).iterdir()
            if entry.name.endswith(".toml")
        )
    )


@cache
def load_lesson(name: str) -> Lesson:
    """The lesson named `name`, read from the package. Raises LessonError."""
    known = lesson_names()
    if name not in known:
        raise LessonError(f"no lesson {name!r}; known: {', '.join(known)}")
    entry = resources.files(DATA).joinpath(f"{name}.toml")
    data = entry.read_bytes()
    if len(data) > MAX_LESSON_BYTES:
        raise LessonError(f"{name}.toml: larger than {MAX_LESSON_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise LessonError(f"{name}.toml: not UTF-8 text") from None
    return parse_lesson(text, f"{name}.toml", name)


def lessons() -> tuple[Lesson, ...]:
    """Every lesson the package carries. Raises LessonError on the first broken one."""
    return tuple(load_lesson(name) for name in lesson_names())


def lesson_for(scenario: str | None) -> Lesson | None:
    """The first lesson written for a `--demo` scenario, if any."""
    return next((lesson for lesson in lessons() if lesson.scenario == scenario), None)

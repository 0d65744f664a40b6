"""The lesson files the package carries load and name only what exists; a broken one says where."""

from __future__ import annotations

from pathlib import Path

import pytest

from cilium_tui.checks.ids import ItemId
from cilium_tui.lab.scenarios import scenario
from cilium_tui.lessons import LessonError, lesson_for, lesson_names, lessons, load_lesson
from cilium_tui.lessons.conditions import items_of
from cilium_tui.lessons.lesson import parse_lesson
from cilium_tui.remedy.planner import REMEDIES
from cilium_tui.ui.rows import COLUMNS
from cilium_tui.ui.screens import detail

AUTOMATED = {r.item_id for r in REMEDIES if r.automatable}
DETAIL = (Path(detail.__file__)).read_text()
"""The node detail screen's source: its tabs' ids, which a step's section names."""


def test_the_package_carries_the_two_lessons() -> None:
    assert lesson_names() == ("modern", "seed")
    assert lesson_for("training") == load_lesson("seed")
    assert lesson_for("modern") == load_lesson("modern")
    assert lesson_for("seed") is None


@pytest.mark.parametrize("name", lesson_names())
def test_every_lesson_names_only_what_exists(name: str) -> None:
    lesson = load_lesson(name)
    scenario(lesson.scenario)  # raises for an unknown scenario
    columns = {c.key for c in COLUMNS}
    for step in lesson.steps:
        named = [step.item, step.look.item, *items_of(step.done), *(h.refused for h in step.hints)]
        assert all(i is None or i in ItemId for i in named), step.id
        if step.action is not None and step.action.kind == "apply":
            assert step.action.item in AUTOMATED, step.id
        assert step.look.column is None or step.look.column in columns, step.id
        if step.look.section is not None:
            assert step.look.screen == "detail", step.id
            assert f'id="detail-{step.look.section}"' in DETAIL, step.id
        if step.item is not None:
            assert step.why  # the item's own text, not a copy
        assert step.kind == "look" or step.action is not None or step.item is not None, step.id


def test_the_seed_series_in_order() -> None:
    steps = load_lesson("seed").steps
    assert [s.id for s in steps] == [
        "mixed-cluster",
        "why-legacy",
        "native-routing",
        "kube-proxy-replacement",
        "bpf-masquerading",
        "host-routing-flip",
        "conntrack-bypass",
        "bandwidth-manager",
        "bbr",
        "undo-all",
    ]
    assert [s.kind for s in steps[:3]] == ["look", "look", "do"]
    assert steps[2].why.startswith("Tunnelling (VXLAN/Geneve) encapsulates")


GOOD_STEP = """
[[steps]]
id = "one"
title = "One"
look = { screen = "nodes" }
done = { visited = true }
"""
HEAD = 'name = "x"\ntitle = "T"\nscenario = "training"\nsummary = "S"\n'


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("name = ", "x.toml: not TOML: "),
        (HEAD, "x.toml: a lesson needs [[steps]]"),
        (HEAD.replace('name = "x"', 'name = "y"'), "x.toml: name is 'y'; the file says 'x'"),
        (HEAD + "colour = 1\n" + GOOD_STEP, "x.toml: unknown key colour"),
        (HEAD + GOOD_STEP + GOOD_STEP, "x.toml: step id 'one' is used twice"),
        (HEAD + GOOD_STEP.replace('"one"', '"One"'), "lowercase letters, digits and dashes"),
        (HEAD + GOOD_STEP.replace("nodes", "graphs"), "steps[0] (one).look: screen is one of"),
        (HEAD + GOOD_STEP.replace("done = { visited = true }\n", ""), "(one): done is missing"),
        (
            HEAD + GOOD_STEP + 'item = "bpf-hostrouting"\n',
            "steps[0] (one): no checklist item 'bpf-hostrouting'",
        ),
        (
            HEAD + GOOD_STEP + 'action = { apply = "kernel" }\n',
            "(one).action: kernel has no remediation cilium-tui can apply",
        ),
        (
            HEAD + GOOD_STEP.replace("{ visited = true }", '{ reached = ["two"] }'),
            "step one: reached names 'two', not an earlier step",
        ),
        (
            HEAD + GOOD_STEP + 'hints = [ { refused = "bbr" } ]\n',
            "(one).hints[0]: text must be a non-empty string",
        ),
    ],
)
def test_a_bad_lesson_file_says_where_and_what(text: str, says: str) -> None:
    with pytest.raises(LessonError) as raised:
        parse_lesson(text, "x.toml", "x")
    assert says in str(raised.value)


def test_an_unknown_lesson_names_the_known_ones() -> None:
    with pytest.raises(LessonError, match="no lesson 'sed'; known: modern, seed"):
        load_lesson("sed")


def test_every_lesson_loads() -> None:
    assert [x.name for x in lessons()] == list(lesson_names())

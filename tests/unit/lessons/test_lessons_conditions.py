"""The done-condition vocabulary: each condition holds when the checklist says so, and fails
otherwise with evidence naming the nodes; "configured, not verified" never counts."""

from __future__ import annotations

import pytest

from cilium_tui.checks.catalogue import item
from cilium_tui.checks.ids import ItemId
from cilium_tui.checks.judgement import Judgement, judgement_of
from cilium_tui.checks.rollup import rollup
from cilium_tui.checks.types import Finding, State
from cilium_tui.lessons.conditions import (
    AllOf,
    AnyOf,
    Context,
    ItemState,
    LessonError,
    Reached,
    Visited,
    parse_condition,
)

HR = ItemId.BPF_HOST_ROUTING
KERNEL = "kernel 4.19 < 5.10"


def finding(node: str, state: State, *blocked_by: str, configured: State | None = None) -> Finding:
    return Finding(
        HR, node, state, f"{state} because", blocked_by=blocked_by, configured=configured
    )


def judged(*findings: Finding) -> Context:
    return Context(judgement_of((rollup(item(HR), findings),)))


ON = ItemState(HR, (State.ON,))
ON_OR_KERNEL = ItemState(HR, (State.ON,), blocked_by=("kernel",))


def test_every_node_on_holds_and_names_them() -> None:
    result = ON.evaluate(judged(finding("vm-1", State.ON), finding("vm-2", State.ON)))
    assert result.done
    assert result.evidence == ("bpf-host-routing: on (vm-1, vm-2)",)


def test_one_node_off_fails_naming_it() -> None:
    result = ON.evaluate(judged(finding("vm-1", State.ON), finding("board-1", State.OFF)))
    assert not result.done
    assert "bpf-host-routing: off: off because (board-1)" in result.evidence


def test_configured_not_verified_is_not_on() -> None:
    unverified = Finding(
        HR, "vm-2", State.UNKNOWN, "configured, not verified: agent CrashLoopBackOff; ...",
        configured=State.ON,
    )  # fmt: skip
    result = ON.evaluate(judged(finding("vm-1", State.ON), unverified))
    assert not result.done
    assert any("agent CrashLoopBackOff" in e and "vm-2" in e for e in result.evidence)


def test_na_nodes_are_skipped_but_not_all_of_them() -> None:
    assert ON.evaluate(judged(finding("vm-1", State.ON), finding("board", State.NA))).done
    result = ON.evaluate(judged(finding("board", State.NA)))
    assert not result.done and result.evidence == ("bpf-host-routing: n/a on every node",)


def test_blocked_by_the_kernel_only_is_excused() -> None:
    walked = judged(finding("vm-1", State.ON), finding("board-1", State.BLOCKED, KERNEL))
    result = ON_OR_KERNEL.evaluate(walked)
    assert result.done
    assert f"bpf-host-routing: blocked by {KERNEL} (board-1)" in result.evidence
    assert not ON.evaluate(walked).done  # without blocked_by, the board is not on


def test_blocked_by_a_setting_too_is_not_excused() -> None:
    start = judged(
        finding("vm-1", State.ON),
        finding("board-1", State.BLOCKED, "kube-proxy replacement Disabled", KERNEL),
    )
    result = ON_OR_KERNEL.evaluate(start)
    assert not result.done
    assert any(
        "board-1" in e and e.startswith("bpf-host-routing: blocked") for e in result.evidence
    )


def test_excused_nodes_alone_are_not_done() -> None:
    result = ON_OR_KERNEL.evaluate(judged(finding("board-1", State.BLOCKED, KERNEL)))
    assert not result.done
    assert "bpf-host-routing: no node is on yet" in result.evidence


def test_some_needs_one_node() -> None:
    some = ItemState(HR, (State.ON,), nodes="some")
    assert some.evaluate(judged(finding("vm-1", State.ON), finding("b", State.OFF))).done
    assert not some.evaluate(judged(finding("b", State.OFF))).done


def test_an_item_the_checklist_did_not_judge_fails() -> None:
    result = ON.evaluate(Context(Judgement(error="the checklist failed: KeyError: x")))
    assert not result.done and "the checklist failed" in result.evidence[0]


def test_visited_reached_all_any_each_can_fail() -> None:
    context = Context(Judgement(), step="look", visited=frozenset({"look"}))
    assert Visited().evaluate(context).done
    assert not Visited().evaluate(Context(Judgement(), step="look")).done
    reached = Reached(("a", "b"))
    assert reached.evaluate(Context(Judgement(), reached=frozenset({"a", "b", "c"}))).done
    missing = reached.evaluate(Context(Judgement(), reached=frozenset({"a"})))
    assert not missing.done and missing.evidence == ("not yet done here: b",)
    both = AllOf((Visited(), reached))
    assert not both.evaluate(context).done
    assert AnyOf((reached, Visited())).evaluate(context).done
    assert not AnyOf((reached, Reached(("z",)))).evaluate(context).done


def test_node_names_are_sanitised() -> None:
    result = ON.evaluate(judged(finding("vm-\x1b]0;owned\x07", State.OFF)))
    assert not any("\x1b" in e or "\x07" in e for e in result.evidence)
    assert any("vm-\\x1b]0;owned\\x07" in e for e in result.evidence)


def test_parse_the_vocabulary() -> None:
    assert parse_condition({"item": "bbr", "state": "on"}, "x") == ItemState(
        ItemId.BBR, (State.ON,)
    )
    parsed = parse_condition(
        {"all": [{"visited": True}, {"reached": ["a"]}, {"any": [{"item": "bbr",
         "states": ["off", "blocked"], "blocked_by": ["kernel"], "nodes": "some"}]}]}, "x"
    )  # fmt: skip
    assert parsed == AllOf(
        (
            Visited(),
            Reached(("a",)),
            AnyOf((ItemState(ItemId.BBR, (State.OFF, State.BLOCKED), ("kernel",), "some"),)),
        )
    )


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ({"item": "no-such-item", "state": "on"}, "x: no checklist item 'no-such-item'; known: "),
        ({"item": "bbr"}, "needs state or states"),
        ({"item": "bbr", "state": "on", "states": ["on"]}, "needs state or states"),
        ({"item": "bbr", "state": "enabled"}, "a state is one of on, off, blocked, n/a, unknown"),
        ({"item": "bbr", "state": "on", "nodes": "most"}, "nodes is every or some"),
        ({"item": "bbr", "state": "on", "where": "x"}, "unknown key where"),
        ({"visited": "yes"}, "write visited = true"),
        ({"all": []}, "all takes a non-empty list"),
        ({"sometimes": True}, "unknown condition 'sometimes'"),
        ({"visited": True, "reached": ["a"]}, "(one of them)"),
        ("native-routing", "a condition is a table"),
    ],
)
def test_a_bad_condition_says_what_is_wrong(table: object, says: str) -> None:
    with pytest.raises(LessonError, match=r"^x") as raised:
        parse_condition(table, "x")
    assert says in str(raised.value)

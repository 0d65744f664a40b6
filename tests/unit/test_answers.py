"""An answer read word for word again keeps its facts; anything it depends on makes it new."""

from __future__ import annotations

from cilium_tui.collect.answers import Answers


def test_the_same_answer_keeps_its_facts_and_any_difference_is_parsed() -> None:
    answers: Answers[list[str]] = Answers()
    parse_calls: list[str] = []

    def parse(text: str) -> list[str]:
        parse_calls.append(text)
        return [text]

    digest, facts = answers.read("vm-1", ("jsonpath", "cilium", "out"), lambda: parse("out"))
    answers.keep("vm-1", digest, facts)
    assert answers.read("vm-1", ("jsonpath", "cilium", "out"), lambda: parse("x"))[1] is facts
    # The same output from another command, or split differently, is another answer.
    assert answers.read("vm-1", ("jsonpath", "cilium-dbg", "out"), lambda: parse("a"))[1] == ["a"]
    assert answers.read("vm-1", ("jsonpath", "cilium\0out"), lambda: parse("b"))[1] == ["b"]
    assert answers.read("vm-2", ("jsonpath", "cilium", "out"), lambda: parse("c"))[1] == ["c"]
    assert answers.parsed == len(parse_calls)


def test_nodes_that_are_gone_are_forgotten() -> None:
    answers: Answers[str] = Answers()
    for node in ("vm-1", "vm-2"):
        digest, facts = answers.read(node, ("out",), lambda: "facts")
        answers.keep(node, digest, facts)
    answers.only(["vm-2"])
    answers.read("vm-1", ("out",), lambda: "again")
    answers.read("vm-2", ("out",), lambda: "again")
    assert answers.parsed == 3, "vm-1 parsed again, vm-2 not"

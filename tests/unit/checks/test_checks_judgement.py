"""Judging node by node: a changed record is judged again, the others' findings are reused."""

from __future__ import annotations

import dataclasses

import pytest

from cilium_tui.checks import catalogue
from cilium_tui.checks.judgement import judge, rejudge
from cilium_tui.model import NodeRecord, Snapshot
from tests.unit.checks.seed import seed


def test_rejudge_judges_only_the_changed_node_and_equals_a_whole_judgement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = seed()
    previous = judge(before)
    crashed = dataclasses.replace(before.nodes[1], agent=None, errors={"agent": "CrashLoop"})
    after = dataclasses.replace(before, nodes=(before.nodes[0], crashed, *before.nodes[2:]))
    judged: list[str] = []
    evaluate_node = catalogue.evaluate_node

    def counting(snapshot: Snapshot, record: NodeRecord) -> tuple[object, ...]:
        judged.append(record.name)
        return evaluate_node(snapshot, record)

    monkeypatch.setattr(catalogue, "evaluate_node", counting)
    again = rejudge(previous, before, after)
    assert again is not None
    judgement, changed = again
    assert judged == [crashed.name] and changed == {crashed.name}
    monkeypatch.undo()
    whole = judge(after)
    assert [r.headline for r in judgement.rollups] == [r.headline for r in whole.rollups]
    assert judgement.by_node == whole.by_node
    kept = before.nodes[0].name
    assert judgement.by_node[kept] is previous.by_node[kept], "reused, not indexed again"


def test_other_cluster_facts_changed_means_judge_it_whole() -> None:
    before = seed()
    after = dataclasses.replace(before, kube_proxy_present=not before.kube_proxy_present)
    assert rejudge(judge(before), before, after) is None

"""Judging node by node: a changed record is judged again, the others' findings are reused."""

from __future__ import annotations

import dataclasses

import pytest

from cilium_tui.checks import catalogue, rollup
from cilium_tui.checks.judgement import judge, rejudge
from cilium_tui.checks.types import Finding
from cilium_tui.model import NodeRecord, Snapshot
from tests.unit.checks.seed import seed


def _crash_second_node(before: Snapshot, keep_from: int) -> tuple[Snapshot, NodeRecord]:
    """`before` with its second node's agent crashed, and the nodes before `keep_from` dropped
    (after the second)."""
    crashed = dataclasses.replace(before.nodes[1], agent=None, errors={"agent": "CrashLoop"})
    nodes = (before.nodes[0], crashed, *before.nodes[keep_from:])
    return dataclasses.replace(before, nodes=nodes), crashed


def test_rejudge_judges_only_the_changed_node_and_equals_a_whole_judgement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = seed()
    previous = judge(before)
    after, crashed = _crash_second_node(before, keep_from=2)
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


def test_rejudge_recounts_only_the_changed_nodes_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The roll-ups' summaries are recounted from the changed node's old and new findings only,
    and read exactly as a whole count, nodes removed or added included."""
    before = seed()
    previous = judge(before)
    after, crashed = _crash_second_node(before, keep_from=3)  # and the third node gone
    gists: list[str] = []
    gist = rollup.gist

    def counting(finding: Finding) -> str:
        gists.append(finding.node)
        return gist(finding)

    monkeypatch.setattr(rollup, "gist", counting)
    again = rejudge(previous, before, after)
    assert again is not None
    assert set(gists) <= {crashed.name, before.nodes[2].name}, "only changed or gone nodes"
    monkeypatch.undo()
    whole = judge(after)
    assert [r.headline for r in again[0].rollups] == [r.headline for r in whole.rollups]
    assert [r.counts for r in again[0].rollups] == [r.counts for r in whole.rollups]


def test_other_cluster_facts_changed_means_judge_it_whole() -> None:
    before = seed()
    after = dataclasses.replace(before, kube_proxy_present=not before.kube_proxy_present)
    assert rejudge(judge(before), before, after) is None

"""The checklist and the planner evaluate one list of requirements, so they agree.

For every item, scenario (seed, training, modern, and generated snapshots) and Cilium version:
"blocked: would fail to start" in the checklist is exactly "refused: fatal" in the planner.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cilium_tui.checks.catalogue import CATALOGUE
from cilium_tui.checks.catalogue import item as catalogue_item
from cilium_tui.checks.requirements import Failure
from cilium_tui.checks.types import State
from cilium_tui.model import Snapshot
from cilium_tui.remedy.plan import Outcome
from cilium_tui.remedy.planner import REMEDIES, build_plan
from tests.unit.remedy.lab_snapshot import lab_scenario, lab_snapshot

ITEMS = CATALOGUE
"""Every item: the plans that refuse per node (config, node and guidance plans) have assessments."""
VERSIONS = ("1.13.4", "1.14.6", "1.16.4", "1.18.2")
"""The releases the lab models."""
SCENARIOS = ("seed", "training", "modern")
CHANGES: tuple[dict[str, str | None], ...] = (
    {},
    {"enable-bandwidth-manager": "true"},
    {"enable-bandwidth-manager": "true", "enable-bbr-hostns-only": "true"},
    {"enable-host-legacy-routing": "true"},
    {"routing-mode": "tunnel", "tunnel": "vxlan", "tunnel-protocol": "geneve"},
    {"enable-ipsec": "true"},
    {"bpf-lb-dsr-dispatch": "geneve"},
)


def disagreements(snapshot: Snapshot) -> list[str]:
    """Where the checklist's "would fail to start" and the planner's FATAL differ."""
    found = []
    for entry in ITEMS:
        plan = build_plan(entry.id, snapshot)
        fatal = {a.node for a in plan.assessments if a.outcome is Outcome.FATAL}
        if not plan.assessments:
            continue  # refused before judging any node (no config, mixed versions, ...)
        for record in snapshot.nodes:
            finding = entry.evaluate(snapshot, record)
            says = finding.state is State.BLOCKED and Failure.FATAL.consequence in finding.reason
            if says != (record.name in fatal):
                reason = next((a.reason for a in plan.assessments if a.node == record.name), "")
                found.append(
                    f"{entry.id} on {record.name}: checklist {finding.reason!r}, plan {reason!r}"
                )
    return found


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", SCENARIOS)
def test_checklist_and_planner_agree_on_what_would_fail_to_start(name: str, version: str) -> None:
    for changes in CHANGES:
        snapshot = lab_snapshot(lab_scenario(name, version=version), changes)
        assert disagreements(snapshot) == [], changes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(SCENARIOS),
    version=st.sampled_from(VERSIONS),
    changes=st.dictionaries(
        st.sampled_from(
            [
                "enable-bandwidth-manager", "enable-bbr", "enable-bbr-hostns-only",
                "enable-host-legacy-routing", "kube-proxy-replacement", "enable-bpf-masquerade",
                "enable-ipsec", "enable-ipv4", "routing-mode", "tunnel-protocol",
                "bpf-lb-dsr-dispatch", "cni-chaining-mode", "enable-ipv6",
            ]
        ),
        st.sampled_from(
            ["true", "false", "native", "tunnel", "geneve", "vxlan", "opt", "none", None]
        ),
        max_size=4,
    ),
)  # fmt: skip
def test_agreement_holds_on_generated_snapshots(
    name: str, version: str, changes: dict[str, str | None]
) -> None:
    assert disagreements(lab_snapshot(lab_scenario(name, version=version), changes)) == []


def test_every_item_has_a_recipe_or_says_why_not() -> None:
    remedies = {r.item_id: r for r in REMEDIES}
    assert list(remedies) == [entry.id for entry in CATALOGUE]
    for remedy in REMEDIES:
        assert remedy.automatable or len(remedy.why_manual) > 20, remedy


def test_the_checklist_says_what_the_planner_says_on_named_cases() -> None:
    """The disagreements issue 12 found, one by one."""
    seed = lab_snapshot("seed")
    board = catalogue_item("bbr").evaluate(seed, seed.nodes[3])
    assert board.state is State.BLOCKED
    assert Failure.NO_EFFECT.consequence in board.reason  # below 5.1: BBR is ignored, no crash
    assert Failure.FATAL.consequence not in board.reason
    modern = lab_scenario("modern", version="1.18.2")
    legacy = {"enable-host-legacy-routing": "true", "enable-bbr-hostns-only": "true"}
    snapshot = lab_snapshot(modern, legacy)
    plan = build_plan("bbr", snapshot)
    assert plan.assessments
    for record in snapshot.nodes:
        finding = catalogue_item("bbr").evaluate(snapshot, record)
        assert Failure.FATAL.consequence not in finding.reason, finding
    assert Outcome.FATAL not in {a.outcome for a in plan.assessments}

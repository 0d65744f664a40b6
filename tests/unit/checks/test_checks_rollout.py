"""Configuration not rolled out: an agent that started before cilium-config's last change."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cilium_tui.checks.catalogue import item
from cilium_tui.checks.types import State
from cilium_tui.checks.view import NodeView
from cilium_tui.facts.config import parse_configmap
from cilium_tui.facts.pod import parse_agent_pod
from cilium_tui.report.nodes import summarize
from tests.unit.checks.seed import SEED_DATA, snapshot, vm

CHANGED = "2026-12-07T21:00:00Z"


def configmap(changed: str = CHANGED, **data: str) -> dict[str, Any]:
    return {
        "metadata": {
            "name": "cilium-config",
            "namespace": "kube-system",
            "managedFields": [
                {"manager": "helm", "operation": "Update", "time": "2026-11-01T08:00:00Z"},
                {"manager": "kubectl-patch", "operation": "Update", "time": changed},
            ],
        },
        "data": {**SEED_DATA, **data},
    }


def pod(started: str) -> dict[str, Any]:
    return {
        "metadata": {"name": "cilium-x1", "namespace": "kube-system"},
        "spec": {"nodeName": "vm-1", "containers": [{"name": "cilium-agent", "image": "c:v1"}]},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {
                    "name": "cilium-agent",
                    "ready": True,
                    "state": {"running": {"startedAt": started}},
                }
            ],
        },
    }


def test_an_agent_older_than_the_config_is_told_to_restart() -> None:
    config = parse_configmap(configmap(**{"kube-proxy-replacement": "disabled"}), "1.13.4")
    assert config.changed_at is not None and config.changed_at.hour == 21
    stale = replace(vm(), pod=parse_agent_pod(pod("2026-12-07T20:00:00Z")))
    snap = snapshot(stale, cilium_config=config)
    view = NodeView(snap, stale)
    assert view.agent_stale is True
    finding = item("kube-proxy-replacement").evaluate(snap, stale)
    assert finding.state is State.ON  # the running agent still shows it...
    assert finding.drift is not None
    assert "started before cilium-config's last change: restart this agent" in finding.drift
    [summary] = summarize(snap)
    assert any(
        p.startswith("configuration not rolled out") and "delete pod cilium-x1" in p
        for p in summary.problems
    )


def test_an_agent_started_after_the_change_is_not_a_pending_restart() -> None:
    config = parse_configmap(configmap(**{"kube-proxy-replacement": "disabled"}), "1.13.4")
    fresh = replace(vm(), pod=parse_agent_pod(pod("2026-12-07T21:30:00Z")))
    snap = snapshot(fresh, cilium_config=config)
    assert NodeView(snap, fresh).agent_stale is False
    finding = item("kube-proxy-replacement").evaluate(snap, fresh)
    assert finding.drift is not None and "not a pending restart" in finding.drift
    assert "CiliumNodeConfig" in finding.drift
    [summary] = summarize(snap)
    assert summary.problems == ()


def test_a_setting_only_the_config_shows_is_not_verified_on_a_stale_agent() -> None:
    """Cilium 1.13 prints no routing mode: native routing is read from cilium-config. An agent
    that started before that config was written may still tunnel: configured, not verified."""
    config = parse_configmap(configmap(tunnel="disabled"), "1.13.4")
    stale = replace(vm(), pod=parse_agent_pod(pod("2026-12-07T20:00:00Z")))
    snap = snapshot(stale, cilium_config=config)
    finding = item("native-routing").evaluate(snap, stale)
    assert finding.state is State.UNKNOWN and finding.unverified
    assert finding.reason.startswith(
        "configured, not verified: the agent started before cilium-config's last change; "
    )
    assert any("delete pod cilium-x1" in e for e in finding.evidence)
    fresh = replace(vm(), pod=parse_agent_pod(pod("2026-12-07T21:30:00Z")))
    assert item("native-routing").evaluate(snapshot(fresh, cilium_config=config), fresh).state is (
        State.ON
    )

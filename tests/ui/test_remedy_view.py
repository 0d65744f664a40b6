"""The remediation pane's content, built without an app: the preview of a real plan of the seed,
grouping on a big cluster, the rollout reducer, the result, and outside text kept literal."""

from __future__ import annotations

import dataclasses
import io

from rich.console import Console, RenderableType

from cilium_tui.checks.types import State
from cilium_tui.model import Snapshot
from cilium_tui.remedy.engine import ApplyResult, NodeCheck, Progress, Verification
from cilium_tui.remedy.plan import NodeAssessment, Outcome, Plan, Restart
from cilium_tui.remedy.planner import build_plan
from cilium_tui.remedy.preview import CONFIG_SET_WARNING
from cilium_tui.ui.paint import tone_styles
from cilium_tui.ui.remedy_view import (
    LIST_LIMIT,
    Look,
    ShellLines,
    plan_view,
    result_view,
    rollout_start,
    rollout_step,
    rollout_view,
)

STYLES = tone_styles({})
LOOK = Look(STYLES)


def text(renderable: RenderableType) -> str:
    console = Console(width=160, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text()


def bypass(seed: Snapshot) -> Plan:
    return build_plan("bypass-iptables-conntrack", seed)


def test_the_preview_of_the_seeds_conntrack_bypass(seed: Snapshot) -> None:
    shown = text(plan_view(bypass(seed), LOOK))
    assert shown.startswith("Bypass iptables conntrack (bypass-iptables-conntrack)  READY · can be")
    assert "rock64-1  off  takes it  pod traffic skips iptables connection tracking" in shown
    assert "k3s-vm-1  n/a  n/a       unnecessary: BPF host routing already bypasses" in shown
    assert '+install-no-conntrack-iptables-rules: "true"' in shown
    assert '-install-no-conntrack-iptables-rules: "false"' in shown
    assert "Agent restarts, one node at a time" in shown and "1. rock64-1" in shown
    assert "helm upgrade cilium cilium/cilium -n kube-system --reuse-values" in shown
    assert "kubectl -n kube-system patch configmap cilium-config --type merge" in shown
    assert "Expected afterwards (verified by a re-scan)" in shown


def test_a_refused_plan_hands_out_no_commands(seed: Snapshot) -> None:
    plan = build_plan("xdp-acceleration", seed)
    assert plan.status == "refused" and plan.changes  # there is a change it would have made
    shown = text(plan_view(plan, LOOK))
    assert "REFUSED · nothing will be applied" in shown
    assert "Equivalent commands" not in shown
    for command in ("helm upgrade", "cilium config set", "kubectl", "ssh "):
        assert command not in shown, command


def test_cilium_config_set_comes_with_its_restart_warning(seed: Snapshot) -> None:
    shown = " ".join(text(plan_view(bypass(seed), LOOK)).split())  # wrapped lines joined
    commands = shown[shown.index("Equivalent commands") :]
    helm, warning = commands.index("helm upgrade"), commands.index(CONFIG_SET_WARNING)
    config_set = commands.index(
        "cilium config set --restart=false install-no-conntrack-iptables-rules true"
    )
    rollout = commands.index("kubectl -n kube-system rollout restart daemonset/cilium", config_set)
    assert commands.index("kubectl -n kube-system rollout restart daemonset/cilium") < warning
    assert helm < warning < config_set < rollout < commands.index("kubectl -n kube-system patch")
    assert config_set - warning == len(CONFIG_SET_WARNING) + 1, "the warning is right above it"


def test_a_big_cluster_is_grouped_not_listed(seed: Snapshot) -> None:
    plan = bypass(seed)
    boards = [a for a in plan.assessments if a.outcome is Outcome.TAKES]
    many = tuple(dataclasses.replace(boards[0], node=f"board-{i}") for i in range(60))
    big = dataclasses.replace(
        plan,
        assessments=(*plan.assessments[:3], *many),
        restart=Restart("kube-system", tuple((a.node,) for a in many), 120.0, "every agent"),
    )
    shown = text(plan_view(big, LOOK))
    assert "60 nodes: board-0, board-1, board-2, … (+57)  off  takes it" in shown
    assert "3 nodes: k3s-vm-1, k3s-vm-2, k3s-vm-3" in shown
    assert f"… {60 - LIST_LIMIT} more batches" in shown and "60. board-59" in shown
    assert "# … 57 more: one per node, in the restart order above" in shown
    assert "board-30" not in shown


def test_the_rollout_follows_the_engines_progress(seed: Snapshot) -> None:
    plan = bypass(seed)
    rollout = rollout_start(plan)
    assert [n.node for n in rollout.nodes] == list(plan.restart.nodes)  # type: ignore[union-attr]
    assert {n.state.text for n in rollout.nodes} == {"waiting"}
    for step in (
        Progress("patch", "patching kube-system/cilium-config", None, "info", 1, 8),
        Progress("restart", "deleting agent pod cilium-x", "rock64-1", "info", 1, 8),
        Progress("ready", "agent pod cilium-y is Ready", "rock64-1", "ok", 2, 8),
        Progress("check", "bypass-iptables-conntrack on", "rock64-1", "ok", 2, 8),
        Progress("restart", "deleting agent pod cilium-z", "rock64-2", "info", 2, 8),
        Progress("stopped", "the agent on rock64-2 did not come back", "rock64-2", "error", 2, 8),
    ):
        rollout = rollout_step(rollout, step)
    states = {n.node: n.state.text for n in rollout.nodes}
    assert (states["rock64-1"], states["rock64-2"], states["rock64-3"]) == (
        "as expected",
        "stopped",
        "waiting",
    )
    shown = text(rollout_view(rollout, STYLES))
    assert "Rollout  2/8  rock64-2: the agent on rock64-2 did not come back" in shown


def test_the_result_puts_each_node_next_to_the_expectation() -> None:
    checks = (
        NodeCheck("rock64-1", "bypass-iptables-conntrack", (State.ON,), State.ON, "bypassed"),
        NodeCheck("rock64-2", "bypass-iptables-conntrack", (State.ON,), State.OFF, "not yet"),
    )
    result = ApplyResult(
        "mismatch", "applied, but rock64-2 is off", "entry-1", checks, Verification(checks), None,
        mutated=True,
    )  # fmt: skip
    shown = text(result_view(result, STYLES, undo_key="f9"))
    assert "Result  APPLIED, NOT AS EXPECTED" in shown
    assert "rock64-1  bypass-iptables-conntrack  on        on   ✓" in shown
    assert "rock64-2  bypass-iptables-conntrack  on        off  ✗" in shown
    assert "Press f9 to undo this change." in shown
    refused = text(result_view(ApplyResult("denied", "may not patch"), STYLES))
    assert "DENIED" in refused and "undo" not in refused


def test_outside_text_is_never_markup(seed: Snapshot) -> None:
    hostile = "[bold]x[/] [/oops]"
    plan = bypass(seed)
    odd = NodeAssessment(hostile, Outcome.FATAL, f"agent says {hostile}", State.OFF)
    shown = text(plan_view(dataclasses.replace(plan, assessments=(odd,)), LOOK))
    assert f"{hostile}  off  WOULD FAIL  agent says {hostile}" in shown


def test_commands_fold_to_the_width_and_an_argument_wider_than_it_is_cut_not_wrapped() -> None:
    commands = ("kubectl -n kube-system delete pod -l k8s-app=cilium", "kubectl get " + "x" * 60)
    shell = ShellLines(commands, LOOK)
    assert shell.lines(40) == [
        "kubectl -n kube-system delete pod \\",
        "    -l k8s-app=cilium",
        "kubectl get \\",
        "    " + "x" * 35 + "…",
    ]
    assert text(shell).splitlines()[0] == "kubectl -n kube-system delete pod -l k8s-app=cilium"

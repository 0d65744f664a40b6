"""The preview: the ConfigMap diff, the equivalent commands, and the text and JSON renderings."""

from __future__ import annotations

import json
import shlex
from dataclasses import replace

from cilium_tui.lab.chart import ChartValues
from cilium_tui.remedy.planner import build_plan
from cilium_tui.remedy.preview import (
    CONFIG_SET_WARNING,
    config_diff,
    equivalent_commands,
    render_json,
    render_text,
)
from tests.unit.remedy.lab_snapshot import lab_scenario, lab_snapshot

SEED_ORDER = ("rock64-1", "rock64-2", "rock64-3", "k3s-vm-2", "k3s-vm-3", "k3s-vm-1")


def test_diff_of_the_configmap_data() -> None:
    plan = build_plan("native-routing", lab_snapshot("training"))
    lines = config_diff(plan, context=0).splitlines()
    assert lines[:2] == [
        "--- kube-system/cilium-config (resourceVersion 4711)",
        "+++ kube-system/cilium-config (after native-routing)",
    ]
    assert [line for line in lines[2:] if not line.startswith("@@ ")] == [
        '-auto-direct-node-routes: "false"',
        '+auto-direct-node-routes: "true"',
        '+ipv4-native-routing-cidr: "10.42.0.0/16"',
        '-tunnel: "vxlan"',
        '+tunnel: "disabled"',
    ]
    assert sum(line.startswith("@@ ") for line in lines) == 3
    with_context = config_diff(plan).splitlines()
    assert ' ipam: "kubernetes"' in with_context  # context lines around the new key
    assert config_diff(build_plan("native-routing", lab_snapshot("seed"))) == ""


def test_diff_without_the_snapshot_shows_the_touched_keys() -> None:
    plan = replace(build_plan("native-routing", lab_snapshot("training")), basis=None)
    lines = config_diff(plan).splitlines()
    assert '-tunnel: "vxlan"' in lines and '+ipv4-native-routing-cidr: "10.42.0.0/16"' in lines


def test_equivalent_commands_are_exact_and_quoted() -> None:
    plan = build_plan("bypass-iptables-conntrack", lab_snapshot("seed"))
    commands = equivalent_commands(plan)
    assert commands.helm is not None
    assert shlex.split(commands.helm) == [
        "helm",
        "upgrade",
        "cilium",
        "cilium/cilium",
        "-n",
        "kube-system",
        "--reuse-values",
        "--version",
        "1.13.4",
        "--set",
        "installNoConntrackIptablesRules=true",
    ]
    assert commands.cilium_cli == (
        "cilium config set --restart=false install-no-conntrack-iptables-rules true",
    )
    assert commands.rollout_restart == "kubectl -n kube-system rollout restart daemonset/cilium"
    assert commands.kubectl_patch is not None
    argv = shlex.split(commands.kubectl_patch)
    assert argv[:8] == ["kubectl", "-n", "kube-system", "patch", "configmap", "cilium-config",
                        "--type", "merge"]  # fmt: skip
    assert json.loads(argv[9]) == {
        "metadata": {"resourceVersion": "4711"},
        "data": {"install-no-conntrack-iptables-rules": "true"},
    }
    assert [shlex.split(c)[-1] for c in commands.restarts] == [
        f"spec.nodeName={n}" for n in SEED_ORDER
    ]


def test_removals_are_null_in_the_patch_and_deletes_for_the_cli() -> None:
    chosen = lab_scenario("training", version="1.14.6", values=ChartValues(ipam="kubernetes"))
    plan = build_plan("native-routing", lab_snapshot(chosen, {"tunnel": "vxlan"}))
    commands = equivalent_commands(plan)
    assert "cilium config delete --restart=false tunnel" in commands.cilium_cli
    assert commands.kubectl_patch is not None
    assert json.loads(shlex.split(commands.kubectl_patch)[-1])["data"]["tunnel"] is None
    assert commands.helm is not None and "tunnel=null" in shlex.split(commands.helm)


def test_node_commands_by_hand() -> None:
    plan = build_plan("cpu-governor", lab_snapshot("seed"))
    lines = equivalent_commands(plan).node_commands
    assert len(lines) == 12
    assert lines[0] == (
        "printf '%s\\n' performance | ssh rock64-1 "
        "'sudo -n tee /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor'"
    )


def test_text_leads_with_helm_when_helm_manages_the_configmap() -> None:
    text = render_text(build_plan("bypass-iptables-conntrack", lab_snapshot("seed")))
    lines = text.splitlines()
    helm = next(i for i, line in enumerate(lines) if line.strip().startswith("helm upgrade"))
    warning = next(i for i, line in enumerate(lines) if "Helm manages cilium-config" in line)
    config_set = next(i for i, line in enumerate(lines) if "cilium config set" in line)
    assert warning < helm < config_set
    assert CONFIG_SET_WARNING in text
    assert "Status: READY to apply" in text
    assert "  1. rock64-1" in text and "  6. k3s-vm-1" in text
    assert "rock64-1: bypass-iptables-conntrack on" in text


def test_text_names_the_context_once() -> None:
    seed = lab_snapshot("seed")
    for source, context, shown in (
        ("context prod", "prod", "Cluster: context prod; kube-system/cilium-config"),
        ("lab seed", "lab-seed", "Cluster: lab seed, context lab-seed; kube-system/cilium-config"),
    ):
        snapshot = replace(seed, source=source, context=context)
        text = render_text(build_plan("bypass-iptables-conntrack", snapshot))
        assert shown in text, text.splitlines()[2]


def test_text_of_a_refused_plan_names_nodes_and_node_config() -> None:
    text = render_text(build_plan("xdp-acceleration", lab_snapshot("seed")))
    assert "Status: REFUSED" in text
    assert "[rock64-1, rock64-2, rock64-3]" in text
    assert "kind: CiliumNodeConfig" in text
    assert "Agent restarts" not in text  # nothing will restart
    assert "cilium config set" not in text and "kubectl -n kube-system patch" not in text
    assert render_json(build_plan("xdp-acceleration", lab_snapshot("seed")))["commands"] is None


def test_json_rendering_is_the_plan_plus_diff_and_commands() -> None:
    plan = build_plan("bypass-iptables-conntrack", lab_snapshot("seed"))
    doc = json.loads(json.dumps(render_json(plan)))
    assert doc["status"] == "ready" and doc["digest"] == plan.digest
    assert doc["changes"] == [
        {
            "key": "install-no-conntrack-iptables-rules",
            "old": "false",
            "new": "true",
            "action": "set",
            "reason": "the item's setting",
        }
    ]
    assert doc["restart"]["batches"][0] == ["rock64-1"]
    assert doc["diff"] == config_diff(plan)
    assert doc["commands"]["restarts"] == list(equivalent_commands(plan).restarts)

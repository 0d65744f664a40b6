"""The `helm upgrade --set` names the preview prints are the Cilium chart's own value names
(cilium/cilium values.yaml, reference §3): a wrong name is silently accepted by `--reuse-values`
and changes nothing."""

from __future__ import annotations

import dataclasses
import shlex

from cilium_tui.lab.chart import ChartValues
from cilium_tui.model import Snapshot
from cilium_tui.remedy.plan import Plan
from cilium_tui.remedy.planner import REMEDIES, build_plan
from cilium_tui.remedy.preview import HELM_VALUES, equivalent_commands, render_text
from tests.unit.remedy.lab_snapshot import lab_scenario, lab_snapshot

CHART_VALUES = {
    "tunnel": "tunnel",
    "routing-mode": "routingMode",
    "ipv4-native-routing-cidr": "ipv4NativeRoutingCIDR",
    "auto-direct-node-routes": "autoDirectNodeRoutes",
    "kube-proxy-replacement": "kubeProxyReplacement",
    "enable-bpf-masquerade": "bpf.masquerade",
    "bpf-lb-mode": "loadBalancer.mode",
    "bpf-lb-dsr-dispatch": "loadBalancer.dsrDispatch",
    "bpf-lb-acceleration": "loadBalancer.acceleration",
    "enable-host-legacy-routing": "bpf.hostLegacyRouting",
    "enable-ipv4-big-tcp": "enableIPv4BIGTCP",
    "enable-ipv6-big-tcp": "enableIPv6BIGTCP",
    "enable-hubble": "hubble.enabled",
    "enable-bandwidth-manager": "bandwidthManager.enabled",
    "enable-bbr": "bandwidthManager.bbr",
    "bpf-map-dynamic-size-ratio": "bpf.mapDynamicSizeRatio",
    "install-no-conntrack-iptables-rules": "installNoConntrackIptablesRules",
}
"""cilium-config key -> the chart value that renders it, written out by hand from the chart."""
NOT_WRITTEN = {"bpf-lb-dsr-dispatch"}
"""Pinned, but no recipe writes it (DSR keeps the release's default dispatch)."""


def clusters() -> list[Snapshot]:
    """The lab's scenarios, and variants where the recipes that do nothing there write a key."""
    on_1_14 = lab_scenario("training", version="1.14.6", values=ChartValues(ipam="kubernetes"))
    return [
        lab_snapshot("seed"),
        lab_snapshot("training"),
        lab_snapshot("modern"),
        lab_snapshot(on_1_14, {"tunnel": "vxlan"}),
        lab_snapshot("seed", {"enable-host-legacy-routing": "true"}),
        lab_snapshot("modern", {"enable-ipv6": "true", "bpf-map-dynamic-size-ratio": "0"}),
    ]


def test_each_config_key_has_the_charts_value_name() -> None:
    assert {key: HELM_VALUES.get(key) for key in CHART_VALUES} == CHART_VALUES


def set_names(helm: str) -> list[str]:
    argv = shlex.split(helm)
    return [argv[i + 1].partition("=")[0] for i, word in enumerate(argv) if word == "--set"]


def test_every_recipe_sets_the_charts_value_names() -> None:
    written: set[str] = set()
    for snapshot in clusters():
        for remedy in REMEDIES:
            plan = build_plan(remedy.item_id, snapshot)
            commands = equivalent_commands(plan)
            assert commands.helm_unmapped == (), remedy.item_id
            if not plan.changes:
                continue
            assert commands.helm is not None
            keys = [c.key for c in plan.changes]
            assert set_names(commands.helm) == [CHART_VALUES[k] for k in keys], remedy.item_id
            written.update(keys)
    assert written == set(CHART_VALUES) - NOT_WRITTEN, "every pinned key is exercised"


def on_release(version: str) -> Plan:
    plan = build_plan("bypass-iptables-conntrack", lab_snapshot("seed"))
    return dataclasses.replace(
        plan, cluster=dataclasses.replace(plan.cluster, cilium_version=version)
    )


def test_helm_pins_upstream_chart_releases_only() -> None:
    for version in ("1.16.1", "1.17.0-rc.2"):
        helm = equivalent_commands(on_release(version)).helm
        assert helm is not None and f"--version {version} " in helm
    vendor = on_release("1.17.6-cee.1")
    commands = equivalent_commands(vendor)
    assert commands.helm is None, "cilium/cilium has no such chart; unpinned it would upgrade"
    assert commands.helm_notes == (
        "Cilium 1.17.6-cee.1 is not a cilium/cilium chart version (a vendor build?): upgrade with "
        "the chart and --version it was installed from, --reuse-values --set "
        "installNoConntrackIptablesRules=true",
    )
    text = render_text(vendor)
    assert "helm upgrade cilium" not in text and commands.helm_notes[0] in text

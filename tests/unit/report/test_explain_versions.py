"""`explain` when the version is not printed, on pastes of two outputs, and options a release
does not have (issue 12, item 3). Real samples, and inputs built only from their lines."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cilium_tui.facts.status import parse_status, split_status_outputs
from cilium_tui.facts.version import parse_cilium_version
from cilium_tui.facts.version_window import VersionWindow, shape_window
from cilium_tui.lab.agent import start_agent
from cilium_tui.lab.chart import ChartValues, render_config
from cilium_tui.lab.render_json import render_status_json
from cilium_tui.lab.render_text import render_status_text
from cilium_tui.lab.scenarios import scenario, status_context
from cilium_tui.report.explain import (
    explain_output,
    explain_outputs,
    explanation_document,
    render_explanation_text,
)

DATA = Path(__file__).parents[2] / "data"
SAMPLES = sorted((DATA / "samples").glob("[AB]/*.txt"))
PROBE_NO_VERSION = DATA / "explain" / "probe-no-version-from-1.10.4.txt"
TWO_OUTPUTS = DATA / "explain" / "two-outputs-1.13.4-then-1.14.0.txt"


def _doc(path: Path, name: str = "paste") -> dict[str, Any]:
    return explanation_document(explain_output(name, path.read_text()))


def _finding(doc: dict[str, Any], item: str) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in doc["findings"] if f["item"] == item)
    return found


VERSIONED = [p for p in SAMPLES if parse_status(p.read_text()).cilium_version]


@pytest.mark.parametrize("path", VERSIONED, ids=lambda p: p.name)
def test_a_printed_version_always_lies_in_the_window_of_the_output_s_shape(path: Path) -> None:
    status = parse_status(path.read_text())
    printed = parse_cilium_version(status.cilium_version)
    assert printed is not None
    window = shape_window(status)
    assert window.overlaps(printed.minor, printed.minor), window


LAB_RELEASES = ("1.13.4", "1.14.0", "1.15.0-pre.2", "1.16.4", "1.17.2", "1.18.2")


@pytest.mark.parametrize("version", LAB_RELEASES)
def test_every_release_the_lab_prints_lies_in_its_shape_s_window(version: str) -> None:
    lab = replace(scenario("seed"), cilium_version=version)
    node = lab.nodes[0]
    kpr = "strict" if version.startswith("1.13") else "true"
    values = ChartValues(kube_proxy_replacement=kpr, bpf_masquerade=True, ipam="kubernetes")
    outcome = start_agent(version, render_config(version, values), node.host)
    assert outcome.status is not None, outcome.fatal
    context = status_context(lab, node, outcome.details)
    minor = parse_cilium_version(version)
    assert minor is not None
    for output in (
        render_status_text(outcome.status, version, context=context),
        render_status_text(outcome.status, version, verbose=True, context=context),
        json.dumps(render_status_json(outcome.status, version, context)),
    ):
        window = shape_window(parse_status(output))
        assert window.bounded and window.overlaps(minor.minor, minor.minor), (version, window)


def test_a_version_less_probe_paste_is_advised_in_the_spelling_of_its_releases() -> None:
    doc = _doc(PROBE_NO_VERSION)
    assert doc["cilium_version"] is None
    assert doc["cilium_window"] == "Cilium 1.9 to 1.13"
    assert any("Probe and Partial" in e for e in doc["cilium_window_evidence"])
    kpr = _finding(doc, "kube-proxy-replacement")
    assert kpr["state"] == "off"
    assert "Set kube-proxy-replacement: strict with" in kpr["advice"]
    assert "true" not in kpr["advice"]  # the agent of those releases rejects it
    text = render_explanation_text(explain_output("paste", PROBE_NO_VERSION.read_text()))
    assert "? (not printed; the output's shape says Cilium 1.9 to 1.13)" in text


def test_the_1_8_era_feature_list_bounds_the_release_too() -> None:
    doc = _doc(DATA / "samples" / "A" / "v1.8-era-kind-partial-bpfmasq-srcunresolved.txt")
    assert doc["cilium_window"] == "Cilium <= 1.9"
    assert (
        "kube-proxy-replacement: strict with" in _finding(doc, "kube-proxy-replacement")["advice"]
    )
    # 1.9 renamed node-port-mode: a window that straddles it names both, each with its releases.
    dsr = _finding(doc, "nodeport-dsr")["advice"]
    assert dsr.startswith(
        "Set bpf-lb-mode: dsr (Cilium >= 1.9) or node-port-mode: dsr (Cilium < 1.9)"
    )
    # IPv6 BIG TCP arrived in 1.13, after every release this output's shape allows.
    assert _finding(doc, "ipv6-big-tcp")["reason"].startswith("n/a: needs Cilium >= 1.13")


def test_a_paste_that_bounds_nothing_names_each_spelling_with_its_releases() -> None:
    doc = explanation_document(explain_output("grep", "KubeProxyReplacement:   Disabled\n"))
    assert doc["cilium_window"] == "any Cilium release"
    advice = _finding(doc, "kube-proxy-replacement")["advice"]
    assert "kube-proxy-replacement: true (Cilium >= 1.14) or strict (Cilium < 1.14)" in advice


def test_options_a_release_lacks_are_na_with_the_version_they_need() -> None:
    pre_116 = [
        p
        for p in SAMPLES
        if (v := parse_cilium_version(parse_status(p.read_text()).cilium_version))
        and not v.at_least("1.16")
    ]
    assert len(pre_116) == 9
    for path in pre_116:
        doc = _doc(path)
        for finding in doc["findings"]:
            assert not any(b.startswith("Cilium ") for b in finding["blocked_by"]), finding
        netkit = _finding(doc, "netkit")
        assert netkit["state"] == "n/a" and netkit["fails"] is False, (path.name, netkit)
        assert netkit["reason"].startswith("n/a: needs Cilium >= 1.16 (running ")
    # A version-less output whose shape is older than the option: n/a too, said so.
    netkit = _finding(_doc(PROBE_NO_VERSION), "netkit")
    assert netkit["reason"] == "n/a: needs Cilium >= 1.16 (the output's shape: Cilium 1.9 to 1.13)"


def test_two_pasted_outputs_are_split_named_and_never_mixed() -> None:
    text = TWO_OUTPUTS.read_text()
    parts = split_status_outputs(text)
    assert [p.hint for p in parts] == ["cilium-7xk2p", "cilium-b9q4z"]
    first, second = explain_outputs("paste.txt", text)
    assert first.source == "paste.txt #1 (cilium-7xk2p)"
    assert second.source == "paste.txt #2 (cilium-b9q4z)"
    assert first.split_from == second.split_from == "paste.txt"
    a, b = first.status, second.status
    assert (a.cilium_version, b.cilium_version) == ("1.13.4", "1.14.0")
    assert (a.kubernetes_version, b.kubernetes_version) == (
        "v1.27.3-eks-a5565ad",
        "v1.25.12-eks-2d98532",
    )
    assert a.bandwidth_manager is not None and not a.bandwidth_manager.enabled
    assert b.bandwidth_manager is not None and b.bandwidth_manager.congestion_control == "CUBIC"
    assert (a.encryption, b.encryption) == ("Disabled", "Wireguard")
    # Each reads exactly as its own sample does.
    samples = DATA / "samples" / "A"
    assert a == parse_status(
        (samples / "v1.13.4-eks-eni-strict-legacy-iptables-before.txt").read_text()
    )
    alone = samples / "v1.14.0-eks-eni-arm64-legacy-iptables-cubic-wireguard.txt"
    assert b == parse_status(alone.read_text())


def test_one_output_is_one_part_and_json_documents_split_too() -> None:
    for path in SAMPLES:
        assert len(split_status_outputs(path.read_text())) == 1, path.name
    one = (DATA / "status" / "status-1.17-native-bpf.json").read_text()
    parts = split_status_outputs(f"$ node-a\n{one}\n$ node-b\n{one}")
    assert len(parts) == 2
    assert all(parse_status(p.text) == parse_status(one) for p in parts)


def test_the_cli_says_it_split_the_input() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cilium_tui", "explain", "--format", "json", str(TWO_OUTPUTS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "holds 2 status outputs: each is explained on its own" in out.stderr
    docs = json.loads(out.stdout)
    assert [d["cilium_version"] for d in docs] == ["1.13.4", "1.14.0"]
    assert docs[0]["split_from"] == str(TWO_OUTPUTS)


def test_the_masquerading_fact_keeps_ip_masq_agent() -> None:
    lab = scenario("seed")
    node = lab.nodes[0]
    config = {**lab.config, "enable-ip-masq-agent": "true"}
    outcome = start_agent(lab.cilium_version, config, node.host)
    assert outcome.status is not None
    context = status_context(lab, node, outcome.details)
    for output in (
        render_status_text(outcome.status, lab.cilium_version, context=context),
        json.dumps(render_status_json(outcome.status, lab.cilium_version, context)),
    ):
        explanation = explain_output("lab", output)
        assert explanation_document(explanation)["masquerading"] == "BPF (ip-masq-agent)"
        assert "Masquerading            BPF (ip-masq-agent)" in render_explanation_text(explanation)
    assert VersionWindow.exact((1, 13)).at_least("1.14") is False

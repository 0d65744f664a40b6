"""`cilium-tui explain` on real saved outputs: the facts as printed, and the diagnosis."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cilium_tui.report.explain import explain_output, explanation_document, render_explanation_text

SAMPLES = Path(__file__).parents[2] / "data" / "samples"
REQUIRED = {
    "source",
    "cilium_version",
    "host_routing",
    "network_routing",
    "tunnel_protocol",
    "kube_proxy_replacement",
    "masquerading",
    "bandwidth_manager",
    "findings",
}


def _explain(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cilium_tui", "explain", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("path", sorted((SAMPLES / "A").glob("*.txt")), ids=lambda p: p.name)
def test_every_agent_sample_gives_the_documented_json_keys(path: Path) -> None:
    doc = explanation_document(explain_output(path.name, path.read_text()))
    assert doc.keys() >= REQUIRED
    assert doc["host_routing"] in ("BPF", "Legacy", None)
    assert doc["masquerading"] in ("BPF", "IPTables", "Disabled", None)
    json.dumps(doc)  # serialisable as is


def test_seed_like_legacy_output_is_diagnosed_with_its_cause() -> None:
    path = SAMPLES / "A" / "v1.13.4-eks-eni-strict-legacy-iptables-before.txt"
    doc = explanation_document(explain_output("eks", path.read_text()))
    assert doc["cilium_version"] == "1.13.4"
    assert doc["kube_proxy_replacement"] == "Strict"
    assert doc["host_routing"] == "Legacy"
    assert doc["bandwidth_manager"] == {"enabled": False, "congestion_control": None}
    causes = [c["id"] for c in doc["why_legacy"]["causes"]]
    assert causes[0] == "iptables-masquerading"
    states = {f["item"]: f["state"] for f in doc["findings"]}
    assert states["kube-proxy-replacement"] == "on"
    assert states["bpf-masquerading"] == "off"


def test_cli_reads_files_and_stdin_and_prints_one_object_per_file() -> None:
    a = SAMPLES / "A" / "v1.16.4-talos-tunnel-legacy-tcx.txt"
    b = SAMPLES / "A" / "v1.17.6-cee-ubuntu24.04-native-bpf-bpfmasq.txt"
    out = _explain("--format", "json", str(a), "-", stdin=b.read_text())
    assert out.returncode == 0, out.stderr
    docs = json.loads(out.stdout)
    assert [d["source"] for d in docs] == [str(a), "stdin"]
    assert [d["network_routing"] for d in docs] == ["Tunnel", "Native"]
    assert [d["tunnel_protocol"] for d in docs] == ["vxlan", None]
    assert [d["host_routing"] for d in docs] == ["Legacy", "BPF"]


def test_cli_text_names_the_legacy_cause_and_a_missing_file_is_exit_2() -> None:
    a = SAMPLES / "A" / "v1.16.4-talos-tunnel-legacy-tcx.txt"
    out = _explain(str(a), "/nonexistent/status.txt")
    assert out.returncode == 2
    assert "cannot read /nonexistent/status.txt" in out.stderr
    assert "Why Legacy" in out.stdout
    assert "enable-bpf-masquerade" in out.stdout


def test_something_that_is_not_a_status_is_said_so() -> None:
    doc = explanation_document(explain_output("x", "hello: world\nnot cilium at all\n"))
    assert doc["recognised"] is False
    assert doc["host_routing"] is None
    assert doc["findings"] == []


def test_partial_kpr_with_bpf_nodeport_is_not_blocked_from_bpf_masquerading() -> None:
    path = SAMPLES / "A" / "v1.12.2-k3s-partial-legacy-iptables-verbose-srcunresolved.txt"
    doc = explanation_document(explain_output("k3s", path.read_text()))
    states = {f["item"]: f["state"] for f in doc["findings"]}
    assert doc["kube_proxy_replacement"] == "Partial"
    assert states["bpf-masquerading"] == "off"  # BPF NodePort is on: only the flag is missing
    assert states["nodeport-dsr"] == "off"


def test_an_agent_that_may_predate_bpf_host_routing_is_not_predicted_legacy() -> None:
    path = SAMPLES / "A" / "v1.8-era-kind-partial-bpfmasq-srcunresolved.txt"
    explanation = explain_output("kind", path.read_text())
    doc = explanation_document(explanation)
    assert doc["host_routing"] is None
    assert doc["why_legacy"] is None
    assert "bpf-host-routing" not in {f["item"] for f in doc["findings"]}
    assert "None" not in render_explanation_text(explanation)


def test_a_legacy_prediction_from_a_cut_status_names_its_basis() -> None:
    path = SAMPLES / "A" / "v1.10.4-probe-dualstack-edt-nocc-issue17515.txt"
    text = render_explanation_text(explain_output("probe", path.read_text()))
    assert "predicted from the other facts; the agent status does not print it" in text
    assert "None" not in text


def test_a_masquerading_mode_that_is_not_understood_is_not_judged_iptables() -> None:
    text = "Cilium:   Ok   1.14.2 (v1.14.2-a6748946)\nMasquerading:   Foo   [eth0]\n"
    doc = explanation_document(explain_output("x", text))
    assert "bpf-masquerading" not in {f["item"] for f in doc["findings"]}  # unknown: left out


def test_bbr_on_a_release_without_it_is_na_needing_the_version() -> None:
    path = SAMPLES / "A" / "v1.11.0-vagrant-strict-hostfw-legacy-iptables-issue18347.txt"
    doc = explanation_document(explain_output("vagrant", path.read_text()))
    (bbr,) = [f for f in doc["findings"] if f["item"] == "bbr"]
    assert bbr["state"] == "n/a"
    assert bbr["reason"] == "n/a: needs Cilium >= 1.12 (running 1.11.0)"
    assert "fail to start" not in bbr["reason"] and bbr["fails"] is False


def test_cli_exits_1_and_says_so_when_a_file_is_not_a_status(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello: world\n")
    out = _explain("--format", "json", str(other))
    assert out.returncode == 1
    assert "is not a `cilium status`" in out.stderr
    assert json.loads(out.stdout)[0]["recognised"] is False

"""`cilium-tui explain` on real saved outputs: the facts as printed, and the diagnosis."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cilium_tui.report.explain import explain_output, explanation_document

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

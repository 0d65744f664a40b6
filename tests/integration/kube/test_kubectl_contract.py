"""Contract tests: the real kubectl (client-go) against the lab API server.

If the lab drifts from the real wire format, kubectl is what notices.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Sequence

import yaml

from cilium_tui.lab.kube import ExecResult, LabApiServer, command_not_found
from cilium_tui.lab.kube.controllers import pod_ready
from tests.integration.kube.conftest import wait_until
from tests.unit.facts.sampledata import sample_text

Kubectl = Callable[..., subprocess.CompletedProcess[str]]

STATUS_TEXT = "KVStore:                 Ok   Disabled\nCilium:                  Ok   1.13.4\n"


def _header(text: str) -> list[str]:
    """A kubectl table's column names (two spaces or more apart: "NOMINATED NODE" is one)."""
    return re.split(r"\s{2,}", text.splitlines()[0].strip())


def _column(text: str, name: str) -> list[str]:
    """One column of a kubectl table, sliced by the header (columns are left-aligned)."""
    lines = text.splitlines()
    start = lines[0].index(name)
    return [line[start:].split("  ")[0].strip() for line in lines[1:]]


# The real `kubectl get nodes -o wide` columns, from a published output (tests/data/samples).
REAL_WIDE_NODES = _header(
    next(
        line
        for line in sample_text("D/eks-bottlerocket-arm64-wide.txt").splitlines()
        if line.startswith("NAME")
    )
)


def test_get_nodes(kubectl: Kubectl) -> None:
    out = kubectl("get", "nodes", check=True).stdout
    assert _header(out) == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]  # the server's Table
    assert _column(out, "NAME") == ["board-1", "vm-1", "vm-2", "vm-3"]
    assert set(_column(out, "STATUS")) == {"Ready"}


def test_get_nodes_wide_shows_the_kernels(kubectl: Kubectl) -> None:
    out = kubectl("get", "nodes", "-o", "wide", check=True).stdout
    assert _header(out) == REAL_WIDE_NODES
    kernels = dict(zip(_column(out, "NAME"), _column(out, "KERNEL-VERSION"), strict=True))
    assert kernels == {
        "board-1": "4.19.0-24-arm64",
        "vm-1": "6.2.0-39-generic",
        "vm-2": "6.2.0-39-generic",
        "vm-3": "6.2.0-39-generic",
    }
    assert _column(out, "EXTERNAL-IP") == ["<none>"] * 4
    one = kubectl("get", "node", "vm-2", "-o", "wide", check=True).stdout
    assert _column(one, "KERNEL-VERSION") == ["6.2.0-39-generic"]


def test_get_pods_wide(kubectl: Kubectl) -> None:
    out = kubectl(
        "-n", "kube-system", "get", "pods", "-l", "k8s-app=cilium", "-o", "wide", check=True
    ).stdout
    assert _header(out) == [
        "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE",
        "READINESS GATES",
    ]  # fmt: skip
    assert dict(zip(_column(out, "NAME"), _column(out, "NODE"), strict=True)) == {
        f"cilium-{node}": node for node in ("board-1", "vm-1", "vm-2", "vm-3")
    }
    assert set(_column(out, "READY")) == {"1/1"}
    assert set(_column(out, "STATUS")) == {"Running"}


def test_get_nodes_json(kubectl: Kubectl) -> None:
    doc = json.loads(kubectl("get", "nodes", "-o", "json", check=True).stdout)
    assert doc["kind"] == "List"
    info = {n["metadata"]["name"]: n["status"]["nodeInfo"] for n in doc["items"]}
    assert info["board-1"]["kernelVersion"] == "4.19.0-24-arm64"
    assert info["vm-1"]["architecture"] == "amd64"


def test_get_agent_pods_across_namespaces(kubectl: Kubectl) -> None:
    out = kubectl("get", "pods", "-A", "-l", "k8s-app=cilium", check=True).stdout.splitlines()
    assert [line.split()[:2] for line in out[1:]] == [
        ["kube-system", name]
        for name in ("cilium-board-1", "cilium-vm-1", "cilium-vm-2", "cilium-vm-3")
    ]
    one = kubectl(
        "get",
        "pods",
        "-l",
        "k8s-app=cilium",
        "--field-selector",
        "spec.nodeName=vm-2",
        "-o",
        "name",
        check=True,
    ).stdout.split()
    assert one == ["pod/cilium-vm-2"]


def test_get_configmap_yaml(kubectl: Kubectl) -> None:
    doc = yaml.safe_load(kubectl("get", "cm", "cilium-config", "-o", "yaml", check=True).stdout)
    assert doc["kind"] == "ConfigMap"
    assert doc["data"]["kube-proxy-replacement"] == "strict"


def test_patch_configmap_merge(kubectl: Kubectl, lab: LabApiServer) -> None:
    done = kubectl(
        "patch",
        "cm",
        "cilium-config",
        "--type",
        "merge",
        "-p",
        '{"data":{"enable-bpf-masquerade":"false"}}',
        check=True,
    )
    assert done.stdout.strip() == "configmap/cilium-config patched"
    cm = lab.store.get("configmaps", "kube-system", "cilium-config")
    assert cm["data"]["enable-bpf-masquerade"] == "false"
    (patch,) = lab.requests.mutating()
    assert patch.content_type == "application/merge-patch+json"
    assert patch.param("fieldManager") == "kubectl-patch"


def test_rollout_restart_daemonset(kubectl: Kubectl, lab: LabApiServer) -> None:
    old = {p["metadata"]["name"] for p in lab.store.list("pods", "kube-system")[0]}
    done = kubectl("rollout", "restart", "ds/cilium", check=True)
    assert done.stdout.strip() == "daemonset.apps/cilium restarted"
    (patch,) = lab.requests.mutating()
    assert patch.content_type == "application/strategic-merge-patch+json"
    body = json.loads(patch.body)
    stamp = body["spec"]["template"]["metadata"]["annotations"].pop(
        "kubectl.kubernetes.io/restartedAt"
    )
    assert body == {"spec": {"template": {"metadata": {"annotations": {}}}}}
    assert stamp[:4].isdigit() and "T" in stamp
    assert lab.store.get("daemonsets", "kube-system", "cilium")["metadata"]["generation"] == 2

    status = kubectl("rollout", "status", "ds/cilium", "--timeout=60s", check=True)
    assert 'daemon set "cilium" successfully rolled out' in status.stdout
    pods, _ = lab.store.list("pods", "kube-system", label_selector="k8s-app=cilium")
    assert len(pods) == 4
    assert all(pod_ready(p) and p["metadata"]["name"] not in old for p in pods)


def test_delete_agent_pod_then_wait_for_the_replacement(kubectl: Kubectl) -> None:
    done = kubectl("delete", "pod", "cilium-vm-1", check=True)
    assert done.stdout.strip() == 'pod "cilium-vm-1" deleted'
    # `kubectl wait -l` fails at once while no pod matches, as against a real cluster: the
    # DaemonSet controller creates the replacement a moment after the delete.
    selector = ("-l", "k8s-app=cilium", "--field-selector", "spec.nodeName=vm-1")
    wait_until(
        lambda: kubectl("get", "pods", *selector, "-o", "name").stdout.strip(),  # noqa: PLW0108 - re-run per poll
        timeout=30,
        what="the replacement pod",
    )
    kubectl(
        "wait",
        "--for=condition=Ready",
        "pod",
        "-l",
        "k8s-app=cilium",
        "--field-selector",
        "spec.nodeName=vm-1",
        "--timeout=60s",
        check=True,
    )
    names = kubectl(
        "get",
        "pods",
        "-l",
        "k8s-app=cilium",
        "--field-selector",
        "spec.nodeName=vm-1",
        "-o",
        "name",
        check=True,
    ).stdout.split()
    assert len(names) == 1 and names[0].startswith("pod/cilium-") and names[0] != "pod/cilium-vm-1"


def _status_handler(ns: str, pod: str, container: str, argv: Sequence[str]) -> ExecResult:
    if list(argv) == ["cilium-dbg", "status"]:
        return ExecResult(0, stdout=STATUS_TEXT)
    if argv[0] == "false":
        return ExecResult(3, stderr="boom\n")
    return command_not_found(argv[0])


def test_exec_agent_status(kubectl: Kubectl, lab: LabApiServer) -> None:
    lab.exec_handler = _status_handler
    done = kubectl("exec", "cilium-vm-1", "-c", "cilium-agent", "--", "cilium-dbg", "status")
    assert (done.returncode, done.stdout) == (0, STATUS_TEXT)
    # a stream is logged once the server has closed it, which may be just after kubectl exits
    (record,) = wait_until(
        lambda: [r for r in lab.requests.records() if r.path.endswith("/exec")], what="exec log"
    )
    assert record.status == 101
    assert [v for k, v in record.query if k == "command"] == ["cilium-dbg", "status"]


def test_exec_non_zero_exit_code_is_kubectls_exit_code(kubectl: Kubectl, lab: LabApiServer) -> None:
    lab.exec_handler = _status_handler
    done = kubectl("exec", "cilium-vm-1", "-c", "cilium-agent", "--", "false")
    assert (done.returncode, done.stderr) == (3, "boom\ncommand terminated with exit code 3\n")


def test_exec_unknown_binary(kubectl: Kubectl) -> None:
    done = kubectl("exec", "cilium-vm-1", "-c", "cilium-agent", "--", "nope")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "error: Internal error occurred: error executing command in container: "
        'exec: "nope": executable file not found in $PATH: unknown'
    )


def test_auth_can_i(kubectl: Kubectl, lab: LabApiServer) -> None:
    done = kubectl("auth", "can-i", "patch", "configmaps")
    assert (done.returncode, done.stdout.strip()) == (0, "yes")
    lab.access.deny("patch", "configmaps")
    done = kubectl("auth", "can-i", "patch", "configmaps")
    assert (done.returncode, done.stdout.strip()) == (1, "no")
    assert kubectl("auth", "can-i", "get", "configmaps").stdout.strip() == "yes"
    denied = kubectl("patch", "cm", "cilium-config", "--type", "merge", "-p", '{"data":{}}')
    assert denied.returncode == 1
    assert "is forbidden" in denied.stderr


def test_wrong_token_is_unauthorized(kubectl: Kubectl) -> None:
    done = kubectl("--token", "not-the-token", "get", "nodes")
    assert done.returncode == 1
    assert "error: You must be logged in to the server" in done.stderr

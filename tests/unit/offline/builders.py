"""Build `cilium sysdump` archives for tests, in the layout cilium-cli writes (reference §1.4):
one top folder `cilium-sysdump-<ts>/` with `k8s-nodes-<ts>.yaml`, `k8s-pods-<ts>.yaml`,
`cilium-configmap-<ts>.yaml`, `ciliumnodeconfigs-<ts>.yaml` and per agent pod
`cilium-bugtool-<pod>-<ts>/cmd/<binary>-status---verbose.md` (`cilium` for agents <= 1.14,
`cilium-dbg` for 1.15+), plus files cilium-tui must not need to read (the collector's log, logs)."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

TS = "20240716-090436"
TOP = f"cilium-sysdump-{TS}"


def sysdump_files(
    nodes: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
    configmap: Mapping[str, Any] | None,
    statuses: Mapping[str, str],
    *,
    binary: str = "cilium",
    quick: bool = False,
    unames: Mapping[str, str] | None = None,
    node_configs: Sequence[Mapping[str, Any]] = (),
) -> dict[str, bytes]:
    """Member name -> content. `statuses` and `unames`: agent pod name -> its status text, its
    `uname -a` line."""
    files = {
        f"{TOP}/cilium-sysdump.log": b"collecting...\n",
        f"{TOP}/k8s-nodes-{TS}.yaml": _list("NodeList", nodes),
        f"{TOP}/k8s-pods-{TS}.yaml": _list("PodList", pods),
        f"{TOP}/k8s-version-{TS}.txt": b"v1.27.3\n",
    }
    if configmap is not None:
        files[f"{TOP}/cilium-configmap-{TS}.yaml"] = yaml.safe_dump(dict(configmap)).encode()
    if node_configs:
        files[f"{TOP}/ciliumnodeconfigs-{TS}.yaml"] = _list("CiliumNodeConfigList", node_configs)
    for pod, text in statuses.items():
        files[f"{TOP}/logs-{pod}-cilium-agent-{TS}.log"] = b"level=info msg=started\n"
        if quick:
            continue
        bugtool = f"{TOP}/cilium-bugtool-{pod}-{TS}"
        files[f"{bugtool}/cmd/{binary}-status---verbose.md"] = text.encode()
        if unames and pod in unames:
            files[f"{bugtool}/cmd/uname--a.md"] = f"{unames[pod]}\n".encode()
    return files


def _list(kind: str, items: Sequence[Mapping[str, Any]]) -> bytes:
    doc = {"apiVersion": "v1", "kind": kind, "items": [dict(i) for i in items]}
    return yaml.safe_dump(doc).encode()


def write_zip(path: Path, files: Mapping[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def write_folder(path: Path, files: Mapping[str, bytes]) -> Path:
    for name, data in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return path / TOP


def agent_pod(name: str, node: str, image: str, namespace: str = "kube-system") -> dict[str, Any]:
    """A Running, Ready agent pod as `kubectl get pod -o yaml` shows it (the fields we read)."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": {"k8s-app": "cilium"}},
        "spec": {"nodeName": node, "containers": [{"name": "cilium-agent", "image": image}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [
                {"name": "cilium-agent", "restartCount": 0, "state": {"running": {}}}
            ],
        },
    }

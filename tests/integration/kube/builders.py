"""Realistic Kubernetes objects for the lab API server's tests, in one place.

Shaped like what a K3s v1.26 cluster running Cilium 1.13.4 serves (`kubectl get -o json`): Nodes
with every required `status.nodeInfo` field, the `cilium` DaemonSet as the 1.13 Helm chart renders
it, its pods, and a `cilium-config` ConfigMap with the chart's keys.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from cilium_tui.lab.kube.controllers import StartResult, apply_start_result, new_pod
from cilium_tui.lab.kube.store import Store

JSON = dict[str, Any]
NAMESPACE = "kube-system"
CILIUM_IMAGE = (
    "quay.io/cilium/cilium:v1.13.4@sha256:"
    "bde8800d61aaad8b8451b10e247ac7bdeb7af187bb698f83d40ad75a38c1ee6b"
)


@dataclass(frozen=True)
class NodeSpec:
    name: str
    ip: str
    kernel: str = "6.2.0-39-generic"
    arch: str = "amd64"
    os_image: str = "Ubuntu 23.04"
    kubelet: str = "v1.26.6+k3s1"
    control_plane: bool = False


SEED_NODES = (
    NodeSpec("vm-1", "10.0.0.11", control_plane=True),
    NodeSpec("vm-2", "10.0.0.12"),
    NodeSpec("vm-3", "10.0.0.13"),
    NodeSpec(
        "board-1",
        "10.0.1.21",
        kernel="4.19.0-24-arm64",
        arch="arm64",
        os_image="Debian GNU/Linux 10 (buster)",
    ),
)


def _hex(seed: str, n: int = 32) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:n]


def node(spec: NodeSpec) -> JSON:
    labels = {
        "beta.kubernetes.io/arch": spec.arch,
        "beta.kubernetes.io/instance-type": "k3s",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": spec.arch,
        "kubernetes.io/hostname": spec.name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": "k3s",
    }
    if spec.control_plane:
        labels |= {
            "node-role.kubernetes.io/control-plane": "true",
            "node-role.kubernetes.io/master": "true",
        }
    now = "2023-08-10T09:00:00Z"
    return {
        "metadata": {
            "name": spec.name,
            "labels": labels,
            "annotations": {
                "k3s.io/hostname": spec.name,
                "k3s.io/internal-ip": spec.ip,
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": {
            "podCIDR": f"10.42.{spec.ip.rsplit('.', 1)[1]}.0/24",
            "providerID": f"k3s://{spec.name}",
        },
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": spec.ip},
                {"type": "Hostname", "address": spec.name},
            ],
            "allocatable": {
                "cpu": "4",
                "ephemeral-storage": "28447967825",
                "memory": "8025160Ki",
                "pods": "110",
            },
            "capacity": {
                "cpu": "4",
                "ephemeral-storage": "29243388Ki",
                "memory": "8025160Ki",
                "pods": "110",
            },
            "conditions": [
                {
                    "type": "MemoryPressure",
                    "status": "False",
                    "reason": "KubeletHasSufficientMemory",
                    "message": "kubelet has sufficient memory available",
                    "lastHeartbeatTime": now,
                    "lastTransitionTime": now,
                },
                {
                    "type": "DiskPressure",
                    "status": "False",
                    "reason": "KubeletHasNoDiskPressure",
                    "message": "kubelet has no disk pressure",
                    "lastHeartbeatTime": now,
                    "lastTransitionTime": now,
                },
                {
                    "type": "PIDPressure",
                    "status": "False",
                    "reason": "KubeletHasSufficientPID",
                    "message": "kubelet has sufficient PID available",
                    "lastHeartbeatTime": now,
                    "lastTransitionTime": now,
                },
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "KubeletReady",
                    "message": "kubelet is posting ready status. AppArmor enabled",
                    "lastHeartbeatTime": now,
                    "lastTransitionTime": now,
                },
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": spec.arch,
                "bootID": str(uuid.UUID(_hex("boot" + spec.name))),
                "containerRuntimeVersion": "containerd://1.7.1-k3s1",
                "kernelVersion": spec.kernel,
                "kubeProxyVersion": spec.kubelet,
                "kubeletVersion": spec.kubelet,
                "machineID": _hex("machine" + spec.name),
                "operatingSystem": "linux",
                "osImage": spec.os_image,
                "systemUUID": str(uuid.UUID(_hex("uuid" + spec.name))),
            },
        },
    }


def cilium_daemonset(*, namespace: str = NAMESPACE, max_unavailable: int | str = 2) -> JSON:
    labels = {
        "k8s-app": "cilium",
        "app.kubernetes.io/name": "cilium-agent",
        "app.kubernetes.io/part-of": "cilium",
    }
    return {
        "metadata": {
            "name": "cilium",
            "namespace": namespace,
            "labels": {**labels, "app.kubernetes.io/managed-by": "Helm"},
            "annotations": {
                "deprecated.daemonset.template.generation": "1",
                "meta.helm.sh/release-name": "cilium",
                "meta.helm.sh/release-namespace": namespace,
            },
        },
        "spec": {
            "selector": {"matchLabels": {"k8s-app": "cilium"}},
            "revisionHistoryLimit": 10,
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": max_unavailable, "maxSurge": 0},
            },
            "template": {
                "metadata": {
                    "labels": labels,
                    "annotations": {
                        "container.apparmor.security.beta.kubernetes.io/cilium-agent": "unconfined"
                    },
                },
                "spec": {
                    "hostNetwork": True,
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "serviceAccountName": "cilium",
                    "priorityClassName": "system-node-critical",
                    "restartPolicy": "Always",
                    "initContainers": [
                        {
                            "name": "config",
                            "image": CILIUM_IMAGE,
                            "command": ["cilium", "build-config"],
                        },
                        {"name": "mount-cgroup", "image": CILIUM_IMAGE},
                        {"name": "apply-sysctl-overwrites", "image": CILIUM_IMAGE},
                        {"name": "mount-bpf-fs", "image": CILIUM_IMAGE},
                        {"name": "clean-cilium-state", "image": CILIUM_IMAGE},
                        {"name": "install-cni-binaries", "image": CILIUM_IMAGE},
                    ],
                    "containers": [
                        {
                            "name": "cilium-agent",
                            "image": CILIUM_IMAGE,
                            "imagePullPolicy": "IfNotPresent",
                            "command": ["cilium-agent"],
                            "args": ["--config-dir=/tmp/cilium/config-map"],
                            "terminationMessagePolicy": "FallbackToLogsOnError",
                        }
                    ],
                    "tolerations": [{"operator": "Exists"}],
                },
            },
        },
    }


def cilium_config(*, namespace: str = NAMESPACE) -> JSON:
    return {
        "metadata": {
            "name": "cilium-config",
            "namespace": namespace,
            "labels": {"app.kubernetes.io/managed-by": "Helm"},
            "annotations": {
                "meta.helm.sh/release-name": "cilium",
                "meta.helm.sh/release-namespace": namespace,
            },
        },
        "data": {
            "auto-direct-node-routes": "true",
            "bpf-lb-mode": "dsr",
            "cluster-name": "default",
            "enable-bpf-masquerade": "true",
            "enable-ipv4": "true",
            "enable-ipv6": "false",
            "enable-hubble": "true",
            "ipam": "kubernetes",
            "ipv4-native-routing-cidr": "10.42.0.0/16",
            "kube-proxy-replacement": "strict",
            "tunnel": "disabled",
        },
    }


def seed(
    store: Store, nodes: tuple[NodeSpec, ...] = SEED_NODES, *, max_unavailable: int = 2
) -> list[str]:
    """Nodes, the cilium DaemonSet, one Ready agent pod per node (cilium-<node>), cilium-config.

    Returns the pod names in node order.
    """
    for spec in nodes:
        store.put("nodes", node(spec))
    store.put("configmaps", cilium_config())
    ds = store.put("daemonsets", cilium_daemonset(max_unavailable=max_unavailable))
    names = []
    for spec in nodes:
        pod = new_pod(ds, node(spec), f"cilium-{spec.name}")
        pod["metadata"]["uid"] = str(uuid.uuid4())
        apply_start_result(pod, StartResult(ready=True), 0)
        store.put("pods", pod)
        names.append(pod["metadata"]["name"])
    store.put(
        "pods",
        {  # an unrelated pod, so selectors have something to exclude
            "metadata": {
                "name": "coredns-59b4f5bbd5-x2vqf",
                "namespace": NAMESPACE,
                "labels": {"k8s-app": "kube-dns"},
            },
            "spec": {
                "nodeName": "vm-1",
                "containers": [
                    {"name": "coredns", "image": "rancher/mirrored-coredns-coredns:1.10.1"}
                ],
            },
            "status": {"phase": "Running"},
        },
    )
    return names

"""Kubernetes objects of a lab scenario, as the API server serves them (JSON-ready dicts).

The lab's HTTPS API is seeded with these: the Nodes (labels, addresses, conditions, nodeInfo as
kubelet and K3s report them), the `cilium-config` ConfigMap (with Helm's ownership metadata when
Helm manages it), the `cilium` DaemonSet and one agent Pod per node. Every object carries all the
fields the official client's models require, so `kubernetes.client` deserialises them.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from cilium_tui.lab.release import Release
from cilium_tui.lab.scenarios import LAB_NOW, NodeSpec, Scenario

AGENT_LABELS = {
    "app.kubernetes.io/name": "cilium-agent",
    "app.kubernetes.io/part-of": "cilium",
    "k8s-app": "cilium",
}
INIT_CONTAINERS = (
    "config",
    "mount-cgroup",
    "apply-sysctl-overwrites",
    "mount-bpf-fs",
    "clean-cilium-state",
    "install-cni-binaries",
)
"""The agent Pod's init containers (kubectl's "Defaulted container" notice in the samples)."""
_POD_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def _uid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(("cilium-tui-lab", *parts))))


def _hex(*parts: str, length: int = 64) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def _helm_metadata(scenario: Scenario) -> tuple[dict[str, str], dict[str, str]]:
    """(labels, annotations) Helm puts on what it installs; empty when Helm is not involved."""
    if not scenario.helm_managed:
        return {}, {}
    return (
        {"app.kubernetes.io/managed-by": "Helm"},
        {
            "meta.helm.sh/release-name": "cilium",
            "meta.helm.sh/release-namespace": scenario.namespace,
        },
    )


def image(scenario: Scenario) -> str:
    return f"quay.io/cilium/cilium:v{Release.parse(scenario.cilium_version).text}"


def node_object(
    node: NodeSpec, *, ready: bool = True, resource_version: str = "1"
) -> dict[str, Any]:
    """The Node as `GET /api/v1/nodes/<name>` returns it."""
    host = node.host
    memory = f"{host.mem_total_kib}Ki"
    capacity = {
        "cpu": str(host.cpus),
        "ephemeral-storage": "30787492Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": memory,
        "pods": "110",
    }
    allocatable = capacity | {
        "ephemeral-storage": "29950072829",
        "memory": f"{host.mem_total_kib - 102_400}Ki",
    }
    if host.machine == "aarch64":
        capacity = {k: v for k, v in capacity.items() if k != "hugepages-1Gi"} | {
            "hugepages-32Mi": "0",
            "hugepages-64Ki": "0",
        }
        allocatable = {k: v for k, v in allocatable.items() if k != "hugepages-1Gi"} | {
            "hugepages-32Mi": "0",
            "hugepages-64Ki": "0",
        }
    k3s = node.kubelet_version.endswith(tuple(f"+k3s{i}" for i in range(1, 10)))
    annotations = {
        "alpha.kubernetes.io/provided-node-ip": node.internal_ip,
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
    }
    if k3s:
        annotations |= {"k3s.io/hostname": node.name, "k3s.io/internal-ip": node.internal_ip}

    def condition(kind: str, status: bool, reason: str, message: str) -> dict[str, str]:
        return {
            "type": kind,
            "status": "True" if status else "False",
            "reason": reason,
            "message": message,
            "lastHeartbeatTime": LAB_NOW,
            "lastTransitionTime": node.created,
        }

    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": node.name,
            "uid": _uid("node", node.name),
            "resourceVersion": resource_version,
            "creationTimestamp": node.created,
            "labels": dict(node.labels),
            "annotations": dict(sorted(annotations.items())),
        },
        "spec": {
            "podCIDR": node.pod_cidr,
            "podCIDRs": [node.pod_cidr],
            "providerID": f"k3s://{node.name}" if k3s else f"kubeadm://{node.name}",
        },
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": node.internal_ip},
                {"type": "Hostname", "address": node.name},
            ],
            "allocatable": allocatable,
            "capacity": capacity,
            "conditions": [
                condition(
                    "NetworkUnavailable", False, "CiliumIsUp", "Cilium is running on this node"
                ),
                condition(
                    "MemoryPressure",
                    False,
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                ),
                condition(
                    "DiskPressure",
                    False,
                    "KubeletHasNoDiskPressure",
                    "kubelet has no disk pressure",
                ),
                condition(
                    "PIDPressure",
                    False,
                    "KubeletHasSufficientPID",
                    "kubelet has sufficient PID available",
                ),
                condition("Ready", True, "KubeletReady", "kubelet is posting ready status")
                if ready
                else condition(
                    "Ready", False, "KubeletNotReady", "container runtime network not ready"
                ),
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": node.architecture,
                "bootID": _uid("boot", node.name),
                "containerRuntimeVersion": node.container_runtime,
                "kernelVersion": host.kernel_release,
                "kubeProxyVersion": node.kubelet_version,
                "kubeletVersion": node.kubelet_version,
                "machineID": _hex("machine-id", node.name, length=32),
                "operatingSystem": "linux",
                "osImage": node.os_image,
                "systemUUID": _uid("system", node.name),
            },
        },
    }


def configmap_object(scenario: Scenario, *, resource_version: str = "1") -> dict[str, Any]:
    """`cilium-config` as `kubectl get configmap cilium-config -o json` shows it."""
    labels, annotations = _helm_metadata(scenario)
    metadata: dict[str, Any] = {
        "name": "cilium-config",
        "namespace": scenario.namespace,
        "uid": _uid("configmap", scenario.name),
        "resourceVersion": resource_version,
        "creationTimestamp": scenario.created,
    }
    if labels:
        metadata["labels"] = labels
        metadata["annotations"] = annotations
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata,
        "data": dict(scenario.config),
    }


def _pod_spec(scenario: Scenario) -> dict[str, Any]:
    """The agent Pod template's spec, as the chart renders it (the parts worth serving)."""
    release = Release.parse(scenario.cilium_version)
    agent_image = image(scenario)
    env: list[dict[str, Any]] = [
        {
            "name": "K8S_NODE_NAME",
            "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}},
        },
        {
            "name": "CILIUM_K8S_NAMESPACE",
            "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}},
        },
        {"name": "CILIUM_CLUSTERMESH_CONFIG", "value": "/var/lib/cilium/clustermesh/"},
    ]
    if not scenario.kube_proxy:
        control_plane = next(n for n in scenario.nodes if n.role == "control-plane")
        env += [
            {"name": "KUBERNETES_SERVICE_HOST", "value": control_plane.internal_ip},
            {"name": "KUBERNETES_SERVICE_PORT", "value": "6443"},
        ]
    init = []
    for name in INIT_CONTAINERS:
        container: dict[str, Any] = {
            "name": name,
            "image": agent_image,
            "imagePullPolicy": "IfNotPresent",
        }
        if name == "config":
            container["command"] = [release.cli, "build-config"]
        init.append(container)
    return {
        "containers": [
            {
                "name": "cilium-agent",
                "image": agent_image,
                "imagePullPolicy": "IfNotPresent",
                "command": ["cilium-agent"],
                "args": ["--config-dir=/tmp/cilium/config-map"],
                "env": env,
                "terminationMessagePolicy": "FallbackToLogsOnError",
                "readinessProbe": {
                    "httpGet": {
                        "host": "127.0.0.1",
                        "path": "/healthz",
                        "port": 9879,
                        "scheme": "HTTP",
                    },
                    "periodSeconds": 30,
                    "failureThreshold": 3,
                    "successThreshold": 1,
                    "timeoutSeconds": 5,
                },
                "securityContext": {
                    "privileged": False,
                    "seLinuxOptions": {"level": "s0", "type": "spc_t"},
                },
            }
        ],
        "initContainers": init,
        "hostNetwork": True,
        "dnsPolicy": "ClusterFirst",
        "priorityClassName": "system-node-critical",
        "restartPolicy": "Always",
        "serviceAccountName": "cilium",
        "terminationGracePeriodSeconds": 1,
        "tolerations": [{"operator": "Exists"}],
    }


def daemonset_object(
    scenario: Scenario, *, ready: int | None = None, resource_version: str = "1"
) -> dict[str, Any]:
    """The `cilium` DaemonSet; `ready` agents out of one per node (all when None)."""
    labels, annotations = _helm_metadata(scenario)
    count = len(scenario.nodes)
    ready_count = count if ready is None else ready
    status: dict[str, Any] = {
        "currentNumberScheduled": count,
        "desiredNumberScheduled": count,
        "numberAvailable": ready_count,
        "numberMisscheduled": 0,
        "numberReady": ready_count,
        "observedGeneration": 1,
        "updatedNumberScheduled": count,
    }
    if ready_count < count:
        status["numberUnavailable"] = count - ready_count
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {
            "name": "cilium",
            "namespace": scenario.namespace,
            "uid": _uid("daemonset", scenario.name),
            "resourceVersion": resource_version,
            "generation": 1,
            "creationTimestamp": scenario.created,
            "labels": AGENT_LABELS | labels,
            "annotations": {"deprecated.daemonset.template.generation": "1"} | annotations,
        },
        "spec": {
            "selector": {"matchLabels": {"k8s-app": "cilium"}},
            "template": {"metadata": {"labels": dict(AGENT_LABELS)}, "spec": _pod_spec(scenario)},
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 2},
            },
            "revisionHistoryLimit": 10,
        },
        "status": status,
    }


def agent_pod_name(scenario: Scenario, node: NodeSpec) -> str:
    """A DaemonSet-style name (`cilium-` + 5 characters), stable for a node."""
    digest = int(_hex("pod", scenario.name, node.name, length=16), 16)
    suffix = ""
    for _ in range(5):
        digest, index = divmod(digest, len(_POD_SUFFIX_ALPHABET))
        suffix += _POD_SUFFIX_ALPHABET[index]
    return f"cilium-{suffix}"


def agent_pod_object(
    scenario: Scenario,
    node: NodeSpec,
    name: str,
    *,
    ready: bool = True,
    waiting_reason: str | None = None,
    restarts: int = 0,
    termination_message: str | None = None,
    resource_version: str = "1",
) -> dict[str, Any]:
    """The agent Pod on `node`; a crash-looping agent has `waiting_reason="CrashLoopBackOff"`.

    `termination_message` is what the last run left (the chart's FallbackToLogsOnError policy
    makes it the tail of the log, i.e. the fatal error line).
    """
    uid = _uid("pod", scenario.name, name)
    agent_image = image(scenario)
    image_id = f"quay.io/cilium/cilium@sha256:{_hex('image', agent_image)}"
    container_id = f"containerd://{_hex('container', name, str(restarts))}"
    state: dict[str, Any]
    if waiting_reason is not None:
        pod = f"{name}_{scenario.namespace}({uid})"
        message = f"back-off 5m0s restarting failed container=cilium-agent pod={pod}"
        state = {"waiting": {"reason": waiting_reason, "message": message}}
    else:
        state = {"running": {"startedAt": LAB_NOW}}
    agent_status: dict[str, Any] = {
        "name": "cilium-agent",
        "image": agent_image,
        "imageID": image_id,
        "containerID": container_id,
        "ready": ready,
        "restartCount": restarts,
        "started": waiting_reason is None,
        "state": state,
        "lastState": {},
    }
    if restarts > 0:
        terminated: dict[str, Any] = {
            "exitCode": 1,
            "reason": "Error",
            "startedAt": LAB_NOW,
            "finishedAt": LAB_NOW,
            "containerID": container_id,
        }
        if termination_message:
            terminated["message"] = termination_message
        agent_status["lastState"] = {"terminated": terminated}
    init_statuses = [
        {
            "name": init,
            "image": agent_image,
            "imageID": image_id,
            "containerID": f"containerd://{_hex('init', name, init)}",
            "ready": True,
            "restartCount": 0,
            "state": {
                "terminated": {
                    "exitCode": 0,
                    "reason": "Completed",
                    "startedAt": node.created,
                    "finishedAt": node.created,
                }
            },
        }
        for init in INIT_CONTAINERS
    ]

    def condition(kind: str, status: bool) -> dict[str, Any]:
        return {
            "type": kind,
            "status": "True" if status else "False",
            "lastTransitionTime": LAB_NOW,
        }

    spec = _pod_spec(scenario) | {
        "nodeName": node.name,
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchFields": [
                                {"key": "metadata.name", "operator": "In", "values": [node.name]}
                            ]
                        }
                    ]
                }
            }
        },
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "generateName": "cilium-",
            "namespace": scenario.namespace,
            "uid": uid,
            "resourceVersion": resource_version,
            "creationTimestamp": node.created,
            "labels": AGENT_LABELS
            | {
                "controller-revision-hash": _hex("revision", scenario.name, length=10),
                "pod-template-generation": "1",
            },
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "DaemonSet",
                    "name": "cilium",
                    "uid": _uid("daemonset", scenario.name),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": spec,
        "status": {
            "phase": "Running",
            "conditions": [
                condition("Initialized", True),
                condition("Ready", ready),
                condition("ContainersReady", ready),
                condition("PodScheduled", True),
            ],
            "hostIP": node.internal_ip,
            "podIP": node.internal_ip,
            "podIPs": [{"ip": node.internal_ip}],
            "startTime": node.created,
            "qosClass": "Burstable",
            "initContainerStatuses": init_statuses,
            "containerStatuses": [agent_status],
        },
    }

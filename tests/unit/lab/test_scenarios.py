"""Lab scenarios, their Helm-rendered cilium-config and the Kubernetes objects built from them."""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

import pytest
import yaml
from kubernetes.client import ApiClient

from cilium_tui.lab.agent import start_agent
from cilium_tui.lab.chart import ChartValues, render_config
from cilium_tui.lab.objects import (
    agent_pod_name,
    agent_pod_object,
    configmap_object,
    daemonset_object,
    node_object,
)
from cilium_tui.lab.render_text import render_status_text
from cilium_tui.lab.scenarios import Scenario, scenario, status_context
from tests.unit.lab.golden import GOLDEN

API = ApiClient()


def deserialize(obj: dict[str, Any], model: str) -> Any:
    """The official client's own deserialiser, which enforces every model's required fields."""
    return API._ApiClient__deserialize(obj, model)  # type: ignore[attr-defined]


def configmap_sample(name: str) -> dict[str, str]:
    text = (GOLDEN / name).read_text().splitlines()
    body = "\n".join(line for line in text if not line.startswith(("#", "```")))
    data: dict[str, str] = yaml.safe_load(body)["data"]
    return data


# -- the scenarios ---------------------------------------------------------------------------


def test_seed_is_the_articles_cluster() -> None:
    seed = scenario("seed")
    assert (seed.cilium_version, seed.kubernetes_version) == ("1.13.4", "v1.26.6+k3s1")
    assert seed.distribution == "k3s" and not seed.kube_proxy and seed.helm_managed
    vms, boards = seed.nodes[:3], seed.nodes[3:]
    for node in vms:
        host = node.host
        assert (host.machine, host.kernel_release, node.os_image) == (
            "x86_64",
            "6.2.0-39-generic",
            "Ubuntu 23.04",
        )
        assert host.kernel_build.startswith("#40-Ubuntu SMP PREEMPT_DYNAMIC")
        assert host.nic_driver == "virtio_net" and host.governors is None
        assert host.units["irqbalance"].active and not host.units["tuned"].installed
        assert not node.ssh_board and node.architecture == "amd64"
    for node in boards:
        host = node.host
        assert (host.machine, host.kernel_release, node.os_image) == (
            "aarch64",
            "4.19.0-24-arm64",
            "Debian GNU/Linux 10 (buster)",
        )
        assert host.kernel_build == "#1 SMP Debian 4.19.289-2 (2023-08-08)"
        assert host.nic_driver == "st_gmac" and node.ssh_board
        assert host.governors and set(host.governors) <= {"ondemand", "schedutil"}
        assert host.units["irqbalance"].active
    assert {g for n in boards for g in n.host.governors or []} == {"ondemand", "schedutil"}
    assert [n.role for n in seed.nodes].count("control-plane") == 1
    config = seed.config
    assert config["tunnel"] == "disabled" and "routing-mode" not in config
    assert config["kube-proxy-replacement"] == "strict"
    assert config["enable-bpf-masquerade"] == "true" and config["bpf-lb-mode"] == "dsr"
    assert config["ipv4-native-routing-cidr"] == seed.cluster_cidr
    assert "enable-host-legacy-routing" not in config  # Legacy on the boards is not configured


def test_training_is_the_same_machines_at_defaults() -> None:
    seed, training = scenario("seed"), scenario("training")
    assert [n.name for n in training.nodes] == [n.name for n in seed.nodes]
    assert training.kube_proxy
    assert training.config["tunnel"] == "vxlan"
    assert training.config["kube-proxy-replacement"] == "disabled"
    assert "enable-bpf-masquerade" not in training.config  # iptables masquerading


def test_scenarios_get_fresh_machines() -> None:
    first, second = scenario("seed"), scenario("seed")
    first.nodes[0].host.governors = ["performance"]
    assert second.nodes[0].host.governors is None


def test_modern_is_1_18_on_6_8() -> None:
    modern = scenario("modern")
    assert modern.cilium_version.startswith("1.18.")
    assert all(n.host.kernel_release.startswith("6.8.") for n in modern.nodes)
    assert modern.config["datapath-mode"] == "netkit" and modern.config["enable-bbr"] == "true"
    node = modern.nodes[0]
    outcome = start_agent(modern.cilium_version, modern.config, node.host)
    assert outcome.status is not None, outcome.fatal
    text = render_status_text(
        outcome.status, modern.cilium_version, context=status_context(modern, node, outcome.details)
    )
    assert "Routing:                 Network: Native   Host: BPF" in text
    assert "Device Mode:             netkit" in text
    assert "BandwidthManager:        EDT with BPF [BBR] [ens1f0np0]" in text


def test_scale_is_deterministic_mixed_and_unique() -> None:
    first, again = scenario("scale:200"), scenario("scale:200")
    assert [n.name for n in first.nodes] == [n.name for n in again.nodes]
    assert len(first.nodes) == 200
    kinds = {n.name.split("-")[0] for n in first.nodes}
    assert kinds == {"vm", "jammy", "rock64", "rpi"}
    for attribute in ("name", "internal_ip", "pod_cidr"):
        assert len({getattr(n, attribute) for n in first.nodes}) == 200
    outcomes = [start_agent(first.cilium_version, first.config, n.host) for n in first.nodes]
    assert all(o.ready for o in outcomes)
    routing = {o.status.host_routing for o in outcomes if o.status is not None}
    assert routing == {"BPF", "Legacy"}


def test_scale_1000_builds() -> None:
    """Speed is measured in benchmarks/lab_scale.py; here: it builds, with 1000 distinct nodes."""
    big = scenario("scale:1000")
    assert len({n.name for n in big.nodes}) == 1000


@pytest.mark.parametrize("name", ["nope", "scale:", "scale:0", "scale:x", "scale:10001", "Seed"])
def test_unknown_scenarios_are_refused_clearly(name: str) -> None:
    with pytest.raises(ValueError, match=r"scenario|scale:N"):
        scenario(name)


# -- cilium-config as the chart renders it ---------------------------------------------------


def test_chart_key_spellings_follow_the_release() -> None:
    native = ChartValues(routing_mode="native", native_routing_cidr="10.0.0.0/8")
    tunnel = ChartValues()
    v13, v14, v14t, v16 = (
        render_config("1.13.4", native),
        render_config("1.14.0", native),
        render_config("1.14.0", tunnel),
        render_config("1.16.4", native),
    )
    assert v13["tunnel"] == "disabled" and "routing-mode" not in v13
    assert "enable-ipv4-big-tcp" not in v13
    assert v14["routing-mode"] == "native" and "tunnel" not in v14 and "tunnel-protocol" not in v14
    assert v14t["tunnel-protocol"] == "vxlan"
    assert v16["tunnel-protocol"] == "vxlan" and v16["datapath-mode"] == "veth"
    assert v16["enable-tcx"] == "true"
    assert v13["kube-proxy-replacement"] == "disabled" and v16["kube-proxy-replacement"] == "false"


def test_chart_writes_bandwidth_manager_keys_only_when_enabled() -> None:
    assert "enable-bbr" not in render_config("1.13.4", ChartValues())
    on = render_config("1.13.4", ChartValues(bandwidth_manager=True))
    assert on["enable-bandwidth-manager"] == "true" and on["enable-bbr"] == "false"


def test_chart_sets_legacy_host_routing_for_cni_chaining() -> None:
    chained = render_config("1.13.4", ChartValues(cni_chaining_mode="aws-cni"))
    assert chained["enable-host-legacy-routing"] == "true"
    explicit = render_config(
        "1.13.4", ChartValues(cni_chaining_mode="aws-cni", host_legacy_routing=False)
    )
    assert explicit["enable-host-legacy-routing"] == "false"


@pytest.mark.parametrize(
    ("sample", "version", "values", "user_set"),
    [
        (
            "configmap-v1.17.6-cee-kubeadm-native-kpr-true.yaml.txt",
            "1.17.6",
            ChartValues(
                routing_mode="native",
                native_routing_cidr="172.16.0.0/20",
                auto_direct_node_routes=True,
                ipam="kubernetes",
                kube_proxy_replacement="true",
                bpf_masquerade=True,
            ),
            {"enable-bgp-control-plane"},
        ),
        (
            "configmap-v1.14.0-eks-eni-arm64-bottlerocket.yaml.txt",
            "1.14.0",
            ChartValues(
                routing_mode="native",
                ipam="eni",
                kube_proxy_replacement="disabled",
                bandwidth_manager=True,
                cluster_name="k01",
            ),
            set(),
        ),
    ],
)
def test_chart_output_is_a_subset_of_the_real_configmap(
    sample: str, version: str, values: ChartValues, user_set: set[str]
) -> None:
    """Every key we write exists in the real chart output with the same value; the real one has
    more (enterprise, cloud and unmodelled features)."""
    real = configmap_sample(sample)
    ours = render_config(version, values)
    assert set(ours) <= set(real)
    assert {k: v for k, v in ours.items() if k not in user_set} == {
        k: real[k] for k in ours if k not in user_set
    }
    assert len(ours) >= 0.75 * len(real)


# -- Kubernetes objects ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["seed", "modern", "scale:5"])
def test_objects_deserialise_with_the_official_client(name: str) -> None:
    sc = scenario(name)
    for node in sc.nodes:
        model = deserialize(node_object(node), "V1Node")
        assert model.metadata.name == node.name
        assert model.status.node_info.kernel_version == node.host.kernel_release
        assert model.status.node_info.architecture == node.architecture
        assert model.status.node_info.os_image == node.os_image
        assert model.spec.pod_cidr == node.pod_cidr
        pod = agent_pod_object(sc, node, agent_pod_name(sc, node))
        assert deserialize(pod, "V1Pod").spec.node_name == node.name
    configmap = deserialize(configmap_object(sc), "V1ConfigMap")
    assert configmap.data == dict(sc.config)
    daemonset = deserialize(daemonset_object(sc), "V1DaemonSet")
    assert daemonset.status.desired_number_scheduled == len(sc.nodes)
    assert daemonset.spec.selector.match_labels == {"k8s-app": "cilium"}


def test_deserialising_enforces_required_fields() -> None:
    """The check above can fail: drop a required nodeInfo field and the client refuses it."""
    node = node_object(scenario("seed").nodes[0])
    broken = copy.deepcopy(node)
    del broken["status"]["nodeInfo"]["kernelVersion"]
    with pytest.raises(ValueError, match="kernelVersion"):
        deserialize(broken, "V1Node")


def test_node_info_has_the_keys_kubelet_reports() -> None:
    """Same nodeInfo keys as a real Node (harvester#856 YAML fragment)."""
    real = yaml.safe_load(
        "\n".join(
            line
            for line in (GOLDEN / "nodeinfo-yaml-centos7-elrepo-harvester856.txt")
            .read_text()
            .splitlines()
            if not line.startswith("#")
        )
    )["status"]["nodeInfo"]
    ours = node_object(scenario("seed").nodes[0])["status"]["nodeInfo"]
    assert set(ours) == set(real)


def test_node_labels_and_roles() -> None:
    seed = scenario("seed")
    server, board = node_object(seed.nodes[0]), node_object(seed.nodes[3])
    labels = server["metadata"]["labels"]
    assert labels["kubernetes.io/arch"] == "amd64" and labels["kubernetes.io/os"] == "linux"
    assert labels["kubernetes.io/hostname"] == seed.nodes[0].name
    assert labels["node.kubernetes.io/instance-type"] == "k3s"
    assert labels["node-role.kubernetes.io/control-plane"] == "true"
    assert board["metadata"]["labels"]["kubernetes.io/arch"] == "arm64"
    assert not any(k.startswith("node-role") for k in board["metadata"]["labels"])
    assert board["status"]["nodeInfo"]["containerRuntimeVersion"] == "containerd://1.7.1-k3s1"
    assert board["status"]["nodeInfo"]["kubeletVersion"] == "v1.26.6+k3s1"
    ready = [c for c in board["status"]["conditions"] if c["type"] == "Ready"]
    assert ready == [c for c in ready if c["status"] == "True"] and ready
    kubeadm = node_object(scenario("modern").nodes[0])["metadata"]["labels"]
    assert kubeadm["node-role.kubernetes.io/control-plane"] == ""


def test_helm_ownership_metadata() -> None:
    seed = scenario("seed")
    meta = configmap_object(seed)["metadata"]
    assert meta["labels"] == {"app.kubernetes.io/managed-by": "Helm"}
    assert meta["annotations"]["meta.helm.sh/release-name"] == "cilium"
    unmanaged = Scenario(**{**seed.__dict__, "helm_managed": False})
    assert "labels" not in configmap_object(unmanaged)["metadata"]
    assert "app.kubernetes.io/managed-by" not in daemonset_object(unmanaged)["metadata"]["labels"]


def test_crash_looping_agent_pod() -> None:
    seed = scenario("seed")
    node = seed.nodes[4]
    name = agent_pod_name(seed, node)
    assert name.startswith("cilium-") and len(name) == len("cilium-") + 5
    assert name == agent_pod_name(scenario("seed"), node)  # stable
    pod = deserialize(
        agent_pod_object(
            seed,
            node,
            name,
            ready=False,
            waiting_reason="CrashLoopBackOff",
            restarts=4,
            termination_message="Invalid value for --kube-proxy-replacement",
        ),
        "V1Pod",
    )
    status = pod.status.container_statuses[0]
    assert (status.ready, status.restart_count) == (False, 4)
    assert status.state.waiting.reason == "CrashLoopBackOff"
    assert status.last_state.terminated.exit_code == 1
    assert "kube-proxy-replacement" in status.last_state.terminated.message
    assert {c.type: c.status for c in pod.status.conditions}["Ready"] == "False"
    assert pod.metadata.labels["k8s-app"] == "cilium"
    assert pod.metadata.owner_references[0].kind == "DaemonSet"
    degraded = daemonset_object(seed, ready=5)["status"]
    assert (degraded["numberReady"], degraded["numberUnavailable"]) == (5, 1)


def test_status_context_reports_agents_that_are_down_as_unreachable() -> None:
    seed = scenario("seed")
    node = seed.nodes[0]
    outcome = start_agent(seed.cilium_version, seed.config, node.host)
    assert outcome.status is not None
    ctx = status_context(seed, node, outcome.details, unreachable=frozenset({"rock64-2"}))
    text = render_status_text(outcome.status, seed.cilium_version, context=ctx)
    assert "Cluster health:          5/6 reachable" in text
    row = next(line for line in text.splitlines() if line.startswith("  rock64-2"))
    assert row.split()[-2:] == ["unreachable", "unreachable"]
    allocated = [ip for ip, _ in ctx.allocations]
    assert len(set(allocated)) == len(allocated) == ctx.ipam_used
    assert all(peer.endpoint_ip for peer in ctx.health_peers)

    newer = status_context(seed, node, outcome.details, unreachable=frozenset({"rock64-2"}))
    verbose = render_status_text(outcome.status, "1.17.6", verbose=True, context=newer)
    after = verbose.split("  rock64-2:\n", 1)[1].splitlines()
    assert after[1] == "      ICMP to stack:   Connection timed out"


def test_every_lab_node_advertises_a_loopback_address_of_its_own() -> None:
    """Issue 12 item 6: what the lab's Nodes advertise never points outside this machine."""
    for name in ("seed", "training", "modern", "scale:300"):
        nodes = scenario(name).nodes
        addresses = [ipaddress.ip_address(n.internal_ip) for n in nodes]
        assert all(a.is_loopback for a in addresses), name
        assert len(set(addresses)) == len(nodes), name

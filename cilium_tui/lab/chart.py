"""The `cilium-config` ConfigMap as the Cilium Helm chart of a release renders it.

The lab's clusters are "installed with Helm", so their ConfigMaps carry the keys and spellings of
that release's chart: 1.13 writes `tunnel: disabled|vxlan|geneve`, 1.14/1.15 `routing-mode` (and
`tunnel-protocol` in tunnel mode), 1.16+ both always (sample E of 1.17.6 has `tunnel-protocol:
vxlan` in native mode) plus `datapath-mode` and `enable-tcx`. The key sets follow the real chart
outputs of 1.14.0 and 1.17.6 (samples E) with cloud- and enterprise-specific keys left out; the
1.13 set is the 1.14 one without the keys 1.14 introduced, 1.15 is taken as 1.14 and 1.16 as
1.17 without its newer keys, and 1.18 as 1.17 (approximations: no sample of those charts).

Chart behaviours reproduced: `enable-bandwidth-manager`/`enable-bbr` are written only when the
bandwidth manager is on; `enable-bpf-masquerade` only when true; with CNI chaining and no explicit
`bpf.hostLegacyRouting` the chart writes `enable-host-legacy-routing: "true"` (reference §2).
"""

from __future__ import annotations

from dataclasses import dataclass

from cilium_tui.lab.release import Release

_COMMON = {
    "agent-not-ready-taint-key": "node.cilium.io/agent-not-ready",
    "arping-refresh-period": "30s",
    "bpf-lb-external-clusterip": "false",
    "bpf-lb-map-max": "65536",
    "bpf-lb-sock": "false",
    "bpf-map-dynamic-size-ratio": "0.0025",
    "bpf-policy-map-max": "16384",
    "bpf-root": "/sys/fs/bpf",
    "cgroup-root": "/run/cilium/cgroupv2",
    "cilium-endpoint-gc-interval": "5m0s",
    "cluster-id": "0",
    "cni-exclusive": "true",
    "cni-log-file": "/var/run/cilium/cilium-cni.log",
    "custom-cni-conf": "false",
    "debug": "false",
    "debug-verbose": "",
    "enable-auto-protect-node-port-range": "true",
    "enable-bgp-control-plane": "false",
    "enable-bpf-clock-probe": "false",
    "enable-endpoint-health-checking": "true",
    "enable-health-check-nodeport": "true",
    "enable-health-checking": "true",
    "enable-ipv4": "true",
    "enable-ipv4-masquerade": "true",
    "enable-ipv6": "false",
    "enable-ipv6-big-tcp": "false",
    "enable-ipv6-masquerade": "true",
    "enable-k8s-terminating-endpoint": "true",
    "enable-l2-neigh-discovery": "true",
    "enable-l7-proxy": "true",
    "enable-local-redirect-policy": "false",
    "enable-policy": "default",
    "enable-sctp": "false",
    "enable-svc-source-range-check": "true",
    "enable-vtep": "false",
    "enable-well-known-identities": "false",
    "enable-xt-socket-fallback": "true",
    "identity-allocation-mode": "crd",
    "identity-gc-interval": "15m0s",
    "identity-heartbeat-timeout": "30m0s",
    "install-no-conntrack-iptables-rules": "false",
    "ipam-cilium-node-update-rate": "15s",
    "monitor-aggregation": "medium",
    "monitor-aggregation-flags": "all",
    "monitor-aggregation-interval": "5s",
    "node-port-bind-protection": "true",
    "nodes-gc-interval": "5m0s",
    "operator-api-serve-addr": "127.0.0.1:9234",
    "operator-prometheus-serve-addr": ":9963",
    "preallocate-bpf-maps": "false",
    "procfs": "/host/proc",
    "proxy-connect-timeout": "2",
    "proxy-max-connection-duration-seconds": "0",
    "proxy-max-requests-per-connection": "0",
    "remove-cilium-node-taints": "true",
    "set-cilium-is-up-condition": "true",
    "set-cilium-node-taints": "true",
    "synchronize-k8s-nodes": "true",
    "tofqdns-dns-reject-response-code": "refused",
    "tofqdns-enable-dns-compression": "true",
    "tofqdns-idle-connection-grace-period": "0s",
    "tofqdns-max-deferred-connection-deletes": "10000",
    "tofqdns-proxy-response-max-delay": "100ms",
    "unmanaged-pod-watcher-interval": "15",
    "vtep-cidr": "",
    "vtep-endpoint": "",
    "vtep-mac": "",
    "vtep-mask": "",
    "write-cni-conf-when-ready": "/host/etc/cni/net.d/05-cilium.conflist",
}
_UP_TO_1_15 = {
    "disable-cnp-status-updates": "true",
    "enable-remote-node-identity": "true",
    "sidecar-istio-proxy-image": "cilium/istio_proxy",
    "skip-cnp-status-startup-clean": "false",
    "tofqdns-endpoint-max-ip-per-hostname": "50",
}
_FROM_1_14 = {
    "egress-gateway-reconciliation-trigger-interval": "1s",
    "enable-ipv4-big-tcp": "false",
    "enable-k8s-networkpolicy": "true",
    "enable-metrics": "true",
    "external-envoy-proxy": "false",
    "mesh-auth-enabled": "true",
    "mesh-auth-gc-interval": "5m0s",
    "mesh-auth-queue-size": "1024",
    "mesh-auth-rotated-identities-queue-size": "1024",
}
_FROM_1_16 = {
    "bpf-events-drop-enabled": "true",
    "bpf-events-policy-verdict-enabled": "true",
    "bpf-events-trace-enabled": "true",
    "bpf-lb-algorithm-annotation": "false",
    "bpf-lb-mode-annotation": "false",
    "bpf-lb-source-range-all-types": "false",
    "direct-routing-skip-unreachable": "false",
    "dnsproxy-enable-transparent-mode": "true",
    "enable-experimental-lb": "false",
    "enable-health-check-loadbalancer-ip": "false",
    "enable-internal-traffic-policy": "true",
    "enable-lb-ipam": "true",
    "enable-masquerade-to-route-source": "false",
    "enable-node-selector-labels": "false",
    "enable-runtime-device-detection": "true",
    "enable-source-ip-verification": "true",
    "enable-srv6": "false",
    "external-envoy-proxy": "true",
    "iptables-random-fully": "false",
    "k8s-require-ipv6-pod-cidr": "false",
    "kube-proxy-replacement-healthz-bind-address": "",
    "max-connected-clusters": "255",
    "nat-map-stats-entries": "32",
    "nat-map-stats-interval": "30s",
    "nodeport-addresses": "",
    "policy-cidr-match-mode": "",
    "proxy-idle-timeout-seconds": "60",
    "proxy-initial-fetch-timeout": "30",
    "proxy-max-concurrent-retries": "128",
    "proxy-xff-num-trusted-hops-egress": "0",
    "proxy-xff-num-trusted-hops-ingress": "0",
    "service-no-backend-response": "reject",
    "srv6-encap-mode": "reduced",
    "tofqdns-endpoint-max-ip-per-hostname": "1000",
    "tunnel-source-port-range": "0-0",
}
_FROM_1_17 = {
    "bgp-secrets-namespace": "kube-system",
    "bpf-distributed-lru": "false",
    "clustermesh-enable-endpoint-sync": "false",
    "clustermesh-enable-mcs-api": "false",
    "default-lb-service-ipam": "lbipam",
    "dnsproxy-socket-linger-timeout": "10",
    "enable-bgp-control-plane-status-report": "true",
    "enable-endpoint-lockdown-on-policy-overflow": "false",
    "enable-non-default-deny-policies": "false",
    "enable-policy-secrets-sync": "true",
    "envoy-access-log-buffer-size": "4096",
    "envoy-base-id": "0",
    "envoy-keep-cap-netbindservice": "false",
    "health-check-icmp-failure-threshold": "3",
    "http-retry-count": "3",
    "hubble-export-file-max-backups": "5",
    "hubble-export-file-max-size-mb": "10",
    "multicast-enabled": "false",
    "policy-secrets-namespace": "cilium-secrets",
    "policy-secrets-only-from-secrets-namespace": "true",
}
"""Open-source keys of the 1.17.6 chart output (sample E) that older charts do not write."""

_HUBBLE = {
    "enable-hubble": "true",
    "hubble-disable-tls": "false",
    "hubble-listen-address": ":4244",
    "hubble-socket-path": "/var/run/cilium/hubble.sock",
    "hubble-tls-cert-file": "/var/lib/cilium/tls/hubble/server.crt",
    "hubble-tls-client-ca-files": "/var/lib/cilium/tls/hubble/client-ca.crt",
    "hubble-tls-key-file": "/var/lib/cilium/tls/hubble/server.key",
}


@dataclass(frozen=True)
class ChartValues:
    """The Helm values the lab's scenarios vary (Helm value names in the comments)."""

    routing_mode: str = "tunnel"  # routingMode (1.13: tunnel=disabled for native)
    tunnel_protocol: str = "vxlan"  # tunnelProtocol
    kube_proxy_replacement: str | None = None  # kubeProxyReplacement; None: the chart default
    bpf_masquerade: bool = False  # bpf.masquerade
    native_routing_cidr: str | None = None  # ipv4NativeRoutingCIDR
    auto_direct_node_routes: bool = False  # autoDirectNodeRoutes
    ipam: str = "cluster-pool"  # ipam.mode
    cluster_pool_cidr: str = "10.0.0.0/8"  # ipam.operator.clusterPoolIPv4PodCIDRList
    lb_mode: str | None = None  # loadBalancer.mode
    lb_acceleration: str = "disabled"  # loadBalancer.acceleration
    hubble: bool = True  # hubble.enabled
    bandwidth_manager: bool = False  # bandwidthManager.enabled
    bbr: bool = False  # bandwidthManager.bbr
    ipv4_big_tcp: bool = False  # enableIPv4BIGTCP
    ipv6_big_tcp: bool = False  # enableIPv6BIGTCP
    datapath_mode: str = "veth"  # bpf.datapathMode
    host_legacy_routing: bool | None = None  # bpf.hostLegacyRouting
    cni_chaining_mode: str = "none"  # cni.chainingMode
    install_no_conntrack_iptables_rules: bool = False  # installNoConntrackIptablesRules
    cluster_name: str = "default"  # cluster.name


def _bool(value: bool) -> str:
    return "true" if value else "false"


def render_config(version: str, values: ChartValues) -> dict[str, str]:
    """The `data` of `cilium-config` that `helm install cilium --version <version>` writes."""
    release = Release.parse(version)
    minor = release.minor
    data = dict(_COMMON)
    if minor <= 15:
        data |= _UP_TO_1_15
    if minor >= 14:
        data |= _FROM_1_14
    if minor >= 16:
        data |= _FROM_1_16
        data["datapath-mode"] = values.datapath_mode
        data["enable-tcx"] = "true"
        data["bpf-lb-acceleration"] = values.lb_acceleration
    elif values.lb_acceleration != "disabled":
        data["bpf-lb-acceleration"] = values.lb_acceleration
    if minor >= 17:
        data |= _FROM_1_17
    data["cluster-name"] = values.cluster_name
    data["auto-direct-node-routes"] = _bool(values.auto_direct_node_routes)
    native = values.routing_mode == "native"
    if minor == 13:
        data["tunnel"] = "disabled" if native else values.tunnel_protocol
    else:
        data["routing-mode"] = values.routing_mode
        if minor >= 16 or not native:
            data["tunnel-protocol"] = values.tunnel_protocol
    if values.native_routing_cidr is not None:
        data["ipv4-native-routing-cidr"] = values.native_routing_cidr
    default_kpr = "disabled" if minor <= 15 else "false"
    data["kube-proxy-replacement"] = values.kube_proxy_replacement or default_kpr
    if values.bpf_masquerade:
        data["enable-bpf-masquerade"] = "true"
    if values.lb_mode is not None:
        data["bpf-lb-mode"] = values.lb_mode
    data["ipam"] = values.ipam
    if minor >= 16:
        data["k8s-require-ipv4-pod-cidr"] = _bool(values.ipam == "kubernetes")
    if values.ipam == "cluster-pool":
        data["cluster-pool-ipv4-cidr"] = values.cluster_pool_cidr
        data["cluster-pool-ipv4-mask-size"] = "24"
    if values.hubble:
        data |= _HUBBLE
    if values.bandwidth_manager:
        data["enable-bandwidth-manager"] = "true"
        data["enable-bbr"] = _bool(values.bbr)
    if minor >= 14:
        data["enable-ipv4-big-tcp"] = _bool(values.ipv4_big_tcp)
    data["enable-ipv6-big-tcp"] = _bool(values.ipv6_big_tcp)
    data["install-no-conntrack-iptables-rules"] = _bool(values.install_no_conntrack_iptables_rules)
    if values.cni_chaining_mode != "none":
        data["cni-chaining-mode"] = values.cni_chaining_mode
    legacy = values.host_legacy_routing
    if legacy is None and values.cni_chaining_mode != "none":
        legacy = True
    if legacy is not None:
        data["enable-host-legacy-routing"] = _bool(legacy)
    return dict(sorted(data.items()))

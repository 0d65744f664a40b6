"""`cilium status -o json`: the agent's StatusResponse, as each release serialises it.

Shape rules that parsers trip over, kept here on purpose:
- every boolean is `omitempty`: `"enabled": false` is *absent*, never printed (B/ sample of
  cilium/cilium#45513: a disabled `ipv6-big-tcp` has `maxGRO`/`maxGSO` but no `enabled`);
- enums are spelled as the API does: masquerading mode `BPF`/`iptables`, congestion control
  `cubic`/`bbr`, KPR mode `Strict`/`True`/..., XDP acceleration `Disabled`/`Native`/
  `Best-Effort` (Cilium emits `strings.Title(config)`, not the schema's `None`), attach mode
  `tc`/`tcx`;
- top-level keys change by release (`STATUS_KEYS`): 1.13 has `host-routing` and `ipv6-big-tcp`
  (with `enabled` only), 1.14 adds `ipv4-big-tcp`, 1.15 `auth-certificate-provider` and `srv6`,
  1.16 replaces `host-routing` by `routing` and adds `attach-mode` and `datapath-mode`, 1.18
  adds `hubble-metrics`.

Like the real agent, the lab leaves unused optional objects out (omitempty pointers): there is no
`container-runtime`, `stale` or `cluster-mesh` object in a healthy agent without ClusterMesh, so
`render_status_json` emits a subset of the schema keys.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from cilium_tui.lab.release import Release
from cilium_tui.lab.render_context import HealthPeer, HealthPeers, RenderContext
from cilium_tui.model import AgentStatus, BigTCP

_KEYS_1_13 = frozenset(
    {
        "bandwidth-manager",
        "bpf-maps",
        "cilium",
        "client-id",
        "clock-source",
        "cluster",
        "cluster-mesh",
        "cni-chaining",
        "cni-file",
        "container-runtime",
        "controllers",
        "encryption",
        "host-firewall",
        "host-routing",
        "hubble",
        "identity-range",
        "ipam",
        "ipv6-big-tcp",
        "kube-proxy-replacement",
        "kubernetes",
        "kvstore",
        "masquerading",
        "nodeMonitor",
        "proxy",
        "stale",
    }
)
_KEYS_1_14 = _KEYS_1_13 | {"ipv4-big-tcp"}  # the 1.14 text prints IPv4 BIG TCP from it
_KEYS_1_15 = _KEYS_1_14 | {"auth-certificate-provider", "srv6"}
_KEYS_1_16 = (_KEYS_1_15 - {"host-routing"}) | {"routing", "attach-mode", "datapath-mode"}
STATUS_KEYS: dict[int, frozenset[str]] = {
    13: _KEYS_1_13,
    14: _KEYS_1_14,
    15: _KEYS_1_15,
    16: _KEYS_1_16,
    17: _KEYS_1_16,
    18: _KEYS_1_16 | {"hubble-metrics"},
}
"""StatusResponse top-level keys per minor release (the go-swagger model's fields)."""

UNPOPULATED = frozenset({"container-runtime", "stale", "cluster-mesh"})
"""Schema keys a healthy agent without ClusterMesh leaves out (nil pointers, omitempty)."""

NEVER = "0001-01-01T00:00:00.000Z"
_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|µs|us|ns|m|s)")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "µs": 1e-6, "us": 1e-6, "ns": 1e-9}
HUBBLE_UPTIME_S = 3600


def _ago(printed: str, now: datetime) -> str:
    """`1m3s ago` (as `cilium status` prints a controller age) -> the timestamp it stands for."""
    if printed == "never":
        return NEVER
    seconds = sum(float(n) * _UNITS[u] for n, u in _GO_DURATION.findall(printed))
    moment = now - timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _set(obj: dict[str, Any], key: str, flag: bool | None) -> dict[str, Any]:
    """omitempty for booleans: only true values appear."""
    if flag:
        obj[key] = True
    return obj


def _big_tcp(big: BigTCP | None, minor: int) -> dict[str, Any]:
    obj = _set({}, "enabled", big is not None and big.enabled)
    if minor >= 14 and big is not None and big.max_gso is not None:
        obj["maxGRO"] = big.max_gro if big.max_gro is not None else big.max_gso
        obj["maxGSO"] = big.max_gso
    return obj


def render_status_json(status: AgentStatus, version: str, context: RenderContext) -> dict[str, Any]:
    """The StatusResponse `cilium status -o json` prints for this agent, as a JSON-ready dict."""
    release = Release.parse(version)
    minor, ctx, details = release.minor, context, context.details(status)
    lb = details.lb
    now = datetime.fromisoformat(ctx.health_timestamp.replace("Z", "+00:00"))
    devices = list(status.kpr_devices)
    out: dict[str, Any] = {}

    out["kvstore"] = {"state": "Disabled"} if minor >= 17 else {"state": "Ok", "msg": "Disabled"}
    out["kubernetes"] = {
        "state": "Ok",
        "msg": ctx.kubernetes_message(),
        "k8s-api-versions": sorted(ctx.apis(minor)),
    }
    node_port: dict[str, Any] = _set({}, "enabled", lb.node_port)
    if lb.node_port:
        node_port |= {
            "mode": status.nodeport_mode,
            "algorithm": lb.algorithm,
            "portMin": lb.port_min,
            "portMax": lb.port_max,
        }
        if lb.algorithm == "Maglev":
            node_port["lutSize"] = lb.maglev_table_size
        if status.dsr_dispatch:
            node_port["dsrMode"] = status.dsr_dispatch
    node_port["acceleration"] = status.xdp_acceleration or "Disabled"
    features: dict[str, Any] = {
        "nodePort": node_port,
        "hostPort": _set({}, "enabled", lb.host_port),
        "externalIPs": _set({}, "enabled", lb.external_ips),
        "socketLB": _set({}, "enabled", lb.socket_lb),
        "socketLBTracing": _set({}, "enabled", lb.socket_lb_tracing),
        "sessionAffinity": _set({}, "enabled", lb.session_affinity),
        "gracefulTermination": _set({}, "enabled", lb.graceful_termination),
        "nat46X64": {},
    }
    _set(features, "bpfSocketLBHostnsOnly", lb.socket_lb_hostns_only)
    out["kube-proxy-replacement"] = {
        "mode": status.kube_proxy_replacement,
        "devices": devices,
        "deviceList": [{"name": d, "ip": [ctx.node_ip, *ctx.device_ipv6]} for d in devices],
        "directRoutingDevice": status.direct_routing_device,
        "features": features,
    }
    firewall: dict[str, Any] = {"mode": "Enabled" if status.host_firewall else "Disabled"}
    if status.host_firewall:
        firewall["devices"] = devices
    out["host-firewall"] = firewall
    if release.final_at_least("1.15.0"):
        out["srv6"] = _set({"srv6EncapMode": "reduced"}, "enabled", details.srv6)
    out["cni-chaining"] = {"mode": status.cni_chaining or "none"}
    if minor == 13 or minor >= 16:
        path = details.cni_conf_path
        out["cni-file"] = {
            "state": "Ok",
            "msg": f"successfully wrote CNI configuration file to {path}"
            if path
            else "CNI configuration file management disabled",
        }
    out["cilium"] = {
        "state": status.cilium_state,
        "msg": f"{status.cilium_version} ({status.cilium_revision})",
    }
    out["nodeMonitor"] = {"cpus": ctx.cpus, "npages": 64, "pagesize": 4096}
    out["cluster"] = {
        "ciliumHealth": {"state": "Ok"},
        "nodes": _cluster_nodes(ctx.health_peers),
        "self": f"default/{ctx.node_name}",
    }
    out["ipam"] = {"status": ctx.ipam_status(details), "allocations": dict(ctx.allocations)}
    out["ipv6-big-tcp"] = _big_tcp(status.ipv6_big_tcp, minor)
    if minor >= 14:
        out["ipv4-big-tcp"] = _big_tcp(status.ipv4_big_tcp, minor)
    bwm = status.bandwidth_manager
    if bwm is not None and bwm.enabled:
        out["bandwidth-manager"] = {
            "enabled": True,
            "congestionControl": (bwm.congestion_control or "cubic").lower(),
            "devices": list(bwm.devices),
        }
    else:
        out["bandwidth-manager"] = {}
    if minor >= 16:
        out["routing"] = {
            "intra-host-routing-mode": status.host_routing,
            "inter-host-routing-mode": status.network_routing,
            "tunnel-protocol": status.tunnel_protocol or details.tunnel_protocol,
        }
        out["attach-mode"] = {"TCX": "tcx", "Legacy TC": "tc"}.get(status.attach_mode or "", "tc")
        out["datapath-mode"] = status.device_mode or "veth"
    else:
        out["host-routing"] = {"mode": status.host_routing}
    masq = status.masquerading
    if masq is not None and masq.mode != "Disabled" and (masq.ipv4 or masq.ipv6):
        masquerading: dict[str, Any] = {
            "enabled": True,
            "mode": "BPF" if masq.mode == "BPF" else "iptables",
            "enabledProtocols": _set(_set({}, "ipv4", masq.ipv4), "ipv6", masq.ipv6),
        }
        _set(masquerading, "ip-masq-agent", masq.ip_masq_agent)
        if masq.mode == "BPF":
            masquerading["snat-exclusion-cidr-v4"] = masq.snat_exclusion_cidr or ctx.pod_cidr
        out["masquerading"] = masquerading
    else:
        out["masquerading"] = {}
    clock: dict[str, Any] = {"mode": status.clock_source or "ktime"}
    if status.clock_source == "jiffies":
        clock["hertz"] = status.clock_hz
    out["clock-source"] = clock
    out["controllers"] = [
        {
            "name": c.name,
            "configuration": {"error-retry": True, "interval": "10s"},
            "status": {
                "consecutive-failure-count": c.failures,
                "failure-count": c.failures,
                "last-failure-msg": c.message or "",
                "last-failure-timestamp": _ago(c.last_error, now),
                "last-success-timestamp": _ago(c.last_success, now),
                "success-count": 1,
            },
            "uuid": _uuid(f"{ctx.node_name}/{c.name}"),
        }
        for c in ctx.controllers
    ]
    proxy: dict[str, Any] = {"ip": ctx.router, "port-range": "10000-20000"}
    if minor >= 14:
        proxy["envoy-deployment-mode"] = ctx.envoy(minor)
    out["proxy"] = proxy
    out["identity-range"] = {"min-identity": 256, "max-identity": 65535}
    if status.hubble == "Ok":
        current, maximum = ctx.hubble_flows
        out["hubble"] = {
            "state": "Ok",
            "observer": {
                "current-flows": current,
                "max-flows": maximum,
                "seen-flows": round(ctx.hubble_flows_per_second * HUBBLE_UPTIME_S),
                "uptime": HUBBLE_UPTIME_S * 1_000_000_000,
            },
            "metrics": {"state": "Ok" if details.hubble_metrics else "Disabled"},
        }
    else:
        out["hubble"] = {"state": status.hubble or "Disabled"}
    if minor >= 18:
        out["hubble-metrics"] = {"state": "Ok" if details.hubble_metrics else "Disabled"}
    out["bpf-maps"] = {
        "dynamic-size-ratio": status.bpf_map_dynamic_ratio or 0.0,
        "maps": [{"name": m.name, "size": m.size} for m in status.bpf_maps],
    }
    out["encryption"] = _encryption(status, ctx)
    if minor >= 15:
        out["auth-certificate-provider"] = {"state": "Disabled"}
    out["client-id"] = int(hashlib.sha256(ctx.node_name.encode()).hexdigest()[:7], 16)
    # go-swagger declares the model's fields in name order, and encoding/json keeps it.
    return dict(sorted(out.items()))


def _cluster_nodes(peers: Sequence[HealthPeer]) -> list[dict[str, Any]]:
    """`cluster.nodes`: no agent marks itself in it, so a lab's agents share one list."""
    if isinstance(peers, HealthPeers):
        return cast(list[dict[str, Any]], peers.cluster.shared("json nodes", _nodes))
    return _nodes(peers)


def _nodes(peers: Sequence[HealthPeer]) -> list[dict[str, Any]]:
    return [
        {"name": f"default/{p.name}", "primary-address": {"ipv4": {"ip": p.ip, "enabled": True}}}
        for p in peers
    ]


def _encryption(status: AgentStatus, ctx: RenderContext) -> dict[str, Any]:
    mode = status.encryption or "Disabled"
    if mode != "Wireguard":
        return {"mode": mode}
    return {
        "mode": mode,
        "wireguard": {
            "interfaces": [
                {
                    "name": "cilium_wg0",
                    "listen-port": 51871,
                    "peer-count": ctx.wireguard_peers,
                    "public-key": ctx.wireguard_public_key,
                }
            ],
            "node-encryption": "Disabled",
        },
    }


def _uuid(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"

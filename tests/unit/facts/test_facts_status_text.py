"""The text status parser on noisy copies and on layouts the samples do not cover.

Layout variants without a public sample (1.19 `auto/netkit`, DSR details, BBR) are written here
from the format strings of Cilium's `FormatStatusResponse` (pkg/client/client.go).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cilium_tui.facts.status_text import parse_status_text
from cilium_tui.model import AgentStatus, BandwidthManager, BigTCP, Masquerading
from tests.unit.facts.sampledata import sample_text

PLAIN = "A/v1.17.6-cee-ubuntu24.04-native-bpf-bpfmasq.txt"
VERBOSE = "A/v1.17.6-cee-ubuntu24.04-native-bpf-verbose.txt"


def _status(*lines: str) -> AgentStatus:
    return parse_status_text("\n".join(lines))


# --- noise around and inside real output ------------------------------------------------------


@pytest.mark.parametrize(
    "name", [PLAIN, VERBOSE, "A/v1.13.4-eks-verbose-kpr-disabled-legacy-iptables.txt"]
)
def test_crlf_and_trailing_spaces_change_nothing(name: str) -> None:
    text = sample_text(name)
    baseline = parse_status_text(text)
    assert parse_status_text(text.replace("\n", "\r\n")) == baseline
    assert parse_status_text(text.replace("\n", "   \n")) == baseline


def test_markdown_fence_kubectl_notice_and_prompts_change_nothing() -> None:
    text = sample_text("A/v1.16.4-talos-tunnel-legacy-tcx.txt")
    wrapped = (
        "```console\n$ kubectl exec -it ds/cilium -n kube-system -- cilium-dbg status\n"
        + text
        + "```\nuser@laptop:~/work$ \n"
    )
    assert parse_status_text(wrapped) == parse_status_text(text)
    assert parse_status_text(wrapped).host_routing == "Legacy"


@pytest.mark.parametrize("prefix", ["##  ", "\t ", "> ", "|  ", "        "])
def test_every_line_prefixed_changes_nothing(prefix: str) -> None:
    text = sample_text(VERBOSE)
    prefixed = "".join(prefix + line for line in text.splitlines(keepends=True))
    assert parse_status_text(prefixed) == parse_status_text(text)


@pytest.mark.parametrize("width", [20, 29, 38])
def test_label_column_width_does_not_matter(width: int) -> None:
    text = sample_text(PLAIN)
    realigned = re.sub(
        r"^([A-Za-z][A-Za-z0-9 /]*:)\s+",
        lambda m: m.group(1).ljust(width) + " ",
        text,
        flags=re.MULTILINE,
    )
    assert realigned != text
    assert parse_status_text(realigned) == parse_status_text(text)


def test_ansi_colour_codes_are_ignored() -> None:
    assert _status("\x1b[1mHost Routing:\x1b[0m   \x1b[32mBPF\x1b[0m").host_routing == "BPF"


def test_lines_wrapped_inside_brackets_are_joined() -> None:
    status = _status(
        "KubeProxyReplacement:   Strict   [enp0s8 192.168.36.12 fd04::12 (Direct Routing),",
        "    enp0s3 10.0.2.15 fd04::12]",
        "Masquerading:           BPF   [enp0s8, enp0s3]   10.0.0.0/8 [IPv4: Enabled,",
        "IPv6: Disabled]",
        "Host Routing:           BPF",
    )
    assert status.kpr_devices == ("enp0s8", "enp0s3")
    assert status.direct_routing_device == "enp0s8"
    assert status.masquerading == Masquerading(
        mode="BPF",
        devices=("enp0s8", "enp0s3"),
        snat_exclusion_cidr="10.0.0.0/8",
        ipv4=True,
        ipv6=False,
    )
    assert status.host_routing == "BPF"
    assert status.evidence["masquerading"].text.endswith("[IPv4: Enabled, IPv6: Disabled]")


def test_a_cut_bracket_does_not_swallow_the_next_label() -> None:
    status = _status("KubeProxyReplacement:   True   [eth0 10.0.0.1", "Host Routing:   BPF")
    assert status.kube_proxy_replacement == "True"
    assert status.host_routing == "BPF"


# --- label rules ------------------------------------------------------------------------------


def test_labels_match_in_ciliums_case_only() -> None:
    # a YAML document or prose with similar words is not a status
    assert _status("host routing: BPF", "cilium: 1.13.4", "masquerading:", "  mode: BPF").is_empty


def test_verbose_sub_labels_count_only_inside_their_block() -> None:
    stray = _status("Mode:   DSR", "Status:   True", "XDP Acceleration:   Native")
    assert stray.nodeport_mode is None
    assert stray.kube_proxy_replacement is None
    assert stray.xdp_acceleration is None
    block = _status(
        "KubeProxyReplacement Details:",
        "  Status:                 True",
        "  Socket LB:              Enabled",
        "  Mode:                   Hybrid",
        "    DSR Dispatch Mode:    Geneve",
        "  Backend Selection:      Maglev (Table Size: 16381)",
        "  XDP Acceleration:       Best-Effort",
        "Cluster health:   3/3 reachable   (2025-08-04T09:21:04Z)",
        "  Mode:                   SNAT",
    )
    assert block.kube_proxy_replacement == "True"
    assert block.socket_lb is True
    assert block.nodeport_mode == "Hybrid"
    assert block.dsr_dispatch == "Geneve"
    assert block.xdp_acceleration == "Best-Effort"


def test_first_value_wins_over_a_repeated_label() -> None:
    status = _status("Host Routing:   BPF", "Host Routing:   Legacy")
    assert status.host_routing == "BPF"


# --- values the samples do not show -----------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "device", "configured"),
    [
        ("Device Mode:   veth", "veth", None),
        ("Device Mode:   netkit-l2", "netkit-l2", None),
        ("Device Mode:   auto/netkit", "netkit", "auto"),
        ("Device Mode:   netkit/veth", "veth", "netkit"),
        ("Device Mode:   netkit [Configured: auto]", "netkit", "auto"),
        ("Device Mode:   ?", None, None),
    ],
)
def test_device_mode(line: str, device: str | None, configured: str | None) -> None:
    status = _status(line)
    assert status.device_mode == device
    assert status.configured_device_mode == configured


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Disabled", BigTCP(enabled=False)),
        ("Enabled   [196608]", BigTCP(enabled=True, max_gro=196608, max_gso=196608)),
        ("Enabled   [65536, 196608]", BigTCP(enabled=True, max_gro=65536, max_gso=196608)),
        ("Enabled", BigTCP(enabled=True)),
        ("maybe", None),
    ],
)
def test_big_tcp(value: str, expected: BigTCP | None) -> None:
    status = _status(f"IPv4 BIG TCP:   {value}", f"IPv6 BIG TCP:   {value}")
    assert status.ipv4_big_tcp == expected
    assert status.ipv6_big_tcp == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Disabled", BandwidthManager(enabled=False)),
        (
            "EDT with BPF [BBR] [eth0, eth1]",
            BandwidthManager(enabled=True, congestion_control="BBR", devices=("eth0", "eth1")),
        ),
        ("EDT with BPF [CUBIC] []", BandwidthManager(enabled=True, congestion_control="CUBIC")),
        ("EDT with BPF [] [eth0]", BandwidthManager(enabled=True, devices=("eth0",))),
        ("EDT with BPF   [eth0]", BandwidthManager(enabled=True, devices=("eth0",))),
        ("???", None),
    ],
)
def test_bandwidth_manager(value: str, expected: BandwidthManager | None) -> None:
    assert _status(f"BandwidthManager:   {value}").bandwidth_manager == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Disabled", Masquerading(mode="Disabled")),
        ("Enabled", Masquerading(mode="Enabled")),  # old agents without enabledProtocols
        (
            "BPF (ip-masq-agent)   [eth0, eth1]   10.0.0.0/8 [IPv4: Enabled, IPv6: Disabled]",
            Masquerading(
                mode="BPF",
                ip_masq_agent=True,
                devices=("eth0", "eth1"),
                snat_exclusion_cidr="10.0.0.0/8",
                ipv4=True,
                ipv6=False,
            ),
        ),
        ("BPF   []    [IPv4: Enabled, IPv6: Disabled]", Masquerading("BPF", ipv4=True, ipv6=False)),
        (
            "IPTables [IPv4: Disabled, IPv6: Enabled]",
            Masquerading("IPTables", ipv4=False, ipv6=True),
        ),
    ],
)
def test_masquerading(value: str, expected: Masquerading) -> None:
    assert _status(f"Masquerading:   {value}").masquerading == expected


def test_other_lines() -> None:
    status = _status(
        "Cilium:         Warning   1.18.1 (v1.18.1-2e2fc5d5)",
        "Kubernetes:     Disabled",
        "KubeProxyReplacement:   False",
        "Hubble:         Disabled",
        "Encryption:     IPsec   [eth0]",
        "Host firewall:  Disabled",
        "CNI Chaining:   aws-cni",
        "Attach Mode:    Legacy TC",
        "Clock Source for BPF:   jiffies   [1000 Hz]",
        "BPF Maps:   dynamic sizing: off",
    )
    assert status.cilium_state == "Warning"
    assert status.cilium_version == "1.18.1"
    assert status.cilium_revision == "v1.18.1-2e2fc5d5"
    assert status.kubernetes_version is None
    assert status.kube_proxy_replacement == "False"
    assert status.kpr_devices == ()
    assert status.hubble == "Disabled"
    assert status.encryption == "IPsec"
    assert status.host_firewall is False
    assert status.cni_chaining == "aws-cni"
    assert status.attach_mode == "Legacy TC"
    assert (status.clock_source, status.clock_hz) == ("jiffies", 1000)
    assert status.bpf_map_dynamic_ratio == 0.0
    assert status.bpf_maps == ()


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("A/v1.12.2-k3s-partial-legacy-iptables-verbose-srcunresolved.txt", True),
        ("A/v1.13.4-eks-verbose-kpr-disabled-legacy-iptables.txt", False),
        ("A/v1.8-era-kind-partial-bpfmasq-srcunresolved.txt", True),  # the feature list
        ("A/pre-1.7-dev-strict-features-pr10059.txt", True),
        ("A/v1.13.4-eks-eni-strict-legacy-iptables-before.txt", None),  # not verbose: unsaid
    ],
)
def test_bpf_nodeport_from_the_verbose_services_list_or_the_feature_list(
    sample: str, expected: bool | None
) -> None:
    status = parse_status_text(sample_text(sample))
    assert status.bpf_nodeport is expected
    if expected is not None:
        assert "NodePort" in str(status.evidence["bpf_nodeport"])


def test_the_services_list_counts_only_inside_the_kpr_details() -> None:
    assert _status("  - NodePort:       Enabled (Range: 30000-32767)").bpf_nodeport is None


def test_unknown_modes_are_kept_as_printed_not_dropped() -> None:
    status = _status("Attach Mode:   Foo Bar", "Host Routing:   Hybrid")
    assert status.attach_mode == "Foo Bar"
    assert status.host_routing == "Hybrid"


def test_empty_and_unrelated_text_is_all_unknown() -> None:
    assert parse_status_text("").is_empty
    assert parse_status_text("error: unable to upgrade connection: container not found").is_empty
    assert parse_status_text("total 0\ndrwxr-xr-x 2 root root 40 Jan 1 00:00 .").is_empty


# --- properties -------------------------------------------------------------------------------

_TOP_LINES = [
    line for line in sample_text(PLAIN).splitlines() if re.match(r"^[A-Z][A-Za-z0-9 /]*:\s", line)
]


@settings(max_examples=150, deadline=None)
@given(
    order=st.permutations(range(len(_TOP_LINES))),
    prefixes=st.lists(
        st.sampled_from(["", "  ", "\t ", "##  ", "> ", "    "]),
        min_size=len(_TOP_LINES),
        max_size=len(_TOP_LINES),
    ),
    pad=st.integers(min_value=1, max_value=20),
    crlf=st.booleans(),
)
def test_shuffled_indented_prefixed_lines_read_the_same(
    order: list[int], prefixes: list[str], pad: int, crlf: bool
) -> None:
    baseline = parse_status_text("\n".join(_TOP_LINES))
    lines = []
    for index, prefix in zip(order, prefixes, strict=True):
        label, _, value = _TOP_LINES[index].partition(":")
        lines.append(f"{prefix}{label}:{' ' * pad}{value.strip()}")
    text = ("\r\n" if crlf else "\n").join(lines)
    assert parse_status_text(text) == baseline
    assert baseline.host_routing == "BPF"


_LABELS = [
    "KubeProxyReplacement",
    "Host Routing",
    "Routing",
    "Masquerading",
    "BandwidthManager",
    "IPv4 BIG TCP",
    "Device Mode",
    "Cilium",
    "Kubernetes",
    "Clock Source for BPF",
    "BPF Maps",
    "KubeProxyReplacement Details",
    "Mode",
    "DSR Dispatch Mode",
    "Socket LB",
]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    parse_status_text(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(_LABELS), st.text(alphabet=st.characters(), max_size=60)),
        max_size=12,
    )
)
def test_known_labels_with_arbitrary_values_never_raise(pairs: list[tuple[str, str]]) -> None:
    parse_status_text("\n".join(f"{label}: {value}" for label, value in pairs))

"""Whatever the facts, judging never raises, and no facts never reads as "off"."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cilium_tui.checks.catalogue import CATALOGUE, evaluate, evaluate_node
from cilium_tui.checks.types import State
from cilium_tui.checks.why_legacy import why_legacy
from cilium_tui.model import (
    AgentPod,
    AgentStatus,
    BandwidthManager,
    BigTCP,
    CiliumConfig,
    IrqAffinity,
    Masquerading,
    NodeInfo,
    NodeRecord,
    ProbeFacts,
    Setting,
)
from tests.unit.checks.seed import SEED_SETTINGS, TRAINING_SETTINGS, snapshot

text = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["", "BPF", "Legacy", "True"]))
kernels = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "4.19.0-24-arm64",
            "6.2.0-39-generic",
            "5.4.0-1078-raspi",
            "garbage",
            "4.18.0-1.el8.x86_64",
        ]
    ),
)
versions = st.one_of(st.none(), st.sampled_from(["1.13.4", "1.16.4", "1.18.0", "1.19.1", "v?", ""]))
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1, 9000),
    st.floats(0, 1),
    st.sampled_from(["native", "tunnel", "dsr", "snat", "netkit", "none", "geneve", "ipip", "?"]),
)

agents = st.builds(
    AgentStatus,
    source_format=st.sampled_from(["text", "json"]),
    cilium_version=versions,
    kube_proxy_replacement=text,
    host_routing=text,
    network_routing=text,
    tunnel_protocol=text,
    masquerading=st.one_of(st.none(), st.builds(Masquerading, mode=text.map(str))),
    bandwidth_manager=st.one_of(
        st.none(), st.builds(BandwidthManager, enabled=st.booleans(), congestion_control=text)
    ),
    ipv4_big_tcp=st.one_of(st.none(), st.builds(BigTCP, enabled=st.booleans())),
    ipv6_big_tcp=st.one_of(st.none(), st.builds(BigTCP, enabled=st.booleans())),
    device_mode=text,
    hubble=text,
    encryption=text,
    cni_chaining=text,
    nodeport_mode=text,
    dsr_dispatch=text,
    xdp_acceleration=text,
    bpf_map_dynamic_ratio=st.one_of(st.none(), st.floats(0, 1)),
)
probes = st.builds(
    ProbeFacts,
    kernel_release=kernels,
    kernel_build=text,
    cpufreq=st.one_of(st.none(), st.booleans()),
    cpu_governors=st.lists(st.sampled_from(["performance", "powersave"]), max_size=3).map(tuple),
    irqbalance_active=text,
    tuned_installed=st.one_of(st.none(), st.booleans()),
    tuned_profile=text,
    preempt=text,
    nic_driver=text,
    mtu=st.one_of(st.none(), st.integers(0, 9216)),
    nic_irqs=st.lists(
        st.builds(
            IrqAffinity,
            irq=st.integers(0, 99),
            name=st.text(max_size=5),
            cpus=st.sampled_from(["0", "0-3", "1,3", ""]),
        ),
        max_size=2,
    ).map(tuple),
    notrack_rules=st.one_of(st.none(), st.booleans()),
)
names = sorted(
    set(SEED_SETTINGS)
    | set(TRAINING_SETTINGS)
    | {"datapath_mode", "distributed_lru", "ipv4_big_tcp"}
)
configs = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(names), values.map(lambda v: Setting(v, "k", str(v)))).map(
        lambda s: CiliumConfig(data={"enable-node-port": "true"}, settings=s)
    ),
)
records = st.builds(
    NodeRecord,
    name=st.sampled_from(["a", "b"]),
    node=st.one_of(st.none(), st.builds(NodeInfo, name=st.just("a"), kernel_version=kernels)),
    pod=st.one_of(
        st.none(),
        st.builds(
            AgentPod,
            name=st.just("p"),
            namespace=st.just("kube-system"),
            node=st.just("a"),
            image=text,
        ),
    ),
    agent=st.one_of(st.none(), agents),
    probe=st.one_of(st.none(), probes),
)


@settings(max_examples=60, deadline=None)
@given(records=st.lists(records, min_size=1, max_size=3), cilium_config=configs)
def test_judging_any_facts_never_raises(
    records: list[NodeRecord], cilium_config: CiliumConfig | None
) -> None:
    snap = snapshot(*records, cilium_config=cilium_config)
    rollups = evaluate(snap)
    assert len(rollups) == len(CATALOGUE)
    for r in rollups:
        assert r.headline.startswith(r.item.title)
        for finding in r.findings:
            assert finding.reason
            assert (finding.state is State.BLOCKED) == bool(finding.blocked_by)
    why_legacy(snap)


@settings(max_examples=30, deadline=None)
@given(probe=st.one_of(st.none(), probes))
def test_no_agent_no_config_no_version_is_never_off(probe: ProbeFacts | None) -> None:
    rec = NodeRecord("a", node=NodeInfo("a"), probe=probe, errors={"agent": "timeout"})
    for finding in evaluate_node(snapshot(rec), rec):
        entry = next(i for i in CATALOGUE if i.id == finding.item_id)
        if entry.scope == "cilium":  # the probe alone may still show something on
            assert finding.state not in (State.OFF, State.BLOCKED), finding

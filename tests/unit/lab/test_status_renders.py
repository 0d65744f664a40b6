"""A lab's agents answer a scan in O(1) work each (issue 10): counted, not timed.

Every agent's status lists every peer node, so rendering it afresh per exec made a scan of N
agents O(N^2) in the lab. Now the peer list is built once per cluster state and shared, an agent's
status is rendered once per change, and `-o jsonpath` reads no peer at all.
"""

from __future__ import annotations

import pytest

from cilium_tui.collect.kube import _JSONPATH
from cilium_tui.lab.cluster import LabCluster
from cilium_tui.lab.kube.exec import ExecResult
from cilium_tui.lab.kube.server import LabApiServer
from cilium_tui.lab.render_context import ClusterHealth, HealthPeers
from cilium_tui.lab.render_text import render_status_text
from cilium_tui.lab.scenarios import scenario, status_context

FATAL = {  # BBR needs BPF host routing: the agent exits at start
    "enable-host-legacy-routing": "true",
    "enable-bandwidth-manager": "true",
    "enable-bbr": "true",
}


class Counts:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.peer_lists = self.peers_read = 0
        built, seen = ClusterHealth.__init__, HealthPeers._seen

        def counting_init(health: ClusterHealth, *args: object, **kw: object) -> None:
            self.peer_lists += 1
            built(health, *args, **kw)  # type: ignore[arg-type]

        def counting_seen(peers: HealthPeers, peer: object) -> object:
            self.peers_read += 1
            return seen(peers, peer)  # type: ignore[arg-type]

        monkeypatch.setattr(ClusterHealth, "__init__", counting_init)
        monkeypatch.setattr(HealthPeers, "_seen", counting_seen)


def _lab(name: str) -> LabCluster:
    sc = scenario(name)
    cluster = LabCluster(sc, LabApiServer(version=sc.kubernetes_version))  # never started
    cluster.seed()
    return cluster


def _scan(cluster: LabCluster, *flags: str) -> dict[str, ExecResult]:
    """Each node's agent asked `status FLAGS`, by node name."""
    argv = [cluster._agent_binaries()[-1], "status", *flags]
    return {
        pod["spec"]["nodeName"]: cluster.exec_handler(
            pod["metadata"]["namespace"], pod["metadata"]["name"], "cilium-agent", argv
        )
        for pod in cluster.api.store.list("pods")[0]
    }


@pytest.mark.parametrize("nodes", [20, 80])
def test_a_scan_renders_each_agent_once_and_reads_no_peer(
    nodes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = _lab(f"scale:{nodes}")
    counts = Counts(monkeypatch)
    cold = _scan(cluster, "-o", _JSONPATH)
    assert all(r.rc == 0 and "#0=Ok" in r.stdout for r in cold.values())
    assert cluster.status_renders == nodes
    assert (counts.peer_lists, counts.peers_read) == (1, 0)  # one list, shared; none read

    assert _scan(cluster, "-o", _JSONPATH) == cold  # warm: answered from the rendered outputs
    assert cluster.status_renders == nodes
    _scan(cluster, "-o", "json")  # every peer printed, from one list derived once
    assert cluster.status_renders == 2 * nodes
    assert (counts.peer_lists, counts.peers_read) == (1, 0)


def test_an_agent_going_down_shows_in_every_peers_status() -> None:
    cluster = _lab("scale:12")
    sc, before = cluster.scenario, _scan(cluster)  # the text, which shows peers' health
    node, down = sc.nodes[0], sc.nodes[3]

    def fatal(obj: dict[str, dict[str, str]]) -> None:
        obj["data"] |= FATAL

    cluster.api.store.update("configmaps", sc.namespace, "cilium-config", fatal)
    assert not cluster.agent_starter(down.name, {}).ready
    after = _scan(cluster)
    assert cluster.status_renders == 2 * len(before) - 1  # the agent that is down renders none
    assert "12/12 reachable" in before[node.name].stdout
    assert "11/12 reachable" in after[node.name].stdout
    outcome = cluster.outcomes[node.name]
    assert outcome.status is not None
    context = status_context(sc, node, outcome.details, unreachable=frozenset({down.name}))
    expected = render_status_text(outcome.status, sc.cilium_version, context=context)
    assert after[node.name].stdout == expected

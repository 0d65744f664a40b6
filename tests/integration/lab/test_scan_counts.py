"""A scan's per-node work is O(1): counted, not timed (the figures are in benchmarks/).

Each test scans a lab of N nodes whose ssh_config and known_hosts list every node (as a fleet's
do) and counts what the scan did: files read, documents decoded, cap walks, threads started.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from cilium_tui.asyncssh_import import asyncssh
from cilium_tui.collect import kube as kube_module
from cilium_tui.collect import ssh as ssh_module
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.facts import status_json
from tests.integration.lab.conftest import lab_source, running

NODES = 12


@pytest.fixture
async def fleet() -> AsyncIterator[ClusterSource]:
    source = await lab_source(f"scale:{NODES}")
    yield source
    await source.close()


async def test_ssh_files_are_read_once_per_scan_not_per_connect(
    fleet: ClusterSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = running(fleet).files
    assert fleet.ssh is not None and files is not None
    original = str(files.ssh_config)
    parsed: list[str] = []
    real_parse = asyncssh.config.SSHConfig.parse

    def parse(self: Any, path: Any) -> None:
        parsed.append(str(path))
        real_parse(self, path)

    matched: list[object] = []
    real_match = asyncssh.connection.match_known_hosts

    def match(known_hosts: Any, *args: Any) -> Any:
        matched.append(known_hosts)
        return real_match(known_hosts, *args)

    monkeypatch.setattr(asyncssh.config.SSHConfig, "parse", parse)
    monkeypatch.setattr(asyncssh.connection, "match_known_hosts", match)
    snapshot = await fleet.scan()
    assert sum(r.probe is not None for r in snapshot.nodes) == NODES
    assert fleet.ssh.connections_opened >= NODES
    assert fleet.ssh.file_reads == (1, 1), "ssh_config and known_hosts read once each"
    assert parsed and original not in parsed, "asyncssh never re-reads the whole ssh_config"
    assert matched and all(isinstance(k, asyncssh.SSHKnownHosts) for k in matched)
    await fleet.ssh.close()  # a second scan connects again: the files are not read again
    await fleet.scan()
    assert fleet.ssh.file_reads == (1, 1)


async def test_client_keys_are_read_once_per_scan_not_twice_per_connect(
    fleet: ClusterSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert fleet.ssh is not None
    boards = running(fleet).boards
    assert boards is not None
    key = str(boards.client_key_path)
    reads: list[str] = []
    real_read = asyncssh.misc.read_file  # what asyncssh.public_key reads key files with

    def read_file(filename: Any, *args: Any) -> bytes:
        reads.append(str(filename))
        data: bytes = real_read(filename, *args)
        return data

    monkeypatch.setattr("asyncssh.public_key.read_file", read_file)
    snapshot = await fleet.scan()
    assert sum(r.probe is not None for r in snapshot.nodes) == NODES
    assert fleet.ssh.connections_opened > NODES  # the jump host too
    # One load for every connection (asyncssh reads the file up to three times in it: as a
    # certificate, a public key and a private key), where each connect read it six times.
    assert fleet.ssh.key_loads == 1
    loaded = reads.count(key)
    assert 1 <= loaded <= 3 and reads.count(f"{key}.pub") <= 1
    await fleet.ssh.close()  # a second scan connects again: the key is not read again
    await fleet.scan()
    assert reads.count(key) == loaded and fleet.ssh.key_loads == 1


async def test_each_agent_status_is_decoded_once(
    fleet: ClusterSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[str] = []
    real_loads, real_from_jsonpath = json.loads, kube_module.status_from_jsonpath

    def loads(text: Any, *args: Any, **kw: Any) -> Any:
        doc = real_loads(text, *args, **kw)
        if isinstance(doc, dict) and "kubernetes" in doc:  # an agent's StatusResponse
            decoded.append(text)
        return doc

    def from_jsonpath(text: str) -> Any:
        decoded.append(text)
        return real_from_jsonpath(text)

    def no_text_parse(text: str) -> object:
        raise AssertionError("a status went through the text parser")

    monkeypatch.setattr(kube_module.json, "loads", loads)
    monkeypatch.setattr(kube_module, "status_from_jsonpath", from_jsonpath)
    monkeypatch.setattr(kube_module, "parse_status", no_text_parse)  # AgentStatusOutput.status
    snapshot = await fleet.scan()
    agents = sum(r.agent is not None for r in snapshot.nodes)
    assert agents == NODES
    assert len(decoded) == agents


class _CountingDict(OrderedDict[Any, Any]):
    """Counts the entries any walk of the connections visits."""

    visited = 0

    def items(self) -> Any:
        def walk() -> Iterator[tuple[Any, Any]]:
            for pair in super(_CountingDict, self).items():
                _CountingDict.visited += 1
                yield pair

        return walk()

    def __reversed__(self) -> Iterator[Any]:
        for key in super().__reversed__():
            _CountingDict.visited += 1
            yield key


async def test_the_connection_cap_makes_room_in_constant_work(fleet: ClusterSource) -> None:
    pool = fleet.ssh
    assert pool is not None
    pool._cap = 4
    pool._connections = _CountingDict()
    _CountingDict.visited = 0
    snapshot = await fleet.scan()
    assert sum(r.probe is not None for r in snapshot.nodes) == NODES
    assert pool.connections_closed_for_room >= NODES - 4
    # Each connect walks past at most the connections in flight (the cap's half) and the jump
    # host: the total grows with the connects, never with their square.
    assert 0 < _CountingDict.visited <= pool.connections_opened * 4


async def test_no_thread_is_started_per_exec(
    fleet: ClusterSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fleet.scan()  # warm: pools and loops that start once are started
    started: list[str] = []
    real_start = threading.Thread.start

    def start(self: threading.Thread) -> None:
        started.append(self.name)
        real_start(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    snapshot = await fleet.scan()
    assert sum(r.agent is not None for r in snapshot.nodes) == NODES
    assert len(started) < NODES, f"threads started during a scan of {NODES}: {started}"


async def test_per_node_work_of_a_warm_scan_is_one_of_each(
    fleet: ClusterSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per node, a warm scan opens one SSH channel on the kept connection, one exec (a TLS
    handshake resuming the client's session, on the one TLS context), parses no output that
    reads word for word as the scan before's (`collect.answers`) and encodes no evidence."""
    await fleet.scan()  # cold: connections opened, the first TLS session kept
    assert fleet.ssh is not None and fleet.kube is not None
    tls = fleet.kube.exec_tls
    assert tls is not None
    opened, handshakes, offered = fleet.ssh.connections_opened, tls.handshakes, tls.offered
    counts: dict[str, int] = {"channels": 0, "probes parsed": 0, "statuses parsed": 0}
    encoded: list[object] = []

    def counted(name: str, real: Any) -> Any:
        def call(*args: Any, **kw: Any) -> Any:
            counts[name] += 1
            return real(*args, **kw)

        return call

    real_session = asyncssh.SSHClientConnection.create_session
    monkeypatch.setattr(
        asyncssh.SSHClientConnection, "create_session", counted("channels", real_session)
    )
    monkeypatch.setattr(ssh_module, "parse_probe", counted("probes parsed", ssh_module.parse_probe))
    monkeypatch.setattr(
        kube_module, "parse_status_json", counted("statuses parsed", kube_module.parse_status_json)
    )
    monkeypatch.setattr(status_json, "_bounded_json", lambda value: encoded.append(value) or "")
    snapshot = await fleet.scan()
    assert sum(r.agent is not None and r.probe is not None for r in snapshot.nodes) == NODES
    assert counts == {"channels": NODES, "probes parsed": 0, "statuses parsed": 0}
    assert fleet.ssh.connections_opened == opened, "no reconnect: the connections were kept"
    assert tls is fleet.kube.exec_tls, "one TLS context for every scan"
    assert (tls.handshakes - handshakes, tls.offered - offered) == (NODES, NODES)
    assert encoded == [], "evidence is encoded when shown, not when scanned"


async def test_the_lab_answers_a_warm_scans_execs_without_a_thread(fleet: ClusterSource) -> None:
    """The lab's API server renders an agent's status once, in a worker thread; an exec it can
    answer from what it rendered is answered on its loop (a thread hop per exec was a third of
    the lab's CPU per warm exec, and the lab shares the machine with the client)."""
    api = running(fleet).api
    calls = {"in a thread": 0, "on the loop": 0}
    real_handler, real_ready = api.exec_handler, api.exec_ready

    def handler(*args: Any) -> Any:
        calls["in a thread"] += 1
        return real_handler(*args)

    def ready(*args: Any) -> Any:
        answer = real_ready(*args)
        calls["on the loop"] += answer is not None
        return answer

    api.exec_handler, api.exec_ready = handler, ready
    await fleet.scan()  # cold: every status rendered, in a thread
    assert calls["in a thread"] == NODES
    cold = dict(calls)
    snapshot = await fleet.scan()
    assert sum(r.agent is not None for r in snapshot.nodes) == NODES
    warm = {how: calls[how] - cold[how] for how in calls}
    assert warm == {"in a thread": 0, "on the loop": NODES}


async def test_a_cold_scan_of_old_agents_costs_one_exec_a_node(
    fleet: ClusterSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lab's scale fleet runs Cilium 1.13, which has no `cilium-dbg`: its image tag says
    so, and every node of a cold scan (all started before any answered) asks `cilium` at once."""
    assert fleet.kube is not None
    asked: list[str] = []
    real_exec = fleet.kube.exec

    async def exec_(*args: Any, **kw: Any) -> Any:
        asked.append(args[3][0])
        return await real_exec(*args, **kw)

    monkeypatch.setattr(fleet.kube, "exec", exec_)
    snapshot = await fleet.scan()
    assert sum(r.agent is not None for r in snapshot.nodes) == NODES
    assert asked == ["cilium"] * NODES


async def test_a_scan_keeps_what_reads_the_same_as_the_scan_before(fleet: ClusterSource) -> None:
    """Two snapshots alive at once (the one shown, the next being read) share every node that
    did not change: its record, and of a changed node the parts that did not."""
    first = await fleet.scan()
    changed = first.nodes[0]
    running(fleet).cluster.set_kernel(changed.name, "6.9.0-1-generic")
    second = await fleet.scan()
    assert [r.name for r in second.nodes] == [r.name for r in first.nodes]
    kept = [new is old for old, new in zip(first.nodes, second.nodes, strict=True)]
    assert kept == [False] + [True] * (len(kept) - 1)
    now = second.nodes[0]
    assert now.kernel == "6.9.0-1-generic" and changed.kernel != now.kernel
    assert now.node is not changed.node and now.probe is not changed.probe
    assert now.pod is changed.pod


async def test_only_the_answers_that_changed_are_parsed_again(fleet: ClusterSource) -> None:
    """One host rebooted into another kernel: its probe answers differently and is read again,
    with what it now says; every other answer keeps the facts read from it before."""
    first = await fleet.scan()
    parsed = (fleet.statuses.parsed, fleet.probes.parsed)
    assert parsed == (NODES, NODES), "a cold scan parses every answer"
    changed = first.nodes[0].name
    running(fleet).cluster.set_kernel(changed, "6.9.0-1-generic")
    second = await fleet.scan()
    assert fleet.probes.parsed - parsed[1] == 1
    now = second.node(changed)
    assert now is not None and now.kernel == "6.9.0-1-generic"
    again = [r.probe is o.probe for o, r in zip(first.nodes, second.nodes, strict=True)]
    assert again == [False] + [True] * (NODES - 1)

"""The Kubernetes collector (cilium_tui.collect.kube) against the lab API server."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from cilium_tui.collect import kube as kube_module
from cilium_tui.collect.kube import (
    ConfigError,
    Conflict,
    ExecFailed,
    Forbidden,
    KubeClient,
    KubeError,
    NotFound,
    Timeout,
    Unauthorized,
    Unreachable,
)
from cilium_tui.facts.node import NODE_FIELDS, parse_node
from cilium_tui.facts.pod import AGENT_POD_FIELDS, parse_agent_pod
from cilium_tui.lab.kube import ExecResult, LabApiServer, StartResult, Store, command_not_found
from tests.integration.kube.builders import NodeSpec, node, seed
from tests.integration.kube.conftest import FAST

DEADLINE = 15.0  # generous upper bounds: a hang fails the test instead of stalling the suite


@pytest.fixture
async def kube(kubeconfig: Path) -> AsyncIterator[KubeClient]:
    client = await KubeClient.connect(str(kubeconfig), timeout=5.0, watch_timeout=2)
    try:
        yield client
    finally:
        await client.close()


async def _within(coro: Any, seconds: float = DEADLINE) -> Any:
    return await asyncio.wait_for(coro, seconds)


async def _eventually(predicate: Callable[[], Any], what: str) -> Any:
    """Poll until `predicate()` is truthy (streams are logged once the server closed them)."""
    deadline = asyncio.get_running_loop().time() + DEADLINE
    while not (value := predicate()):
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)
    return value


# -- kubeconfig and connection errors -------------------------------------------------------------


async def test_connect_reads_kubeconfig_list_from_env(lab: LabApiServer, tmp_path: Path) -> None:
    lab.write_kubeconfig(tmp_path / "b", context="lab-b", namespace="cilium")
    lab.write_kubeconfig(tmp_path / "a", context="lab-a")
    env = {"KUBECONFIG": f"{tmp_path / 'missing'}:{tmp_path / 'a'}:{tmp_path / 'b'}"}
    async with await KubeClient.connect(env=env) as kube:
        assert (kube.context, kube.namespace) == ("lab-a", "kube-system")  # first file's context
    async with await KubeClient.connect(context="lab-b", env=env) as kube:
        assert (kube.context, kube.namespace) == ("lab-b", "cilium")
        assert len(await kube.list_nodes()) == 4


async def test_connect_errors_are_one_line_messages(
    lab: LabApiServer, kubeconfig: Path, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=r"^kubeconfig file not found: .*/nope$"):
        await KubeClient.connect(str(tmp_path / "nope"))
    with pytest.raises(ConfigError, match=r'^context "prod" not found in .* \(available: lab\)$'):
        await KubeClient.connect(str(kubeconfig), context="prod")
    with pytest.raises(ConfigError, match="none of the files in \\$KUBECONFIG exist"):
        await KubeClient.connect(env={"KUBECONFIG": str(tmp_path / "x")})


async def test_wrong_token_is_unauthorized(lab: LabApiServer, tmp_path: Path) -> None:
    doc = lab.kubeconfig()
    doc["users"][0]["user"]["token"] = "expired"
    path = tmp_path / "kc"
    path.write_text(json.dumps(doc))
    async with await KubeClient.connect(str(path)) as kube:
        with pytest.raises(Unauthorized, match=r"401 Unauthorized.*refresh the kubeconfig"):
            await kube.list_nodes()


async def test_dead_server_is_unreachable_quickly(tmp_path: Path) -> None:
    with LabApiServer() as lab:
        path = lab.write_kubeconfig(tmp_path / "kc")
    async with await KubeClient.connect(str(path), timeout=3.0) as kube:
        with pytest.raises(Unreachable, match=r"cannot reach https://127\.0\.0\.1:\d+"):
            await _within(kube.list_nodes(), 10)


async def test_forbidden(lab: LabApiServer, kube: KubeClient) -> None:
    lab.access.deny("list", "nodes")
    with pytest.raises(Forbidden, match='User "lab-admin" cannot list resource "nodes"'):
        await kube.list_nodes()


async def test_slow_server_times_out(lab: LabApiServer, kubeconfig: Path) -> None:
    lab.knobs.latency = 3.0
    async with await KubeClient.connect(str(kubeconfig), timeout=0.5) as kube:
        with pytest.raises(Timeout):
            await _within(kube.list_nodes(), 10)


# -- reads ----------------------------------------------------------------------------------------


async def test_reads_return_raw_dicts(kube: KubeClient) -> None:
    nodes = await kube.list_nodes()
    assert [n["metadata"]["name"] for n in nodes] == ["board-1", "vm-1", "vm-2", "vm-3"]
    assert nodes[0]["status"]["nodeInfo"]["kernelVersion"] == "4.19.0-24-arm64"
    cm = await kube.get_configmap("kube-system", "cilium-config")
    assert cm["data"]["tunnel"] == "disabled"
    with pytest.raises(NotFound, match='configmaps "nope" not found'):
        await kube.get_configmap("kube-system", "nope")


async def test_find_agent_pods(lab: LabApiServer, kube: KubeClient) -> None:
    lab.store.put(
        "pods",
        {
            "metadata": {"name": "stray", "namespace": "other", "labels": {"k8s-app": "cilium"}},
            "spec": {"containers": [{"name": "x", "image": "x"}]},
        },
    )
    found = await kube.find_agent_pods()
    assert found.namespace == "kube-system"
    assert [p["metadata"]["name"] for p in found.pods] == [
        "cilium-board-1",
        "cilium-vm-1",
        "cilium-vm-2",
        "cilium-vm-3",
    ]


async def test_find_agent_pods_when_there_are_none(lab: LabApiServer, kube: KubeClient) -> None:
    lab.access.deny("list", "pods", namespace=None)
    with pytest.raises(Forbidden):
        await kube.find_agent_pods()
    lab.access.reset()
    lab.store.delete("daemonsets", "kube-system", "cilium")
    for name in ("cilium-board-1", "cilium-vm-1", "cilium-vm-2", "cilium-vm-3"):
        lab.store.delete("pods", "kube-system", name)
    found = await kube.find_agent_pods()
    assert (found.namespace, found.pods) == (None, [])


async def test_kube_proxy_presence(lab: LabApiServer, kube: KubeClient) -> None:
    assert await kube.kube_proxy_present() is None  # k3s nodes: embedded, invisible
    lab.store.put(
        "daemonsets",
        {
            "metadata": {"name": "kube-proxy", "namespace": "kube-system"},
            "spec": {"template": {"spec": {"containers": []}}},
        },
    )
    assert await kube.kube_proxy_present() is True


async def test_no_kube_proxy_on_a_kubeadm_cluster(tmp_path: Path) -> None:
    with LabApiServer(timing=FAST) as lab:
        seed(lab.store, (NodeSpec("n1", "10.0.0.1", kubelet="v1.28.3"),))
        async with await KubeClient.connect(str(lab.write_kubeconfig(tmp_path / "kc"))) as kube:
            assert await kube.kube_proxy_present() is False


# -- watch ----------------------------------------------------------------------------------------


def _set_kernel(lab: LabApiServer, name: str, kernel: str) -> None:
    lab.store.update(
        "nodes", None, name, lambda n: n["status"]["nodeInfo"].update(kernelVersion=kernel)
    )


async def test_watch_nodes_lists_then_follows_across_server_timeouts(
    lab: LabApiServer, kube: KubeClient
) -> None:
    events = kube.watch_nodes()
    first = [await _within(anext(events)) for _ in range(4)]
    assert [(k, n["metadata"]["name"]) for k, n in first] == [
        ("ADDED", "board-1"),
        ("ADDED", "vm-1"),
        ("ADDED", "vm-2"),
        ("ADDED", "vm-3"),
    ]
    _set_kernel(lab, "vm-1", "6.5.0-1-generic")
    kind, obj = await _within(anext(events))
    assert (kind, obj["status"]["nodeInfo"]["kernelVersion"]) == ("MODIFIED", "6.5.0-1-generic")
    # the watch has timeoutSeconds=2: the next change arrives through a resumed watch
    await _eventually(
        lambda: any(r.param("watch") == "true" for r in lab.requests.records()), "a watch to end"
    )
    _set_kernel(lab, "vm-2", "6.6.0")
    kind, obj = await _within(anext(events))
    assert (kind, obj["metadata"]["name"]) == ("MODIFIED", "vm-2")
    await events.aclose()
    first_watch = next(r for r in lab.requests.records() if r.param("watch") == "true")
    assert first_watch.param("allowWatchBookmarks") == "true"
    assert first_watch.param("timeoutSeconds") == "2"
    listed = max(int(n["metadata"]["resourceVersion"]) for _, n in first)
    assert int(first_watch.param("resourceVersion") or 0) >= listed  # resumes from the list


async def test_a_busy_server_is_retried_not_the_end_of_the_watch(
    lab: LabApiServer, kube: KubeClient
) -> None:
    """API Priority and Fairness answers 429 under load: the watch backs off and comes back."""
    lab.access.throttle("watch", "nodes", times=2)
    events = kube.watch_nodes()
    for _ in range(4):
        await _within(anext(events))
    _set_kernel(lab, "vm-3", "6.8.0-1-generic")
    kind, obj = await _within(anext(events))
    assert (kind, obj["metadata"]["name"]) == ("MODIFIED", "vm-3")
    await events.aclose()
    watches = [r.status for r in lab.requests.records() if r.param("watch") == "true"]
    assert watches[:2] == [429, 429]


async def test_a_watch_from_a_scans_list_sends_only_what_changed_after_it(
    lab: LabApiServer, kube: KubeClient
) -> None:
    assert kube.last_node_list is None
    await kube.list_nodes()  # what a scan does
    since = kube.last_node_list
    assert since is not None and len(since.items) == 4
    # a client keeps O(1) bytes per node for its watch, not the whole Node
    assert all(set(n) == {"metadata"} and len(n["metadata"]) == 2 for n in since.items)
    events = kube.watch_nodes(since=since)
    _set_kernel(lab, "vm-1", "6.5.0-1-generic")
    kind, obj = await _within(anext(events))
    assert (kind, obj["metadata"]["name"]) == ("MODIFIED", "vm-1"), "no ADDED for listed nodes"
    await events.aclose()

    def node_requests() -> list[tuple[str | None, str | None]]:
        return [
            (r.param("watch"), r.param("resourceVersion"))
            for r in lab.requests.records()
            if r.method == "GET" and r.path == "/api/v1/nodes"
        ]

    # the watch request is logged when the server ends it (timeoutSeconds=2)
    await _eventually(lambda: len(node_requests()) >= 2, "the watch to end")
    listed, watched = node_requests()[:2]
    assert listed[0] is None, "one list: the scan's"
    assert watched == ("true", since.resource_version), "the watch starts where the list ended"


async def test_watch_nodes_relists_after_410_and_reports_the_difference(tmp_path: Path) -> None:
    with LabApiServer(store=Store(history=3), timing=FAST) as lab:
        seed(lab.store)
        async with await KubeClient.connect(
            str(lab.write_kubeconfig(tmp_path / "kc")), watch_timeout=2
        ) as kube:
            events = kube.watch_nodes()
            assert len([await _within(anext(events)) for _ in range(4)]) == 4
            # while no watch is open: changes enough to push the listed version out of history
            lab.store.delete("nodes", None, "vm-3")
            _set_kernel(lab, "board-1", "5.10.0-26-arm64")
            for i in range(3):
                lab.store.update(
                    "configmaps",
                    "kube-system",
                    "cilium-config",
                    lambda cm, i=i: cm["data"].update(debug=str(i)),
                )
            seen = [await _within(anext(events)) for _ in range(2)]
            assert sorted((k, n["metadata"]["name"]) for k, n in seen) == [
                ("DELETED", "vm-3"),
                ("MODIFIED", "board-1"),
            ]
            lab.store.put("nodes", node(NodeSpec("vm-9", "10.0.0.19")))
            kind, obj = await _within(anext(events))
            assert (kind, obj["metadata"]["name"]) == ("ADDED", "vm-9")
            await events.aclose()


async def test_cancelled_watch_frees_its_thread_promptly(
    lab: LabApiServer, kubeconfig: Path
) -> None:
    async with await KubeClient.connect(str(kubeconfig), watch_timeout=60) as kube:
        events = kube.watch_nodes()

        async def consume() -> None:
            async for _ in events:
                pass

        task = asyncio.create_task(consume())
        await _eventually(_watch_threads_reading, "the watch thread to block in its read")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await _within(task, 5)
        # far sooner than the watch's 60 s timeout, the thread has left its blocking read
        await _eventually(lambda: not _watch_threads_reading(), "the watch thread to stop")


def _watch_threads_reading() -> bool:
    return any(
        t.name.startswith("kube-watch") and t.is_alive() and _reading(t)
        for t in threading.enumerate()
    )


def _reading(thread: threading.Thread) -> bool:
    """Whether the thread is inside the collector's blocking watch read."""
    frame = sys._current_frames().get(thread.ident or -1)
    while frame is not None:
        if frame.f_code.co_name == "read" and "collect/kube.py" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


# -- exec -----------------------------------------------------------------------------------------


def _handler(ns: str, pod: str, container: str, argv: Sequence[str]) -> ExecResult:
    if argv[0] == "echo":
        return ExecResult(0, stdout=" ".join(argv[1:]) + "\n", stderr="a warning\n")
    if argv[0] == "false":
        return ExecResult(7, stderr="failed\n")
    return command_not_found(argv[0])


async def test_exec_success_nonzero_and_not_started(lab: LabApiServer, kube: KubeClient) -> None:
    lab.exec_handler = _handler
    ok = await kube.exec("kube-system", "cilium-vm-1", "cilium-agent", ["echo", "a b", "c"])
    assert (ok.rc, ok.stdout, ok.stderr) == (0, "a b c\n", "a warning\n")
    bad = await kube.exec("kube-system", "cilium-vm-1", "cilium-agent", ["false"])
    assert (bad.rc, bad.stdout, bad.stderr) == (7, "", "failed\n")
    with pytest.raises(ExecFailed, match='exec: "nope": executable file not found in \\$PATH'):
        await kube.exec("kube-system", "cilium-vm-1", "cilium-agent", ["nope"])


async def test_exec_errors(lab: LabApiServer, kube: KubeClient) -> None:
    # The handshake's Status body is read as JSON: its message, not the raw blob.
    with pytest.raises(NotFound) as missing:
        await kube.exec("kube-system", "ghost", "cilium-agent", ["true"])
    assert str(missing.value) == 'exec true in kube-system/ghost: pods "ghost" not found'
    lab.access.deny("create", "pods/exec")
    with pytest.raises(Forbidden) as denied:
        await kube.exec("kube-system", "cilium-vm-1", "cilium-agent", ["true"])
    assert str(denied.value) == (
        "exec true in kube-system/cilium-vm-1: forbidden: "
        'pods "cilium-vm-1" is forbidden: User "lab-admin" cannot create resource "pods/exec" '
        'in API group "" in the namespace "kube-system"'
    )
    lab.access.reset()
    with pytest.raises(KubeError, match="container sidecar is not valid for pod cilium-vm-1"):
        await kube.exec("kube-system", "cilium-vm-1", "sidecar", ["true"])
    lab.set_exec_faults(fail=["cilium-vm-2"])
    with pytest.raises(KubeError, match="error dialing backend"):
        await kube.exec("kube-system", "cilium-vm-2", "cilium-agent", ["true"])


async def test_hanging_exec_returns_within_its_timeout(lab: LabApiServer, kube: KubeClient) -> None:
    lab.set_exec_faults(hang=["cilium-vm-3"])
    with pytest.raises(Timeout, match=r"no result after 0\.5 s"):
        await _within(kube.exec("kube-system", "cilium-vm-3", "cilium-agent", ["x"], 0.5), 5)


async def test_agent_status_falls_back_through_generations(
    lab: LabApiServer, kube: KubeClient
) -> None:
    pod = lab.store.get("pods", "kube-system", "cilium-vm-1")
    known: dict[tuple[str, ...], ExecResult] = {}

    def handler(ns: str, name: str, container: str, argv: Sequence[str]) -> ExecResult:
        return known.get(tuple(argv)) or command_not_found(argv[0])

    lab.exec_handler = handler
    known[("cilium", "status", "-o", "json")] = ExecResult(0, '{"cilium": {"state": "Ok"}}')
    got = await kube.agent_status(pod)
    assert (got.fmt, got.command) == ("json", ["cilium", "status", "-o", "json"])
    assert json.loads(got.raw)["cilium"]["state"] == "Ok"

    known.clear()
    known[("cilium", "status", "-o", "json")] = ExecResult(1, "", "unknown shorthand flag: 'o'")
    known[("cilium", "status")] = ExecResult(1, "Cilium:   Failure\n")  # rc 1: not Ok, still status
    got = await kube.agent_status(pod)
    assert (got.fmt, got.command, got.raw) == ("text", ["cilium", "status"], "Cilium:   Failure\n")

    known.clear()
    with pytest.raises(KubeError) as e:
        await kube.agent_status(pod)
    message = str(e.value)
    for command in (
        "cilium-dbg status -o json",
        "cilium status -o json",
        "cilium-dbg status:",
        "cilium status:",
    ):
        assert command in message


async def test_agent_status_stops_at_a_timeout(lab: LabApiServer, kube: KubeClient) -> None:
    lab.set_exec_faults(hang=["cilium-vm-1"])
    pod = lab.store.get("pods", "kube-system", "cilium-vm-1")
    with pytest.raises(Timeout):
        await _within(kube.agent_status(pod, timeout=0.3), 5)
    execs = await _eventually(
        lambda: [r for r in lab.requests.records() if r.path.endswith("/exec")], "exec log"
    )
    assert len(execs) == 1  # no fallback command after a timeout


# -- writes ---------------------------------------------------------------------------------------


async def test_patch_configmap_data_and_conflict(lab: LabApiServer, kube: KubeClient) -> None:
    cm = await kube.get_configmap("kube-system", "cilium-config")
    rv = cm["metadata"]["resourceVersion"]
    patched = await kube.patch_configmap_data(
        "kube-system", "cilium-config", {"enable-bpf-masquerade": "false", "tunnel": None}, rv
    )
    assert patched["data"]["enable-bpf-masquerade"] == "false"
    assert "tunnel" not in patched["data"]
    (request,) = lab.requests.mutating()
    assert request.content_type == "application/merge-patch+json"
    assert json.loads(request.body) == {
        "metadata": {"resourceVersion": rv},
        "data": {"enable-bpf-masquerade": "false", "tunnel": None},
    }
    with pytest.raises(Conflict, match="changed since it was read") as e:
        await kube.patch_configmap_data("kube-system", "cilium-config", {"debug": "true"}, rv)
    assert e.value.current is not None
    assert e.value.current["metadata"]["resourceVersion"] == patched["metadata"]["resourceVersion"]
    assert "debug" not in lab.store.get("configmaps", "kube-system", "cilium-config")["data"]


async def test_delete_pod_then_wait_for_its_replacement(
    lab: LabApiServer, kube: KubeClient
) -> None:
    old = lab.store.get("pods", "kube-system", "cilium-vm-2")
    await kube.delete_pod("kube-system", "cilium-vm-2")
    new = await _within(kube.wait_pod_ready("kube-system", "vm-2", 10, replacing=old))
    assert new["metadata"]["name"] != "cilium-vm-2"
    assert new["spec"]["nodeName"] == "vm-2"


async def test_wait_pod_ready_names_the_crash(lab: LabApiServer, kube: KubeClient) -> None:
    lab.agent_starter = lambda node_name, pod: StartResult(
        False, "CrashLoopBackOff", "level=fatal msg=boom"
    )
    old = lab.store.get("pods", "kube-system", "cilium-vm-1")
    await kube.delete_pod("kube-system", "cilium-vm-1")
    with pytest.raises(Timeout, match=r"agent on node vm-1 not Ready after 1 s: cilium-\w+ is "):
        await _within(kube.wait_pod_ready("kube-system", "vm-1", 1.0, replacing=old))


async def test_rollout_restart_sends_kubectls_patch(lab: LabApiServer, kube: KubeClient) -> None:
    ds = await kube.rollout_restart_daemonset("kube-system", "cilium")
    assert ds["metadata"]["generation"] == 2
    (request,) = lab.requests.mutating()
    assert request.content_type == "application/strategic-merge-patch+json"
    body = json.loads(request.body)
    stamp = body["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
    assert body == {
        "spec": {
            "template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": stamp}}}
        }
    }
    assert len(stamp) in (20, 25) and stamp[10] == "T"  # RFC 3339, Go style


async def test_can_i(lab: LabApiServer, kube: KubeClient) -> None:
    allowed, reason = await kube.can_i("patch", "configmaps", "kube-system")
    assert allowed and "RBAC: allowed" in reason
    lab.access.deny("create", "pods/exec")
    assert await kube.can_i("create", "pods/exec", "kube-system") == (False, "")
    assert (await kube.can_i("get", "pods", "kube-system"))[0]
    assert not lab.requests.mutating()  # access reviews change nothing


async def test_execs_share_one_tls_context_and_resume_its_session(
    lab: LabApiServer, kube: KubeClient
) -> None:
    """Per exec O(1) TLS work: one context for all of a client's execs, and every exec after
    the first resumes the session of an earlier, verified handshake."""
    lab.exec_handler = _handler
    for i in range(5):
        ok = await kube.exec("kube-system", "cilium-vm-1", "cilium-agent", ["echo", str(i)])
        assert ok.stdout == f"{i}\n"
    tls = kube.exec_tls
    assert tls is not None
    assert kube._websocket.contexts_made == 1
    assert (tls.handshakes, tls.offered, tls.resumed) == (5, 4, 4)
    assert tls.session is not None


# -- lists in pages -------------------------------------------------------------------------------


def _list_requests(lab: LabApiServer, path: str) -> list[tuple[str | None, str | None]]:
    return [
        (r.param("limit"), r.param("continue"))
        for r in lab.requests.records()
        if r.method == "GET" and r.path == path and r.param("watch") is None
    ]


async def test_lists_are_read_in_pages_and_cut_to_the_fields_asked(
    lab: LabApiServer, kube: KubeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kube_module, "LIST_PAGE", 3)
    whole = await kube.list_nodes()
    cut = await kube.list_nodes(NODE_FIELDS)
    assert [n["metadata"]["name"] for n in cut] == ["board-1", "vm-1", "vm-2", "vm-3"]
    assert [parse_node(n) for n in cut] == [parse_node(n) for n in whole]
    assert all("annotations" not in n["metadata"] for n in cut)
    assert "annotations" in whole[0]["metadata"]
    listed = _list_requests(lab, "/api/v1/nodes")
    assert [limit for limit, _ in listed] == ["3"] * 4, "two lists, of two pages each"
    assert [token is None for _, token in listed] == [True, False, True, False]
    pods = await kube.find_agent_pods(AGENT_POD_FIELDS)
    assert [parse_agent_pod(p) for p in pods.pods] == [
        parse_agent_pod(p) for p in (await kube.find_agent_pods()).pods
    ]
    assert len(_list_requests(lab, "/api/v1/pods")) == 4


async def test_a_list_whose_continue_token_expired_starts_again_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kube_module, "LIST_PAGE", 2)
    with LabApiServer(store=Store(history=3), timing=FAST) as lab:
        seed(lab.store)
        async with await KubeClient.connect(
            str(lab.write_kubeconfig(tmp_path / "kubeconfig")), timeout=5.0
        ) as kube:
            method = kube._core.list_node

            def compacting(*args: Any, **kw: Any) -> Any:
                if kw.get("_continue"):  # etcd compacts between the pages
                    for i in range(4):
                        _set_kernel(lab, "vm-1", f"6.{i}.0-1-generic")
                return method(*args, **kw)

            monkeypatch.setattr(kube._core, "list_node", compacting)
            nodes = await kube.list_nodes()
    assert [n["metadata"]["name"] for n in nodes] == ["board-1", "vm-1", "vm-2", "vm-3"]
    assert _list_requests(lab, "/api/v1/nodes")[-1] == (None, None), "then one list, unpaged"

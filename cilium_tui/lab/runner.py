"""Start and stop a whole lab: the API server, the cluster's behaviour and the SSH boards.

The lab never shares the caller's event loop: the API server has its own thread, the boards run on
another, so the console (or a test, or `cilium-tui lab`) talks to it exactly as to a remote cluster,
through the files it writes: a kubeconfig, an ssh_config (ProxyJump through the lab's jump host),
known_hosts and an inventory.
"""

from __future__ import annotations

import asyncio
import resource
import shutil
import tempfile
import threading
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

from cilium_tui.collect.fdlimit import FDS_PER_CONNECTION, RESERVE, open_files
from cilium_tui.lab.boards import LabBoards
from cilium_tui.lab.cluster import LabCluster
from cilium_tui.lab.files import LabFiles
from cilium_tui.lab.kube.controllers import Timing
from cilium_tui.lab.kube.server import LabApiServer
from cilium_tui.lab.scenarios import Scenario, scenario

T = TypeVar("T")
_START_TIMEOUT = 60.0
FAULTS = ("unreachable", "unready", "exec-fail", "exec-hang", "exec-stall")
"""Fault knobs: a board refusing SSH, an agent crash-looping, an exec failing, hanging after it
started, or never answered (no websocket handshake)."""
API_FAULTS = ("throttle", "late")
"""API fault knobs on a `VERB/RESOURCE` (e.g. `delete/pods`): `throttle` answers the next 3 such
requests 429 Too Many Requests; `late` carries each out at once but answers it 15 s later (past
the client's 10 s timeout)."""
THROTTLED = 3
LATE = 15.0


class RunningLab:
    """A started lab. `stop()` (or the context manager) ends every server and thread."""

    def __init__(self, scenario: Scenario, api: LabApiServer, cluster: LabCluster) -> None:
        self.scenario = scenario
        self.api = api
        self.cluster = cluster
        self.boards: LabBoards | None = None
        self.files: LabFiles | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="lab-ssh", daemon=True)
        self._owned_dir: Path | None = None

    @property
    def context(self) -> str:
        return f"lab-{self.scenario.name.replace(':', '-')}"

    def on_ssh_loop(self, coro: Coroutine[Any, Any, T], timeout: float = _START_TIMEOUT) -> T:
        """Run a coroutine on the boards' loop (e.g. a knob) and wait for it."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def set_latency(self, seconds: float) -> None:
        """Every API request and every SSH command of the lab takes this much longer."""
        self.api.knobs.latency = seconds
        if self.boards is not None:
            for name in self.boards.boards:
                self.boards.set_latency(name, seconds)

    def answer_late(self, verb: str, resource: str, seconds: float, *, after: int = 0) -> None:
        """Carry out `verb` on `resource` at once but answer `seconds` later (0: on time), from
        the request after the next `after` such requests on."""
        self.api.knobs.answer_late[f"{verb} {resource}"] = seconds
        self.api.knobs.answer_late_after[f"{verb} {resource}"] = after

    def inject(self, fault: str) -> None:
        """Apply a fault knob, `KIND:NODE` (see FAULTS). Raises ValueError for a bad one."""
        kind, _, node = fault.partition(":")
        if kind in API_FAULTS:
            verb, _, resource = node.partition("/")
            if not verb.isalpha() or not resource.isalpha():
                raise ValueError(f"not a fault ({kind}:VERB/RESOURCE, e.g. delete/pods): {fault!r}")
            if kind == "throttle":
                self.api.access.throttle(verb, resource, THROTTLED)
            else:
                self.answer_late(verb, resource, LATE)
            return
        if kind not in FAULTS or not node:
            raise ValueError(f"not a fault (KIND:NODE, KIND one of {', '.join(FAULTS)}): {fault!r}")
        if node not in self.cluster.hosts:
            raise ValueError(f"no node {node!r} in scenario {self.scenario.name}")
        if kind == "unreachable":
            self.cluster.hosts[node].reachable = False
        elif kind == "unready":
            self.api.set_agent_unready(node)
        else:
            pods, _ = self.api.store.list("pods", field_selector=f"spec.nodeName={node}")
            names = [p["metadata"]["name"] for p in pods]
            knobs = self.api.knobs
            self.api.set_exec_faults(
                fail=[*knobs.exec_fail, *(names if kind == "exec-fail" else [])],
                hang=[*knobs.exec_hang, *(names if kind == "exec-hang" else [])],
                stall=[*knobs.exec_stall, *(names if kind == "exec-stall" else [])],
            )

    def stop(self) -> None:
        if self.boards is not None:
            boards, self.boards = self.boards, None
            self.on_ssh_loop(boards.stop(), timeout=10)
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self.api.stop()
        if self._owned_dir is not None:
            shutil.rmtree(self._owned_dir, ignore_errors=True)
            self._owned_dir = None

    def __enter__(self) -> RunningLab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


SCAN_CONNECTIONS = 8
"""The fewest SSH connections a scan of the lab needs to make progress (see SshPool's cap)."""


def _check_open_files(chosen: Scenario) -> None:
    """Every board listens on its own socket in this process: refuse a lab that cannot fit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return
    listeners = len(chosen.nodes) + 1  # the boards and the jump host
    needed = open_files() + listeners + RESERVE + SCAN_CONNECTIONS * FDS_PER_CONNECTION
    if needed > soft:
        raise RuntimeError(
            f"scenario {chosen.name} needs about {needed} open files (one SSH server per "
            f"board, all in this process) but the limit is {soft}: raise it (ulimit -n "
            f"{max(needed, 2 * listeners + RESERVE)}) or choose fewer nodes"
        )


def start_lab(
    name: str = "seed",
    directory: Path | None = None,
    *,
    latency: float = 0.0,
    faults: Sequence[str] = (),
    timing: Timing | None = None,
) -> RunningLab:
    """Start the lab of scenario `name` and write its client files into `directory`.

    Without a directory the files go to a private temporary one, removed by `stop()`.
    Raises ValueError for an unknown scenario name or a bad fault, RuntimeError when the
    open-files limit cannot hold the lab's SSH servers and a scan of them.
    """
    chosen = scenario(name)
    _check_open_files(chosen)
    api = LabApiServer(version=chosen.kubernetes_version, timing=timing)
    cluster = LabCluster(chosen, api)
    cluster.seed()
    lab = RunningLab(chosen, api, cluster)
    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="cilium-tui-lab-"))
        lab._owned_dir = directory
    elif not directory.exists():
        directory.mkdir(parents=True, mode=0o700)  # the files in it carry a token and a key
    # An existing directory is the user's: its mode stays theirs (the token and key files are
    # private by themselves).
    try:
        api.start()
        lab._thread.start()
        # VMs are reached directly, boards through the lab's jump host, as in the seed's network.
        direct = [n.name for n in chosen.nodes if not n.ssh_board]
        # Each board listens where its Node says it is (a loopback address): a client that maps
        # nodes to hosts by InternalIP reaches the lab's board, never another machine.
        addresses = {n.name: n.internal_ip for n in chosen.nodes}
        boards = lab.on_ssh_loop(
            LabBoards.start(cluster.hosts, directory / "ssh", direct=direct, addresses=addresses)
        )
        lab.boards = boards
        kubeconfig = directory / "kubeconfig"
        api.write_kubeconfig(kubeconfig, context=lab.context)
        lab.files = LabFiles(
            directory=directory,
            kubeconfig=kubeconfig,
            ssh_config=boards.ssh_config_path,
            known_hosts=boards.known_hosts_path,
            inventory=boards.write_inventory(
                directory / "inventory.toml", nodes=[n.name for n in chosen.nodes]
            ),
        )
        lab.set_latency(latency)
        for fault in faults:
            lab.inject(fault)
    except BaseException:
        lab.stop()
        raise
    return lab

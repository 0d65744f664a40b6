"""From settings to a Source: a real cluster (kubeconfig + SSH), or the embedded lab for `--demo`.

Every command that reads a cluster (the console, `check`, `plan`, `apply`, `undo`) opens it here, so
`--demo` means the same thing everywhere: the lab is started in a process of its own and then read
exactly as a remote cluster, through the kubeconfig, ssh_config, known_hosts and inventory it
writes.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path

from cilium_tui.collect.inventory import (
    Inventory,
    InventoryError,
    SshTarget,
    load_inventory,
    ssh_config_hosts,
)
from cilium_tui.collect.kube import KubeClient, KubeError, NoKubeconfig
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.collect.source import NodeEvent, ProgressCallback, ScanProgress, ScanStream
from cilium_tui.collect.ssh import SshPool
from cilium_tui.model import NodeRecord, Snapshot
from cilium_tui.settings import DEFAULT_CONCURRENCY, Settings

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")


MAX_LATENCY = 60.0
"""The lab's added latency: beyond a minute every call times out anyway."""


class OpenError(Exception):
    """The cluster cannot be opened; the message is one line a user can act on."""


class NoCluster(OpenError):
    """No cluster is configured at all (no kubeconfig): the command may suggest --demo."""


def parse_duration(text: str | None) -> float:
    """ "50ms", "0.2s", "1" (seconds) -> seconds; None or "" -> 0."""
    if not text:
        return 0.0
    m = _DURATION.match(text)
    if m is None:
        raise OpenError(f"not a duration (try 50ms or 0.5s): {text!r}")
    value = float(m.group(1))
    seconds = value / 1000 if m.group(2) == "ms" else value
    if seconds > MAX_LATENCY:
        raise OpenError(f"a duration of at most {MAX_LATENCY:g} s, not {text!r}")
    return seconds


async def open_source(
    settings: Settings,
    *,
    latency: float = 0.0,
    faults: Sequence[str] = (),
    lab_directory: Path | None = None,
    lab_directory_temporary: bool = False,
) -> ClusterSource:
    """The Source the settings name. Raises OpenError with a clear message.

    `latency` and `faults` are the lab's knobs (see `cilium_tui.lab.runner.FAULTS`);
    `lab_directory` is where the lab writes its files (default: its own, removed with it), removed
    with the lab too when `lab_directory_temporary`.
    """
    if settings.demo:
        return await _open_lab(
            settings.demo,
            latency,
            faults,
            lab_directory,
            temporary=lab_directory_temporary,
            no_ssh=settings.no_ssh,
            concurrency=settings.concurrency,
        )
    if latency or faults:
        raise OpenError("--latency and --fault are lab knobs: use them with --demo")
    try:
        kube = await KubeClient.connect(
            settings.kubeconfig, settings.context, exec_concurrency=settings.concurrency
        )
    except NoKubeconfig as e:
        raise NoCluster(str(e)) from e
    except KubeError as e:
        raise OpenError(str(e)) from e
    try:
        inventory = load_inventory(settings.inventory) if settings.inventory else Inventory()
        if settings.ssh_to_internal_ip:
            inventory = replace(inventory, ssh_to_internal_ip=True)
    except (InventoryError, OSError) as e:
        await kube.close()
        raise OpenError(f"inventory: {e}") from e
    ssh = None
    ssh_hosts: list[str] = []
    if not settings.no_ssh:
        ssh = SshPool(
            settings.ssh_config,
            jump=settings.jump,
            concurrency=settings.concurrency,
            max_connections=settings.ssh_keep,
        )
        ssh_hosts = ssh_config_hosts(settings.ssh_config)
    return ClusterSource(
        f"context {kube.context}", kube=kube, ssh=ssh, inventory=inventory, ssh_hosts=ssh_hosts
    )


def check_scenario(name: str) -> None:
    """An unknown scenario is refused before the screen opens (it is only a name to look up)."""
    from cilium_tui.lab.scenarios import scenario  # noqa: PLC0415 - loaded only for --demo

    try:
        scenario(name)
    except ValueError as e:
        raise OpenError(f"--demo: {e}") from e


async def _open_lab(
    name: str,
    latency: float,
    faults: Sequence[str],
    directory: Path | None,
    *,
    temporary: bool = False,
    no_ssh: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> ClusterSource:
    # The lab runs in a process of its own: it never takes the console's GIL.
    from cilium_tui.lab.process import LabFailed, LabProcess, LabRefused  # noqa: PLC0415

    try:
        lab = await LabProcess.start(
            name, directory, latency=latency, faults=faults, temporary=temporary
        )
    except LabRefused as e:
        raise OpenError(f"--demo: {e}") from e
    except (LabFailed, OSError) as e:
        raise OpenError(f"the lab could not start: {e}") from e
    files = lab.files
    try:
        kube = await KubeClient.connect(str(files.kubeconfig), exec_concurrency=concurrency)
        ssh = (
            None
            if no_ssh
            else SshPool(files.ssh_config, known_hosts=files.known_hosts, concurrency=concurrency)
        )
        inventory = load_inventory(Path(files.inventory))
    except BaseException:
        await asyncio.to_thread(lab.stop)
        raise
    return ClusterSource(
        f"lab {lab.scenario}",
        kube=kube,
        ssh=ssh,
        inventory=inventory,
        owns=lab,
        journal_dir=files.directory / "journal",
    )


class OpeningSource:
    """A ClusterSource opened by its first scan, so that the console paints before anything is
    opened or read (the lab starting, the kubeconfig's clients). A failure to open is that
    scan's error; the next scan tries again. It is also what the remediation engine changes
    through (`kube` and `ssh` are the opened source's, None before)."""

    def __init__(self, name: str, opener: Callable[[], Awaitable[ClusterSource]]) -> None:
        self._name = name
        self._opener = opener
        self._source: ClusterSource | None = None
        self._lock = asyncio.Lock()
        self.kube: KubeClient | None = None
        self.ssh: SshPool | None = None

    @property
    def name(self) -> str:
        return self._source.name if self._source is not None else self._name

    async def opened(self, progress: ProgressCallback | None = None) -> ClusterSource:
        async with self._lock:
            if self._source is None:
                if progress is not None:
                    progress(ScanProgress(0, 1, f"opening {self._name}"))
                self._source = await self._opener()
                self.kube, self.ssh = self._source.kube, self._source.ssh
        return self._source

    async def scan(
        self, progress: ProgressCallback | None = None, stream: ScanStream | None = None
    ) -> Snapshot:
        return await (await self.opened(progress)).scan(progress, stream)

    async def node_events(self) -> AsyncIterator[NodeEvent]:
        async for event in (await self.opened()).node_events():
            yield event

    def ssh_target(self, record: NodeRecord) -> SshTarget | None:
        return self._source.ssh_target(record) if self._source is not None else None

    async def close(self) -> None:
        if self._source is not None:
            await self._source.close()

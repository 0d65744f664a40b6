"""The embedded lab, started in-process and read through the real collectors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from cilium_tui.collect.inventory import load_inventory
from cilium_tui.collect.kube import KubeClient
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.collect.ssh import SshPool
from cilium_tui.lab.kube.controllers import Timing
from cilium_tui.lab.runner import RunningLab, start_lab

FAST = Timing(create_delay=0.05, start_delay=0.1, backoff=0.2, backoff_max=1.0)
"""The DaemonSet controller's delays, shortened so rollouts take a fraction of a second."""


async def lab_source(name: str = "seed") -> ClusterSource:
    """A started lab (`running(source)`) read exactly as `--demo` reads it."""
    lab = start_lab(name, timing=FAST)
    files = lab.files
    assert files is not None
    kube = await KubeClient.connect(str(files.kubeconfig))
    ssh = SshPool(files.ssh_config, known_hosts=files.known_hosts)
    return ClusterSource(
        f"lab {name}",
        kube=kube,
        ssh=ssh,
        inventory=load_inventory(files.inventory),
        owns=lab,
        journal_dir=files.directory / "journal",
    )


@pytest.fixture
async def seed() -> AsyncIterator[ClusterSource]:
    source = await lab_source("seed")
    yield source
    await source.close()


def running(source: ClusterSource) -> RunningLab:
    assert isinstance(source.owns, RunningLab)
    return source.owns


LabFactory = Callable[[str], ClusterSource]

"""Remediation against the running lab: its HTTPS API server, its SSH boards, its agent model."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.lab.host import HostState
from cilium_tui.lab.kube.requestlog import RecordedRequest
from cilium_tui.lab.runner import RunningLab
from cilium_tui.remedy.engine import ApplyResult, ProgressCallback, RemedyEngine, confirm
from cilium_tui.remedy.engine import confirmation_word as word
from cilium_tui.remedy.journal import Journal
from cilium_tui.remedy.plan import Plan
from tests.integration.lab.conftest import lab_source, running

READY_TIMEOUT = 5.0
"""How long a restarted lab agent may take: with the lab's FAST timing it needs ~0.2 s."""

__all__ = ["Lab", "apply", "lab", "lab_source", "running"]


class Lab:
    """A started lab scenario with an engine whose journal lives in a temporary directory."""

    def __init__(self, source: ClusterSource, journal: Path) -> None:
        self.source = source
        self.journal = Journal(journal)
        self.engine = RemedyEngine(source, journal=self.journal, ready_timeout=READY_TIMEOUT)

    @property
    def running(self) -> RunningLab:
        return running(self.source)

    def config(self) -> dict[str, str]:
        """cilium-config's data as the API server holds it now."""
        return self.running.cluster.config()

    def hosts(self) -> dict[str, HostState]:
        """A copy of every machine's state."""
        return copy.deepcopy(self.running.cluster.hosts)

    def mutating(self) -> list[RecordedRequest]:
        return self.running.api.requests.mutating()

    def agent_pods(self) -> dict[str, str]:
        """Node -> the name of its agent pod now."""
        pods = self.running.api.store.list("pods")[0]
        return {p["spec"]["nodeName"]: p["metadata"]["name"] for p in pods}


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[Callable[[str], object]]:
    """`await lab("seed")`: a started lab, closed after the test."""
    started: list[ClusterSource] = []

    async def start(name: str) -> Lab:
        source = await lab_source(name)
        started.append(source)
        return Lab(source, tmp_path / f"journal-{len(started)}")

    yield start
    for source in started:
        await source.close()


async def apply(lab: Lab, plan: Plan, progress: ProgressCallback | None = None) -> ApplyResult:
    """Apply `plan` as a person who typed the context name would."""
    return await lab.engine.apply(plan, confirm(plan, typed=word(plan)), progress=progress)

"""Fixtures of the UI tests: the lab's seed as one scan (see `support.lab_scan`), or running."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cilium_tui.collect.scan import ClusterSource
from cilium_tui.model import Snapshot
from tests.integration.lab.conftest import lab_source
from tests.ui.support import lab_scan


@pytest.fixture
def seed() -> Snapshot:
    """The seed cluster as `cilium-tui --demo` scans it (scanned once per session)."""
    return lab_scan("seed")


@pytest.fixture
async def seed_lab() -> AsyncIterator[ClusterSource]:
    """A running seed lab, read as `--demo` reads it (closed after the test)."""
    source = await lab_source("seed")
    yield source
    await source.close()  # idempotent: a console on it closed it already


@pytest.fixture
async def training() -> AsyncIterator[ClusterSource]:
    """A running training lab (Cilium's defaults: every node Legacy), closed after the test."""
    source = await lab_source("training")
    yield source
    await source.close()

"""Fixtures of the UI tests: the lab's clusters as one scan each (see `support.lab_scan`)."""

from __future__ import annotations

import pytest

from cilium_tui.model import Snapshot
from tests.ui.support import lab_scan


@pytest.fixture
def seed() -> Snapshot:
    """The seed cluster as `cilium-tui --demo` scans it (scanned once per session)."""
    return lab_scan("seed")

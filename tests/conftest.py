"""Suite-wide test settings.

CILIUM_TUI_STRICT=1 (set by .ci/run) turns every skip into a failure: tests that need root, sshd or
tmux skip with a visible reason for an ordinary user, but in CI they must run.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path

import pytest

STRICT = os.environ.get("CILIUM_TUI_STRICT") == "1"
DATA = Path(__file__).parent / "data"


def need(condition: bool, reason: str) -> None:
    """Skip (or, in strict CI, fail) when a test's real component is not available here."""
    if not condition:
        if STRICT:
            pytest.fail(f"required in CI: {reason}")
        pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None]:
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped in strict CI mode: {report.longrepr}"

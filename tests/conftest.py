"""Suite-wide test settings.

CILIUM_TUI_STRICT=1 (set by .ci/run) turns every skip into a failure: tests that need root, sshd or
tmux skip with a visible reason for an ordinary user, but in CI they must run.
"""

from __future__ import annotations

import os
import shutil
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


APT_PACKAGES = (
    "openssh-server openssh-client tmux iproute2 procps sudo iptables gcc chromium chromium-driver"
)
"""The tools the tests drive for real, as .ci/run installs them (and README.md says)."""
KUBECTL_HINT = "kubectl from https://kubernetes.io/docs/tasks/tools/"


def missing_tools(*tools: str) -> list[str]:
    """Those of `tools` (names on $PATH, or paths) that cannot be run here."""
    return [tool for tool in tools if shutil.which(tool) is None]


def tools_reason(what: str, missing: list[str]) -> str:
    """Why `what` cannot run: every missing tool at once, and the line that installs them."""
    how = [f"apt-get install {APT_PACKAGES}"]
    if any(Path(tool).name == "kubectl" for tool in missing):
        how.append(KUBECTL_HINT)
    return f"{what} needs {', '.join(missing)}; install with: {'; '.join(how)}"


def need_tools(*tools: str, what: str = "this test") -> None:
    """Skip (or, in strict CI, fail) naming every one of `tools` that is missing."""
    missing = missing_tools(*tools)
    need(not missing, tools_reason(what, missing))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None]:
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped in strict CI mode: {report.longrepr}"

"""A skipped test says everything that is missing at once, and the one line that installs it: the
line .ci/run uses and README.md gives."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import APT_PACKAGES, KUBECTL_HINT, missing_tools, tools_reason

ROOT = Path(__file__).parents[2]


def test_every_missing_tool_is_named_with_the_apt_line() -> None:
    missing = missing_tools("sh", "no-such-tool-a", "/no/such/kubectl", "no-such-tool-b")
    assert missing == ["no-such-tool-a", "/no/such/kubectl", "no-such-tool-b"]
    reason = tools_reason("the bed", missing)
    assert reason.startswith("the bed needs no-such-tool-a, /no/such/kubectl, no-such-tool-b;")
    assert f"apt-get install {APT_PACKAGES}" in reason
    assert KUBECTL_HINT in reason
    assert KUBECTL_HINT not in tools_reason("x", ["tmux"])


def test_the_apt_line_is_the_one_ci_and_the_readme_use() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    [packages] = re.findall(r"apt-get install -y -q ([a-z0-9 -]+?) >/dev/null", ci)
    assert packages == APT_PACKAGES
    assert f"apt-get install {APT_PACKAGES}" in (ROOT / "README.md").read_text()

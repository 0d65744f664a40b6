"""`cmd/uname--a.md` of a bugtool folder -> the host facts the probe's parser reads from uname."""

from __future__ import annotations

import pytest

from cilium_tui.offline.bugtool import ONLY_UNAME, uname_facts


def test_ubuntu_uname_with_processor_and_platform() -> None:
    facts = uname_facts(
        "Linux k8s-node-1 5.15.0-58-generic #64-Ubuntu SMP PREEMPT_DYNAMIC Thu Jan 5 11:43:13 "
        "UTC 2023 x86_64 x86_64 x86_64 GNU/Linux\n"
    )
    assert facts is not None
    assert (facts.kernel_release, facts.machine, facts.hostname) == (
        "5.15.0-58-generic",
        "x86_64",
        "k8s-node-1",
    )
    assert facts.kernel_build == "#64-Ubuntu SMP PREEMPT_DYNAMIC Thu Jan 5 11:43:13 UTC 2023"
    assert facts.preempt == "dynamic"
    assert facts.errors == (ONLY_UNAME,)
    assert str(facts.evidence["kernel_release"]).startswith("sysdump bugtool uname -a:")


def test_debian_board_uname_keeps_the_upstream_release_in_the_build() -> None:
    facts = uname_facts(
        "Linux rock64-1 4.19.0-24-arm64 #1 SMP Debian 4.19.289-2 (2023-08-08) aarch64 GNU/Linux"
    )
    assert facts is not None
    assert facts.machine == "aarch64" and facts.preempt is None
    assert facts.kernel_build == "#1 SMP Debian 4.19.289-2 (2023-08-08)"


@pytest.mark.parametrize("text", ["", "uname: not found", "Linux host", "Darwin h 23.1 x86_64"])
def test_anything_else_is_no_facts(text: str) -> None:
    assert uname_facts(text) is None

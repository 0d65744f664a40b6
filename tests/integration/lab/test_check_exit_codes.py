"""`cilium-tui check`'s exit code against the lab, with what RBAC lets it read changed.

0 every applicable item is on; 1 some off or blocked, or unverifiable because a collector failed;
2 the scan read nothing about Cilium (no agent status, no cilium-config).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator

import pytest

from cilium_tui.checks.catalogue import evaluate
from cilium_tui.collect.scan import ClusterSource
from cilium_tui.lab.runner import RunningLab
from tests.integration.lab.conftest import lab_source, running
from tests.integration.lab.test_lab_reacts import _patch_and_roll, _until

CLUSTER_ITEMS_ON = {"bpf-lb-mode": "dsr", "bpf-lb-acceleration": "native"}
"""With these, every Cilium item of the `modern` scenario is on or n/a."""


@pytest.fixture
async def tuned() -> AsyncIterator[ClusterSource]:
    """The modern lab with its two remaining Cilium items remediated, agents restarted."""
    source = await lab_source("modern")
    try:
        await _patch_and_roll(source, CLUSTER_ITEMS_ON)
        snapshot = await _until(
            source,
            lambda s: (
                all(r.agent is not None and not r.errors for r in s.nodes)
                and not any(r.failing for r in evaluate(s) if r.item.scope == "cilium")
            ),
        )
        assert not any(r.failing for r in evaluate(snapshot) if r.item.scope == "cilium")
        _tune_hosts(running(source))
        yield source
    finally:
        await source.close()


def _tune_hosts(lab: RunningLab) -> None:
    """The host side, as an admin leaves it: performance governors, and a kernel built with
    PREEMPT_NONE (its version string then names no preemption model: unknown through the agent
    pod, which counts only where SSH was asked to read it)."""
    for name, host in lab.cluster.hosts.items():
        if host.governors is not None:
            host.governors = ["performance"] * len(host.governors)
        host.kernel_config = {"CONFIG_PREEMPT_NONE": "y"}
        build = host.kernel_build.replace(" PREEMPT_DYNAMIC", "")
        lab.cluster.set_kernel(name, host.kernel_release, build)


async def _check(lab: RunningLab, *args: str) -> subprocess.CompletedProcess[str]:
    files = lab.files
    assert files is not None
    argv = [sys.executable, "-m", "cilium_tui", "check", "--kubeconfig", str(files.kubeconfig)]
    return await asyncio.to_thread(
        subprocess.run,
        [*argv, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_every_applicable_item_on_exits_0(tuned: ClusterSource) -> None:
    # --no-ssh: the host items are read through the agent pod (the governors count); what only
    # SSH shows stays unknown, by choice, and that does not fail the check.
    out = await _check(running(tuned), "--no-ssh", "--format", "json")
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr
    doc = json.loads(out.stdout)
    assert doc["exit_code"] == 0
    assert doc["cluster"]["failing"] == doc["cluster"]["unverifiable"] == []


async def test_agents_that_cannot_be_read_make_the_check_fail(tuned: ClusterSource) -> None:
    lab = running(tuned)
    lab.api.access.deny("create", "pods/exec")
    out = await _check(lab, "--no-ssh", "--format", "json")
    assert out.returncode == 1, out.stderr
    doc = json.loads(out.stdout)
    assert doc["exit_code"] == 1
    assert doc["cluster"]["failing"] == []  # nothing is known to be off...
    assert "bpf-host-routing" in doc["cluster"]["unverifiable"]  # ...but it cannot be verified
    for node in doc["nodes"]:
        assert node["problems"][0] == (
            f"agent status unavailable: exec cilium-dbg status -o json in kube-system/"
            f'{_pod(lab, node["name"])}: forbidden: pods "{_pod(lab, node["name"])}" is '
            'forbidden: User "lab-admin" cannot create resource "pods/exec" in API group "" '
            'in the namespace "kube-system"'
        )
    text = await _check(lab, "--no-ssh")
    assert text.returncode == 1
    assert "could not be verified (collection errors) (exit code 1)" in text.stdout


async def test_a_scan_that_read_nothing_about_cilium_exits_2(tuned: ClusterSource) -> None:
    lab = running(tuned)
    lab.api.access.deny("get", "configmaps")
    lab.api.access.deny("create", "pods/exec")
    out = await _check(lab, "--no-ssh")
    assert out.returncode == 2, out.stderr
    assert "read no agent status on any node and no cilium-config" in out.stderr
    assert "Traceback" not in out.stderr
    assert "(exit code 2)" in out.stdout  # the report is still printed: it shows why


def _pod(lab: RunningLab, node: str) -> str:
    pods, _ = lab.api.store.list("pods", field_selector=f"spec.nodeName={node}")
    return str(pods[0]["metadata"]["name"])

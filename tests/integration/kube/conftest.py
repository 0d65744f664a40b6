"""Fixtures: a seeded lab API server per test, a kubeconfig for it, the Python client, kubectl."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config

from cilium_tui.lab.kube import LabApiServer, Timing
from tests.conftest import need_tools
from tests.integration.kube.builders import seed

FAST = Timing(create_delay=0.05, start_delay=0.05, backoff=0.1, backoff_max=0.4)
KUBECTL = "/usr/bin/kubectl"


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll `predicate` until it returns something truthy; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def lab() -> Iterator[LabApiServer]:
    server = LabApiServer(timing=FAST)
    server.start()
    seed(server.store)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def agent_pods(lab: LabApiServer) -> list[str]:
    """The seeded agent pod names, in node order."""
    items, _ = lab.store.list("pods", "kube-system", label_selector="k8s-app=cilium")
    return sorted(p["metadata"]["name"] for p in items)


@pytest.fixture
def kubeconfig(lab: LabApiServer, tmp_path: Path) -> Path:
    return lab.write_kubeconfig(tmp_path / "kubeconfig")


@pytest.fixture
def api_client(kubeconfig: Path) -> Iterator[client.ApiClient]:
    api = config.new_client_from_config(config_file=str(kubeconfig), persist_config=False)
    try:
        yield api
    finally:
        api.close()


@pytest.fixture
def core(api_client: client.ApiClient) -> client.CoreV1Api:
    return client.CoreV1Api(api_client)


@pytest.fixture
def apps(api_client: client.ApiClient) -> client.AppsV1Api:
    return client.AppsV1Api(api_client)


@pytest.fixture
def kubectl(kubeconfig: Path, tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    need_tools(KUBECTL)

    def run(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [
                KUBECTL,
                "--kubeconfig",
                str(kubeconfig),
                "--cache-dir",
                str(tmp_path / "cache"),
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if check and done.returncode != 0:
            pytest.fail(f"kubectl {' '.join(args)} failed ({done.returncode}): {done.stderr}")
        return done

    return run

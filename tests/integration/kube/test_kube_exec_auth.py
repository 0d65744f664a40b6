"""Execs run on the event loop, but their credentials are the official client's: a kubeconfig
exec plugin (as EKS, GKE and OIDC logins use) is run by `kubernetes.config`, and its token is what
the exec's websocket carries."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

from cilium_tui.collect import kube_exec
from cilium_tui.collect.kube import KubeClient, Unauthorized
from cilium_tui.lab.kube import ExecResult, LabApiServer


def _echo(ns: str, pod: str, container: str, argv: Sequence[str]) -> ExecResult:
    return ExecResult(0, stdout=" ".join(argv) + "\n")


def _with_exec_plugin(kubeconfig: Path, token: str, tmp_path: Path) -> Path:
    plugin = tmp_path / "plugin.py"
    credential = {
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "status": {"token": token},
    }
    plugin.write_text(f"print({json.dumps(json.dumps(credential))})\n")
    doc = yaml.safe_load(kubeconfig.read_text())
    for user in doc["users"]:
        user["user"] = {
            "exec": {
                "apiVersion": "client.authentication.k8s.io/v1",
                "command": sys.executable,
                "args": [str(plugin)],
                "interactiveMode": "Never",
            }
        }
    path = tmp_path / "plugin-kubeconfig"
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.mark.parametrize("good", [True, False])
async def test_exec_carries_the_exec_plugins_token(
    lab: LabApiServer, kubeconfig: Path, tmp_path: Path, good: bool
) -> None:
    lab.exec_handler = _echo
    token = lab.token if good else "not-the-token"
    kube = await KubeClient.connect(str(_with_exec_plugin(kubeconfig, token, tmp_path)))
    try:
        if good:
            result = await kube.exec("kube-system", "cilium-vm-1", "cilium-agent", ["echo", "hi"])
            assert result.stdout == "echo hi\n"
        else:
            with pytest.raises(Unauthorized):
                await kube.exec("kube-system", "cilium-vm-1", "cilium-agent", ["echo", "hi"])
    finally:
        await kube.close()


async def test_a_burst_of_execs_asks_for_credentials_once(
    lab: LabApiServer, kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asking the library re-applies the whole kubeconfig: a scan's execs share one answer
    for `HEADERS_FOR` seconds (far inside the five minutes a token is renewed before it
    expires), and ask again after it."""
    lab.exec_handler = _echo
    kube = await KubeClient.connect(str(kubeconfig))
    try:

        async def burst(count: int) -> None:
            argv = ["echo", "hi"]
            runs = (
                kube.exec("kube-system", "cilium-vm-1", "cilium-agent", argv) for _ in range(count)
            )
            assert [r.stdout for r in await asyncio.gather(*runs)] == ["echo hi\n"] * count

        await burst(12)
        assert kube._websocket.headers_asked == 1
        monkeypatch.setattr(kube_exec, "HEADERS_FOR", 0.0)
        await burst(3)
        assert kube._websocket.headers_asked == 4
    finally:
        await kube.close()

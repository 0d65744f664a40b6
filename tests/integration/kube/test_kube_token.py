"""A bearer token is a secret: a kubeconfig token (or tokenFile) ending in a newline works, as
with client-go, and one with a control character inside is refused without ever printing it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cilium_tui.cli import main
from cilium_tui.collect.kube import ConfigError, KubeClient
from cilium_tui.lab.runner import RunningLab, start_lab
from tests.integration.lab.conftest import FAST


@pytest.fixture(scope="module")
def lab() -> object:
    running = start_lab("seed", timing=FAST)
    yield running
    running.stop()


def kubeconfig_with(lab: RunningLab, tmp_path: Path, user: dict[str, str]) -> Path:
    files = lab.files
    assert files is not None
    doc = yaml.safe_load(files.kubeconfig.read_text())
    doc["users"][0]["user"] = user
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.mark.parametrize("kind", ["token", "tokenFile"])
@pytest.mark.parametrize("end", ["\n", "\r\n", " \r"])
async def test_a_token_ending_in_a_newline_works(
    lab: RunningLab, tmp_path: Path, kind: str, end: str
) -> None:
    token = lab.api.token + end
    if kind == "tokenFile":
        (tmp_path / "token").write_text(token)
        token = str(tmp_path / "token")
    path = kubeconfig_with(lab, tmp_path, {kind: token})
    async with await KubeClient.connect(str(path)) as kube:
        assert len(await kube.list_nodes()) == 6


def test_a_token_with_a_line_break_inside_is_refused_unprinted(
    lab: RunningLab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = lab.api.token[:10] + "\n" + lab.api.token[10:]
    path = kubeconfig_with(lab, tmp_path, {"token": token})
    with pytest.raises(ConfigError, match="control character") as refused:
        import asyncio

        asyncio.run(KubeClient.connect(str(path)))
    assert lab.api.token[:10] not in str(refused.value)
    code = main(["check", "--kubeconfig", str(path), "--no-ssh"])
    out, err = capsys.readouterr()
    assert code == 2 and "control character" in err
    for part in (lab.api.token[:10], lab.api.token[10:]):
        assert part not in out + err

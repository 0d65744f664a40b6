"""The exec websocket frame by frame (what the official client and kubectl hide)."""

from __future__ import annotations

import json
import ssl
import tempfile
from collections.abc import Iterator, Sequence

import pytest
import websocket

from cilium_tui.lab.kube import ExecResult, LabApiServer

EXEC = "/api/v1/namespaces/kube-system/pods/cilium-vm-1/exec"
QUERY = "?command=cilium-dbg&command=status&container=cilium-agent&stdout=true&stderr=true"


def _handler(ns: str, pod: str, container: str, argv: Sequence[str]) -> ExecResult:
    return ExecResult(0, stdout=f"{ns}/{pod}/{container}: {' '.join(argv)}\n", stderr="warn\n")


@pytest.fixture
def ca_file(lab: LabApiServer) -> Iterator[str]:
    with tempfile.NamedTemporaryFile(suffix=".crt") as f:
        f.write(lab.ca_pem)
        f.flush()
        yield f.name


def _connect(
    lab: LabApiServer, ca_file: str, protocols: str, query: str = QUERY
) -> websocket.WebSocket:
    ws = websocket.WebSocket(sslopt={"cert_reqs": ssl.CERT_REQUIRED, "ca_certs": ca_file})
    ws.connect(
        lab.url.replace("https://", "wss://") + EXEC + query,
        header=[f"Authorization: Bearer {lab.token}"],
        subprotocols=[protocols],
        timeout=10,
    )
    return ws


@pytest.mark.parametrize("protocol", ["v5.channel.k8s.io", "v4.channel.k8s.io"])
def test_frames_in_order(lab: LabApiServer, ca_file: str, protocol: str) -> None:
    lab.exec_handler = _handler
    ws = _connect(lab, ca_file, protocol)
    assert ws.subprotocol == protocol
    frames = []
    while True:
        opcode, data = ws.recv_data()
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            break
        assert opcode == websocket.ABNF.OPCODE_BINARY
        frames.append(data)
    ws.close()
    assert frames == [
        b"\x01",  # the empty first message
        b"\x01kube-system/cilium-vm-1/cilium-agent: cilium-dbg status\n",
        b"\x02warn\n",
        b'\x03{"metadata":{},"status":"Success"}',
    ]


def test_stderr_not_asked_for_is_not_sent(lab: LabApiServer, ca_file: str) -> None:
    lab.exec_handler = _handler
    ws = _connect(lab, ca_file, "v5.channel.k8s.io", QUERY.replace("stderr=true", "stderr=false"))
    frames = []
    while (frame := ws.recv_data())[0] != websocket.ABNF.OPCODE_CLOSE:
        frames.append(frame[1][0])
    ws.close()
    assert frames == [1, 1, 3]


def test_non_zero_exit_status_frame(lab: LabApiServer, ca_file: str) -> None:
    lab.exec_handler = lambda ns, pod, c, argv: ExecResult(3)
    ws = _connect(lab, ca_file, "v5.channel.k8s.io")
    *_, last = [ws.recv_data()[1] for _ in range(2)]
    ws.close()
    assert json.loads(last[1:]) == {
        "metadata": {},
        "status": "Failure",
        "message": "command terminated with non-zero exit code: error executing command "
        "[cilium-dbg status], exit code 3",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": "3"}]},
    }


def test_unknown_subprotocol_is_refused(lab: LabApiServer, ca_file: str) -> None:
    with pytest.raises(websocket.WebSocketBadStatusException) as e:
        _connect(lab, ca_file, "base64.channel.k8s.io")
    assert e.value.status_code == 400


def test_plain_get_on_exec_is_400(lab: LabApiServer) -> None:
    import urllib.error
    import urllib.request

    ctx = ssl.create_default_context(cadata=lab.ca_pem.decode())
    req = urllib.request.Request(lab.url + EXEC + QUERY, method="POST")
    req.add_header("Authorization", f"Bearer {lab.token}")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, context=ctx, timeout=10)
    assert e.value.code == 400
    assert json.loads(e.value.read())["message"] == "Upgrade request required"


def test_spdy_exec_is_refused_with_what_to_use(lab: LabApiServer) -> None:
    import urllib.error
    import urllib.request

    ctx = ssl.create_default_context(cadata=lab.ca_pem.decode())
    req = urllib.request.Request(lab.url + EXEC + QUERY, method="POST")
    req.add_header("Authorization", f"Bearer {lab.token}")
    req.add_header("Connection", "Upgrade")
    req.add_header("Upgrade", "SPDY/3.1")  # what kubectl < 1.30 sends
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, context=ctx, timeout=10)
    assert e.value.code == 422
    assert json.loads(e.value.read())["message"] == (
        "SPDY is not emulated by the cilium-tui lab: use kubectl >= 1.30 (websocket exec)"
    )


def test_exec_into_a_crashed_container_is_refused(lab: LabApiServer, ca_file: str) -> None:
    lab.store.update(
        "pods",
        "kube-system",
        "cilium-vm-1",
        lambda p: p["status"]["containerStatuses"][0].update(
            state={"waiting": {"reason": "CrashLoopBackOff"}}
        ),
    )
    with pytest.raises(websocket.WebSocketBadStatusException) as e:
        _connect(lab, ca_file, "v5.channel.k8s.io")
    assert e.value.status_code == 400

"""Small pure pieces of the lab controller and the collector."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from cilium_tui.collect.kube import (
    ExecFailed,
    KubeError,
    _exec_result,
    _handshake_body,
    _status_message,
    go_rfc3339,
)
from cilium_tui.lab.kube.controllers import (
    StartResult,
    apply_start_result,
    max_unavailable,
    template_hash,
)
from cilium_tui.lab.kube.exec import ExecResult, command_not_found, status_frame


def _ds(max_unavailable: Any = None) -> dict[str, Any]:
    rolling = {} if max_unavailable is None else {"maxUnavailable": max_unavailable}
    return {
        "spec": {
            "updateStrategy": {"rollingUpdate": rolling},
            "template": {"metadata": {"labels": {"k8s-app": "cilium"}}},
        }
    }


@pytest.mark.parametrize(
    ("value", "desired", "expected"),
    [(None, 6, 1), (2, 6, 2), ("10%", 6, 1), ("50%", 6, 3), ("34%", 6, 3), (0, 6, 1)],
)
def test_max_unavailable(value: Any, desired: int, expected: int) -> None:
    assert max_unavailable(_ds(value), desired) == expected


def test_template_hash_follows_the_template_only() -> None:
    a, b = _ds(1), _ds(2)
    assert template_hash(a) == template_hash(b)  # strategy is not part of the template
    b["spec"]["template"]["metadata"]["annotations"] = {"kubectl.kubernetes.io/restartedAt": "x"}
    assert template_hash(a) != template_hash(b)


def test_crash_loop_status_shape() -> None:
    pod = {
        "metadata": {"name": "cilium-abcde", "uid": "u"},
        "spec": {"containers": [{"name": "cilium-agent", "image": "quay.io/cilium/cilium:v1"}]},
    }
    apply_start_result(pod, StartResult(False, "CrashLoopBackOff", "level=fatal msg=x"), 4)
    (status,) = pod["status"]["containerStatuses"]
    assert status["restartCount"] == 4 and status["ready"] is False
    assert status["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert status["lastState"]["terminated"]["message"] == "level=fatal msg=x"
    ready = {c["type"]: c for c in pod["status"]["conditions"]}["Ready"]
    assert (ready["status"], ready["reason"]) == ("False", "ContainersNotReady")
    assert pod["status"]["phase"] == "Running"


@pytest.fixture
def local_zone() -> Iterator[Callable[[str], None]]:
    saved = os.environ.get("TZ")

    def use(zone: str) -> None:
        os.environ["TZ"] = zone
        time.tzset()

    try:
        yield use
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


def test_go_rfc3339_is_local_time_like_kubectl(local_zone: Callable[[str], None]) -> None:
    moment = datetime(2026, 11, 27, 10, 0, 5, 123, tzinfo=UTC)
    local_zone("UTC0")
    assert go_rfc3339(moment) == "2026-11-27T10:00:05Z"
    local_zone("CET-1")  # POSIX spelling of UTC+1, no tzdata needed
    assert go_rfc3339(moment) == "2026-11-27T11:00:05+01:00"


@pytest.mark.parametrize(
    ("result", "argv", "expected"),
    [
        (ExecResult(0, "out"), ["x"], 0),
        (ExecResult(3), ["sh", "-c", "exit 3"], 3),
    ],
)
def test_status_frames_round_trip_through_the_collector(
    result: ExecResult, argv: list[str], expected: int
) -> None:
    frame = status_frame(result, argv)
    assert frame[0] == 3
    assert _exec_result("t", "o", "e", frame[1:].decode()).rc == expected


def test_internal_error_frame_is_exec_failed() -> None:
    frame = status_frame(command_not_found("cilium-dbg"), ["cilium-dbg", "status"])
    status = json.loads(frame[1:])
    assert (status["reason"], status["code"]) == ("InternalError", 500)
    with pytest.raises(ExecFailed, match='exec: "cilium-dbg": executable file not found'):
        _exec_result("t", "", "", frame[1:].decode())


def test_missing_or_garbled_exit_status() -> None:
    with pytest.raises(KubeError, match="closed without an exit status"):
        _exec_result("t", "", "", "")
    with pytest.raises(KubeError, match="unreadable exit status"):
        _exec_result("t", "", "", "{nope")


@pytest.mark.parametrize(
    "body",
    [
        # websocket-client 1.9 prints the body as served ...
        '{"kind":"Status","message":"pods \\"ghost\\" not found – gone","code":404}',
        # ... older versions print the bytes' repr
        repr('{"kind":"Status","message":"pods \\"ghost\\" not found – gone","code":404}'.encode()),
    ],
)
def test_a_failed_handshake_body_gives_the_status_message(body: str) -> None:
    reason = f"Handshake status 404 Not Found -+-+- {{'content-type': 'x'}} -+-+- {body}"
    assert _status_message(_handshake_body(reason)) == 'pods "ghost" not found – gone'

"""Faults injected through the lab over real sockets, with the real command line in a subprocess:
the client killed (kill -9, Ctrl-C, SIGTERM) at each point of a rollout, a PATCH applied but
answered late, 429 on DELETE. After each, the cluster's state is stated correctly, `undo`
returns every node to the old config, and no secret reaches any output."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cilium_tui.lab.runner import RunningLab, start_lab
from tests.integration.lab.conftest import FAST

DEADLINE = 60.0
NS = "kube-system"


@dataclass
class Run:
    """A `cilium-tui` subprocess whose stderr is read line by line as it comes."""

    process: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)
    out: list[str] = field(default_factory=list)
    readers: list[threading.Thread] = field(default_factory=list)

    def wait_for(self, text: str, count: int = 1) -> None:
        """Until `text` appeared on `count` stderr lines (fails at the deadline)."""
        deadline = time.monotonic() + DEADLINE
        while sum(text in line for line in self.seen) < count:
            left = deadline - time.monotonic()
            assert left > 0, f"no {text!r} in:\n" + "".join(self.seen)
            try:
                self.seen.append(self.lines.get(timeout=left))
            except queue.Empty:
                continue

    def finish(self) -> tuple[int, str, str]:
        code = self.process.wait(timeout=DEADLINE)
        for reader in self.readers:
            reader.join(timeout=DEADLINE)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return code, "".join(self.out), "".join(self.seen)


class Cli:
    """The command line against a lab, each run a subprocess, one journal for all of them."""

    def __init__(self, lab: RunningLab, state: Path) -> None:
        self.lab = lab
        self.state = state
        self.outputs: list[str] = []

    def start(self, *argv: str) -> Run:
        files = self.lab.files
        assert files is not None
        env = {
            **os.environ,
            "XDG_STATE_HOME": str(self.state),
            "XDG_CONFIG_HOME": str(self.state / "config"),
        }
        args = [*argv, "--kubeconfig", str(files.kubeconfig), "--no-ssh"]
        process = subprocess.Popen(
            [sys.executable, "-m", "cilium_tui", *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
        run = Run(process)
        assert process.stdout is not None and process.stderr is not None
        out, err = process.stdout, process.stderr
        run.readers = [
            threading.Thread(target=lambda: run.out.extend(out), daemon=True),
            threading.Thread(target=lambda: [run.lines.put(line) for line in err], daemon=True),
        ]
        for reader in run.readers:
            reader.start()
        return run

    def run(self, *argv: str) -> tuple[int, str, str]:
        code, out, err = self.start(*argv).finish()
        self.outputs += [out, err]
        return code, out, err

    def finished(self, run: Run) -> tuple[int, str, str]:
        code, out, err = run.finish()
        self.outputs += [out, err]
        return code, out, err


@pytest.fixture
def training(tmp_path: Path) -> Iterator[Cli]:
    lab = start_lab("training", timing=FAST)
    try:
        yield Cli(lab, tmp_path / "state")
    finally:
        lab.stop()


def secrets_of(lab: RunningLab) -> list[str]:
    """The lab's token and key material: none of it may appear in any output."""
    files = lab.files
    assert files is not None
    found = [lab.api.token]
    for path in files.directory.rglob("*"):
        if path.is_file() and path.suffix != ".pub":
            text = path.read_text(errors="replace")
            found += [
                line.strip()
                for line in text.splitlines()
                if len(line.strip()) > 30 and "PRIVATE" not in line and " " not in line.strip()
            ]
    return found


def assert_no_secret(cli: Cli) -> None:
    secrets = secrets_of(cli.lab)
    for output in cli.outputs:
        assert "\x1b" not in output
        for secret in secrets:
            assert secret not in output


def node_configs(lab: RunningLab) -> dict[str, dict[str, str]]:
    return dict(lab.cluster.started_with)


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def gone(before: dict[str, str], lab: RunningLab) -> list[str]:
    """Nodes whose agent pod of `before` is gone."""
    now = set(pods(lab).values())
    return [node for node, uid in before.items() if uid not in now]


def pods(lab: RunningLab) -> dict[str, str]:
    items = lab.api.store.list("pods")[0]
    return {p["spec"]["nodeName"]: p["metadata"]["uid"] for p in items}


@pytest.mark.parametrize(
    ("point", "how"),
    [
        ("patch in flight", signal.SIGKILL),
        ("second delete in flight", signal.SIGKILL),
        ("second delete in flight", signal.SIGINT),
        ("second delete in flight", signal.SIGTERM),
        ("first agent ready", signal.SIGKILL),
    ],
)
def test_an_interrupted_rollout_is_reconciled_and_undone(
    training: Cli, point: str, how: signal.Signals
) -> None:
    lab = training.lab
    config, agents, before = lab.cluster.config(), node_configs(lab), pods(lab)
    if point == "patch in flight":
        lab.answer_late("patch", "configmaps", 15.0, after=1)  # after the lock's own patch
    elif point == "second delete in flight":
        lab.answer_late("delete", "pods", 3.0)  # each DELETE is carried out, answered 3 s later
    run = training.start("apply", "native-routing", "--yes")
    if point == "patch in flight":
        run.wait_for("patching")
        wait_until(lambda: lab.cluster.config() != config, "the patch never landed")
    elif point == "second delete in flight":
        run.wait_for("deleting agent pod", 2)
        wait_until(lambda: len(gone(before, lab)) == 2, "the second DELETE never landed")
    else:
        run.wait_for("is Ready")
    run.process.send_signal(how)
    code, _, err = training.finished(run)
    assert code != 0
    lab.answer_late("patch", "configmaps", 0.0)
    lab.answer_late("delete", "pods", 0.0)
    if how != signal.SIGKILL:
        assert "interrupted while" in err  # the step under way, and where the cluster stands
    changed = [n for n, uid in pods(lab).items() if uid != before.get(n)]
    # Where the cluster stands is stated from the cluster: by the interrupted run when it could,
    # else by the next run (here `journal`) that reads the journal.
    if how == signal.SIGKILL:
        code, _, err = training.run("journal")
        assert code == 0

    code, out, undo_err = training.run("undo", "--yes")
    assert code == 0, out + undo_err
    assert "verified:" in out
    stated = err
    assert "cilium-config: patched" in stated
    for node in changed:
        assert re.search(f"{node}: .*changed config", stated), stated
    assert lab.cluster.config() == config
    now = node_configs(lab)
    assert {n: c.get("tunnel") for n, c in now.items()} == {
        n: c.get("tunnel") for n, c in agents.items()
    }
    assert all(c == config for c in now.values())
    assert_no_secret(training)

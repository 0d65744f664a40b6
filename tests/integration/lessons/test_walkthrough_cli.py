"""`cilium-tui walkthrough` against a running training lab, read through its kubeconfig like any
cluster: a step turns done only once the scan shows the change, and undo brings the lesson back
to the start. The commands run as a user runs them (a process of their own) for the first test,
and through `main` for the long walk (the same code path, without a Python start per command)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cilium_tui.cli import main
from cilium_tui.lab.runner import RunningLab, start_lab
from tests.integration.lab.conftest import FAST


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private state directory (journal, lesson progress) and no user config file."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "state" / "cilium-tui"


@pytest.fixture
def training() -> Iterator[RunningLab]:
    lab = start_lab("training", timing=FAST)
    yield lab
    lab.stop()


def cluster(lab: RunningLab) -> tuple[str, ...]:
    assert lab.files is not None
    return ("--kubeconfig", str(lab.files.kubeconfig), "--no-ssh")


def cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cilium_tui", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=os.environ.copy(),
    )


def steps(doc: dict[str, Any]) -> dict[str, bool]:
    return {s["id"]: s["done"] for s in doc["steps"]}


def test_step_one_turns_done_after_its_apply_on_the_same_lab(
    training: RunningLab, state_home: Path
) -> None:
    before = cli("walkthrough", *cluster(training), "--format", "json")
    assert before.returncode == 1, before.stderr  # as `check`: not every step is done
    doc = json.loads(before.stdout)
    assert doc["lesson"] == "seed" and doc["context"] == "lab-training"
    first = doc["steps"][0]
    assert set(first) >= {"id", "title", "done", "evidence", "kind", "why", "look", "action"}
    # Look steps are done on visit (none yet); the first step to do is native routing.
    assert [(s["id"], s["kind"], s["done"]) for s in doc["steps"][:3]] == [
        ("mixed-cluster", "look", False),
        ("why-legacy", "look", False),
        ("native-routing", "do", False),
    ]
    assert doc["current"] == "mixed-cluster"
    assert "native-routing: off: vxlan tunnelling (k3s-vm-1, " in doc["steps"][2]["evidence"][0]

    applied = cli("apply", "native-routing", *cluster(training), "--yes", "--batch-size", "3")
    assert applied.returncode == 0, applied.stderr

    after = json.loads(cli("walkthrough", *cluster(training), "--format", "json").stdout)
    assert steps(after)["native-routing"] is True
    assert after["steps"][2]["evidence"] == [
        "native-routing: on (k3s-vm-1, k3s-vm-2, k3s-vm-3, rock64-1 and 2 more)"
    ]
    assert [s for s, done in steps(after).items() if done] == ["native-routing"]
    [progress] = (state_home / "lessons").iterdir()  # remembered for this cluster
    assert json.loads(progress.read_text())["lessons"]["seed"]["reached"] == ["native-routing"]


def test_a_fresh_demo_lab_starts_the_training_lesson() -> None:
    run = cli("walkthrough", "--demo=training", "--format", "json")
    assert run.returncode == 1, run.stderr
    doc = json.loads(run.stdout)
    assert doc["lesson"] == "seed" and doc["scenario"] == "training" and doc["done"] == 0


def walkthrough(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["walkthrough", *argv, "--format", "json"])
    out, _ = capsys.readouterr()
    return code, json.loads(out)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


WALK = (
    ("native-routing", "native-routing", ["native-routing"]),
    ("kube-proxy-replacement", "kube-proxy-replacement", ["kube-proxy-replacement"]),
    ("bpf-masquerading", "bpf-masquerading", ["bpf-masquerading", "host-routing-flip"]),
    ("bypass-iptables-conntrack", "conntrack-bypass", ["conntrack-bypass"]),
    ("bandwidth-manager", "bandwidth-manager", ["bandwidth-manager"]),
    ("bbr", "bbr", ["bbr"]),
)
"""(item applied, its step, the steps that turn done with it): the VMs flip to BPF host routing
with BPF masquerading, so the flip step turns done with that apply."""


def test_the_whole_seed_lesson_walked_and_undone(
    training: RunningLab, capsys: pytest.CaptureFixture[str]
) -> None:
    where = cluster(training)
    code, doc = walkthrough(capsys, *where, "--visit", "mixed-cluster", "--visit", "why-legacy")
    assert code == 1 and [s for s, d in steps(doc).items() if d] == ["mixed-cluster", "why-legacy"]

    # Attempted in the wrong order: the refusal names the step to do first.
    code, _, err = run(capsys, "plan", "bpf-masquerading", *where)
    assert code == 1
    assert (
        "lesson seed: Do step 4 (Kube-proxy replacement) first before step 5: bpf-masquerading "
        "needs kube-proxy-replacement (the change would silently do nothing: kube-proxy "
        "replacement Disabled (BPF masquerading needs BPF NodePort))." in err
    )

    code, _, err = run(capsys, "apply", "bpf-masquerading", *where, "--yes")
    assert code == 1 and "lesson seed: Do step 4 (Kube-proxy replacement) first" in err

    done = ["mixed-cluster", "why-legacy"]
    for item_id, step, turning in WALK:
        assert not steps(walkthrough(capsys, *where)[1])[step], step
        code, out, err = run(capsys, "apply", item_id, *where, "--yes", "--batch-size", "3")
        assert code == 0, (item_id, out, err)
        code, doc = walkthrough(capsys, *where)
        done += turning
        assert [s for s, d in steps(doc).items() if d] == done, item_id
    assert doc["current"] == "undo-all"
    host_routing = next(s for s in doc["steps"] if s["id"] == "host-routing-flip")
    assert host_routing["evidence"] == [
        "bpf-host-routing: on (k3s-vm-1, k3s-vm-2, k3s-vm-3)",
        "bpf-host-routing: blocked by kernel 4.19 < 5.10 (rock64-1, rock64-2, rock64-3)",
    ]

    for _ in WALK:  # newest first
        code, out, err = run(capsys, "undo", *where, "--yes")
        assert code == 0, (out, err)
    code, doc = walkthrough(capsys, *where)
    # Back at the start: the changes are not done any more, the lesson is complete.
    assert code == 0 and doc["current"] is None
    assert [s for s, d in steps(doc).items() if d] == ["mixed-cluster", "why-legacy", "undo-all"]
    assert all(s["reached"] for s in doc["steps"])
    code, doc = walkthrough(capsys, *where, "--start-over")
    assert code == 1 and doc["current"] == "mixed-cluster" and doc["done"] == 0
    undo = doc["steps"][-1]
    assert (
        "native-routing: off (k3s-vm-1, k3s-vm-2, k3s-vm-3, rock64-1 and 2 more)"
        in (undo["evidence"])
    )

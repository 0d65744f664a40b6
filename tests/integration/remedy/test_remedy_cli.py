"""`cilium-tui plan/apply/undo/journal` on the in-process lab (`--demo`), and the equivalent
commands the preview prints, run with the real kubectl against the lab."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from cilium_tui.cli import main
from cilium_tui.lab.runner import RunningLab, start_lab
from cilium_tui.remedy.journal import Journal
from cilium_tui.remedy.planner import REMEDIES, build_plan
from cilium_tui.remedy.preview import equivalent_commands, render_text
from tests.conftest import need_tools
from tests.integration.lab.conftest import FAST
from tests.integration.remedy.conftest import Lab
from tests.unit.remedy.pasted import pasted

StartLab = Callable[[str], Awaitable[Lab]]
StartLabNow = Callable[[str], RunningLab]
KUBECTL = "/usr/bin/kubectl"


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private journal (and no user config file) for every test."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "state" / "cilium-tui" / "journal"


@pytest.fixture
def labs() -> Iterator[StartLabNow]:
    """`labs("seed")`: a lab running (in this process's threads) until the test ends, for
    commands that read it through its kubeconfig like any cluster."""
    started: list[RunningLab] = []

    def start(name: str) -> RunningLab:
        started.append(start_lab(name, timing=FAST))
        return started[-1]

    yield start
    for lab in started:
        lab.stop()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_list_needs_no_cluster(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", "--list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ITEM", "HOW", "TITLE"]
    assert [line.split()[0] for line in lines[1:]] == [r.item_id for r in REMEDIES]
    assert "jumbo-mtu                  guidance (not automated)" in out
    code, out, _ = run(capsys, "plan", "--list", "--format", "json")
    assert {d["item"]: d["automatable"] for d in json.loads(out)}["kernel"] is False


def test_plan_json_and_refusals(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "plan", "bypass-iptables-conntrack", "--demo", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["status"] == "ready" and doc["cluster"]["context"] == "lab-seed"
    assert "scanned 6 nodes" in err  # progress on stderr, the plan alone on stdout
    code, out, _ = run(capsys, "plan", "xdp-acceleration", "--demo")
    assert code == 1
    assert "Status: REFUSED" in out


def cluster(lab: RunningLab) -> tuple[str, ...]:
    """The command-line options that read `lab` as any cluster: its kubeconfig, no SSH."""
    assert lab.files is not None
    return ("--kubeconfig", str(lab.files.kubeconfig), "--no-ssh")


def test_a_demo_journals_with_its_lab(capsys: pytest.CaptureFixture[str], state_home: Path) -> None:
    code, out, err = run(capsys, "apply", "cpu-governor", "--demo", "--yes")
    assert code == 0, err
    assert "verified: every node as expected" in out
    assert "rock64-3: CPU governor performance on 4 CPUs: done" in err
    [where] = [line for line in out.splitlines() if line.startswith("journal entry: ")]
    assert "/cilium-tui-lab-" in where and where.endswith("/journal")
    assert "(the lab's own journal: it goes when the lab stops)" in out
    # Not among the user's changes, where a plain `cilium-tui undo` would find it later.
    assert Journal(state_home).entries() == []
    code, _, err = run(capsys, "undo", "--demo", "--yes")
    assert code == 1 and "nothing to undo on this cluster (context lab-seed at https://" in err


def test_apply_then_journal_then_undo_on_that_cluster_only(
    capsys: pytest.CaptureFixture[str], state_home: Path, labs: StartLabNow
) -> None:
    seed, twin = labs("seed"), labs("seed")  # same context name, other API server
    before, twin_before = seed.cluster.config(), twin.cluster.config()
    code, out, err = run(capsys, "apply", "hubble", *cluster(seed), "--yes")
    assert code == 0, err
    assert f" in {state_home}" in out and "the lab's own" not in out
    [entry] = Journal(state_home).entries()
    assert entry.status == "verified" and entry.context == "lab-seed"
    assert entry.cluster is not None and entry.cluster.server == seed.api.url
    assert entry.cluster.config_uid  # cilium-config's metadata.uid
    code, out, _ = run(capsys, "journal")
    assert code == 0 and entry.id in out and "verified" in out
    code, out, _ = run(capsys, "journal", "--format", "json")
    assert json.loads(out)[0]["cluster"]["server"] == seed.api.url

    # The twin is not the cluster the change was made on: neither the latest nor the named
    # entry is undone there.
    code, _, err = run(capsys, "undo", *cluster(twin), "--yes")
    assert code == 1
    assert f"nothing to undo on this cluster (context lab-seed at {twin.api.url})" in err
    assert "1 change(s) of other clusters" in err
    code, out, err = run(capsys, "undo", entry.id, *cluster(twin), "--yes")
    assert code == 1 and "Status: REFUSED" in out
    assert f"it was made on context lab-seed at {seed.api.url}" in out
    assert "not applied: the plan is refused" in err
    assert twin.api.requests.mutating() == [] and twin.cluster.config() == twin_before

    code, out, err = run(capsys, "undo", *cluster(seed), "--yes")
    assert code == 0, err
    assert f"Undoes journal entry {entry.id}" in out
    assert seed.cluster.config() == before  # byte for byte
    undone = Journal(state_home).load(entry.id)
    assert undone.undone_by is not None and undone.undone_by != entry.id


def test_apply_asks_and_no_means_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, state_home: Path
) -> None:
    prompts: list[str] = []

    def answer(prompt: str) -> str:
        prompts.append(prompt)
        return ""  # just Enter: the default is no

    monkeypatch.setattr("builtins.input", answer)
    code, _, err = run(capsys, "apply", "hubble", "--demo")
    assert code == 1
    assert prompts == ["Apply hubble to lab-seed? [y/N] "]
    assert "cancelled: nothing was changed" in err
    assert Journal(state_home).entries() == []


def cli(stdin: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """`cilium-tui ARGV` in its own process, `stdin` typed at its prompts."""
    return subprocess.run(
        [sys.executable, "-m", "cilium_tui", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=os.environ.copy(),  # with this test's private XDG_STATE_HOME
    )


def test_agent_restarts_need_the_context_name_typed(state_home: Path, labs: StartLabNow) -> None:
    seed = labs("seed")
    before = seed.cluster.config()
    typo = cli("y\nlab-sed\n", "apply", "hubble", *cluster(seed))
    assert typo.returncode == 1, typo.stderr
    assert (
        "Apply hubble to lab-seed? [y/N] Agents restart: type lab-seed to confirm: " in typo.stdout
    )
    assert "cancelled (that is not lab-seed): nothing was changed" in typo.stderr
    assert seed.api.requests.mutating() == [] and Journal(state_home).entries() == []
    silent = cli("y\n", "apply", "hubble", *cluster(seed))  # end of input: no word at all
    assert silent.returncode == 1 and "cancelled" in silent.stderr
    assert seed.api.requests.mutating() == []

    typed = cli("y\nlab-seed\n", "apply", "hubble", *cluster(seed))
    assert typed.returncode == 0, typed.stderr
    assert "verified: every node as expected" in typed.stdout
    assert seed.cluster.config() != before and len(Journal(state_home).entries()) == 1


def test_an_unwritable_journal_changes_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, labs: StartLabNow
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", "/dev/null/state")  # under a file: even root cannot
    seed = labs("seed")
    code, out, err = run(capsys, "apply", "hubble", *cluster(seed), "--yes")
    assert code == 1
    assert "failed: cannot create the journal /dev/null/state/cilium-tui/journal" in out
    assert "nothing was changed (the journal comes before any change)" in out
    assert "Traceback" not in err
    assert seed.api.requests.mutating() == []


def test_refusals_and_mistakes(capsys: pytest.CaptureFixture[str], state_home: Path) -> None:
    code, _, err = run(capsys, "--read-only", "apply", "hubble", "--demo", "--yes")
    assert code == 2 and "read-only mode" in err
    code, _, err = run(capsys, "--read-only", "undo", "--demo", "--yes")
    assert code == 2 and "read-only mode" in err
    code, _, err = run(capsys, "apply", "warp-drive", "--demo", "--yes")
    assert code == 2 and "no item 'warp-drive'" in err
    code, _, err = run(capsys, "apply", "xdp-acceleration", "--demo", "--yes")
    assert code == 1 and "not applied: the plan is refused" in err
    code, _, err = run(capsys, "undo", "--demo", "--yes")
    assert code == 1 and "nothing to undo" in err
    assert Journal(state_home).entries() == []


async def seed_for_kubectl(lab: StartLab) -> tuple[Lab, dict[str, str]]:
    """The seed lab, and the environment in which the real kubectl talks to it."""
    need_tools(KUBECTL)
    seed = await lab("seed")
    files = seed.running.files
    assert files is not None
    return seed, {**os.environ, "KUBECONFIG": str(files.kubeconfig)}


async def test_the_printed_kubectl_commands_do_what_the_engine_does(lab: StartLab) -> None:
    seed, env = await seed_for_kubectl(lab)
    before = seed.config()
    plan = build_plan("hubble", await seed.source.scan())
    commands = equivalent_commands(plan)
    assert commands.kubectl_patch is not None
    subprocess.run(shlex.split(commands.kubectl_patch), env=env, check=True, capture_output=True)
    assert seed.config() == plan.data_after(before)
    # The same patch again carries the old resourceVersion: the server refuses it.
    argv = shlex.split(commands.kubectl_patch)
    again = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    assert again.returncode != 0 and "Conflict" in again.stderr
    pods = seed.agent_pods()
    first = commands.restarts[0]
    subprocess.run(shlex.split(first), env=env, check=True, capture_output=True)
    node = first.rsplit("=", 1)[1]
    assert seed.agent_pods().get(node) != pods[node]


async def test_the_folded_commands_pasted_as_shown_work_with_the_real_kubectl(
    lab: StartLab,
) -> None:
    """What `cilium-tui plan` prints at 80 columns, run by sh as a person pastes it: the patch
    whose JSON spans lines inside its quotes, and the one rolling restart."""
    seed, env = await seed_for_kubectl(lab)
    before = seed.config()
    text = render_text(plan := build_plan("hubble", await seed.source.scan()), 80)
    shown = [line[4:] if line.startswith("    ") else "" for line in text.splitlines()]
    commands = pasted(shown, join=False)
    [patch] = [c for c in commands if " patch " in c]
    rollout, *same = [c for c in commands if " rollout restart " in c]  # after helm, after cilium
    assert same == [rollout]
    assert "\n" in patch and max(map(len, patch.splitlines())) <= 76, patch
    subprocess.run(["sh", "-c", patch], env=env, check=True, capture_output=True)
    assert seed.config() == plan.data_after(before)

    def restarted_at() -> str | None:
        daemonset = seed.running.api.store.list("daemonsets")[0][0]
        annotations = daemonset["spec"]["template"]["metadata"].get("annotations") or {}
        return annotations.get("kubectl.kubernetes.io/restartedAt")

    assert restarted_at() is None
    subprocess.run(["sh", "-c", rollout], env=env, check=True, capture_output=True)
    assert restarted_at() is not None

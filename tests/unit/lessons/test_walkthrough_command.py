"""`cilium-tui walkthrough` on a saved scan (no cluster, nothing remembered), its text, and its
one-line errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cilium_tui.checks.judgement import judge
from cilium_tui.cli import main
from cilium_tui.commands.walkthrough import render_text
from cilium_tui.lessons import evaluate, load_lesson
from cilium_tui.offline.snapshot_file import save_snapshot
from tests.unit.remedy.lab_snapshot import lab_snapshot


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "state"


def saved(tmp_path: Path, scenario: str) -> str:
    path = tmp_path / f"{scenario}.json"
    save_snapshot(lab_snapshot(scenario), path)
    return str(path)


def test_a_saved_scan_is_judged_and_nothing_is_remembered(
    tmp_path: Path, state_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["walkthrough", "--snapshot", saved(tmp_path, "modern"), "--lesson", "modern",
                 "--format", "json"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 1, err
    doc = json.loads(out)
    assert [s["id"] for s in doc["steps"] if s["done"]] == ["netkit", "bbr", "big-tcp"]
    assert doc["current"] == "modern-cluster"
    assert not state_home.exists()


def test_the_text_lists_the_steps_then_the_next_in_full() -> None:
    lesson = load_lesson("seed")
    snapshot = lab_snapshot("training")
    text = render_text(evaluate(lesson, judge(snapshot)), snapshot)
    lines = text.splitlines()
    assert lines[1] == "Written for --demo=training; on lab training (context lab-training): " \
                       "0/10 steps done"  # fmt: skip
    assert lines[3].split() == ["[", "]", "1", "See", "the", "mixed", "cluster", "look,", "done",
                                "on", "visit"]  # fmt: skip
    assert "  [ ]  3  Native routing" in text and "apply native-routing" in text
    assert "Next: step 1, See the mixed cluster" in text
    assert "  look: the nodes screen: column kernel" in text
    assert "  then: cilium-tui walkthrough --visit mixed-cluster" in text
    assert all(len(line) <= 100 for line in lines if not line.startswith("  [ ]"))


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--lesson", "sed", "--demo"], "no lesson 'sed'; known: modern, seed"),
        (["--snapshot", "/nonexistent.json"], "/nonexistent.json"),
        (["--snapshot", "x.json", "--demo"], "--snapshot reads a file instead of a cluster"),
    ],
)
def test_errors_are_one_line_and_exit_2(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["walkthrough", *argv])
    _, err = capsys.readouterr()
    assert code == 2
    assert says in err and len(err.strip().splitlines()) == 1, err


def test_an_unknown_step_to_visit_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["walkthrough", "--snapshot", saved(tmp_path, "training"), "--visit", "mixed"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "lesson seed has no step 'mixed'; its steps: mixed-cluster, why-legacy," in err


def test_the_lessons_are_listed_without_a_cluster(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["walkthrough", "--list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(x["lesson"], x["scenario"]) for x in listed] == [
        ("modern", "modern"),
        ("seed", "training"),
    ]

"""Every command that reads a cluster fails the same way: one line on stderr, its exit code."""

from __future__ import annotations

import argparse

import pytest

from cilium_tui.commands._scan import Target, Voice, run_on_target
from cilium_tui.lessons import LessonError

VOICE = Voice("snapshot", failed=2)


def _args(**given: object) -> argparse.Namespace:
    return argparse.Namespace(config=None, kubeconfig=None, context=None, **given)


async def _bug(target: Target) -> int:
    raise KeyError("spec")


async def _lesson_gone(target: Target) -> int:
    raise LessonError("no lesson named x")


def test_a_surprise_in_the_body_is_one_line_and_the_commands_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_on_target(_args(), VOICE, _bug) == 2
    err = capsys.readouterr().err
    assert err == "cilium-tui snapshot: the scan failed unexpectedly: KeyError: 'spec'\n"


def test_an_expected_error_is_said_as_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_on_target(_args(), VOICE, _lesson_gone, expected=(LessonError,)) == 2
    assert capsys.readouterr().err == "cilium-tui snapshot: no lesson named x\n"


def test_options_that_cannot_work_fail_before_the_body_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ran: list[Target] = []

    async def body(target: Target) -> int:
        ran.append(target)
        return 0

    args = _args(sysdump="a.zip", snapshot="b.json")
    assert run_on_target(args, Voice("check", failed=2), body) == 2
    assert ran == []
    assert (
        capsys.readouterr().err == "cilium-tui check: --sysdump and --snapshot: give one of them\n"
    )

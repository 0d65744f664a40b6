"""`--help` teaches: every command says what it does and shows an example, the root says that no
command opens the console, and asking for help loads nothing but argparse and the parser."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from cilium_tui.cli import FAULT_KINDS, build_parser
from cilium_tui.lab.runner import FAULTS

COMMANDS = (
    "check",
    "explain",
    "lab",
    "serve",
    "plan",
    "apply",
    "undo",
    "journal",
    "snapshot",
    "diff",
    "walkthrough",
)
HEAVY = ("textual", "rich", "kubernetes", "asyncssh", "aiohttp", "cryptography", "yaml")
"""What `--help` must not load: the console, the clients, the lab."""


def parser_of(*argv: str) -> argparse.ArgumentParser:
    parser = build_parser()
    for command in argv:
        [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        parser = commands.choices[command]
    return parser


def help_of(*argv: str) -> str:
    return parser_of(*argv).format_help()


def test_the_root_usage_says_no_command_opens_the_console() -> None:
    shown = help_of()
    usage = shown[: shown.index("\n\n")]
    assert "open the console (no COMMAND)" in usage
    assert "[COMMAND" in usage or "[OPTIONS] COMMAND [ARGS]" in usage
    assert "\n  cilium-tui --demo " in shown.split("examples:")[1]
    assert "without one, the console opens" in shown


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_description_and_examples(command: str) -> None:
    shown = help_of(command)
    usage, description = shown.split("\n\n")[:2]
    assert usage.startswith(f"usage: cilium-tui {command}")
    assert not description.startswith(("positional arguments", "options")), "no description"
    assert len(description.split()) >= 12, description
    examples = shown.split("\nexamples:\n")[1].splitlines()
    assert any(line.strip().startswith(f"cilium-tui {command}") for line in examples)


@pytest.mark.parametrize("command", ("check", "explain", "plan", "journal", "diff", "walkthrough"))
def test_format_says_what_it_takes(command: str) -> None:
    [action] = [a for a in parser_of(command)._actions if "--format" in a.option_strings]
    assert action.help is not None and action.help.startswith("output format: text (default)")


@pytest.mark.parametrize("command", ("plan", "apply"))
def test_node_says_it_repeats(command: str) -> None:
    assert "repeat the option for more" in help_of(command)
    args = build_parser().parse_args([command, "bbr", "--node", "a", "--node", "b"])
    assert args.node == ["a", "b"]


@pytest.mark.parametrize("command", ("", "check", "plan", "apply", "undo"))
def test_lab_knobs_stand_apart_under_demo(command: str) -> None:
    shown = help_of(*filter(None, [command]))
    lab = shown[shown.index("\nlab (with --demo):\n") :]
    lab = lab[: lab.index("\n\n", 1)]
    for option in ("--demo", "--latency", "--fault"):
        assert f"  {option}" in lab, option
    cluster = shown[shown.index("\ncluster and nodes:\n") :]
    assert "--latency" not in cluster[: cluster.index("\n\n", 1)]


def test_the_fault_kinds_in_help_are_the_labs() -> None:
    assert f"{', '.join(FAULTS[:-1])} or {FAULTS[-1]}" == FAULT_KINDS


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["check", "--help"],
        ["plan", "--help"],
        ["diff", "--help"],
        ["snapshot", "--help"],
    ],
)
def test_help_loads_no_heavy_module(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from cilium_tui.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stderr.split()
    ours = [m for m in out if m.startswith("cilium_tui")]
    assert ours == ["cilium_tui", "cilium_tui.cli"]
    heavy = [m for m in out if m.split(".")[0] in HEAVY]
    assert heavy == []


def test_every_command_is_among_those_checked() -> None:
    [commands] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(commands.choices) == set(COMMANDS)

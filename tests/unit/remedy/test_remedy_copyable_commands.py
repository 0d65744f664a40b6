"""The commands `cilium-tui plan` shows copy as working commands at any width: folded between
arguments with ` \\` (a JSON patch and an ssh remote command inside their quotes), never inside
one, and meaning exactly the one-line commands they stand for. `cilium config set` never restarts
every pod at once: --restart=false, then one rolling restart."""

from __future__ import annotations

import io
import shlex
import sys

import pytest

from cilium_tui.commands._remedy import show_plan
from cilium_tui.lab.objects import daemonset_object
from cilium_tui.lab.scenarios import scenario as lab_scenario
from cilium_tui.remedy.planner import REMEDIES, build_plan
from cilium_tui.remedy.preview import (
    equivalent_commands,
    render_text,
    rollout_restart_command,
)
from cilium_tui.remedy.shell_lines import fold
from tests.unit.remedy.lab_snapshot import lab_snapshot
from tests.unit.remedy.pasted import check_pasted, pasted, shell_accepts, shown_in_order

SCENARIOS = ("seed", "training", "modern")
WIDTHS = (80, 74, None)
"""A terminal's width, the remediation pane's at 80 columns, and none (one line each)."""


def section(text: str, *headings: str) -> list[str]:
    """The lines under the first of `headings` that the text has, up to the next blank line."""
    lines = text.splitlines()
    for heading in headings:
        if heading in lines:
            start = lines.index(heading) + 1
            end = lines.index("", start) if "" in lines[start:] else len(lines)
            return lines[start:end]
    return []


def plans() -> list[tuple[str, str]]:
    return [(s, r.item_id) for s in SCENARIOS for r in REMEDIES]


@pytest.mark.parametrize("width", WIDTHS, ids=lambda w: f"width-{w}")
@pytest.mark.parametrize(("scenario", "item_id"), plans())
def test_every_shown_command_pastes_as_the_command_it_stands_for(
    scenario: str, item_id: str, width: int | None
) -> None:
    plan = build_plan(item_id, lab_snapshot(scenario))
    text = render_text(plan, width)
    raw = section(text, "Equivalent commands:") + section(text, "Node commands by hand:")
    block = [line.strip() if not line.startswith("      ") else line[4:] for line in raw]
    expected = shown_in_order(equivalent_commands(plan)) if plan.status == "ready" else []
    check_pasted(pasted(block), expected)
    if width is not None:
        notes = [line for line in section(text, "Equivalent commands:") if line[2] != " "]
        long = [line for line in raw if len(line) > width and line not in notes]
        assert not long, long


@pytest.mark.parametrize(("scenario", "item_id"), plans())
def test_cilium_config_set_restarts_nothing_and_one_rolling_restart_follows(
    scenario: str, item_id: str
) -> None:
    plan = build_plan(item_id, lab_snapshot(scenario))
    commands = pasted(
        line.strip() for line in section(render_text(plan, 80), "Equivalent commands:")
    )
    cli = [i for i, c in enumerate(commands) if c.startswith("cilium config ")]
    assert all("--restart=false" in shlex.split(commands[i]) for i in cli)
    assert bool(cli) == (plan.status == "ready" and plan.kind == "config" and bool(plan.changes))
    if cli:
        assert commands[cli[-1] + 1] == rollout_restart_command("kube-system")
        assert not [c for c in commands[cli[-1] + 2 :] if " rollout restart " in c], "only one"
    check_pasted(commands, commands)


def test_the_lab_names_the_daemonset_the_rollout_restarts() -> None:
    name = daemonset_object(lab_scenario("seed"))["metadata"]["name"]
    assert rollout_restart_command("kube-system").endswith(f"daemonset/{name}")


def test_guidance_steps_fold_to_the_width_and_still_parse() -> None:
    for scenario in SCENARIOS:
        for remedy in REMEDIES:
            plan = build_plan(remedy.item_id, lab_snapshot(scenario))
            for step in plan.guidance:
                for command in step.commands:
                    lines = fold(command, 74)
                    if shell_accepts(command):  # not a placeholder (<namespace>) for a person
                        assert shell_accepts("\n".join(lines)), lines
                    if "\n" not in command and not command.startswith("#"):
                        assert max(map(len, lines)) <= 74, lines


def test_fold_keeps_options_with_their_values_and_says_it_with_backslashes() -> None:
    line = shlex.join(["kubectl", "-n", "kube-system", "delete", "pod", "-l", "k8s-app=cilium",
                       "--field-selector", "spec.nodeName=rock64-1"])  # fmt: skip
    assert fold(line, 100) == [line]
    assert fold(line, 50) == [
        "kubectl -n kube-system delete pod \\",
        "    -l k8s-app=cilium \\",
        "    --field-selector spec.nodeName=rock64-1",
    ]


def test_a_remote_command_folds_inside_its_quotes_and_reaches_the_host_intact() -> None:
    argv = ["sudo", "sed", "-i", 's/^GRUB_CMDLINE_LINUX_DEFAULT="/&preempt=none /', "/etc/grub"]
    line = shlex.join(["ssh", "-t", "k3s-vm-1", shlex.join(argv)])
    lines = fold(line, 70)
    assert len(lines) > 1 and max(map(len, lines)) <= 70
    [command] = pasted(lines)
    assert shlex.split(shlex.split(command)[-1]) == argv
    # Without joining first, as a shell pastes it: the remote shell joins the ` \` lines itself.
    remote = shlex.split("\n".join(lines))[-1]
    assert "\\\n" in remote
    assert shell_accepts(remote)


def test_what_cannot_fold_stays_whole() -> None:
    word = "x" * 100
    assert fold(f"kubectl get node {word}", 40) == ["kubectl get node \\", f"    {word}"]
    heredoc = "kubectl apply -f - <<'EOF'\n" + "a: " + "b" * 90 + "\nEOF"
    assert fold(heredoc, 40) == heredoc.split("\n")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plan_folds_to_the_terminal_it_prints_on(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = build_plan("native-routing", lab_snapshot("training"))
    for stdout, columns in ((Terminal(), 72), (io.StringIO(), None)):
        monkeypatch.setattr(sys, "stdout", stdout)
        monkeypatch.setenv("COLUMNS", "72")
        show_plan(plan)
        assert stdout.getvalue() == render_text(plan, columns)

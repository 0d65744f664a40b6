"""Reading shown commands back as a shell would read them pasted: lines joined where one ends in
` \\` or leaves a quote open, then split with shlex. What a command *means* is compared, so that a
command folded to a width can be checked against the one-line command it stands for."""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Iterable, Sequence

from cilium_tui.remedy.preview import EquivalentCommands

PROGRAMS = ("helm", "cilium", "kubectl", "ssh", "printf")
"""What an equivalent command starts with (`printf ... | ssh ...` pipes input to a node)."""


def shown_in_order(commands: EquivalentCommands, limit: int | None = None) -> list[str]:
    """The one-line commands in the order previews show them (Helm first: the lab's
    cilium-config is Helm-managed); of a per-node list longer than `limit`, the first three."""

    def first(lines: tuple[str, ...]) -> list[str]:
        return list(lines if limit is None or len(lines) <= limit else lines[:3])

    rollout = [commands.rollout_restart] if commands.rollout_restart else []
    return [
        *([commands.helm, *rollout] if commands.helm else []),
        *commands.cilium_cli,
        *(rollout if commands.cilium_cli else []),
        *([commands.kubectl_patch] if commands.kubectl_patch else []),
        *first(commands.restarts),
        *first(commands.node_commands),
    ]


def pasted(lines: Iterable[str], *, join: bool = True) -> list[str]:
    """The commands in `lines`: each starts on a line whose first word is one of PROGRAMS (at
    the block's left edge); other lines (notes, headings) are skipped. A line ending in ` \\`
    continues on the next, and so does a line that leaves a quote open, as in a shell. Each
    command's lines are joined where they end in ` \\` (`join=False`: as they are shown)."""
    commands: list[str] = []
    buffer: str | None = None
    for line in lines:
        if buffer is None:
            if line.split(" ", 1)[0] not in PROGRAMS:
                continue
            buffer = line
        else:
            buffer += "\n" + line
        if buffer.endswith(" \\"):
            continue
        joined = buffer.replace(" \\\n", " ")
        try:
            shlex.split(joined)
        except ValueError:  # a quote still open: the command goes on
            continue
        commands.append(joined if join else buffer)
        buffer = None
    assert buffer is None, f"a command never ends: {buffer!r}"
    return commands


def meaning(command: str) -> list[object]:
    """What the shell runs: the words, a JSON argument as its value, the remote command of ssh
    as the words the remote shell runs, the stages of a pipeline one by one."""
    words = shlex.split(command, comments=False)
    if "|" in words:
        at = words.index("|")
        return [meaning(shlex.join(words[:at])), meaning(shlex.join(words[at + 1 :]))]
    out: list[object] = list(words)
    for i, word in enumerate(words):
        if i > 0 and words[i - 1] in ("-p", "--patch"):
            out[i] = json.loads(word)
    if words[0] == "ssh":
        out[-1] = shlex.split(words[-1])
    return out


def shell_accepts(text: str) -> bool:
    """Whether sh reads `text` (`sh -n`: parsed, not run)."""
    return subprocess.run(["sh", "-n", "-c", text], check=False).returncode == 0


def check_structure(argv: Sequence[str], namespace: str = "kube-system") -> None:
    """The argument structure each program's command must have."""
    match argv[0]:
        case "helm":
            assert argv[:2] == ["helm", "upgrade"] and "--reuse-values" in argv, argv
            sets = [argv[i + 1] for i, word in enumerate(argv) if word == "--set"]
            assert sets and all("=" in s for s in sets), argv
        case "cilium":
            assert argv[:2] == ["cilium", "config"] and argv[2] in ("set", "delete"), argv
            assert "--restart=false" in argv, argv
            positional = [w for w in argv[3:] if not w.startswith("-")]
            assert len(positional) == (2 if argv[2] == "set" else 1), argv
        case "kubectl":
            assert argv[1:3] == ["-n", namespace], argv
            if argv[3] == "patch":
                assert argv[4:8] == ["configmap", "cilium-config", "--type", "merge"], argv
                assert argv[8] == "-p" and isinstance(json.loads(argv[9])["data"], dict)
            elif argv[3] == "delete":
                assert argv[4:7] == ["pod", "-l", "k8s-app=cilium"], argv
                assert argv[7] == "--field-selector" and argv[8].startswith("spec.nodeName=")
            else:
                assert argv[3:] == ["rollout", "restart", "daemonset/cilium"], argv
        case "ssh":
            host = 2 if argv[1] == "-t" else 1
            assert len(argv) == host + 2, argv
            assert shlex.split(argv[-1])[0] == "sudo", argv
        case "printf":
            at = list(argv).index("|")
            check_structure(argv[at + 1 :], namespace)
        case _:
            raise AssertionError(f"not a known program: {argv}")


def check_pasted(commands: Sequence[str], expected: Sequence[str]) -> None:
    """`commands` (read back with `pasted`) mean `expected` one for one, each has its program's
    structure and sh accepts it, and `cilium config` commands restart nothing: --restart=false
    on each (checked by structure), then exactly one rolling restart right after them; the only
    other one follows `helm upgrade` (which restarts no agent either)."""
    assert [meaning(c) for c in commands] == [meaning(c) for c in expected]
    for command in commands:
        check_structure(shlex.split(command))
        assert shell_accepts(command), command
    cli = [i for i, c in enumerate(commands) if c.startswith("cilium config ")]
    helm = [i + 1 for i, c in enumerate(commands) if c.startswith("helm upgrade ")]
    rollouts = [i for i, c in enumerate(commands) if " rollout restart " in c]
    if cli:
        assert cli == list(range(cli[0], cli[-1] + 1)), "the cilium config lines stand together"
    after = sorted([*helm, *([cli[-1] + 1] if cli else [])])
    assert rollouts == after, "one rolling restart right after each way of changing the config"

"""Host facts a sysdump does hold: `uname -a`, which the bugtool runs in each agent pod (the host's
kernel: the pod shares it) and writes to `cmd/uname--a.md`; so they are host facts read through
the agent pod (`ProbeFacts.source`), as a live scan without SSH reads them.

The line is split into the probe's own sections (`uname -r`, `-m`, `-v`, hostname) and read by
the probe's parser, so the kernel release, its build string (Debian's upstream patch level, the
PREEMPT model it names) mean the same as over SSH. Everything else the SSH probe reads (tuned,
governors, IRQs, the NIC) is not in a sysdump and stays unknown, with that reason.
"""

from __future__ import annotations

import dataclasses

from cilium_tui.facts.probe import MARKER, parse_probe
from cilium_tui.model import Evidence, ProbeFacts

UNAME = "cmd/uname--a.md"
SOURCE = "sysdump bugtool"
ONLY_UNAME = "a sysdump holds only the host's `uname -a`"
"""Why the other host facts of a node are unknown (the checklist adds what SSH would read)."""
_MACHINES = frozenset(
    {"x86_64", "aarch64", "arm64", "armv7l", "armv6l", "riscv64", "ppc64le", "s390x", "i686"}
)


def _sections(line: str) -> dict[str, str] | None:
    """`Linux HOST RELEASE VERSION... MACHINE [PROCESSOR PLATFORM] GNU/Linux` -> probe sections."""
    tokens = line.split()
    if len(tokens) < 5 or tokens[0] != "Linux":
        return None
    machine = next((i for i in range(4, len(tokens)) if tokens[i] in _MACHINES), None)
    if machine is None:
        return None
    return {
        "hostname": tokens[1],
        "uname_r": tokens[2],
        "uname_v": " ".join(tokens[3:machine]),
        "uname_m": tokens[machine],
    }


def uname_facts(text: str) -> ProbeFacts | None:
    """The host facts of one `uname -a` output; None when it is not one."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip().startswith("Linux ")), "")
    sections = _sections(line)
    if sections is None:
        return None
    output = "".join(f"{MARKER} {k}\n{v}\n{MARKER} {k} rc=0\n" for k, v in sections.items())
    facts = parse_probe(output)
    evidence = {name: Evidence(SOURCE, "uname -a", ev.text) for name, ev in facts.evidence.items()}
    return dataclasses.replace(facts, errors=(ONLY_UNAME,), evidence=evidence, source="agent pod")

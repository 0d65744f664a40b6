"""The exit code of `cilium-tui check`, like kube-bench's `--exit-code` and Popeye's.

- 0: every applicable item is on (or off where turning it on is not advised; advisory items never
  fail).
- 1: some applicable item is off or blocked, or cannot be verified: it is unknown on a node where
  the collector that reads it failed (the agent's status could not be read, the cluster-level
  reads failed, or the SSH probe of a node that has an SSH target failed). An unknown that is
  only the facts not saying (e.g. an agent too old to report a field), or a host item with SSH
  probing turned off (--no-ssh, or no SSH target), does not fail.
- 2: no scan: the cluster could not be opened (only the caller knows), or the scan read no agent
  status on any node and no cilium-config, so nothing about Cilium was checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cilium_tui.checks.types import Rollup, State
from cilium_tui.model import NodeRecord, Snapshot

EXIT_OK = 0
EXIT_FAILING = 1
EXIT_NO_SCAN = 2

NOTHING_READ = "the scan read no agent status on any node and no cilium-config"


def failing_items(rollups: Iterable[Rollup]) -> tuple[str, ...]:
    """Ids of the items that fail on at least one node, in catalogue order."""
    return tuple(r.item.id for r in rollups if r.failing)


def read_nothing(snapshot: Snapshot) -> bool:
    """The scan read nothing about Cilium: no agent status anywhere and no cilium-config."""
    return snapshot.config is None and not any(r.agent is not None for r in snapshot.nodes)


def unverifiable_items(rollups: Iterable[Rollup], snapshot: Snapshot) -> tuple[str, ...]:
    """Ids of applicable items left unknown by a failed collector on some node."""
    records = {r.name: r for r in snapshot.nodes}
    return tuple(
        r.item.id
        for r in rollups
        if not r.item.advisory
        and any(
            f.state is State.UNKNOWN
            and f.recommended is not False
            and _collector_failed(r, records.get(f.node), snapshot)
            for f in r.findings
        )
    )


def _collector_failed(rollup: Rollup, record: NodeRecord | None, snapshot: Snapshot) -> bool:
    if record is None:
        return bool(snapshot.errors)
    if rollup.item.scope == "host":
        # No SSH target (--no-ssh, or none configured) is a choice, not a failure.
        return "ssh" in record.errors and record.ssh_host is not None
    return "agent" in record.errors or bool(snapshot.errors)


def check_exit_code(rollups: Sequence[Rollup], snapshot: Snapshot | None = None) -> int:
    """The rule above; without the snapshot, only off and blocked items count."""
    if snapshot is not None and read_nothing(snapshot):
        return EXIT_NO_SCAN
    if failing_items(rollups):
        return EXIT_FAILING
    if snapshot is not None and unverifiable_items(rollups, snapshot):
        return EXIT_FAILING
    return EXIT_OK


def verdict(rollups: Sequence[Rollup], snapshot: Snapshot | None = None) -> str:
    """The result in words, with the exit code: "12 of 20 items need attention (exit code 1)"."""
    code = check_exit_code(rollups, snapshot)
    failing = failing_items(rollups)
    unverified = unverifiable_items(rollups, snapshot) if snapshot is not None else ()
    if code == EXIT_NO_SCAN:
        words = NOTHING_READ
    elif failing or unverified:
        parts = [f"{len(failing)} of {len(rollups)} items need attention"] if failing else []
        if unverified:
            parts.append(f"{len(unverified)} could not be verified (collection errors)")
        words = "; ".join(parts)
    else:
        words = "every applicable item is on"
    return f"{words} (exit code {code})"

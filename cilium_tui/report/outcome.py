"""The exit code of `cilium-tui check`.

0 when every applicable non-advisory item is on, 1 when some are off or blocked (where turning
them on is advised), 2 when the scan could not run at all - which only the caller can know.
Unknown findings do not fail a check: they are shown, but the facts do not say the item is off.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cilium_tui.checks.types import Rollup

EXIT_OK = 0
EXIT_FAILING = 1
EXIT_NO_SCAN = 2


def failing_items(rollups: Iterable[Rollup]) -> tuple[str, ...]:
    """Ids of the items that fail on at least one node, in catalogue order."""
    return tuple(r.item.id for r in rollups if r.failing)


def check_exit_code(rollups: Iterable[Rollup]) -> int:
    return EXIT_FAILING if failing_items(rollups) else EXIT_OK


def verdict(rollups: Sequence[Rollup]) -> str:
    """The result in words, with the exit code: "12 of 20 items need attention (exit code 1)"."""
    failing = failing_items(rollups)
    words = (
        f"{len(failing)} of {len(rollups)} items need attention"
        if failing
        else "every applicable item is on"
    )
    return f"{words} (exit code {check_exit_code(rollups)})"

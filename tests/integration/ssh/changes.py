"""Apply a NodeChange over SSH, verify it, undo it: the machine's state must move and come back."""

from __future__ import annotations

from collections.abc import Callable

from cilium_tui.collect.inventory import SshTarget
from cilium_tui.collect.node_commands import NodeChange
from cilium_tui.collect.ssh import SshPool


async def apply_and_undo(
    pool: SshPool, target: SshTarget, change: NodeChange, observe: Callable[[], object]
) -> None:
    """`observe()` reads the machine's state directly (not over SSH) before, during and after."""
    before = observe()
    check = await pool.run_command(target, change.check)
    assert not change.verified(check.stdout), f"{change.title}: already in place: {check.stdout!r}"
    for command in change.apply:
        result = await pool.run_command(target, command)
        assert result.rc == 0, (command, result)
    check = await pool.run_command(target, change.check)
    assert change.verified(check.stdout), (change.title, check)
    assert observe() != before
    for command in change.undo:
        result = await pool.run_command(target, command)
        assert result.rc == 0, (command, result)
    check = await pool.run_command(target, change.check)
    assert not change.verified(check.stdout)
    assert observe() == before

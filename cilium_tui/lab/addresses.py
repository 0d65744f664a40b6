"""Where the lab's machines live: loopback addresses only.

Every machine of a scenario gets its own 127.77.x.y address; its SSH board listens there and its
Node object advertises it as the InternalIP. So whatever a client does with the lab's Nodes (map
them to SSH hosts by InternalIP, print them, dial them) stays on this machine: the lab never
points anything at an address outside loopback.
"""

from __future__ import annotations

JUMP_ADDRESS = "127.77.0.1"
FIRST_BOARD = 11
ADDRESS_PATTERN = "127.77.*"
PER_BLOCK = 240
"""Boards per /24 of 127.77.0.0/16 (from .11): enough room for `scale:N` labs of thousands."""


def board_address(index: int) -> str:
    """The loopback address of the machine at `index`: 127.77.0.11, .12, ... then 127.77.1.11."""
    block, offset = divmod(index, PER_BLOCK)
    return f"127.77.{block}.{FIRST_BOARD + offset}"

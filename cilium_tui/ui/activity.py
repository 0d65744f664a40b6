"""The console's activity log: what scans, watches and actions did, in plain sentences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Level(StrEnum):
    INFO = "information"
    WARNING = "warning"
    ERROR = "error"
    """Values are Textual's notification severities, so an entry can become a toast as is."""


@dataclass(frozen=True)
class Activity:
    at: datetime
    level: Level
    text: str
    """Plain text, possibly from outside (node names, command output): never markup."""

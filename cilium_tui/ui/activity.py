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


def describe(error: BaseException | None) -> str:
    """An exception as one line for the log and a toast: its type, and its message if any."""
    if error is None:
        return "unknown error"
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__

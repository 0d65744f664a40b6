"""Kubernetes timestamps (RFC 3339, e.g. "2026-12-07T21:06:39Z") as aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_time(value: object) -> datetime | None:
    """The moment `value` names; None when it is not an RFC 3339 timestamp."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

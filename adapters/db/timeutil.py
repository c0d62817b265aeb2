"""SQLite keeps no zone with a timestamp; we store UTC and say so on the way out."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def from_db_time(value: object) -> datetime:
    """A timestamp read through the driver: text on SQLite, a datetime on PostgreSQL; always UTC-aware."""
    return as_utc(value if isinstance(value, datetime) else datetime.fromisoformat(str(value)))

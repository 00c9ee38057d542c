"""Counts and moments in words, as the KB pages show them ("3 documents", "5 minutes ago")."""

from __future__ import annotations

from datetime import UTC, datetime


def plural(value: int, word: str) -> str:
    return f"{value:,} {word}" + ("" if value == 1 else "s")


def utc(moment: datetime) -> datetime:
    """The moment with its zone (a time stored without one is UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def within_a_day(seconds: float) -> str | None:
    """Less than a day ago, in words ("just now", "5 minutes ago", "3 hours ago"); else None."""
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return plural(int(seconds // 60), "minute") + " ago"
    if seconds < 86400:
        return plural(int(seconds // 3600), "hour") + " ago"
    return None

"""Column types shared by the models.

Points are exact: half points exist, and floats added up drift. They are stored as integers
of half points and surface as ``Decimal``, which works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Integer
from sqlalchemy.types import TypeDecorator
from sqlmodel.sql.sqltypes import AutoString


class HalfPoints(TypeDecorator):
    """A ``Decimal`` number of points kept as an integer count of half points."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:  # noqa: ANN401
        if value is None:
            return None
        doubled = Decimal(str(value)) * 2
        if doubled != doubled.to_integral_value():
            raise ValueError(f"points must be a multiple of 0.5, got {value}")
        return int(doubled)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:  # noqa: ANN401
        if value is None:
            return None
        return (Decimal(value) / 2).normalize() if value % 2 else Decimal(value // 2)


class AwareDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware when read back (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:  # noqa: ANN401
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; pass a timezone-aware value")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:  # noqa: ANN401
        if value is None:
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)


class ExternalId(TypeDecorator):
    """A person's or chat's id on a channel, kept as text: Telegram's are numbers beyond 32 bits,
    DingTalk's staff ids are not numbers at all. Today's callers still hand in Telegram ints, so
    ints are turned into their text on the way in (in comparisons too); reads give ``str``."""

    impl = AutoString
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:  # noqa: ANN401
        return None if value is None else str(value)

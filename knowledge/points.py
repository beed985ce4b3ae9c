"""Points are exact decimals (half points exist); this is how they leave the store as JSON."""

from __future__ import annotations

from decimal import Decimal


def json_points(value: object) -> object:
    """2 stays 2, 1.5 stays 1.5, None stays None; anything not a Decimal passes unchanged.

    JSON has no decimals, and a float of a half point is exact, so nothing is lost.
    """
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value

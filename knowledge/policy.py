"""The campaign's reminder policy (``campaign.reminders`` in its YAML): when to nudge.

It is part of the campaign's data, so the loader's check can refuse a bad one and the planner
in ``reminders/`` reads it; it lives in the domain so neither imports the other the wrong way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from knowledge.models import Campaign


@dataclass(frozen=True)
class Policy:
    """When to nudge; the defaults follow issue 6 and can be changed per campaign."""

    send_at: time = time(9, 0)
    before: tuple[int, ...] = (14, 7, 3, 1)
    # Weekly overdue reminders after the first: None = until the indicator is covered or the
    # campaign ends (its last phase's end); a number stops them after that many weeks.
    overdue_weeks: int | None = None


DEFAULT_POLICY = Policy()


def policy_for(campaign: Campaign) -> Policy:
    """The campaign's own policy (``campaign.reminders`` in its YAML), else the defaults."""
    spec = (campaign.extra or {}).get("reminders") or {}
    try:
        return parse_policy(spec)
    except ValueError:  # the loader refuses a bad policy; a row loaded before that check falls back
        return DEFAULT_POLICY


def parse_policy(spec: dict) -> Policy:
    """``{send_at: "09:00", before: [14, 7, 3, 1], overdue_weeks: 8}`` → Policy; ValueError names the field.

    ``overdue_weeks`` absent or null: weekly until covered (the default)."""
    send_at = str(spec.get("send_at", "09:00"))
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", send_at)
    if not m:
        raise ValueError(f"reminders.send_at: “{send_at}”应写成 09:00 这样的时间")
    try:
        before = tuple(int(n) for n in spec.get("before", DEFAULT_POLICY.before))
        weeks = spec.get("overdue_weeks")
        weeks = None if weeks is None else int(weeks)
    except (TypeError, ValueError):
        raise ValueError("reminders.before / overdue_weeks: 应是整数(工作日数、周数)") from None
    if any(n < 1 or n > 60 for n in before) or (weeks is not None and not 0 <= weeks <= 52):
        raise ValueError("reminders.before: 每个数在 1–60 个工作日之间;overdue_weeks: 0–52(不写则催到补齐为止)")
    brief = spec.get("brief", "laggards")
    if brief not in ("off", "laggards", "full"):
        raise ValueError(f"reminders.brief: “{brief}”应是 off、laggards 或 full")
    return Policy(send_at=time(int(m.group(1)), int(m.group(2))), before=tuple(sorted(set(before), reverse=True)),
                  overdue_weeks=weeks)

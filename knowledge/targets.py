"""Which scoring targets one piece of evidence counts for — the one rule that the score, the
reminders, ``/status`` and the 台账 all follow, so they never disagree.

An indicator scored by items has one target per item; any other indicator has one target, the
indicator itself (key ``None``). Evidence sent for the whole of an itemised indicator counts for
every item; evidence naming an item of an indicator scored as a whole counts for the indicator.
"""

from __future__ import annotations

from collections.abc import Sequence


def covered(scoring: str, item_ids: Sequence[int], item_id: int | None) -> list[int | None]:
    """The target keys (item ids, or ``None`` for the whole indicator) evidence counts for."""
    if scoring != "items" or not item_ids:
        return [None]
    if item_id is None or item_id not in item_ids:
        return list(item_ids)
    return [item_id]

"""A question typed as text, commands included, answered by the same builders as the bot's handlers.

In Telegram, ``/ind 12`` reaches its own CommandHandler; ``liaison-bot ask "/ind 12"`` and the
question sets have only the text. This maps the question commands onto the reply builders the
handlers call, so both faces give one answer; anything else is read as free text.
"""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session

from bot.answers import (
    Asker,
    Reply,
    answer,
    indicator_reply,
    phase_reply,
    search_reply,
    unit_lookup_reply,
)
from bot.render import render
from knowledge.models import Campaign
from knowledge.questions import Question, interpret, to_int
from knowledge.units import UnitDirectory

_COMMAND = re.compile(r"^/([a-z_]+)(?:@\w+)?(?:\s+(.*))?$", re.S)


def answer_typed(session: Session, camp: Campaign, directory: UnitDirectory, text: str, asker: Asker,
                 today: date, bot_username: str | None = None) -> Reply:
    """The reply to ``text``: a question command as its handler answers it, or a free-text question."""
    m = _COMMAND.match(text.strip())
    if m is None:
        return answer(session, camp, directory, interpret(text, directory, bot_username), asker, today)
    name, arg = m.group(1), (m.group(2) or "").strip()
    if name in ("help", "start"):
        return Reply(text=render("help", city=camp.city), intent="help")
    if name == "my" or (name == "unit" and not arg):
        return answer(session, camp, directory, Question(text=text, intent="my_unit"), asker, today)
    if name == "unit":
        return unit_lookup_reply(session, camp, directory, arg)
    if name == "ind":
        number = to_int(arg) if arg else None
        if number is None:
            return Reply(text=render("ind_usage"), intent="usage")
        return indicator_reply(session, camp, directory, number, asker)
    if name == "find":
        if not arg:
            return Reply(text=render("find_usage"), intent="usage")
        return search_reply(session, camp, arg)
    if name == "phase":  # "/phase 评估验收": that phase first
        return phase_reply(session, camp, today, arg)
    if name == "status":
        from bot.answers_info import owe_reply

        unit = asker.unit
        if arg:
            res = directory.resolve(arg)
            if res.unit is None:
                return Reply(text=render("unit_not_found", query=arg, suggestions=res.suggestions[:5]),
                             intent="unit_not_found")
            unit = res.unit
        return owe_reply(session, camp, directory, unit)
    return Reply(text=render("unknown"), intent="unknown")

"""A question typed as text, commands included, answered by the same builders as the bot's handlers.

In Telegram, ``/ind 12`` reaches its own CommandHandler; ``liaison-bot ask "/ind 12"`` and the
question sets have only the text. This maps the question commands onto the reply builders the
handlers call, so both faces give one answer; anything else is read as free text.

The bot keeps replies (``ReplyCache``): the same question from the same unit gets the same text
while the documents, the timeline and the day are unchanged, so it is built once. Replies that
read submissions or the roster are always built afresh.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from cachetools import LRUCache
from sqlmodel import Session

from bot.answers import (
    Asker,
    Reply,
    answer,
    indicator_reply,
    phase_reply,
    search_reply,
    unit_lookup_reply,
    unit_not_found,
)
from bot.render import render
from knowledge.models import Campaign
from knowledge.questions import Question, interpret, to_int
from knowledge.timeline import timeline_key
from knowledge.units import UnitDirectory

_COMMAND = re.compile(r"^/([a-z_]+)(?:@\w+)?(?:\s+(.*))?$", re.S)

# Questions whose answers read what changes many times a day and is not in the key below:
# submissions and figures (/status, "还差什么"), the roster ("统计局的联络员是谁").
LIVE_INTENTS = frozenset({"owe", "contacts"})
LIVE_COMMANDS = frozenset({"status"})


class ReplyCache(LRUCache):
    """Replies kept per process, keyed by everything they depend on.

    The key holds the campaign's data hash (documents load at start-up, so changed documents
    can never serve an old answer); the timeline as it stands in the store (``timeline_key``:
    phases, the office's due dates, the evidence phase — read on every question, so a change
    made from the command line in another process counts at once); today, for "进行中" and
    "已过"; the asker's unit, because "我们单位" and "what your unit must do" depend on it; and the
    text as typed. Bounded, least recently used first out.
    """

    def __init__(self, maxsize: int = 2048) -> None:
        super().__init__(maxsize=maxsize)


def answer_typed(session: Session, camp: Campaign, directory: UnitDirectory, text: str, asker: Asker,
                 today: date, bot_username: str | None = None, cache: ReplyCache | None = None) -> Reply:
    """The reply to ``text``: a question command as its handler answers it, or a free-text question."""
    if cache is None:
        return _build(session, camp, directory, text, asker, today, bot_username)[0]
    key = (camp.id, camp.data_hash, timeline_key(session, camp), today, asker.unit.id if asker.unit else None,
           text.strip(), bot_username or "")
    kept = cache.get(key)
    if kept is None:
        reply, live = _build(session, camp, directory, text, asker, today, bot_username)
        if live:
            return reply
        cache[key] = kept = reply
    return replace(kept)  # a copy: callers may set fields; the lists inside are never changed


def _build(session: Session, camp: Campaign, directory: UnitDirectory, text: str, asker: Asker,
           today: date, bot_username: str | None) -> tuple[Reply, bool]:
    """The reply, and whether it reads live state (and so must not be kept)."""
    m = _COMMAND.match(text.strip())
    if m is None:
        question = interpret(text, directory, bot_username)
        return answer(session, camp, directory, question, asker, today), question.intent in LIVE_INTENTS
    name = m.group(1)
    return _command(session, camp, directory, text, asker, today, name, (m.group(2) or "").strip()), \
        name in LIVE_COMMANDS


def _command(session: Session, camp: Campaign, directory: UnitDirectory, text: str, asker: Asker,
             today: date, name: str, arg: str) -> Reply:
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
        return indicator_reply(session, camp, directory, number, asker, today)
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
                return unit_not_found(camp, arg, res.suggestions, session)
            unit = res.unit
        return owe_reply(session, camp, directory, unit)
    return Reply(text=render("unknown"), intent="unknown")

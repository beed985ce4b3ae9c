"""A typed question (command or free text) answered and rendered, the way every face gets it.

``knowledge.ask`` turns the text into a ``Message``; this renders it once into the neutral
markup and keeps the result (``ReplyCache``): the same question from the same unit gets the
same reply while the documents, the timeline and the day are unchanged, so it is built once.
Replies that read submissions or the roster (``knowledge.ask.LIVE_INTENTS``) are always built
afresh. Telegram, the console chat and ``liaison-bot ask`` all call ``answer_typed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from cachetools import LRUCache
from sqlmodel import Session

from bot.render import render_message
from knowledge.ask import LIVE_INTENTS, Asker, Question, Scope, answer, parse
from knowledge.messages import Actions, Message
from knowledge.models import Campaign
from knowledge.timeline import timeline_key
from knowledge.units import UnitDirectory


@dataclass
class Reply:
    """A rendered ``Message``: its markup, its buttons, and the facts behind the text."""

    text: str
    intent: str
    actions: Actions = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    phase: dict | None = None
    answered_from: str = "document"

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        """(label, encoded action) rows, as a face that knows no ``Action`` shows them."""
        return [[(a.label, a.encode()) for a in row] for row in self.actions]


class ReplyCache(LRUCache):
    """Replies kept per process, keyed by everything they depend on.

    The key holds the campaign's data hash (documents load at start-up, so changed documents
    can never serve an old answer); the timeline as it stands in the store (``timeline_key``:
    phases, the office's due dates, the evidence phase — read on every question, so a change
    made from the command line in another process counts at once); today, for "进行中" and
    "已过"; the asker's unit, because "我们单位" and "what your unit must do" depend on it; their
    role and chat kind, because /help lists what they may use there; and the
    text as typed. Bounded, least recently used first out.
    """

    def __init__(self, maxsize: int = 2048) -> None:
        super().__init__(maxsize=maxsize)


def answer_typed(session: Session, camp: Campaign, directory: UnitDirectory, text: str, asker: Asker,
                 today: date, bot_username: str | None = None, cache: ReplyCache | None = None,
                 question: Question | None = None) -> Reply:
    """The rendered reply to ``text``: a question command or a free-text question (``question``:
    the face has read it already, e.g. a command with its arguments)."""
    if cache is None:
        return _build(Scope(session, camp, directory, asker, today), text, bot_username, question)[0]
    key = (camp.id, camp.data_hash, timeline_key(session, camp), today, asker.unit.id if asker.unit else None,
           asker.role, asker.chat, text.strip(), bot_username or "")
    kept = cache.get(key)
    if kept is None:
        reply, live = _build(Scope(session, camp, directory, asker, today), text, bot_username, question)
        if live:
            return reply
        cache[key] = kept = reply
    return replace(kept)  # a copy: callers may set fields; the lists inside are never changed


def _build(scope: Scope, text: str, bot_username: str | None, question: Question | None) -> tuple[Reply, bool]:
    """The reply, and whether it reads live state (and so must not be kept)."""
    question = question or parse(text, scope.directory, bot_username)
    return rendered(answer(scope, question)), question.intent in LIVE_INTENTS


def rendered(message: Message) -> Reply:
    """``message`` rendered, with its facts."""
    return Reply(text=render_message(message), intent=message.intent, actions=message.actions,
                 indicators=message.indicators, tasks=message.tasks, units=message.units, phase=message.phase,
                 answered_from=message.answered_from)

"""The question path: a message an officer typed (a command or free text) becomes one
``Question`` (``parse``), and one table (``dispatch.COMPOSERS``) turns it into the ``Message``
that answers it. Faces (Telegram, the console, ``liaison-bot ask``) call ``ask`` and render
what it returns; nothing here knows a channel.

- ``question``: the values (``Intent``, ``Question``, ``Asker``, ``Scope``).
- ``grammar``: the words (number forms, phrase patterns, captions, short unit names).
- ``parse``: commands and free text → ``Question``.
- ``dispatch``: ``Question`` → ``Message``; composers in ``cards``, ``info`` and ``who``.
"""

from __future__ import annotations

from knowledge.ask.dispatch import answer
from knowledge.ask.parse import parse
from knowledge.ask.question import LIVE_INTENTS, Asker, Intent, Question, Scope
from knowledge.messages import Message

__all__ = ["LIVE_INTENTS", "Asker", "Intent", "Question", "Scope", "ask", "answer", "parse"]


def ask(scope: Scope, text: str, bot_username: str | None = None) -> tuple[Question, Message]:
    """The question ``text`` asks and the message that answers it."""
    question = parse(text, scope.directory, bot_username)
    return question, answer(scope, question)

"""Who someone is, independent of the chat service: a channel and an id on that channel.

Officers and chats are stored by ``(channel, external id)``; the id is a string because the
next channel (DingTalk's staff ids) is not a number. Today's callers still pass Telegram ints,
so every entry point takes ``int | str`` and stores ``str``. Shared by ``knowledge.people``
and ``knowledge.chats``, which otherwise know nothing of each other.
"""

from __future__ import annotations

from typing import Any

TELEGRAM = "telegram"
DINGTALK = "dingtalk"  # the second face (``channels.dingtalk``): ids are staff userids


class PeopleError(Exception):
    """A request about people or chats that cannot be carried out; the message is for users."""


def external_id(value: int | str | None) -> str | None:
    """The stored form of an id on a channel: a string (``None`` stays ``None``)."""
    return None if value is None else str(value)


def caller_id(channel: str, value: int | str | None) -> int | str | None:
    """An id as today's callers compare it: an int on Telegram, the string elsewhere.

    ``value`` may still be an int: a row assigned in this session is not read back until it expires."""
    text = external_id(value)
    if text is not None and channel == TELEGRAM and text.lstrip("-").isdigit():
        return int(text)
    return text


def snapshot(row: Any, keys: tuple[str, ...]) -> dict:  # noqa: ANN401  (an Officer or a Chat row)
    """The audited columns of a row, before or after a change."""
    return {k: v for k, v in row.model_dump().items() if k in keys}

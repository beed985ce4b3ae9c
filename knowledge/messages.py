"""What the core says to a person, as plain values: a template name, its data, and buttons.

The core (``knowledge/``, ``reminders/``) never writes markup or Telegram ``callback_data``. It
returns ``Message``s; each face renders the template (one set, under ``bot/templates``) into the
neutral markup and converts that for its channel — Telegram HTML plus an inline keyboard, plain
console text, DingTalk markdown. Buttons are ``Action``s: a kind and a few ids, never titles, so
every face can encode them within its own limits (Telegram: 64 bytes of ``callback_data``) and
decode them back into the same value.

The structured facts (``intent``, ``indicators``, ``tasks``, ``units``, ``phase``) travel with the
message so ``liaison-bot ask --json`` and tests assert on what was meant, not only on wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from knowledge.numbers import read_id


class ActionKind(StrEnum):
    """What pressing a button does. The values are the short prefixes the faces encode."""

    OPEN_INDICATOR = "i"  # (campaign_id, indicator no)
    OPEN_UNIT = "u"  # (campaign_id, unit_id)
    OPEN_TASK = "t"  # (campaign_id, task seq)
    REGISTER = "reg"  # ("c"|"p"|"u", campaign_id[, unit_id])
    APPROVE = "apv"  # (officer_id, 1|0)
    SETUP = "setup"  # (campaign_id, "l"|"o")
    SUBMIT = "sb"  # (step, ids…)
    REVIEW = "rv"  # (evidence_id, "a"|"p"|"r")
    ACK = "ack"  # (reminder log id,)


# The args each kind takes, as a pattern over its args written ``i`` for an id (a bounded int) and
# as themselves for words: what the handlers unpack, so a button of another shape is stale.
SHAPES = {ActionKind.OPEN_INDICATOR: "i:i", ActionKind.OPEN_UNIT: "i:i", ActionKind.OPEN_TASK: "i:i",
          ActionKind.REGISTER: "c:i|[pu]:i:i", ActionKind.APPROVE: "i:i", ActionKind.SETUP: "i:[lo]",
          ActionKind.SUBMIT: "[pi]:i:i|t:i:i:i|(?:ok|x):i(?::i){0,2}", ActionKind.REVIEW: "i:[apr]",
          ActionKind.ACK: "i"}


@dataclass(frozen=True)
class Action:
    """One button: its label (shown) and what it does (ids only)."""

    label: str
    kind: ActionKind
    args: tuple[int | str, ...] = ()

    @classmethod
    def parse(cls, data: str, label: str = "") -> Action | None:
        """The action a face encoded as ``kind:arg:arg``; None when it names no known kind or its
        args are not of that kind's shape (``SHAPES``: ids are ASCII digits within
        ``knowledge.numbers.MAX_ID``): a stale or forged button."""
        kind, *parts = data.split(":")
        try:
            action_kind = ActionKind(kind)
        except ValueError:
            return None
        args = tuple(read_id(a) if a[:1].isdigit() else a for a in parts)
        shape = ":".join("?" if a is None else "i" if isinstance(a, int) else a for a in args)
        return cls(label, action_kind, args) if re.fullmatch(SHAPES[action_kind], shape) else None

    def encode(self) -> str:
        """``kind:arg:arg`` — the compact form faces carry (Telegram ``callback_data``)."""
        return ":".join([self.kind.value, *(str(a) for a in self.args)])


Actions = list[list[Action]]


@dataclass
class Message:
    """A reply or a notice before it is rendered: ``template`` with ``data``, and buttons.

    ``parts`` joins several messages into one (each rendered, then separated by the
    ``separator`` template), as when two indicators are asked side by side.
    """

    template: str
    data: dict[str, Any] = field(default_factory=dict)
    actions: Actions = field(default_factory=list)
    intent: str = ""
    indicators: list[dict] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    phase: dict | None = None
    parts: list[Message] = field(default_factory=list)


def say(template: str, intent: str = "", /, **data: Any) -> Message:  # noqa: ANN401
    """A message of one template with no buttons or facts: ``say("pending", unit=…)``."""
    return Message(template=template, data=data, intent=intent)

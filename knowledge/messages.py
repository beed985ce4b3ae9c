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
    MORE = "m"  # (campaign_id, what): the whole of what a short reply summed up (``MORE_WHAT``)


# What a MORE button may show: the leading group's members, the whole timeline, the indicator system.
MORE_WHAT = ("members", "phases", "overview")


# The args each kind takes, as a pattern over its args written ``i`` for an id (a bounded int) and
# as themselves for words: what the handlers unpack, so a button of another shape is stale.
SHAPES = {ActionKind.OPEN_INDICATOR: "i:i", ActionKind.OPEN_UNIT: "i:i", ActionKind.OPEN_TASK: "i:i",
          ActionKind.REGISTER: "c:i|[pu]:i:i", ActionKind.APPROVE: "i:i", ActionKind.SETUP: "i:[lo]",
          ActionKind.SUBMIT: "[pi]:i:i|t:i:i:i|(?:ok|x):i(?::i){0,2}", ActionKind.REVIEW: "i:[apr]",
          ActionKind.ACK: "i", ActionKind.MORE: "i:(?:" + "|".join(MORE_WHAT) + ")"}


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
    # Where the answer comes from: "document" (what the plan says), "inferred" (a fact the bot
    # worked out, such as a due date taken from a phase), "not_in_document" (the plan is silent).
    answered_from: str = "document"


def say(template: str, intent: str = "", /, **data: Any) -> Message:  # noqa: ANN401
    """A message of one template with no buttons or facts: ``say("pending", unit=…)``."""
    return Message(template=template, data=data, intent=intent)


# --- Messages kept in the store (the outbox) ------------------------------------------------
# A message the bot must deliver is written as JSON in the transaction of the fact it reports
# and rendered only when it is sent, by whichever face sends it. Its data hold what templates
# read: plain JSON, and the few richer values the core passes (Decimal points, dates, the
# dataclasses of ``knowledge``). Each is tagged so that it comes back as itself.

_TAG = "$"


def encode(message: Message) -> dict[str, Any]:
    """``message`` as JSON-safe data (see ``decode``)."""
    return {"template": message.template, "data": _encode(message.data), "intent": message.intent,
            "actions": [[[a.label, a.encode()] for a in row] for row in message.actions],
            "parts": [encode(p) for p in message.parts]}


def decode(data: dict[str, Any]) -> Message:
    """The ``Message`` that ``encode`` wrote; buttons that no longer parse are dropped."""
    rows = [[a for label, code in row if (a := Action.parse(code, label)) is not None]
            for row in data.get("actions", [])]
    return Message(template=data["template"], data=_decode(data.get("data", {})), intent=data.get("intent", ""),
                   actions=[row for row in rows if row], parts=[decode(p) for p in data.get("parts", [])])


def _encode(value: Any) -> Any:  # noqa: ANN401
    from dataclasses import fields, is_dataclass
    from datetime import date, datetime
    from decimal import Decimal

    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, Decimal):
        return {_TAG: "decimal", "v": str(value)}
    if isinstance(value, datetime):
        return {_TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {_TAG: "date", "v": value.isoformat()}
    if is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if not cls.__module__.startswith("knowledge."):
            raise TypeError(f"cannot keep a {cls.__name__} in the outbox")
        return {_TAG: "dataclass", "type": f"{cls.__module__}:{cls.__qualname__}",
                "v": {f.name: _encode(getattr(value, f.name)) for f in fields(value) if f.init}}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot keep a {type(value).__name__} in the outbox")


def _decode(value: Any) -> Any:  # noqa: ANN401
    from datetime import date, datetime
    from decimal import Decimal
    from importlib import import_module

    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(_TAG)
    if tag is None:
        return {k: _decode(v) for k, v in value.items()}
    if tag == "decimal":
        return Decimal(value["v"])
    if tag == "datetime":
        return datetime.fromisoformat(value["v"])
    if tag == "date":
        return date.fromisoformat(value["v"])
    module, _, name = value["type"].partition(":")
    if not module.startswith("knowledge."):  # only the core's own values come back as objects
        raise TypeError(f"unknown value type {value['type']!r}")
    cls = getattr(import_module(module), name)
    return cls(**{k: _decode(v) for k, v in value["v"].items()})

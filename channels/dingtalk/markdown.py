"""A core ``Message`` as DingTalk shows it: markdown (the subset DingTalk renders, escaped), split
within its limit, its buttons on the last part (sent as a card's buttons, or as numbered choices).

DingTalk's robot markdown renders bold, italic, links, code and line breaks, and shows HTML tags
literally, so the neutral markup is converted by ``bot.markup.to_markdown`` (never passed
through). A robot message has no inline keyboard that calls back: with a card template
(``DINGTALK_CARD_TEMPLATE_ID``) the outbox sends the part as an interactive card; otherwise (or
when the card is refused) each ``Action`` becomes a numbered choice — "[选1] 通过" — written as
a ``dtmd://dingtalkclient/sendMessage`` link: tapping it sends "选1" as the person's own message,
and typing it (or the label itself) does the same, as numbers do in the console chat. A bare
number is not a choice: "7" asks about indicator 7, as on Telegram. Numbers run on per
conversation (``Choices``, kept in the store for ``TTL``), so two review cards in one group never
share a number, and a restart forgets none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote

from bot.context import Services
from bot.markup import to_markdown, to_text
from bot.render import render_message, split_message
from channels.dingtalk import CHANNEL
from knowledge import conversation
from knowledge.messages import Action, Actions, Message

# Characters per markdown message: DingTalk documents 5000 for sampleMarkdown's text; the
# escaping and the "  \n" line breaks take room, so the plain text is cut well below it.
LIMIT = 3000
TTL = timedelta(days=7)  # how long a shown choice (or card) can be pressed
PICK = "选"  # what a choice is typed as: 选3
CHOICE = re.compile(PICK + r"\s*(\d{1,3})")
_TG_LINK = re.compile(r'<a href="tg://[^"]*">(.*?)</a>')
_SPECIAL = re.compile(r"([\\`*_|])")


@dataclass(frozen=True)
class Part:
    """One DingTalk markdown message: its title (the notification's preview) and text."""

    title: str
    text: str
    actions: Actions = field(default_factory=list)  # buttons under it: a card's, or numbered choices


class Choices:
    """The numbered choices shown in each conversation, kept in the store (``knowledge.conversation``)
    for ``TTL``: a restart forgets none, and "选N" past its time is answered, not guessed."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def number(self, chat: str, actions: Actions) -> list[list[tuple[int, Action]]]:
        """Give each action of ``actions`` the next number in ``chat``, stored (committed) at once."""
        with self.services.session() as session:
            numbers = conversation.number(session, CHANNEL, chat, [[(a.label, a.encode()) for a in row]
                                                                   for row in actions],
                                          now=self.services.clock.now(), ttl=TTL)
        return [list(zip(ns, row, strict=True)) for ns, row in zip(numbers, actions, strict=True)]

    def pick(self, chat: str, text: str) -> Action | None:
        """The action "选N" (or a shown label) names in ``chat``; None when it names none (or no longer)."""
        text = text.strip()
        m = CHOICE.fullmatch(text)
        with self.services.session() as session:
            found = conversation.choice(session, CHANNEL, chat, now=self.services.clock.now(),
                                        n=int(m.group(1)) if m else None, label="" if m else text)
        return Action.parse(found[1], found[0]) if found else None


def names_choice(text: str) -> bool:
    """Whether ``text`` is typed as a choice ("选3"), live or not."""
    return CHOICE.fullmatch(text.strip()) is not None


def choice_lines(rows: list[list[tuple[int, Action]]]) -> str:
    """The numbered choices as markdown links that send the number when tapped."""
    lines = []
    for row in rows:
        items = [f"[\\[{PICK}{n}\\] {_label(a.label)}](dtmd://dingtalkclient/sendMessage?content={quote(PICK + str(n))})"
                 for n, a in row]
        lines.append("  ".join(items))
    return "  \n".join(lines)


def _label(label: str) -> str:
    """A button's label inside a link's text: brackets would end it, markdown's characters escaped."""
    return _SPECIAL.sub(r"\\\1", label.replace("[", "(").replace("]", ")"))


def parts(markup: str, actions: Actions | None = None, limit: int = LIMIT) -> list[Part]:
    """The neutral ``markup`` as DingTalk markdown messages, split on lines; the buttons with the last
    (``numbered`` or a card shows them when it is sent).

    A Telegram mention link (``tg://user?id=…``, the review prompt's) means nothing here: its text stays."""
    chunks = split_message(_TG_LINK.sub(r"\1", markup), limit)
    out = [Part(title(chunk), to_markdown(chunk)) for chunk in chunks]
    if actions and not out:
        return [Part("联络员助手", "", list(actions))]
    if actions:
        out[-1] = Part(out[-1].title, out[-1].text, list(actions))
    return out


def numbered(part: Part, rows: list[list[tuple[int, Action]]]) -> Part:
    """``part`` with its buttons written as numbered choices under the text."""
    lines = choice_lines(rows)
    return Part(part.title, part.text + "  \n  \n" + lines if part.text else lines)


def title(markup: str) -> str:
    """The preview DingTalk shows in the chat list: the first line of text, cut to 20 characters."""
    first = next((line.strip() for line in to_text(markup).split("\n") if line.strip()), "联络员助手")
    return first[:20].strip()


def message_parts(message: Message) -> list[Part]:
    """``message`` rendered from its template (the same data as on Telegram), its buttons on the last part."""
    return parts(render_message(message, CHANNEL), message.actions)

"""A core ``Message`` as DingTalk shows it: markdown (the subset DingTalk renders, escaped), split
within its limit, buttons as numbered choices.

DingTalk's robot markdown renders bold, italic, links, code and line breaks, and shows HTML tags
literally, so the neutral markup is converted by ``bot.markup.to_markdown`` (never passed
through). A robot message has no inline keyboard that calls back without a card template made
in the developer console, so each ``Action`` becomes a numbered choice — "[选1] 通过" — written as
a ``dtmd://dingtalkclient/sendMessage`` link: tapping it sends "选1" as the person's own message,
and typing it (or the label itself) does the same, as numbers do in the console chat. A bare
number is not a choice: "7" asks about indicator 7, as on Telegram. Numbers run on per
conversation (``Choices``), so two review cards in one group never share a number.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import quote

from bot.markup import to_markdown, to_text
from bot.render import render_message, split_message
from channels.dingtalk import CHANNEL
from knowledge.messages import Action, Actions, Message

# Characters per markdown message: DingTalk documents 5000 for sampleMarkdown's text; the
# escaping and the "  \n" line breaks take room, so the plain text is cut well below it.
LIMIT = 3000
KEEP = 200  # choices remembered per conversation
PICK = "选"  # what a choice is typed as: 选3
CHOICE = re.compile(PICK + r"\s*(\d{1,3})")
_TG_LINK = re.compile(r'<a href="tg://[^"]*">(.*?)</a>')
_SPECIAL = re.compile(r"([\\`*_|])")


@dataclass(frozen=True)
class Part:
    """One DingTalk markdown message: its title (the notification's preview) and text."""

    title: str
    text: str


class Choices:
    """The numbered choices shown in each conversation, the latest ``KEEP`` of them."""

    def __init__(self) -> None:
        self._by_chat: dict[str, OrderedDict[int, Action]] = {}
        self._next: dict[str, int] = {}

    def number(self, chat: str, actions: Actions) -> list[list[tuple[int, Action]]]:
        """Give each action of ``actions`` the next number in ``chat``."""
        kept = self._by_chat.setdefault(chat, OrderedDict())
        rows = []
        for row in actions:
            numbered = []
            for action in row:
                n = self._next.get(chat, 0) + 1
                if n > 999:  # short numbers stay easy to type; old ones are forgotten by then
                    n = 1
                self._next[chat] = n
                kept[n] = action
                kept.move_to_end(n)
                numbered.append((n, action))
            rows.append(numbered)
        while len(kept) > KEEP:
            kept.popitem(last=False)
        return rows

    def pick(self, chat: str, text: str) -> Action | None:
        """The action "选N" (or a shown label) names in ``chat``; None when it names none."""
        kept = self._by_chat.get(chat) or {}
        text = text.strip()
        if m := CHOICE.fullmatch(text):
            return kept.get(int(m.group(1)))
        latest = [a for a in reversed(kept.values()) if a.label == text]
        return latest[0] if latest else None


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


def parts(markup: str, numbered: list[list[tuple[int, Action]]] | None = None, limit: int = LIMIT) -> list[Part]:
    """The neutral ``markup`` as DingTalk markdown messages, split on lines; the choices with the last.

    A Telegram mention link (``tg://user?id=…``, the review prompt's) means nothing here: its text stays."""
    chunks = split_message(_TG_LINK.sub(r"\1", markup), limit)
    out = []
    for index, chunk in enumerate(chunks):
        text = to_markdown(chunk)
        if numbered and index == len(chunks) - 1:
            text += "  \n  \n" + choice_lines(numbered)
        out.append(Part(title(chunk), text))
    if not out and numbered:
        return [Part("联络员助手", choice_lines(numbered))]
    return out


def title(markup: str) -> str:
    """The preview DingTalk shows in the chat list: the first line of text, cut to 20 characters."""
    first = next((line.strip() for line in to_text(markup).split("\n") if line.strip()), "联络员助手")
    return first[:20].strip()


def message_parts(message: Message, choices: Choices | None, chat: str) -> list[Part]:
    """``message`` rendered from its template (the same data as on Telegram) for ``chat``."""
    numbered = choices.number(chat, message.actions) if choices and message.actions else None
    return parts(render_message(message, CHANNEL), numbered)

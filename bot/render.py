"""Every message text comes from a jinja2 template under ``bot/templates``, rendered into the
neutral markup (``bot.markup``) with autoescape on, so user-supplied text can never break it.

Telegram accepts only a few tags and refuses ``<br>``, ``<p>``, ``<div>``; templates use
newlines. Replies longer than Telegram's 4096 characters are split on line boundaries.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bot.markup import to_text
from knowledge.messages import Message

__all__ = ["render", "render_message", "split_message", "to_text", "utf16_len"]

LIMIT = 4096


def _points(value: Any) -> str:  # noqa: ANN401
    """2 → "2", 1.5 → "1.5", None → "—"."""
    if value is None:
        return "—"
    value = Decimal(str(value))
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value.normalize())


def _short(text: str, width: int = 18) -> str:
    """A title cut to ``width`` characters with "…", so two cut titles never look identical and whole."""
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one template environment (built on first use, not at import)."""
    env = Environment(
        loader=PackageLoader("bot", "templates"),
        autoescape=select_autoescape(enabled_extensions=("j2", "html"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["pts"] = _points
    env.filters["short"] = _short
    return env


def render(name: str, /, **context: Any) -> str:  # noqa: ANN401
    """Render ``templates/<name>.j2`` to Telegram HTML; blank runs collapse to one empty line.

    ``face`` (default "telegram"; the DingTalk face passes "dingtalk") lets a template say what
    differs between the faces — a 50 MB limit, captions — in its own words, not in Python."""
    context.setdefault("face", "telegram")
    text = environment().get_template(f"{name}.j2").render(**context)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def render_message(message: Message, face: str = "telegram") -> str:
    """A core ``Message`` as the neutral markup (for ``face``, see ``render``); its ``parts``
    follow the head, between separators."""
    if not message.parts:
        return render(message.template, **message.data, face=face)
    separator = "\n\n" + render("separator") + "\n\n"
    body = separator.join(render_message(part, face) for part in message.parts)
    return render(message.template, **message.data, face=face) + separator + body if message.template else body


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units after entities are parsed."""
    return len(text.encode("utf-16-le")) // 2


def split_message(markup: str, limit: int = LIMIT) -> list[str]:
    """Split HTML on line boundaries into parts Telegram accepts.

    Templates keep each tag within one line, so a split between lines never cuts a tag.
    """
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in markup.split("\n"):
        cost = utf16_len(to_text(line)) + 1
        if current and size + cost > limit:
            parts.append("\n".join(current).strip("\n"))
            current, size = [], 0
        while utf16_len(to_text(line)) > limit:  # one enormous line: cut its plain text
            plain = to_text(line)
            parts.append(html.escape(plain[: limit - 1]))
            line = html.escape(plain[limit - 1:])
        current.append(line)
        size += cost
    if current:
        parts.append("\n".join(current).strip("\n"))
    return [p for p in parts if p.strip()]

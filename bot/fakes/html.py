"""Telegram's rules for HTML messages, checked the way the Bot API checks them.

Used by the local Bot API so that a template producing ``<br>`` or an unescaped ``<`` fails
in tests exactly as it would fail against Telegram.
"""

from __future__ import annotations

import html
import re

ALLOWED = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
           "blockquote", "tg-spoiler", "span", "tg-emoji"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*?)?)\s*>")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")


def html_error(text: str) -> str | None:
    """None when ``text`` is valid Telegram HTML, else the API's complaint."""
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == "<":
            m = _TAG.match(text, pos)
            if not m:
                return f"Unsupported start tag at byte offset {pos}"
            closing, name = m.group(1) == "/", m.group(2).lower()
            if name not in ALLOWED:
                return f'Unsupported start tag "{name}" at byte offset {pos}'
            if closing:
                if not stack or stack[-1] != name:
                    return f'Unmatched end tag at byte offset {pos}, expected "</{stack[-1] if stack else ""}>", found "</{name}>"'
                stack.pop()
            else:
                stack.append(name)
            pos = m.end()
        elif ch == "&":
            m = _ENTITY.match(text, pos)
            if not m:
                return f"Character entity is not supported at byte offset {pos}"
            pos = m.end()
        elif ch == ">":
            return f"Unexpected end tag at byte offset {pos}"
        else:
            pos += 1
    if stack:
        return f'Can\'t find end tag corresponding to start tag "{stack[-1]}"'
    return None


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text after entities are parsed (what the 4096 limit counts)."""
    if parse_mode and parse_mode.upper() == "HTML":
        return html.unescape(re.sub(r"<[^>]+>", "", text))
    return text


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2

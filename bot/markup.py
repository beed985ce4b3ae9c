"""The neutral markup every template renders into, and its conversion for each face.

One set of templates serves every channel, so they write a deliberately small markup:

- text, with ``&lt; &gt; &amp; &quot; &#39;`` for those characters (autoescape writes them, so
  user text can never become markup);
- ``<b>…</b>`` bold, ``<i>…</i>`` italic, ``<code>…</code>`` and ``<pre>…</pre>`` code,
  ``<a href="…">…</a>`` a link — each opened and closed on one line;
- a newline is a line break; a list is lines that start with "• ".

That is exactly a subset of Telegram's HTML, so the Telegram face sends it as it is (checked
here, because Telegram refuses a whole message over one unknown tag). The console prints it as
plain text; DingTalk gets markdown.
"""

from __future__ import annotations

import html
import re

TAGS = frozenset({"b", "i", "code", "pre", "a"})
_TAG = re.compile(r"<(/?)([a-z]+)(?:\s+href=\"([^\"]*)\")?\s*>")
_ANY_TAG = re.compile(r"<[^>]+>")


def unknown_tags(markup: str) -> list[str]:
    """Tags in ``markup`` outside the neutral set (a template's mistake, not user text)."""
    return sorted({m.group(2) for m in _TAG.finditer(markup) if m.group(2) not in TAGS}
                  | {t for t in re.findall(r"<\s*/?\s*([A-Za-z][\w-]*)", markup) if t not in TAGS})


def to_telegram(markup: str) -> str:
    """Telegram HTML: the neutral markup is already a subset of it."""
    bad = unknown_tags(markup)
    if bad:
        raise ValueError(f"markup outside the neutral set: {bad}")
    return markup


def to_text(markup: str) -> str:
    """Plain text, for the console, the command line and length checks."""
    return html.unescape(_ANY_TAG.sub("", markup))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|])")
_MD_LINE_START = re.compile(r"(?m)^(\s*)([#>+-]|\d+\.)")
_MD = {"b": "**", "i": "*", "code": "`", "pre": "\n```\n"}


def _md_text(text: str, code: bool) -> str:
    text = html.unescape(text)
    return text.replace("`", "'") if code else _MD_SPECIAL.sub(r"\\\1", text)


def to_markdown(markup: str) -> str:
    """Markdown as DingTalk renders it: bold, italic, code, links; text with markdown's own
    characters escaped (code as it is), and line breaks kept (DingTalk joins single newlines)."""
    out: list[str] = []
    links: list[str] = []
    pos, code = 0, False
    for m in _TAG.finditer(markup):
        out.append(_md_text(markup[pos:m.start()], code))
        closing, tag, href = m.group(1), m.group(2), m.group(3)
        if tag == "a":
            out.append("](" + links.pop() + ")" if closing else "[")
            if not closing:
                links.append(html.unescape(href or "").replace(")", "%29"))
        else:
            out.append(_MD.get(tag, ""))
            code = tag in ("code", "pre") and not closing
        pos = m.end()
    out.append(_md_text(markup[pos:], code))
    text = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), "".join(out))
    return "  \n".join(text.split("\n"))

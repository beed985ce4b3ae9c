"""The neutral markup: templates stay inside it, and each face converts it faithfully."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.markup import TAGS, to_markdown, to_telegram, to_text, unknown_tags
from bot.render import render

TEMPLATES = Path(__file__).resolve().parent.parent / "bot" / "templates"


def test_templates_use_only_the_neutral_tags():
    sources = [re.sub(r"{{.*?}}|{%.*?%}|{#.*?#}", "", p.read_text(encoding="utf-8"), flags=re.S)
               for p in TEMPLATES.rglob("*.j2")]
    used = {t for s in sources for t in re.findall(r"<\s*/?\s*([A-Za-z][\w-]*)", s)}
    assert used <= TAGS, used - TAGS


def test_user_text_stays_text_in_every_face():
    markup = render("refused", reason="<b>&\"x*_[y]")
    assert unknown_tags(markup) == [] and to_telegram(markup) == markup
    assert "<b>&\"x*_[y]" in to_text(markup)
    md = to_markdown(markup)
    assert r'<b>&"x\*\_\[y\]' in md


def test_markdown_conversion():
    markup = '<b>第1项</b> a*b &lt;x&gt;\n• <a href="https://example.org/a?b=1">链接</a> <code>#12</code>\n- 不是列表'
    assert to_markdown(markup) == "**第1项** a\\*b <x>  \n• [链接](https://example.org/a?b=1) `#12`  \n\\- 不是列表"


def test_telegram_refuses_what_telegram_refuses():
    with pytest.raises(ValueError):
        to_telegram("第一行<br>第二行")
    assert to_text("<b>a</b> &amp; b") == "a & b"

"""Layer 2: the office changes the timeline and due dates in chat; replies come from templates."""

from __future__ import annotations

from knowledge.campaigns import get_campaign
from knowledge.timeline import phases
from tests.botkit import ADMIN, text_of


async def test_phase_set_with_markup_in_a_name_is_stored_and_answered_escaped(h):
    """A phase name with ``<`` or ``<b>`` once stored the change and then got no reply at all:
    Telegram refused the untemplated HTML."""
    out = await h.say(ADMIN, ADMIN, "/phase set <b>动员 2026-12-01 2026-12-31; 推进<1 2027-01-01 2027-06-30")
    assert out, "the reply must arrive"
    text = text_of(out)
    assert "已更新时间表" in text
    assert "1. &lt;b&gt;动员：2026-12-01 至 2026-12-31" in text and "2. 推进&lt;1：2027-01-01" in text
    assert "<b>动员" not in text
    with h.services.session() as s:
        names = [p.name for p in phases(s, get_campaign(s, "hejin"))]
    assert names == ["<b>动员", "推进<1"]


async def test_phase_set_usage_and_due_reply(h):
    out = await h.say(ADMIN, ADMIN, "/phase set 动员 2026-12-01")
    assert "用法：/phase set" in text_of(out)
    out = await h.say(ADMIN, ADMIN, "/due 12 2027-03-31")
    assert text_of(out) == "已设置：第12项指标 2027-03-31 截止。"
    out = await h.say(ADMIN, ADMIN, "/due 12 soon")
    assert "用法：/due" in text_of(out)

"""/figure and /score: numbers for 定量 indicators and the points the rule gives for them."""

from __future__ import annotations

import re
import unicodedata

from telegram import Update

from bot.context import BotContext
from bot.render import render
from handlers.common import locate, refusal, respond
from knowledge import evidence as ev
from knowledge.figures import (
    FigureError,
    figures_of,
    find_kind,
    read_figure,
    record_figure,
)
from knowledge.scoring import compute, keys_for

FIGURE = re.compile(r"^#?(\d{1,3})\s+(\d{4})\s*年?\s+(.+?)\s+([-\d.,，％%]+\s*(?:亿元|万元|元|万件|件|户|家|人|项|%)?)"
                    r"(?:\s+(?:来源[:：]?)?\s*(.*))?$")


async def figure_command(update: Update, context: BotContext) -> None:
    """/figure 1 2024 网上零售额 126.5 来源 统计局年报."""
    text = unicodedata.normalize("NFKC", " ".join(context.args or []))
    m = FIGURE.match(text)
    with context.services.session() as session:
        where = locate(update, context, session)
        officer = where.officer
        if where.campaign is None or not (where.office or (officer and officer.status == "active")):
            await respond(update, render("submit_need_officer"))
            return
        if not m:
            await respond(update, render("figure_usage"))
            return
        no, year, label, number, source = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4), m.group(5) or ""
        try:
            view = (ev.responsible_view(session, where.campaign, where.directory, officer.unit_id, no)
                    if not where.office else None)
            from knowledge.duties import indicator_view

            view = view or indicator_view(session=session, campaign=where.campaign, directory=where.directory, no=no)
            if view is None:
                raise ev.EvidenceError(f"没有第{no}项指标。")
            allowed = keys_for(view.indicator.national_no)
            kind = find_kind(label)
            if not allowed:
                raise FigureError(f"第{no}项指标不是按数字计分的指标,由办公室审核材料评分。")
            if kind is None or kind.key not in allowed:
                from knowledge.figures import BY_KEY

                names = "、".join(BY_KEY[k].label for k in allowed)
                raise FigureError(f"第{no}项指标可以填写:{names}。")
            value = read_figure(kind, number)
            record_figure(session, campaign_id=where.campaign.id, indicator_id=view.indicator.id,
                          unit_id=officer.unit_id if officer else None, kind=kind, year=year, value=value,
                          source=source, user_id=update.effective_user.id, now=context.services.clock.now())
            session.flush()
            score = compute(view.indicator.national_no, figures_of(session, view.indicator), where.campaign.region)
        except (FigureError, ev.EvidenceError) as exc:
            await respond(update, refusal(exc))
            return
        session.commit()
    await respond(update, render("figure_saved", kind=kind, year=year, value=value, source=source,
                                 i=view.indicator, score=score))


async def score_command(update: Update, context: BotContext) -> None:
    """/score 1: the points the figures entered so far give."""
    arg = "".join(context.args or []).lstrip("#")
    if not arg.isdigit():
        await respond(update, render("figure_usage"))
        return
    from knowledge.duties import indicator_view

    with context.services.session() as session:
        where = locate(update, context, session)
        if where.campaign is None:
            await respond(update, render("group_unbound"))
            return
        view = indicator_view(session=session, campaign=where.campaign, directory=where.directory, no=int(arg))
        if view is None:
            await respond(update, f"没有第{arg}项指标。")
            return
        score = compute(view.indicator.national_no, figures_of(session, view.indicator), where.campaign.region)
    await respond(update, render("score", i=view.indicator, score=score))

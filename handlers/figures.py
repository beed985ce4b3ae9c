"""/figure and /score: numbers for 定量 indicators and the points the rule gives for them.

What an indicator accepts and who may enter it is ``knowledge.figure_entry``'s; who may use
the commands at all is the gate's (``Route.FIGURE``, ``Route.SCORE``).
"""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.render import render
from handlers.common import refusal, respond
from handlers.gate import Request, gated
from knowledge import evidence as ev
from knowledge.access import Route
from knowledge.figure_entry import enter_figure, indicator_score, read_line
from knowledge.figures import FigureError
from knowledge.numbers import read_number


@gated(Route.FIGURE)
async def figure_command(update: Update, context: BotContext, request: Request) -> None:
    """/figure 1 2024 网上零售额 126.5 来源 统计局年报."""
    line, where = read_line(" ".join(context.args or [])), request.where
    if line is None:
        await respond(update, render("figure_usage"))
        return
    try:
        saved = enter_figure(session=request.session, campaign=where.campaign, directory=where.directory,
                             line=line, unit_id=where.officer.unit_id if where.officer else None,
                             office=where.office, user_id=update.effective_user.id, now=context.services.clock.now())
    except (FigureError, ev.EvidenceError) as exc:
        await respond(update, refusal(exc))
        return
    request.session.commit()
    await respond(update, render("figure_saved", **saved))


@gated(Route.SCORE)
async def score_command(update: Update, context: BotContext, request: Request) -> None:
    """/score 1: the points the figures entered so far give."""
    no, where = read_number("".join(context.args or [])), request.where
    if no is None:
        await respond(update, render("figure_usage"))
        return
    data = indicator_score(session=request.session, campaign=where.campaign, directory=where.directory, no=no)
    await respond(update, render("score", **data) if data else render("refused", reason=f"没有第{no}项指标。"))

"""Who may ask here: bound groups answer; unbound groups explain binding; strangers in private
are told how to register."""

from __future__ import annotations

from telegram import Update

from bot.render import render
from handlers.common import Where, respond


async def admit(update: Update, where: Where) -> bool:
    """True when the question may be answered; otherwise the user has been told why not."""
    if where.campaign is None or where.directory is None:
        if where.private:
            await respond(update, render("no_campaign"))
        else:
            await respond(update, render("group_unbound"))
        return False
    if where.private and not where.office:
        officer = where.officer
        if officer is None:
            await respond(update, render("need_registration", city=where.campaign.city))
            return False
        if officer.status == "pending":
            await respond(update, render("pending", unit=officer.unit_name))
            return False
        if officer.status != "active":
            await respond(update, render("need_registration", city=where.campaign.city))
            return False
    return True

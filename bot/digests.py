"""The weekly digest and the exports, as the office receives them (and the CLI prints them)."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.context import Services
from bot.delivery import send
from bot.render import render
from knowledge import chats
from knowledge.chart import NoCJKFont, render_png
from knowledge.ledger import build_xlsx, build_zip
from knowledge.models import Campaign, ReminderLog
from knowledge.projection import to_json
from reminders.calendar import WorkCalendar
from reminders.digest import build, due_digest

log = logging.getLogger(__name__)
UPLOAD_LIMIT = 50 * 1024 * 1024  # the Bot API's limit for files the bot sends


def digest_data(services: Services, campaign_id: int, today: date) -> dict:
    """JSON, HTML text and chart bytes of the digest (CPU-bound: call via to_thread)."""
    with services.session() as session:
        campaign = session.get(Campaign, campaign_id)
        directory = services.directory(session, campaign)
        digest, dues = build(session, campaign, directory, today)
        data = to_json(digest, directory, today.isoformat())
        text = render("digest", city=campaign.city, at=today.isoformat(), j=data)
        mode = ((campaign.extra or {}).get("reminders") or {}).get("brief", "laggards")
        brief = render("digest_brief", city=campaign.city, at=today.isoformat(), j=data, mode=mode) if mode != "off" else ""
        try:
            png = render_png(digest, data["units"])
        except NoCJKFont as exc:
            log.warning("%s", exc)
            png = b""
        return {"json": data, "text": text, "brief": brief, "png": png}


async def send_digest(bot: object, services: Services, campaign_id: int, chat_ids: list[int], today: date,
                      groups: list[int] | None = None) -> None:
    """Text (split to fit), then the chart, to each chat; the short 通报 to the liaison groups."""
    data = await asyncio.to_thread(digest_data, services, campaign_id, today)
    for chat_id in chat_ids:
        if await send(bot, services, chat_id, data["text"]) and data["png"]:
            await bot.send_photo(chat_id, data["png"], caption="一级指标得分率与各单位进度")  # type: ignore[attr-defined]
    for chat_id in groups or []:
        if data["brief"]:
            await send(bot, services, chat_id, data["brief"])


async def weekly(bot: object, services: Services, calendar: WorkCalendar | None = None) -> int:
    """Send this week's digest once per campaign (claimed like a reminder)."""
    calendar = calendar or WorkCalendar()
    now = services.clock.now()
    sent = 0
    with services.session() as session:
        campaigns = list(session.exec(select(Campaign)))
    for campaign in campaigns:
        key = due_digest(campaign, now, calendar)
        if key is None:
            continue
        with services.session() as session:
            offices = [c.chat_id for c in chats.office_chats(session=session, campaign_id=campaign.id)]
            groups = [c.chat_id for c in chats.liaison_chats(session=session, campaign_id=campaign.id)]
        fallback = services.settings.office_chat_id
        if not offices and fallback and campaign.slug == services.settings.default_campaign:
            with services.session() as session:
                bound = chats.chat_binding(session=session, chat_id=fallback)
            offices = [fallback] if bound is None or bound.campaign_id == campaign.id else []
        if not offices:
            continue  # nobody to send it to yet; the claim stays free for when an office chat is bound
        try:
            with services.session() as session:
                row = ReminderLog(campaign_id=campaign.id, key=key, kind="digest", slot=now.date(), claimed_at=now)
                session.add(row)
                session.flush()
                rid = row.id
        except IntegrityError:
            continue
        today = now.astimezone(services.tz).date()
        await send_digest(bot, services, campaign.id, offices, today, groups)
        with services.session() as session:
            row = session.get(ReminderLog, rid)
            row.status, row.sent_at = "sent", services.clock.now()
            session.add(row)
        sent += 1
    return sent


def export_files(services: Services, campaign_id: int, today: date, out_dir: Path) -> dict:
    """台账.xlsx and 佐证材料.zip written to ``out_dir`` (CPU- and disk-bound: use to_thread)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with services.session() as session:
        campaign = session.get(Campaign, campaign_id)
        digest, dues = build(session, campaign, services.directory(session, campaign), today)
        xlsx = out_dir / f"{campaign.slug}-台账-{today.isoformat()}.xlsx"
        xlsx.write_bytes(build_xlsx(session, digest, dues))
        package = build_zip(session, digest, out_dir / f"{campaign.slug}-佐证材料-{today.isoformat()}.zip",
                            evidence_root=services.settings.evidence_path)
    return {"xlsx": xlsx, "zip": Path(package["path"]), "files": package["files"]}

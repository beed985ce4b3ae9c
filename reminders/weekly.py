"""The weekly digest as the office receives it (and the CLI prints it), claimed like a reminder,
and the exports (台账 spreadsheet, evidence package) built from the same digest.

The digest goes out through an ``Outbox`` as ``Message``s (``digest`` for the office,
``digest_brief`` — the short 通报 — for the liaison groups) and the chart as a picture.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from knowledge import chats as bindings
from knowledge.campaigns import all_campaigns
from knowledge.chart import NoCJKFont, render_png
from knowledge.files import private_file
from knowledge.ledger import build_xlsx, build_zip
from knowledge.messages import Message
from knowledge.models import Campaign, ReminderLog
from knowledge.projection import to_json
from reminders.calendar import WorkCalendar
from reminders.digest import build, due_digest
from reminders.outbox import Outbox, Services
from reminders.sender import mark

log = logging.getLogger(__name__)


def digest_data(services: Services, campaign_id: int, today: date) -> dict:
    """JSON, the office's message, the groups' brief (None when off) and the chart bytes.

    CPU-bound (the chart): call it through ``asyncio.to_thread``.
    """
    with services.session() as session:
        campaign = session.get(Campaign, campaign_id)
        directory = services.directory(session, campaign)
        digest, _dues = build(session, campaign, directory, today)
        data = to_json(digest, directory, today.isoformat())
        text = Message("digest", {"city": campaign.city, "at": today.isoformat(), "j": data})
        mode = ((campaign.extra or {}).get("reminders") or {}).get("brief", "laggards")
        brief = Message("digest_brief", {"city": campaign.city, "at": today.isoformat(), "j": data,
                                         "mode": mode}) if mode != "off" else None
        try:
            png = render_png(digest, data["units"])
        except NoCJKFont as exc:
            log.warning("%s", exc)
            png = b""
        return {"json": data, "text": text, "brief": brief, "png": png}


async def send_digest(outbox: Outbox, services: Services, campaign_id: int, chat_ids: list[int], today: date,
                      groups: list[int] | None = None) -> None:
    """The digest (split to fit by the face), then the chart, to each chat; the 通报 to the groups."""
    data = await asyncio.to_thread(digest_data, services, campaign_id, today)
    for chat_id in chat_ids:
        if await outbox.send(chat_id, data["text"]) and data["png"]:
            await outbox.send_image(chat_id, data["png"], Message("digest_chart"))
    for chat_id in groups or []:
        if data["brief"] is not None:
            await outbox.send(chat_id, data["brief"])


def _recipients(services: Services, campaign: Campaign) -> tuple[list[int], list[int]]:
    """Office chats (or the configured fallback office chat) and liaison groups of ``campaign``."""
    with services.session() as session:
        offices = [c.chat_id for c in bindings.office_chats(session=session, campaign_id=campaign.id)]
        groups = [c.chat_id for c in bindings.liaison_chats(session=session, campaign_id=campaign.id)]
        fallback = services.settings.office_chat_id
        if not offices and fallback and campaign.slug == services.settings.default_campaign:
            bound = bindings.chat_binding(session=session, chat_id=fallback)
            offices = [fallback] if bound is None or bound.campaign_id == campaign.id else []
    return offices, groups


def _claim_digest(services: Services, campaign: Campaign, key: str) -> int | None:
    now = services.clock.now()
    try:
        with services.session() as session:
            row = ReminderLog(campaign_id=campaign.id, key=key, kind="digest", slot=now.date(), claimed_at=now)
            session.add(row)
            session.flush()
            return row.id
    except IntegrityError:
        return None


async def weekly(outbox: Outbox, services: Services, calendar: WorkCalendar | None = None) -> int:
    """Send this week's digest once per campaign (claimed like a reminder)."""
    calendar = calendar or WorkCalendar()
    now = services.clock.now()
    sent = 0
    with services.session() as session:
        campaigns = all_campaigns(session=session)
    for campaign in campaigns:
        key = due_digest(campaign, now, calendar)
        if key is None:
            continue
        offices, groups = _recipients(services, campaign)
        if not offices:
            continue  # nobody to send it to yet; the claim stays free for when an office chat is bound
        rid = _claim_digest(services, campaign, key)
        if rid is None:
            continue
        await send_digest(outbox, services, campaign.id, offices, services.today(), groups)
        mark(services, [rid])
        sent += 1
    return sent


def export_files(services: Services, campaign_id: int, today: date, out_dir: Path) -> dict:
    """台账.xlsx and 佐证材料.zip written to ``out_dir`` (CPU- and disk-bound: use to_thread)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with services.session() as session:
        campaign = session.get(Campaign, campaign_id)
        digest, dues = build(session, campaign, services.directory(session, campaign), today)
        xlsx = out_dir / f"{campaign.slug}-台账-{today.isoformat()}.xlsx"
        private_file(xlsx).write_bytes(build_xlsx(session, digest, dues))  # 0600: names and accounts
        package = build_zip(session, digest, out_dir / f"{campaign.slug}-佐证材料-{today.isoformat()}.zip",
                            evidence_root=services.settings.evidence_path)
    return {"xlsx": xlsx, "zip": Path(package["path"]), "files": package["files"]}

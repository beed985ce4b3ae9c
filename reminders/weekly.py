"""The weekly digest as the office receives it (and the CLI prints it), claimed like a reminder,
and the exports (台账 spreadsheet, evidence package) built from the same digest.

The digest goes out through an ``Outbox`` as ``Message``s (``digest`` for the office,
``digest_brief`` — the short 通报 — for the liaison groups) and the chart as a picture. The
week's digest is claimed once and, in the same transaction, written as outbox rows
(``digest:<log id>:<chat>``, ``…:chart`` with the PNG saved under ``EVIDENCE_DIR/outbox/``,
``…:brief``), so a send that fails is retried by the outbox instead of being lost for the week.
``/digest`` on demand (``send_digest``) answers directly: the asker is there to see it fail.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from datetime import date
from pathlib import Path

from sqlmodel import select

from knowledge import chats as bindings
from knowledge import outbox as store
from knowledge.campaigns import all_campaigns
from knowledge.chart import NoCJKFont, render_png
from knowledge.files import private_file
from knowledge.identity import TELEGRAM
from knowledge.ledger import build_xlsx, build_zip
from knowledge.messages import Message
from knowledge.models import Campaign, ReminderLog
from knowledge.outbox import Address, Outgoing, where
from knowledge.projection import to_json
from knowledge.sweep import OUTBOX_DIR
from reminders import deliveries
from reminders.calendar import WorkCalendar
from reminders.digest import build, due_digest
from reminders.outbox import Outbox, Services, flush

log = logging.getLogger(__name__)
KEEP_CHARTS = 4  # digest charts kept per campaign under EVIDENCE_DIR/outbox


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


def _recipients(services: Services, campaign: Campaign) -> tuple[list[Address], list[Address]]:
    """Office chats (or the configured fallback office chat, a Telegram one) and liaison groups
    of ``campaign``, each with its channel."""
    with services.session() as session:
        groups, offices = deliveries.chats_of(session, campaign)
        fallback = services.settings.office_chat_id
        if not offices and fallback and campaign.slug == services.settings.default_campaign:
            bound = bindings.chat_binding(session=session, chat_id=fallback)
            offices = [(TELEGRAM, fallback)] if bound is None or bound.campaign_id == campaign.id else []
    return offices, groups


def _claimed(services: Services, key: str) -> bool:
    with services.session() as session:
        return session.exec(select(ReminderLog.id).where(ReminderLog.key == key)).first() is not None


def save_chart(services: Services, campaign: Campaign, key: str, png: bytes) -> str:
    """The chart as a file the outbox row names (written whole, then renamed into place). The
    campaign's ``KEEP_CHARTS`` latest are kept: an older one's row was done weeks ago."""
    folder = services.settings.evidence_path / OUTBOX_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (key.replace(":", "-") + ".png")  # yancheng-digest-2026-W50.png: sorts by week
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(fd, "wb") as handle:
        handle.write(png)
    os.replace(tmp, path)
    for old in sorted(folder.glob(f"{campaign.slug}-digest-*.png"))[:-KEEP_CHARTS]:
        old.unlink(missing_ok=True)
    return str(path)


def digest_rows(log_id: int, campaign: Campaign, data: dict, chart: str, offices: list[Address],
                groups: list[Address]) -> list[Outgoing]:
    """The office's digest and chart (in that order, per chat) and the groups' 通报, each chat's
    rows on its channel."""
    rows: list[Outgoing] = []
    for channel, chat in offices:
        key = f"digest:{log_id}:{where(channel, chat)}"
        rows.append(Outgoing(key, chat, data["text"], campaign_id=campaign.id, channel=channel))
        if chart:
            rows.append(Outgoing(f"{key}:chart", chat, Message("digest_chart"), image=chart,
                                 campaign_id=campaign.id, channel=channel))
    if data["brief"] is not None:
        rows += [Outgoing(f"digest:{log_id}:{where(channel, chat)}:brief", chat, data["brief"],
                          campaign_id=campaign.id, channel=channel) for channel, chat in groups]
    return rows


async def _write_digest(services: Services, campaign: Campaign, key: str, offices: list[Address],
                        groups: list[Address]) -> list[str] | None:
    """Build the digest, then claim it and write its rows in one transaction; None when another
    process claimed it first."""
    data = await asyncio.to_thread(digest_data, services, campaign.id, services.today())
    chart = await asyncio.to_thread(save_chart, services, campaign, key, data["png"]) if data["png"] else ""
    now = services.clock.now()
    with services.session() as session:
        log_id = deliveries.take(session, campaign, key, "digest", now.date(), {}, now)
        if log_id is None:
            return None
        return store.put(session, digest_rows(log_id, campaign, data, chart, offices, groups), now)


async def weekly(outbox: Outbox, services: Services, calendar: WorkCalendar | None = None) -> int:
    """Claim this week's digest once per campaign and send it through the outbox; how many were claimed."""
    calendar = calendar or WorkCalendar()
    now = services.clock.now()
    claimed, keys = 0, []
    with services.session() as session:
        campaigns = all_campaigns(session=session)
    for campaign in campaigns:
        key = due_digest(campaign, now, calendar)
        if key is None:
            continue
        offices, groups = _recipients(services, campaign)
        if not offices or _claimed(services, key):
            continue  # nobody to send it to yet: the claim stays free for when an office chat is bound
        written = await _write_digest(services, campaign, key, offices, groups)
        if written is not None:
            claimed, keys = claimed + 1, keys + written
    await flush(outbox, services, keys)
    return claimed


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

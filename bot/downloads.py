"""An evidence file from Telegram into the store, in bounded memory whatever its size.

After ``getFile`` the bytes come one of three ways, each fed chunk by chunk into
``knowledge.files.Incoming`` (temporary file, SHA-256 while writing, the download limit enforced
on the fly, judged by its bytes, renamed into place):

- a **local path**: a self-hosted Bot API server in ``--local`` mode answers ``getFile`` with
  an absolute path on this machine (python-telegram-bot's ``is_local_file``); it is copied from
  disk in chunks, in a worker thread.
- **over HTTP**: ``telegram_base_file_url + token + "/" + file_path`` — the URL
  python-telegram-bot's ``Bot.get_file`` has already built in ``File.file_path`` (percent-encoded
  here as ``File._get_encoded_url`` does) — streamed with httpx. The timeouts follow
  ``HTTPXRequest``'s (connect 5 s, pool 1 s) except the read timeout, which is per chunk and
  longer; proxies come from the environment (``HTTPS_PROXY``, ``ALL_PROXY``) as for
  python-telegram-bot's own client, which this application builds without a proxy of its own.
  The URL holds the bot token: it is never logged here, and an error says the HTTP status or
  the exception's class with the token cut out, chained to nothing.
- the **in-process fake** (``bot.fakes.api.LocalRequest``, the test and console harnesses) is
  not HTTP: there is no URL to stream from, only its ``do_request``. For a request layer that is
  not ``HTTPXRequest`` (in practice only that fake), python-telegram-bot's own download is used
  and its bytes fed to the same writer — test files are small; production never takes this path.

Before anything is downloaded, the declared size is checked against the download limit, the
unit's quota and the officer's hourly rate (``knowledge.quota``); after, the real size against
the quota and the rate again, before the file is placed.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import certifi
import httpx
from telegram import Bot, Message
from telegram._utils.files import is_local_file
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.request import HTTPXRequest

from bot.context import Services
from bot.logs import TOKEN
from knowledge import quota
from knowledge.evidence import FileIn
from knowledge.files import Incoming, check_file, too_big
from knowledge.people import OfficerInfo

log = logging.getLogger(__name__)

CHUNK = 256 * 1024
TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=5.0, pool=1.0)


@dataclass(frozen=True)
class Attachment:
    """What a message says about its file, before anything is downloaded."""

    name: str
    mime: str
    size: int | None
    file_id: str
    unique_id: str


def attachment(message: Message) -> Attachment | None:
    """The message's document, or its largest photo; None when it has neither."""
    if message.document:
        doc = message.document
        return Attachment(doc.file_name or "文件", doc.mime_type or "", doc.file_size, doc.file_id,
                          doc.file_unique_id)
    if message.photo:
        photo = message.photo[-1]
        return Attachment(f"照片-{photo.file_unique_id}.jpg", "image/jpeg", photo.file_size, photo.file_id,
                          photo.file_unique_id)
    return None


def limits(services: Services) -> quota.Limits:
    s = services.settings
    return quota.Limits(s.unit_quota, s.uploads_per_hour, s.upload_bytes_per_hour)


def _check(services: Services, officer: OfficerInfo, att: Attachment, size: int | None,
           sha256: str | None = None) -> None:
    with services.session() as session:
        quota.check(session, limits(services), services.uploads, officer_id=officer.id,
                    unit_id=officer.unit_id or 0, size=size, now=services.clock.now(), sha256=sha256,
                    unique_id=att.unique_id)


async def receive(bot: Bot, services: Services, officer: OfficerInfo, att: Attachment) -> FileIn:
    """Check, download and store ``att`` for ``officer``; ``FileRejected`` says why not."""
    settings = services.settings
    clean = check_file(att.name, att.mime, att.size, settings.download_limit)
    _check(services, officer, att, att.size)
    with Incoming(settings.evidence_path, settings.download_limit) as incoming:
        await fetch(bot, att.file_id, incoming)
        _check(services, officer, att, incoming.size, incoming.sha256)
        received = await asyncio.to_thread(incoming.finish, clean)  # fsync and judging off the event loop
    stored = received.stored
    services.uploads.add(officer.id, stored.sha256, stored.size, services.clock.now(), att.unique_id)
    log.info("stored %s (%d bytes) from officer %s", stored.sha256[:12], stored.size, officer.id)
    return FileIn(clean, received.mime, stored, att.file_id, att.unique_id)


async def fetch(bot: Bot, file_id: str, incoming: Incoming) -> None:
    """Feed the bytes of Telegram's file ``file_id`` into ``incoming``."""
    try:
        tg_file = await bot.get_file(file_id)
    except BadRequest as exc:  # no file_size in the message, and the Bot API says it is too big
        if "too big" not in str(exc).lower():
            raise
        raise too_big(incoming.limit or 0) from None
    path = tg_file.file_path or ""
    if is_local_file(path):
        await asyncio.to_thread(_copy, Path(path), incoming)
    elif isinstance(bot.request, HTTPXRequest):
        await _stream(_encoded(path), incoming, bot.token)
    else:  # the in-process fake: not HTTP (see the module's note)
        incoming.write(bytes(await tg_file.download_as_bytearray()))


def _copy(path: Path, incoming: Incoming) -> None:
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            incoming.write(chunk)


def _encoded(url: str) -> str:
    """``url`` with its path percent-encoded (file paths may hold any UTF-8), as python-telegram-bot does."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=quote(parts.path)))


@functools.lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    """One TLS context for every download: building one loads the CA bundle, about 50 ms of the
    event loop each time — ten uploads at once held up everyone's questions for half a second."""
    return ssl.create_default_context(cafile=certifi.where())


async def _stream(url: str, incoming: Incoming, token: str) -> None:
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT, verify=_tls(),
                                     headers={"User-Agent": HTTPXRequest.USER_AGENT}) as client:
            async with client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise NetworkError(f"evidence download failed: HTTP {response.status_code}")
                async for chunk in response.aiter_bytes(CHUNK):
                    incoming.write(chunk)
    except httpx.TimeoutException:
        raise TimedOut("evidence download timed out") from None
    except httpx.HTTPError as exc:  # its text may hold the URL, and so the token
        raise NetworkError(f"evidence download failed: httpx.{type(exc).__name__}: {masked(str(exc), token)}") from None


def masked(text: str, token: str) -> str:
    """``text`` without the bot token (the configured one, and anything shaped like one)."""
    if token:
        text = text.replace(token, "<token>")
    return TOKEN.sub("<token>", text)

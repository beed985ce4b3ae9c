"""``liaison-bot digest --campaign C [--at ISO] --format text|json|png|xlsx|zip [--out F]``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlmodel import Session

from bot.cli.common import CliError, campaign_day, pick_campaign
from bot.context import Services
from bot.render import render_message, to_text
from bot.settings import Settings
from bot.store import open_store
from knowledge.chart import NoCJKFont, render_png
from knowledge.clock import SystemClock
from knowledge.ledger import build_xlsx, build_zip
from reminders.digest import build
from reminders.weekly import digest_data


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    engine = open_store(settings)
    with Session(engine) as session:
        camp = pick_campaign(session, args.campaign, settings)
        today = campaign_day(args.at, camp.timezone)
        camp_id = camp.id
    services = Services(settings=settings, engine=engine, clock=SystemClock())
    if args.format in ("text", "json"):
        data = digest_data(services, camp_id, today)
        if args.format == "json":
            _emit(json.dumps(data["json"], ensure_ascii=False, indent=2).encode(), args.out)
        else:
            _emit(to_text(render_message(data["text"])).encode(), args.out)
        return 0
    with Session(engine) as session:
        camp = pick_campaign(session, args.campaign, settings)
        digest, dues = build(session, camp, services.directory(session, camp), today)
        out = Path(args.out or f"{camp.slug}-digest-{today.isoformat()}.{args.format}")
        if args.format == "png":
            try:
                out.write_bytes(render_png(digest, _units(services, camp_id, today)))
            except NoCJKFont as exc:
                raise CliError(str(exc)) from None
        elif args.format == "xlsx":
            out.write_bytes(build_xlsx(session, digest, dues))
        else:
            info = build_zip(session, digest, out, include_all=args.all,
                             evidence_root=services.settings.evidence_path)
            print(f"已写入 {out}({info['files']} 个文件,{info['bytes']} 字节)", file=sys.stderr)
            return 0
    print(f"已写入 {out}", file=sys.stderr)
    return 0


def _units(services: Services, camp_id: int, today) -> list[dict]:  # noqa: ANN001
    return digest_data(services, camp_id, today)["json"]["units"]


def _emit(data: bytes, out: str | None) -> None:
    if out:
        Path(out).write_bytes(data)
        print(f"已写入 {out}({len(data)} 字节)", file=sys.stderr)
    else:
        sys.stdout.write(data.decode() + "\n")

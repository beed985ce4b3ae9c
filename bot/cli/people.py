"""``liaison-bot officers …`` and ``liaison-bot chats …``: rosters and chat bindings from the shell."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sqlmodel import Session

from bot.cli.common import CliError, pick_campaign
from bot.settings import Settings
from bot.store import open_store
from knowledge import chats, people
from knowledge.clock import SystemClock
from knowledge.roster import RosterError, import_roster
from knowledge.units import UnitDirectory


def _unit(directory: UnitDirectory, name: str) -> int:
    res = directory.resolve(name)
    if res.unit is None or res.unit.is_group:
        hint = "、".join(s.unit.name for s in res.suggestions if not s.unit.is_group)
        raise CliError(f"没有找到单位“{name}”" + (f"。您是不是要找:{hint}" if hint else ""))
    return res.unit.id


def cmd_officers(args: argparse.Namespace, settings: Settings) -> int:
    """add | import | list | revoke."""
    now = SystemClock().now()
    with Session(open_store(settings)) as session:
        camp = pick_campaign(session, args.campaign, settings)
        directory = UnitDirectory.load(session, camp)
        if args.action == "add":
            if args.user_id is None and not args.username:
                raise CliError("需要 --user-id 或 --username")
            info = people.add_officer(session=session, campaign_id=camp.id, unit_id=_unit(directory, args.unit),
                                      user_id=args.user_id, username=args.username or "", name=args.name or "",
                                      role=args.role, now=now)
            print(f"已登记:{info.unit_name} · {info.name or info.username or info.user_id}({info.role})")
        elif args.action == "import":
            try:
                infos = import_roster(session=session, campaign=camp, directory=directory, path=Path(args.path),
                                      by_user_id=None, now=now)
            except RosterError as exc:
                raise CliError("名单有误,未导入任何一行:\n" + "\n".join(exc.problems)) from None
            print(f"已导入 {len(infos)} 名联络员。")
        elif args.action == "revoke":
            try:
                info = people.revoke(session=session, campaign_id=camp.id, user_id=args.user_id, by_user_id=None, now=now)
            except people.PeopleError as exc:
                raise CliError(str(exc)) from None
            print(f"已撤销:{info.unit_name} · {info.name or info.user_id}")
        else:
            unit_id = _unit(directory, args.unit) if args.unit else None
            rows = people.list_officers(session=session, campaign_id=camp.id, unit_id=unit_id)
            if args.json:
                print(json.dumps([r.__dict__ for r in rows], ensure_ascii=False, indent=2))
            else:
                for r in rows:
                    print(f"{r.unit_name}\t{r.name}\t{r.user_id or '@' + r.username}\t{r.role}\t{r.status}")
                if not rows:
                    print(f"{camp.city}{'“' + args.unit + '”' if args.unit else ''}还没有登记联络员。"
                          "用 officers add 或 officers import 登记。")
        session.commit()
    return 0


def cmd_chats(args: argparse.Namespace, settings: Settings) -> int:
    """bind | list."""
    with Session(open_store(settings)) as session:
        if args.action == "bind":
            camp = pick_campaign(session, args.campaign, settings)
            info = chats.bind_chat(session=session, campaign_id=camp.id, chat_id=args.chat_id, kind=args.kind,
                                    title=args.title or "", by_user_id=None, now=SystemClock().now())
            print(f"已绑定:{info.chat_id} → {camp.city}({'办公室群' if info.kind == 'office' else '联络员群'})")
        else:
            camp_id = pick_campaign(session, args.campaign, settings).id if args.campaign else None
            rows = chats.list_chats(session=session, campaign_id=camp_id)
            if args.json:
                print(json.dumps([r.__dict__ for r in rows], ensure_ascii=False, indent=2))
            else:
                for r in rows:
                    print(f"{r.chat_id}\t{r.campaign_slug}\t{r.kind}\t{r.status}\t{r.title}")
                if not rows:
                    print(f"{'“' + args.campaign + '”' if args.campaign else ''}还没有绑定任何群。在群里发送 /setup,"
                          "或用 chats bind --chat-id 群号 --kind liaison|office 绑定。")
        session.commit()
    return 0

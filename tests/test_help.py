"""/help is generated from the access table: every command the bot routes is listed for the
roles that may use it, and only for them."""

from __future__ import annotations

import pytest
from telegram.ext import CommandHandler

from bot.app import build_application
from bot.render import render
from bot.settings import Settings
from knowledge.access import COMMANDS, ChatKind, Role, commands_for, decide

ROLES = list(Role)
KINDS = [ChatKind.PRIVATE, ChatKind.LIAISON_GROUP, ChatKind.OFFICE_CHAT]


def help_text(role: Role, chat: ChatKind, *, published: bool = False) -> str:
    return render("help", city="盐城市", **commands_for(role, chat, published=published))


def listed(text: str) -> set[str]:
    """The commands a help text lists (the first word of each command line)."""
    return {line.split()[0].lstrip("/") for line in text.splitlines() if line.startswith(" /")}


@pytest.fixture(scope="module")
def routed(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every command the application answers (what the handlers route), from ``build_application``."""
    data = tmp_path_factory.mktemp("help")
    settings = Settings(_env_file=None, data_dir=data, database_url=f"sqlite:///{data}/x.db")
    from knowledge.db import create_schema, make_engine

    engine = make_engine(settings.db_url)
    create_schema(engine)
    app = build_application(settings, engine=engine, reminders=False)
    return {c for group in app.handlers.values() for h in group if isinstance(h, CommandHandler) for c in h.commands}


def test_the_table_names_every_routed_command_and_no_other(routed):
    assert {name.split()[0] for name in COMMANDS} == routed


def test_every_routed_command_is_listed_for_a_role_that_may_use_it(routed):
    for command in routed:
        cells = [(r, k) for r in ROLES for k in KINDS
                 if any(decide(route, r, k) == "" for name, route in COMMANDS.items() if name.split()[0] == command)]
        assert cells, f"/{command}: no role may use it"
        for role, kind in cells:
            assert command in listed(help_text(role, kind)), f"/{command} missing from /help of {role} in {kind}"


def test_help_lists_only_what_the_reader_may_use():
    for role in ROLES:
        for kind in KINDS:
            for name in listed(help_text(role, kind)):
                routes = [route for key, route in COMMANDS.items() if key.split()[0] == name]
                assert any(decide(route, role, kind) == "" for route in routes), (name, role, kind)
    liaison = listed(help_text(Role.LIAISON, ChatKind.PRIVATE))
    assert {"withdraw", "figure", "score", "mute", "submit"} <= liaison and "review" not in liaison
    assert listed(help_text(Role.STRANGER, ChatKind.PRIVATE)) == {"start", "help"}
    assert {"review", "export", "digest", "due", "setup"} <= listed(help_text(Role.OFFICE, ChatKind.OFFICE_CHAT))
    assert "/status 发改委" not in help_text(Role.LIAISON, ChatKind.PRIVATE)
    assert "/status 发改委" in help_text(Role.LIAISON, ChatKind.PRIVATE, published=True)

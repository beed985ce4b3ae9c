"""Alembic: an empty database upgrades, an older database keeps its data, models = migrations."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from knowledge import chats, people
from knowledge.db import create_schema, make_engine
from knowledge.loader import load_all
from knowledge.migrate import config, current, head, upgrade
from knowledge.models import AuditLog, Chat, Evidence, Indicator, Officer
from tests.conftest import fresh_url

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def at_revision(engine: Engine, revision: str) -> None:
    """The schema as it was at ``revision`` (what a store of that release holds)."""
    cfg = config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def test_empty_database_upgrades_to_head(tmp_path):
    engine = make_engine(fresh_url(tmp_path))
    upgrade(engine)
    assert current(engine) == head(engine)
    with Session(engine) as s:
        load_all(s)
        s.commit()
        assert len(s.exec(select(Indicator)).all()) == 81


def test_database_from_before_migrations_is_stamped_and_keeps_data(tmp_path):
    engine = make_engine(fresh_url(tmp_path))
    at_revision(engine, "0001")  # the first releases created exactly these tables, without alembic_version
    with engine.begin() as conn:
        conn.execute(text("drop table alembic_version"))
    with Session(engine) as s:
        load_all(s)
        s.commit()
    upgrade(engine)
    assert current(engine) == head(engine)
    with Session(engine) as s:
        assert len(s.exec(select(Indicator)).all()) == 81
    upgrade(engine)  # idempotent


def test_models_and_migrations_agree(tmp_path):
    engine = make_engine(fresh_url(tmp_path))
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
        assert conn.execute(text("select count(*) from alembic_version")).scalar() == 1
    assert diff == []


def test_people_at_0001_keep_their_rows_at_head_as_telegram_ids(tmp_path):
    """Officers, chats, evidence and audit rows written with Telegram integers survive 0002."""
    engine = make_engine(fresh_url(tmp_path))
    at_revision(engine, "0001")
    with Session(engine) as s:
        load_all(s)
        s.commit()
    big = 7_000_000_001  # beyond 32 bits, as Telegram ids are
    with engine.begin() as conn:
        camp = conn.execute(text("select id from campaign where slug = 'hejin'")).scalar()
        unit = conn.execute(text("select id from unit where campaign_id = :c order by id"), {"c": camp}).scalar()
        ind = conn.execute(text("select id from indicator where campaign_id = :c order by id"), {"c": camp}).scalar()
        for uid, username in ((big, "a"), (None, "roster_only")):
            conn.execute(text("insert into officer (campaign_id, unit_id, user_id, username, name, role, status, "
                              "private_ok, decided_by) values (:c, :u, :uid, :n, '甲', 'liaison', 'active', "
                              ":ok, 9)"), {"c": camp, "u": unit, "uid": uid, "n": username, "ok": True})
        officer = conn.execute(text("select id from officer where user_id = :b"), {"b": big}).scalar()
        conn.execute(text("insert into chat (campaign_id, chat_id, kind, title, status, bound_by) values "
                          "(:c, -1001234567890, 'office', '办公室', 'active', :b)"), {"c": camp, "b": big})
        conn.execute(text("insert into evidence (campaign_id, indicator_id, unit_id, officer_id, submitter_user_id, "
                          "kind, note, status, media_group_id, reason, created_at) values (:c, :i, :u, :o, :b, "
                          "'text', '说明', 'submitted', '', '', :t)"),
                     {"c": camp, "i": ind, "u": unit, "o": officer, "b": big, "t": NOW})
        conn.execute(text("insert into auditlog (campaign_id, actor_user_id, action, subject, at) values "
                          "(:c, :b, 'officer.add', 'officer:1', :t)"), {"c": camp, "b": big, "t": NOW})
    upgrade(engine)
    assert current(engine) == head(engine)
    with Session(engine) as s:
        rows = {o.username: o for o in s.exec(select(Officer))}
        assert (rows["a"].channel, rows["a"].external_id, rows["a"].decided_by) == ("telegram", str(big), "9")
        assert (rows["roster_only"].channel, rows["roster_only"].external_id) == ("telegram", None)
        chat = s.exec(select(Chat)).one()
        assert (chat.channel, chat.external_id, chat.bound_by) == ("telegram", "-1001234567890", str(big))
        assert s.exec(select(Evidence)).one().submitter_user_id == str(big)
        assert s.exec(select(AuditLog)).one().actor_user_id == str(big)
        # the domain finds them by the Telegram ints callers hold
        info = people.officer_of(session=s, user_id=big)
        assert (info.id, info.user_id, info.channel, info.unit_id) == (officer, big, "telegram", unit)
        binding = chats.chat_binding(session=s, chat_id=-1001234567890)
        assert (binding.chat_id, binding.kind, binding.channel) == (-1001234567890, "office", "telegram")


def test_database_made_from_todays_models_is_stamped_at_head(tmp_path):
    """Tests and benchmarks create tables from the models, then a bot process opens the store."""
    engine = make_engine(fresh_url(tmp_path))
    create_schema(engine)
    upgrade(engine)
    assert current(engine) == head(engine)

"""Officers, chats and rosters: the rules of who may act for which unit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from openpyxl import Workbook
from sqlmodel import Session, select

from bot.cli import main
from knowledge import chats, people
from knowledge.campaigns import get_campaign
from knowledge.models import AuditLog, Officer
from knowledge.roster import RosterError, import_roster
from knowledge.units import UnitDirectory
from tests.conftest import campaigns_engine, fresh_url

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


@pytest.fixture
def ctx():
    engine = campaigns_engine()
    with Session(engine) as s:
        camp = get_campaign(s, "hejin")
        yield s, camp, UnitDirectory.load(s, camp)


def uid(directory, name):
    return directory.resolve(name).unit.id


def test_request_approve_and_decide_twice(ctx):
    s, camp, d = ctx
    info = people.request_registration(session=s, campaign_id=camp.id, unit_id=uid(d, "统计局"), user_id=1,
                                       username="a", name="甲", now=NOW)
    assert info.status == "pending"
    info = people.decide(session=s, officer_id=info.id, approve=True, by_user_id=9, now=NOW)
    assert info.status == "active"
    with pytest.raises(people.NotPending):
        people.decide(session=s, officer_id=info.id, approve=False, by_user_id=9, now=NOW)
    assert people.officer_of(session=s, user_id=1).status == "active"
    with pytest.raises(people.AlreadyRegistered):
        people.request_registration(session=s, campaign_id=camp.id, unit_id=uid(d, "发改委"), user_id=1,
                                    username="a", name="甲", now=NOW)
    assert [a.action for a in s.exec(select(AuditLog))] == ["officer.request", "officer.approve"]


def test_username_preregistration_is_claimed(ctx):
    s, camp, d = ctx
    people.add_officer(session=s, campaign_id=camp.id, unit_id=uid(d, "税务局"), username="@ZhangSan", now=NOW)
    claimed = people.claim_by_username(session=s, user_id=77, username="zhangsan", name="张三", now=NOW)
    assert [(c.unit_name, c.status, c.user_id) for c in claimed] == [("税务局", "active", 77)]


def test_revoke_and_office_role(ctx):
    s, camp, d = ctx
    people.add_officer(session=s, campaign_id=camp.id, unit_id=uid(d, "市监局"), user_id=5, role="office", now=NOW)
    assert people.is_office(session=s, user_id=5, campaign_id=camp.id, admins=frozenset())
    assert people.is_office(session=s, user_id=6, campaign_id=camp.id, admins=frozenset({6}))
    people.revoke(session=s, campaign_id=camp.id, user_id=5, by_user_id=6, now=NOW)
    assert not people.is_office(session=s, user_id=5, campaign_id=camp.id, admins=frozenset())
    with pytest.raises(people.NotFound):
        people.revoke(session=s, campaign_id=camp.id, user_id=5, by_user_id=6, now=NOW)


def test_chat_bind_rebind_migrate(ctx):
    s, camp, _ = ctx
    chats.bind_chat(session=s, campaign_id=camp.id, chat_id=-1, kind="liaison", title="群", by_user_id=1, now=NOW)
    chats.bind_chat(session=s, campaign_id=camp.id, chat_id=-1, kind="office", title="群", by_user_id=1, now=NOW)
    assert chats.chat_binding(session=s, chat_id=-1).kind == "office"
    chats.migrate_chat(session=s, old_chat_id=-1, new_chat_id=-1001, now=NOW)
    assert chats.chat_binding(session=s, chat_id=-1) is None
    assert chats.chat_binding(session=s, chat_id=-1001).kind == "office"
    with pytest.raises(people.PeopleError):
        chats.bind_chat(session=s, campaign_id=camp.id, chat_id=-2, kind="other", title="", by_user_id=1, now=NOW)


def test_a_second_channel_needs_no_schema_change(ctx):
    """A DingTalk staff id is text; the same digits on Telegram are another person and another chat."""
    s, camp, d = ctx
    tg = people.add_officer(session=s, campaign_id=camp.id, unit_id=uid(d, "统计局"), user_id=1001, now=NOW)
    ding = people.add_officer(session=s, campaign_id=camp.id, unit_id=uid(d, "税务局"), user_id="manager4711",
                              name="钉钉用户", channel="dingtalk", now=NOW)
    same_digits = people.add_officer(session=s, campaign_id=camp.id, unit_id=uid(d, "发改委"), user_id="1001",
                                     channel="dingtalk", now=NOW)
    assert (tg.channel, tg.external_id, tg.user_id) == ("telegram", "1001", 1001)
    assert (ding.channel, ding.external_id, ding.user_id) == ("dingtalk", "manager4711", "manager4711")
    assert len({tg.id, ding.id, same_digits.id}) == 3
    assert people.officer_of(session=s, user_id=1001).unit_name == "统计局"
    assert people.officer_of(session=s, user_id="1001", channel="dingtalk").unit_name == "发展和改革委员会"
    assert people.officer_of(session=s, user_id="manager4711") is None  # nobody on Telegram has that id
    chats.bind_chat(session=s, campaign_id=camp.id, chat_id=-1001, kind="liaison", title="TG", by_user_id=1, now=NOW)
    chats.bind_chat(session=s, campaign_id=camp.id, chat_id="-1001", kind="office", title="钉钉群",
                    by_user_id="manager4711", now=NOW, channel="dingtalk")
    assert chats.chat_binding(session=s, chat_id=-1001).kind == "liaison"
    assert chats.chat_binding(session=s, chat_id="-1001", channel="dingtalk").kind == "office"
    assert [c.channel for c in chats.office_chats(session=s, campaign_id=camp.id)] == ["dingtalk"]


def test_roster_csv_gbk_and_xlsx(ctx, tmp_path):
    s, camp, d = ctx
    csv_path = tmp_path / "roster.csv"
    csv_path.write_bytes("单位,姓名,Telegram\n统计局,张三,1001\n发改委,李四,@lisi_fgw\n".encode("gbk"))
    infos = import_roster(session=s, campaign=camp, directory=d, path=csv_path, by_user_id=None, now=NOW)
    assert [(i.unit_name, i.user_id, i.username) for i in infos] == [
        ("统计局", 1001, ""), ("发展和改革委员会", None, "lisi_fgw")]
    wb = Workbook()
    wb.active.append(["单位", "姓名", "Telegram user id", "角色"])
    wb.active.append(["市监局", "王五", 1003, "办公室"])
    wb.save(tmp_path / "roster.xlsx")
    infos = import_roster(session=s, campaign=camp, directory=d, path=tmp_path / "roster.xlsx", by_user_id=None, now=NOW)
    assert infos[0].role == "office" and infos[0].unit_name == "市场监督管理局"


def test_bad_roster_reports_every_row_and_imports_nothing(ctx, tmp_path):
    s, camp, d = ctx
    path = tmp_path / "bad.csv"
    path.write_text("\ufeff单位,姓名,Telegram\n统计局,张三,1001\n气象局,李四,1002\n各成员单位,王五,1003\n"
                    "统计局,,abc def\n发改委,张三,1001\n", encoding="utf-8")
    with pytest.raises(RosterError) as err:
        import_roster(session=s, campaign=camp, directory=d, path=path, by_user_id=None, now=NOW)
    lines = [p.split(":")[0] for p in err.value.problems]
    assert lines == ["第 3 行", "第 4 行", "第 5 行", "第 6 行"]
    assert s.exec(select(Officer)).first() is None


def test_cli_officers_and_chats(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", fresh_url(tmp_path))
    assert main(["officers", "add", "--campaign", "hejin", "--unit", "统计局", "--user-id", "42", "--name", "张三"]) == 0
    assert main(["officers", "add", "--campaign", "hejin", "--unit", "气象局", "--user-id", "43"]) == 2
    assert main(["chats", "bind", "--campaign", "hejin", "--chat-id", "-100", "--kind", "office"]) == 0
    capsys.readouterr()
    assert main(["officers", "list", "--campaign", "hejin", "--json"]) == 0
    rows = __import__("json").loads(capsys.readouterr().out)
    assert rows[0]["unit_name"] == "统计局" and rows[0]["user_id"] == 42
    assert main(["officers", "revoke", "--campaign", "hejin", "--user-id", "42"]) == 0
    bad = tmp_path / "r.csv"
    bad.write_text("单位,姓名,Telegram\n气象局,甲,1\n", encoding="utf-8")
    assert main(["officers", "import", "--campaign", "hejin", str(bad)]) == 2
    assert "第 2 行" in capsys.readouterr().err


def test_roster_with_dingtalk_userids(ctx, tmp_path):
    """A roster names people by DingTalk userid, by Telegram, or both: one officer row per channel."""
    s, camp, d = ctx
    path = tmp_path / "roster.csv"
    path.write_text("单位,姓名,Telegram,钉钉 userid\n统计局,张三,1001,manager4711\n发改委,李四,,0193-22_x\n"
                    "市监局,王五,@wangwu_sj,\n", encoding="utf-8")
    infos = import_roster(session=s, campaign=camp, directory=d, path=path, by_user_id=None, now=NOW)
    assert [(i.unit_name, i.channel, i.user_id) for i in infos] == [
        ("统计局", "telegram", 1001), ("统计局", "dingtalk", "manager4711"),
        ("发展和改革委员会", "dingtalk", "0193-22_x"), ("市场监督管理局", "telegram", None)]
    assert people.officer_of(session=s, user_id="manager4711", channel="dingtalk").unit_name == "统计局"
    bad = tmp_path / "bad.csv"
    bad.write_text("单位,姓名,钉钉\n统计局,张三,有 空格\n发改委,李四,\n", encoding="utf-8")
    with pytest.raises(RosterError) as err:
        import_roster(session=s, campaign=camp, directory=d, path=bad, by_user_id=None, now=NOW)
    assert [p.split(":")[0] for p in err.value.problems] == ["第 2 行", "第 3 行"]

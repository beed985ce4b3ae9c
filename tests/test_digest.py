"""Digest delivery and exports: weekly once (holiday Mondays move), XLSX totals, ZIP manifest."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from bot.outbox import weekly
from knowledge.campaigns import get_campaign
from knowledge.chart import NoCJKFont, render_png
from knowledge.clock import FakeClock
from knowledge.files import store_bytes
from knowledge.ledger import verify_zip
from knowledge.models import Evidence, EvidenceFile, Indicator
from knowledge.units import UnitDirectory
from reminders.calendar import WorkCalendar
from reminders.digest import build, digest_day
from reminders.weekly import digest_data, export_files
from tests.botkit import GROUP, OFFICE_CHAT, make_harness
from tests.conftest import campaigns_engine


def bj(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 8, 5, tzinfo=UTC)


@pytest.fixture
async def h(tmp_path):
    engine = campaigns_engine()
    harness = await make_harness(engine, FakeClock(bj(date(2026, 9, 28))), tmp_path / "ev")
    harness.api.group_chat(OFFICE_CHAT, "办公室")
    harness.api.group_chat(GROUP, "联络员群")
    harness.bind(OFFICE_CHAT, kind="office", slug="yancheng")
    harness.bind(GROUP, slug="yancheng")
    yield harness
    await harness.app.shutdown()


def test_holiday_monday_moves_to_next_working_day():
    cal = WorkCalendar()
    assert digest_day(date(2026, 10, 5), cal) == date(2026, 10, 8)  # National Day week
    assert digest_day(date(2026, 11, 23), cal) == date(2026, 11, 23)


async def test_weekly_digest_once_per_week_even_after_restart(h):
    from bot.context import Services
    assert await weekly(h.app.bot, h.services) == 1
    digests = [m for m in h.api.sent(OFFICE_CHAT) if "周报" in m["text"]]
    assert len(digests) == 1 and "已确认" in digests[0]["text"]
    assert any("通报" in m["text"] for m in h.api.sent(GROUP))
    restarted = Services(settings=h.services.settings, engine=h.services.engine, clock=h.clock)
    h.clock.set(bj(date(2026, 9, 30), 15))
    assert await weekly(h.app.bot, restarted) == 0
    h.clock.set(bj(date(2026, 10, 5)))  # next Monday is a holiday: nothing yet
    assert await weekly(h.app.bot, restarted) == 0
    h.clock.set(bj(date(2026, 10, 8)))
    assert await weekly(h.app.bot, restarted) == 1


async def test_digest_command_is_office_only(h):
    out = await h.say(GROUP, 12345, "/digest@liaison_test_bot")
    assert "只有领导小组办公室" in out[-1]["text"]


async def test_exports_agree_with_json(h, tmp_path):
    services = h.services
    with services.session() as s:
        camp = get_campaign(s, "yancheng")
        d = UnitDirectory.load(s, camp)
        sj = d.resolve("市监局").unit.id
        for no, pts, data in ((1, Decimal(2), b"a" * 5000), (11, Decimal("1.5"), b"b" * 7000)):
            ind = s.exec(select(Indicator).where(Indicator.campaign_id == camp.id, Indicator.no == no)).one()
            ev = Evidence(campaign_id=camp.id, indicator_id=ind.id, unit_id=sj, status="accepted",
                          awarded_points=pts, created_at=h.clock.now())
            s.add(ev)
            s.flush()
            stored = store_bytes(tmp_path / "ev", data)
            s.add(EvidenceFile(evidence_id=ev.id, name=f"材料{no}.pdf", size=len(data), sha256=stored.sha256,
                               stored_path=str(stored.path)))
        camp_id = camp.id
    today = date(2026, 9, 28)
    data = digest_data(services, camp_id, today)["json"]
    assert data["score"]["confirmed"] == 3.5
    files = export_files(services, camp_id, today, tmp_path / "out")
    wb = load_workbook(files["xlsx"])
    summary = wb["得分汇总"]
    total_row = [r for r in summary.iter_rows(values_only=True) if r[0] == "合计"][0]
    assert total_row[2] == data["score"]["max"] and total_row[3] == data["score"]["confirmed"]
    ledger = wb["台账"]
    assert ledger.freeze_panes == "A2"
    assert sum(r[9] or 0 for r in ledger.iter_rows(min_row=2, values_only=True)) == data["score"]["confirmed"]
    assert verify_zip(files["zip"])
    with zipfile.ZipFile(files["zip"]) as zf:
        names = zf.namelist()
        assert "目录.xlsx" in names and "MANIFEST-SHA256.txt" in names
        assert any(n.startswith("1-网上零售额同比增速/市场监督管理局-材料1.pdf") for n in names)
        index = load_workbook(io.BytesIO(zf.read("目录.xlsx")))
        listed = [r for r in index["目录"].iter_rows(min_row=2, values_only=True) if isinstance(r[0], int)]
        assert len(listed) == 2
        note = [r[0] for r in index["目录"].iter_rows(values_only=True) if r[0] and str(r[0]).startswith("注")][0]
        assert f"确认得分合计 {data['score']['confirmed']} 分" in note


def test_chart_has_a_cjk_font(tmp_path):
    engine = campaigns_engine()
    with Session(engine) as s:
        camp = get_campaign(s, "hejin")
        d = UnitDirectory.load(s, camp)
        digest, _ = build(s, camp, d, date(2026, 11, 24))
    try:
        png = render_png(digest, digest.units)
    except NoCJKFont:
        pytest.fail("no CJK font installed: .ci/run and liaison.sh install fonts-wqy-microhei")
    assert png.startswith(b"\x89PNG") and len(png) > 20_000


async def test_ledger_shows_whole_indicator_evidence_reviewer_and_local_dates(h, tmp_path):
    """Evidence for all of indicator 11 shows on each of its item rows, with who reviewed it and the
    Beijing date; after the evidence folder moves (a restore elsewhere) the package still builds."""
    import shutil

    from knowledge import people
    from knowledge.ledger import build_xlsx, build_zip
    services = h.services
    late = datetime(2026, 9, 27, 17, 30, tzinfo=UTC)  # 2026-09-28 01:30 in Beijing
    with services.session() as s:
        camp = get_campaign(s, "yancheng")
        d = UnitDirectory.load(s, camp)
        sj = d.resolve("市监局").unit.id
        people.add_officer(session=s, campaign_id=camp.id, unit_id=sj, user_id=777, name="赵审核", role="office",
                           now=late)
        ind = s.exec(select(Indicator).where(Indicator.campaign_id == camp.id, Indicator.no == 11)).one()
        ev = Evidence(campaign_id=camp.id, indicator_id=ind.id, unit_id=sj, status="accepted",
                      awarded_points=Decimal("2.5"), created_at=late, reviewer_user_id=777, reviewed_at=late)
        s.add(ev)
        s.flush()
        stored = store_bytes(tmp_path / "old-ev", b"c" * 3000)
        s.add(EvidenceFile(evidence_id=ev.id, name="智慧监管.pdf", size=3000, sha256=stored.sha256,
                           stored_path=str(stored.path)))
        s.commit()
        digest, dues = build(s, camp, d, date(2026, 9, 28))
        wb = load_workbook(io.BytesIO(build_xlsx(s, digest, dues)))
        rows11 = [r for r in wb["台账"].iter_rows(min_row=2, values_only=True) if r[2] == 11]
        assert len(rows11) == 3 and all("智慧监管.pdf" in (r[8] or "") for r in rows11)
        assert "2026-09-28" in rows11[0][8] and "审核:赵审核" in rows11[0][8]
        shutil.move(str(tmp_path / "old-ev"), str(tmp_path / "new-ev"))
        info = build_zip(s, digest, tmp_path / "p.zip", evidence_root=tmp_path / "new-ev")
    assert info["files"] == 1 and verify_zip(tmp_path / "p.zip")

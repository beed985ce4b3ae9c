"""Evidence files: streamed into the store in bounded memory, limited per unit and per officer,
swept when nobody references them, and recognised when an earlier version held the same bytes.

- The writer (``knowledge.files.Incoming``/``receive``) stops at the download limit mid-stream,
  leaves no temporary file behind a refusal, judges the file from disk and stores it exactly
  where ``store_bytes`` would.
- ``bot.downloads`` streams over HTTP (the fake Bot API server), copies a local path (a
  self-hosted server in ``--local`` mode), and never lets the token into an error.
- The unit's quota and the officer's hourly rate refuse with a template that says the limit.
- The sweep removes only unreferenced files of the bot's own older than the grace period.
- A file that matches a rejected, withdrawn or superseded submission is taken, and the receipt
  and the office card say "这份材料与 #N 相同".
"""

from __future__ import annotations

import hashlib
import io
import os
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlmodel import Session, select
from telegram import Bot
from telegram.error import NetworkError

from bot import downloads, housekeeping
from bot.cli import main as cli_main
from bot.fakes.server import FakeBotApiServer
from bot.settings import Settings
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.db import make_engine
from knowledge.files import FileRejected, Incoming, receive, store_bytes
from knowledge.models import Evidence, EvidenceFile, Indicator, Unit
from knowledge.sweep import sweep
from tests.botkit import ADMIN, OFFICE_CHAT, Harness
from tests.conftest import loaded_url
from tests.test_evidence import PDF, USER, evidence_harness, rows, send_doc

CHUNK = 64 * 1024
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def pdf(size: int, seed: int = 0) -> bytes:
    """A PDF head and ``size`` bytes in all, different for each seed."""
    head = b"%PDF-1.4 " + str(seed).encode() + b" "
    return head + hashlib.sha256(str(seed).encode()).digest() * ((size - len(head)) // 32 + 1)


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# ---- the streaming writer ---------------------------------------------------------------------

def test_streamed_file_is_stored_where_and_as_store_bytes_stores_it(tmp_path):
    data = pdf(300 * 1024)
    chunks = [data[i:i + CHUNK] for i in range(0, len(data), CHUNK)]
    got = receive(tmp_path / "a", chunks, name="报告.pdf", limit=len(data))
    same = store_bytes(tmp_path / "b", data)
    assert got.mime == "application/pdf"
    assert (got.stored.sha256, got.stored.size) == (same.sha256, same.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert got.stored.path.relative_to(tmp_path / "a") == same.path.relative_to(tmp_path / "b")
    assert got.stored.path.read_bytes() == data
    assert files_under(tmp_path / "a") == [got.stored.path]  # no temporary file left
    assert oct(got.stored.path.stat().st_mode & 0o777) == "0o600"


def test_the_limit_stops_the_stream_at_the_first_byte_past_it_and_leaves_nothing(tmp_path):
    taken = []

    def endless():
        for i in range(1000):  # far more than declared anywhere
            taken.append(i)
            yield b"%PDF-" + b"x" * (CHUNK - 5)

    with pytest.raises(FileRejected, match="上限"):
        receive(tmp_path, endless(), name="大.pdf", limit=3 * CHUNK)
    assert len(taken) == 4  # the chunk that went past the limit, and not one more
    assert files_under(tmp_path) == []
    with pytest.raises(FileRejected):  # one byte over is over
        receive(tmp_path, [b"%PDF-" + b"x" * 95, b"y"], name="a.pdf", limit=100)
    assert receive(tmp_path, [b"%PDF-" + b"x" * 95], name="a.pdf", limit=100).stored.size == 100


def test_content_is_judged_from_the_file_on_disk_and_a_refusal_leaves_nothing(tmp_path):
    with pytest.raises(FileRejected) as err:
        receive(tmp_path, [ELF[:10], ELF[10:]], name="通知.pdf", limit=None)
    assert err.value.message.template == "file_mismatch" and err.value.message.data["danger"] == "可执行程序"
    assert files_under(tmp_path) == []
    # a Word file whose central directory lies far past the head bytes: zipfile reads it from disk
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/media/big.bin", os.urandom(200 * 1024))
        zf.writestr("word/document.xml", "<w:document/>")
    data = buf.getvalue()
    got = receive(tmp_path, [data[i:i + CHUNK] for i in range(0, len(data), CHUNK)], name="报告.docx")
    assert got.mime == DOCX_MIME


def test_a_broken_download_leaves_no_temporary_file(tmp_path):
    with pytest.raises(ConnectionError), Incoming(tmp_path, limit=None) as incoming:
        incoming.write(b"%PDF-1.4 part")
        raise ConnectionError("cut")
    assert files_under(tmp_path) == []


def test_storing_known_content_again_makes_it_young_again(tmp_path):
    first = store_bytes(tmp_path, PDF)
    os.utime(first.path, (time.time() - 90_000, time.time() - 90_000))
    again = receive(tmp_path, [PDF], name="again.pdf")
    assert again.stored.path == first.path and time.time() - first.path.stat().st_mtime < 60
    assert files_under(tmp_path) == [first.path]


# ---- downloading from Telegram ------------------------------------------------------------------

TOKEN = "123456:SECRET-token_for_the_download_tests"


async def _bot(server: FakeBotApiServer, file_url: str | None = None) -> Bot:
    bot = Bot(TOKEN, base_url=server.base_url, base_file_url=file_url or server.base_file_url)
    await bot.initialize()
    return bot


async def test_download_streams_over_http_and_copies_a_local_path(tmp_path):
    data = pdf(1024 * 1024 + 7)
    async with FakeBotApiServer() as server:
        bot = await _bot(server)
        f = server.api.store_file(data)
        with Incoming(tmp_path / "ev", limit=None) as incoming:
            await downloads.fetch(bot, f["file_id"], incoming)
            got = incoming.finish("a.pdf")
        assert got.stored.sha256 == hashlib.sha256(data).hexdigest()
        # a self-hosted server in --local mode answers getFile with a path on this machine
        local = tmp_path / "local.pdf"
        local.write_bytes(data + b"local")
        g = server.api.store_file(b"unused")
        server.api.files[g["file_id"]].update(file_path=str(local), data=None)  # over HTTP: a 404
        with Incoming(tmp_path / "ev", limit=None) as incoming:
            await downloads.fetch(bot, g["file_id"], incoming)
            got = incoming.finish("b.pdf")
        assert got.stored.path.read_bytes() == data + b"local"
        await bot.shutdown()


async def test_the_limit_holds_over_http_whatever_the_size_declared(tmp_path):
    async with FakeBotApiServer() as server:
        bot = await _bot(server)
        f = server.api.store_file(pdf(3 * 1024 * 1024))
        with pytest.raises(FileRejected, match="上限"), Incoming(tmp_path, limit=1024 * 1024) as incoming:
            await downloads.fetch(bot, f["file_id"], incoming)
        assert files_under(tmp_path) == []
        await bot.shutdown()


async def test_a_failed_download_never_shows_the_token(tmp_path):
    async with FakeBotApiServer() as server:
        bot = await _bot(server)
        f = server.api.store_file(PDF)
        server.api.files[f["file_id"]]["data"] = None  # the server answers 404
        with pytest.raises(NetworkError) as err, Incoming(tmp_path, limit=None) as incoming:
            await downloads.fetch(bot, f["file_id"], incoming)
        assert "404" in str(err.value) and TOKEN not in str(err.value) and err.value.__context__ is None
        await bot.shutdown()
        # nobody listens at the file URL: httpx's own error text is cleaned as well
        bot = await _bot(server, file_url=f"http://127.0.0.1:1/{TOKEN}/file/bot")
        with pytest.raises(NetworkError) as err, Incoming(tmp_path, limit=None) as incoming:
            await downloads.fetch(bot, f["file_id"], incoming)
        assert TOKEN not in str(err.value) and "SECRET" not in str(err.value) and err.value.__suppress_context__
        await bot.shutdown()
    assert files_under(tmp_path) == []
    assert downloads.masked(f"GET https://x/file/bot{TOKEN}/a", TOKEN) == "GET https://x/file/bot<token>/a"


# ---- quota and rate -------------------------------------------------------------------------------

@pytest.fixture
async def h(tmp_path):
    async for harness in evidence_harness(tmp_path):
        yield harness


def limit(h: Harness, **settings) -> None:
    for key, value in settings.items():
        setattr(h.services.settings, key, value)


def receipt(out: list[dict]) -> str:
    return [m for m in out if m["chat_id"] == USER][-1]["text"]


def get_files(h: Harness) -> int:
    return [m for m, _ in h.api.calls].count("getFile")


async def test_unit_quota_refuses_before_downloading_when_the_size_is_known(h, tmp_path):
    limit(h, unit_quota_mb=1)
    out = await send_doc(h, data=pdf(600 * 1024, 1), name="一.pdf", caption="#1 一")
    assert "已收到材料" in receipt(out)
    before, calls = files_under(tmp_path / "ev"), get_files(h)
    out = await send_doc(h, data=pdf(600 * 1024, 2), name="二.pdf", caption="#2 二")
    text = out[-1]["text"]
    assert "没有提交" in text and "1 MB" in text and "存储上限" in text and "联系领导小组办公室" in text
    assert get_files(h) == calls  # refused before getFile
    assert files_under(tmp_path / "ev") == before and len(rows(h, Evidence)) == 1
    # the same content again takes no room: it is judged as a duplicate, not against the quota
    out = await send_doc(h, data=pdf(600 * 1024, 1), name="一.pdf", caption="#1 再发")
    assert "已经提交过" in out[-1]["text"]


async def test_unit_quota_is_checked_again_with_the_real_size(h, tmp_path):
    limit(h, unit_quota_mb=1)
    await send_doc(h, data=pdf(600 * 1024, 1), name="一.pdf", caption="#1 一")
    before = files_under(tmp_path / "ev")
    update = h.api.push_document(USER, USER, pdf(600 * 1024, 2), "二.pdf", "application/pdf", caption="#2 二")
    del update["message"]["document"]["file_size"]  # no size declared: known only once downloaded
    await h.feed(update)
    assert "存储上限" in h.new()[-1]["text"]
    assert files_under(tmp_path / "ev") == before and len(rows(h, Evidence)) == 1


async def test_hourly_rate_counts_files_of_an_unconfirmed_submit_flow_and_passes(h):
    limit(h, uploads_per_hour=2)
    out = await h.say(USER, USER, "/submit")
    await h.press(USER, USER, out[-1]["message_id"], "sb:i:1:1")
    await send_doc(h, data=pdf(10_000, 1), caption=None)  # gathered, never confirmed
    await send_doc(h, data=pdf(10_000, 2), caption=None)
    await h.press(USER, USER, out[-1]["message_id"], "sb:x:1")  # and cancelled
    h.services.clock.advance(minutes=20)
    out = await send_doc(h, data=pdf(10_000, 3), caption="#2 第三个")
    text = out[-1]["text"]
    assert "已发送 2 个文件" in text and "最多发送 <b>2 个文件" in text and "约 40 分钟后" in text
    assert rows(h, Evidence) == []
    h.services.clock.advance(minutes=41)
    out = await send_doc(h, data=pdf(10_000, 3), caption="#2 第三个")
    assert "已收到材料" in receipt(out)


async def test_hourly_rate_in_megabytes(h, tmp_path):
    limit(h, upload_mb_per_hour=1)
    await send_doc(h, data=pdf(700 * 1024, 1), caption="#1 一")
    before = files_under(tmp_path / "ev")
    out = await send_doc(h, data=pdf(700 * 1024, 2), caption="#2 二")
    assert "1 MB" in out[-1]["text"] and "每小时" in out[-1]["text"]
    assert files_under(tmp_path / "ev") == before


def test_default_limits_follow_the_download_limit():
    public = Settings(_env_file=None)
    hosted = Settings(_env_file=None, telegram_base_file_url="http://127.0.0.1:8081/file/bot")
    assert (public.unit_quota, public.upload_bytes_per_hour) == (1024 * 2**20, 200 * 2**20)
    assert (hosted.unit_quota, hosted.upload_bytes_per_hour) == (4000 * 2**20, 2000 * 2**20)
    assert Settings(_env_file=None, unit_quota_mb=5, upload_mb_per_hour=7).unit_quota == 5 * 2**20


# ---- "这份材料与 #N 相同" -------------------------------------------------------------------------------

async def reject(h: Harness, evidence_id: int, reason: str) -> None:
    out = await h.press(OFFICE_CHAT, ADMIN, 1, f"rv:{evidence_id}:r")
    await h.say(OFFICE_CHAT, ADMIN, reason, reply_to_message_id=out[-1]["message_id"])


def cards(h: Harness) -> list[str]:
    return [m["text"] for m in h.api.sent(OFFICE_CHAT) if "待审核材料" in m["text"]]


async def test_a_file_sent_again_after_it_was_rejected_says_so_on_receipt_and_card(h):
    await send_doc(h)
    [first] = rows(h, Evidence)
    assert "相同" not in cards(h)[-1]
    await reject(h, first.id, "缺少盖章")
    out = await send_doc(h, caption="#1 再交一次")
    receipt = [m for m in out if m["chat_id"] == USER][-1]["text"]
    assert f"这份材料与 <b>#{first.id}</b> 相同（#{first.id} 已退回，原因：缺少盖章）" in receipt
    assert f"与 <b>#{first.id}</b> 相同" in cards(h)[-1]
    assert [e.status for e in rows(h, Evidence)] == ["superseded", "submitted"]


async def test_same_as_a_withdrawn_and_a_superseded_version(h):
    await send_doc(h)
    [first] = rows(h, Evidence)
    await h.say(USER, USER, f"/withdraw {first.id}")
    out = await send_doc(h, caption="#1 撤回后再交")
    assert f"这份材料与 <b>#{first.id}</b> 相同（#{first.id} 已撤回）" in [m for m in out if m["chat_id"] == USER][-1]["text"]
    # a new version (other bytes) supersedes it; then the old bytes come back
    await send_doc(h, data=PDF + b"v2", name="新版.pdf", caption="#1 新版")
    out = await send_doc(h, caption="#1 又用回旧版")
    receipt = [m for m in out if m["chat_id"] == USER][-1]["text"]
    second = rows(h, Evidence)[1]
    assert f"#{second.id} 已被新版本替代" in receipt and f"#{first.id} 已撤回" in receipt


async def test_a_file_matching_an_open_submission_is_still_a_duplicate(h):
    await send_doc(h)
    out = await send_doc(h, caption="#1 又一次")
    assert "已经提交过" in out[-1]["text"] and len(rows(h, Evidence)) == 1


async def test_an_album_names_only_its_matching_file(h):
    await send_doc(h, name="旧.pdf", caption="#2 旧")
    [first] = rows(h, Evidence)
    await reject(h, first.id, "不清楚")
    await send_doc(h, data=PDF + b"new", name="新.pdf", caption="#2 一组", media_group_id="alb")
    out = await send_doc(h, name="旧.pdf", caption=None, media_group_id="alb")
    edit = [m for m in out if m["chat_id"] == USER][-1]["text"]
    assert f"其中“旧.pdf”与 <b>#{first.id}</b> 相同" in edit


async def test_a_flow_file_swept_before_it_was_confirmed_is_asked_for_again(h):
    out = await h.say(USER, USER, "/submit")
    await h.press(USER, USER, out[-1]["message_id"], "sb:i:1:1")
    await send_doc(h, caption=None)
    [path] = [p for p in files_under(h.services.settings.evidence_path) if not p.name.startswith(".")]
    path.unlink()  # the sweep took it: the flow stayed open past the grace period
    await h.press(USER, USER, 1, "sb:ok:1")
    assert "请重新发送" in h.api.sent(USER)[-1]["text"] and rows(h, Evidence) == []


# ---- the sweep ------------------------------------------------------------------------------------

def _age(path: Path, hours: float, now: float) -> Path:
    os.utime(path, (now - hours * 3600, now - hours * 3600))
    return path


def scene(root: Path, now: float, outside: Path) -> dict[str, Path]:
    """Files of every kind under ``root``; the first one referenced by the caller."""
    made = {}
    for key, data, hours in (("referenced", b"%PDF kept", 100), ("old", b"%PDF old", 30), ("young", b"%PDF young", 2)):
        made[key] = _age(store_bytes(root, data).path, hours, now)
    for key, name, data in (("incoming", ".incoming-abc123", b"half"), ("foreign", "README.txt", b"ops notes")):
        (root / name).write_bytes(data)
        made[key] = _age(root / name, 30, now)
    outside.parent.mkdir(parents=True, exist_ok=True)
    outside.write_bytes(b"outside, old")
    _age(outside, 300, now)
    made["link"] = root / "ab" / "cd" / ("ab" + "cd" + "0" * 60)
    made["link"].parent.mkdir(parents=True, exist_ok=True)
    made["link"].symlink_to(outside)
    os.utime(made["link"], (now - 300 * 3600, now - 300 * 3600), follow_symlinks=False)  # an old link, too
    (root / "linked-dir").symlink_to(outside.parent, target_is_directory=True)
    return made


def reference(engine, path: Path, sha: str) -> None:  # noqa: ANN001
    """An evidence row whose file is ``path`` with digest ``sha``."""
    with Session(engine) as s:
        camp = get_campaign(s, "hejin")
        ind = s.exec(select(Indicator).where(Indicator.campaign_id == camp.id)).first()
        unit = s.exec(select(Unit).where(Unit.campaign_id == camp.id)).first()
        ev = Evidence(campaign_id=camp.id, indicator_id=ind.id, unit_id=unit.id, created_at=datetime.now(UTC))
        s.add(ev)
        s.flush()
        s.add(EvidenceFile(evidence_id=ev.id, name="a.pdf", size=9, sha256=sha, stored_path=str(path)))
        s.commit()


@pytest.fixture
def loaded(tmp_path):
    url = loaded_url(tmp_path)
    return make_engine(url), url


def test_sweep_removes_only_old_unreferenced_files_of_its_own(tmp_path, loaded):
    engine, _ = loaded
    root, now = tmp_path / "ev", datetime(2026, 11, 24, 1, tzinfo=UTC)
    made = scene(root, now.timestamp(), tmp_path / "outside" / "victim.pdf")
    reference(engine, made["referenced"], made["referenced"].name)
    with Session(engine) as s:
        dry = sweep(s, root, now=now, grace=timedelta(hours=24), dry_run=True)
    assert sorted(f.path.name for f in dry.removed) == sorted([made["old"].name, ".incoming-abc123"])
    assert all(p.exists() for p in (made["old"], made["incoming"]))  # a dry run removes nothing
    with Session(engine) as s:
        report = sweep(s, root, now=now, grace=timedelta(hours=24))
    assert [f.path for f in report.removed] == [f.path for f in dry.removed]
    assert not made["old"].exists() and not made["incoming"].exists()
    assert made["referenced"].exists() and made["young"].exists() and made["foreign"].exists()
    assert made["link"].is_symlink() and (tmp_path / "outside" / "victim.pdf").exists()
    assert (report.referenced, report.young, report.foreign) == (1, 1, [made["foreign"]])
    with Session(engine) as s:  # a longer grace keeps the young one still; a shorter one takes it
        assert [f.path for f in sweep(s, root, now=now, grace=timedelta(hours=1)).removed] == [made["young"]]


def test_the_outboxs_pictures_are_neither_swept_nor_called_foreign(tmp_path, loaded):
    engine, _ = loaded
    now = datetime(2026, 11, 24, 1, tzinfo=UTC)
    chart = tmp_path / "ev" / "outbox" / "hejin-digest-2026-W48.png"  # as reminders.weekly saves it
    chart.parent.mkdir(parents=True)
    chart.write_bytes(b"\x89PNG chart")
    _age(chart, 100, now.timestamp())
    with Session(engine) as s:
        report = sweep(s, tmp_path / "ev", now=now, grace=timedelta(hours=24))
    assert chart.exists() and report.removed == [] and report.foreign == []


def test_a_file_of_an_open_submit_flow_is_kept_while_the_flow_is_fresh(tmp_path, loaded):
    from knowledge import drafts
    from knowledge.evidence import FileIn

    engine, _ = loaded
    now = datetime(2026, 11, 24, 1, tzinfo=UTC)
    stored = store_bytes(tmp_path / "ev", b"%PDF in a flow")
    _age(stored.path, 100, now.timestamp())  # stored long ago …
    with Session(engine) as s:
        camp = get_campaign(s, "hejin")
        drafts.begin(s, 7, campaign_id=camp.id, chat_id=7, no=1, item=None, now=now - timedelta(hours=2))
        drafts.gather(s, 7, now - timedelta(hours=1), file=FileIn("流程.pdf", "application/pdf", stored))
        s.commit()  # … but its flow was touched an hour ago
        assert sweep(s, tmp_path / "ev", now=now, grace=timedelta(hours=24)).removed == []
        later = now + timedelta(hours=30)  # the flow abandoned: its file goes with the grace period
        assert [f.path for f in sweep(s, tmp_path / "ev", now=later, grace=timedelta(hours=24)).removed] \
            == [stored.path]


def test_a_file_referenced_by_its_digest_is_kept_wherever_the_row_says_it_was(tmp_path, loaded):
    engine, _ = loaded
    now = datetime(2026, 11, 24, 1, tzinfo=UTC)
    kept = _age(store_bytes(tmp_path / "ev", b"%PDF restored").path, 100, now.timestamp())
    reference(engine, Path("/old/server/evidence") / kept.name, kept.name)  # restored from elsewhere
    with Session(engine) as s:
        assert sweep(s, tmp_path / "ev", now=now, grace=timedelta(hours=24)).removed == []


def test_files_sweep_command_prints_what_it_would_remove_and_removes_it(tmp_path, loaded, monkeypatch, capsys):
    engine, url = loaded
    root = tmp_path / "ev"
    made = scene(root, time.time(), tmp_path / "outside" / "victim.pdf")
    reference(engine, made["referenced"], made["referenced"].name)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("EVIDENCE_DIR", str(root))
    monkeypatch.chdir(tmp_path)
    assert cli_main(["files", "sweep", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "将删除(演习,未删除任何文件) 2 个无人引用且超过 24 小时的文件,共 0.00 MB" in out
    assert str(made["old"]) in out and ".incoming-abc123" in out and "1 个有材料记录引用,1 个未满 24 小时" in out
    assert "1 个不是本程序保存的文件" in out and made["old"].exists()
    assert cli_main(["files", "sweep"]) == 0
    out = capsys.readouterr().out
    assert "已删除 2 个" in out and not made["old"].exists() and made["referenced"].exists()
    assert cli_main(["files", "sweep"]) == 0
    assert "没有需要清理的文件" in capsys.readouterr().out


async def test_the_daily_job_sweeps_and_logs_what_it_removed(tmp_path, loaded, caplog):
    engine, _ = loaded
    now = datetime(2026, 11, 24, 1, tzinfo=UTC)
    old = _age(store_bytes(tmp_path / "ev", b"%PDF abandoned").path, 48, now.timestamp())
    services = SimpleNamespace(settings=Settings(_env_file=None, evidence_dir=tmp_path / "ev"), engine=engine,
                               clock=FakeClock(now))
    caplog.set_level("INFO", logger="bot.housekeeping")
    await housekeeping.sweep_job(SimpleNamespace(services=services))
    assert not old.exists()
    assert str(old) in caplog.text and "removed 1 files" in caplog.text

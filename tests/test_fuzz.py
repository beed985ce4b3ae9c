"""A fuzz through the real Application (layer 2): generated commands, buttons, captions, file names,
figures and free text, as a stranger, a liaison officer, the office and an admin, in private, the
liaison group and the office chat.

Each generated input must leave no escaped exception (no error handler call, no report in the
office chat), every message the bot sends must be one the Bot API accepts (the in-process API
refuses bad HTML, empty and over-long texts, bad callback_data: no call may fail), and an input
the bot refused (every template it rendered is a refusal or a usage) must change nothing in the
store (evidence, figures, officers, chats, phases, due dates, switches, audit log).

Four tests of 800 examples: 3,200 generated inputs (``FUZZ_EXAMPLES`` sets the number per test).
Measured on the shared 2-core box, 2026-12-01: 91 s on SQLite, 137 s on PostgreSQL
(``TEST_DATABASE_URL``) for the four together. What it found is fixed: ``reg:p:1``, ``sb:i:1``
and ``sb:t:1:12`` raised IndexError in their handlers (``Action.parse`` now checks each kind's
shape), 20-digit ids in buttons overflowed the store, and NUL in a phase name, a figure's source
or a caption raised DataError on PostgreSQL.
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from bot.render import environment
from knowledge.models import (
    AuditLog,
    CampaignState,
    Chat,
    Evidence,
    Figure,
    IndicatorDue,
    Officer,
    Phase,
)
from tests.botkit import ADMIN, GROUP, OFFICE_CHAT

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "800"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
STRANGER, LIAISON, OFFICE = 7101, 7102, 7103
USERS = {"stranger": STRANGER, "liaison": LIAISON, "office": OFFICE, "admin": ADMIN}
COMMANDS = ["start", "help", "my", "unit", "ind", "find", "phase", "setup", "bind", "revoke", "submit", "review",
            "status", "withdraw", "figure", "score", "reminders", "mute", "pause", "resume", "due", "acks",
            "digest", "export", "nosuch", "IND", "ind@liaison_test_bot"]
# What the bot says when it does not do what was asked: nothing may change then.
REFUSALS = {"refused", "stale_button", "date_out_of_range", "office_only", "need_registration", "need_unit",
            "pending", "review_missing", "review_already", "unknown_command", "not_understood", "out_of_range",
            "submit_not_yours", "submit_need_officer", "no_campaign", "start_in_private", "setup_in_group",
            "group_unbound", "ack_refused", "ack_unrelated", "unit_not_found", "too_long", "unknown",
            "shared_need_two", "export_too_big"}

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
DIGITS = st.text(alphabet=st.characters(categories=("Nd", "No", "Nl")), min_size=1, max_size=24)
NUMBER = st.one_of(st.integers(-10, 60).map(str), st.integers(-10**25, 10**25).map(str), DIGITS,
                   st.sampled_from(["十二", "两", "零", "一二三", "九九九九九九九九九九九", "１２", "#12", "²", "12.5", "1e9"]))
PLAUSIBLE = st.dates(date(2026, 1, 1), date(2028, 12, 31)).map(str)
DATE = st.one_of(PLAUSIBLE, PLAUSIBLE, st.dates().map(str), st.sampled_from(["9999-12-31", "0001-01-01", "2027-02-30", "2027/3/31",
                                                       "２０２７-03-31", "2027年3月31日", "2026-12-01", "soon"]))
NASTY = st.sampled_from(["<b>&", "</b>", "&amp;", "&", "<", ">", "<br>", "\x00", "a\x00b", "😀", "👍🏽", "\u200b",
                         "\u202e", "x" * 5000, "长" * 3000, "#12", "第12项", "网上零售额", "126.5", "统计局", "set",
                         "shift", ";", ":", "@liaison_test_bot", "\n", "\t"])
TOKEN = st.one_of(NUMBER, DATE, NASTY, TEXT.filter(lambda t: t.strip()))
ARGS = st.lists(TOKEN, max_size=5).map(" ".join)
WHO = st.sampled_from(list(USERS))
WHERE = st.sampled_from(["private", "group", "office"])
ID = st.one_of(st.integers(0, 40).map(str), st.integers(10**9 - 2, 10**22).map(str), DIGITS,
               st.sampled_from(["", "a", "-1", "0x1"]))
# The real buttons' shapes (bot/app.py's patterns), with ids of every kind and size.
SHAPED = st.one_of(
    st.tuples(st.sampled_from(["i", "u", "t"]), ID, ID),
    st.tuples(st.just("reg"), st.sampled_from("cpu"), ID, ID),
    st.tuples(st.just("reg"), st.sampled_from("cpu"), ID),
    st.tuples(st.just("apv"), ID, st.sampled_from("01")),
    st.tuples(st.just("setup"), ID, st.sampled_from("lo")),
    st.tuples(st.just("sb"), st.sampled_from(["p", "i", "t", "ok", "x"]), ID),
    st.tuples(st.just("sb"), st.sampled_from(["p", "i", "t", "ok", "x"]), ID, ID, ID),
    st.tuples(st.just("rv"), ID, st.sampled_from("apr")),
    st.tuples(st.just("ack"), ID),
).map(":".join)
CALLBACK = st.one_of(
    SHAPED,
    st.tuples(st.sampled_from(["i", "u", "t", "reg", "apv", "setup", "sb", "rv", "ack", "ind", "ev", "x"]),
              st.lists(st.one_of(ID, st.sampled_from(list("cpuilor01a") + ["ok", "x"])), max_size=4))
    .map(lambda t: ":".join([t[0], *t[1]])),
    st.text(min_size=1, max_size=64),
).map(lambda d: d.encode()[:64].decode(errors="ignore") or "x")
FILE_NAME = st.one_of(TEXT, NASTY, st.sampled_from(["../../etc/passwd", "a.pdf", "=cmd|' /C calc'!A0.xlsx",
                                                    ".", "..", "con.txt", "报表.xlsx"]))


def snapshot(h) -> tuple:
    """What a refused input must leave as it was."""
    with h.services.session() as s:
        count = lambda m: s.exec(select(func.count()).select_from(m)).one()  # noqa: E731
        return (count(Evidence), count(Figure), count(Chat), count(IndicatorDue), count(AuditLog),
                sorted((e.id, e.status) for e in s.exec(select(Evidence))),
                sorted((o.external_id, o.status, o.unit_id, str(o.muted_until)) for o in s.exec(select(Officer))),
                sorted((p.campaign_id, p.no, p.name, p.start, p.end) for p in s.exec(select(Phase))),
                sorted((d.indicator_id, d.due) for d in s.exec(select(IndicatorDue))),
                sorted((c.campaign_id, c.reminders_paused) for c in s.exec(select(CampaignState))))


class Watch:
    """Everything one input made the bot do: templates rendered, API calls refused, errors."""

    def __init__(self, h) -> None:  # noqa: ANN001
        self.h, self.templates, self.refused_calls, self.errors = h, [], [], []
        env, api = environment(), h.api
        get_template, handle = env.get_template, api.handle

        def spy_template(name, *a, **kw):  # noqa: ANN001, ANN202
            self.templates.append(str(name).removesuffix(".j2"))
            return get_template(name, *a, **kw)

        async def spy_handle(method: str, params: dict) -> dict:
            envelope = await handle(method, params)
            if not envelope["ok"]:
                self.refused_calls.append((method, envelope["description"], str(params)[:300]))
            return envelope

        async def on_error(update: object, context) -> None:  # noqa: ANN001
            self.errors.append(repr(context.error))

        env.get_template, api.handle = spy_template, spy_handle
        h.app.add_error_handler(on_error)
        self.restore = lambda: (delattr(env, "get_template"), delattr(api, "handle"))

    async def check(self, feed, label: str) -> None:  # noqa: ANN001
        """Run one input; assert nothing escaped, every call was accepted, a refusal changed nothing."""
        self.templates.clear(), self.refused_calls.clear(), self.errors.clear()
        before, seen = snapshot(self.h), len(self.h.api.sent())
        await feed()
        assert not self.errors, (label, self.errors)
        assert not self.refused_calls, (label, self.refused_calls)
        reports = [m["text"] for m in self.h.api.sent()[seen:] if m["chat_id"] == OFFICE_CHAT and "出错" in m["text"]]
        assert not reports, (label, reports)
        said = [t for t in self.templates if t != "separator"]
        if said and all(t in REFUSALS or t.endswith("_usage") for t in said):
            assert snapshot(self.h) == before, (label, said)
        self.h.new()


@pytest.fixture
async def fz(h):
    """The harness with the three chats, a liaison officer, an office officer and a pending one."""
    for chat, title in ((GROUP, "联络员群"), (OFFICE_CHAT, "办公室")):
        h.api.group_chat(chat, title)
    h.bind(GROUP)
    h.bind(OFFICE_CHAT, kind="office")
    h.register(LIAISON, "统计局")
    h.register(OFFICE, "市监局", role="office")
    await h.say(ADMIN, ADMIN, "/phase set 动员 2026-11-02 2026-12-31; 推进 2027-01-01 2027-06-30")
    await h.say(ADMIN, ADMIN, "/due 12 2026-12-08")
    watch = Watch(h)
    yield h, watch
    watch.restore()


def chat_of(who: str, where: str) -> int:
    return {"private": USERS[who], "group": GROUP, "office": OFFICE_CHAT}[where]


@FUZZ
@given(name=st.sampled_from(COMMANDS), args=ARGS, who=WHO, where=WHERE)
async def test_commands(fz, name, args, who, where):
    h, watch = fz
    text = f"/{name} {args}".strip()[:4096]
    await watch.check(lambda: h.say(chat_of(who, where), USERS[who], text), text)


NAME = st.one_of(NASTY, TEXT).map(lambda t: "".join(t.split()) or "x")
SHAPED_ARGS = {
    "phase set": st.lists(st.tuples(NAME, DATE, DATE).map(" ".join), min_size=1, max_size=3).map("; ".join),
    "phase shift": DATE, "due": st.tuples(NUMBER, DATE).map(" ".join),
    "figure": st.tuples(NUMBER, st.sampled_from(["2024", "2023", "9999", "２０２４", "0000"]),
                        st.sampled_from(["网上零售额", "快递业务量", "x"]), st.one_of(NUMBER, st.just("126.5亿元")),
                        st.one_of(st.just(""), NAME.map("来源 ".__add__))).map(" ".join),
    "withdraw": NUMBER, "score": NUMBER, "mute": NUMBER, "ind": NUMBER,
}


@FUZZ
@given(shaped=st.sampled_from(list(SHAPED_ARGS)).flatmap(lambda sub: st.tuples(st.just(sub), SHAPED_ARGS[sub])),
       who=st.sampled_from(["office", "admin", "liaison"]))
async def test_numbers_dates_and_figures(fz, shaped, who):
    """The commands that take numbers and dates, in their own shape, with odd numbers, dates and names."""
    h, watch = fz
    text = "/{} {}".format(*shaped)[:4096]
    await watch.check(lambda: h.say(USERS[who], USERS[who], text), text)


@FUZZ
@given(data=CALLBACK, who=WHO, where=WHERE)
async def test_buttons(fz, data, who, where):
    h, watch = fz
    await watch.check(lambda: h.press(chat_of(who, where), USERS[who], 1, data), data)


@FUZZ
@given(kind=st.sampled_from(["document", "photo", "text"]), caption=st.one_of(
           st.tuples(st.sampled_from(["#", "指标", "第", "#12-", "＃", ""]), NUMBER, st.sampled_from(["", " ", "项 "]),
                     NAME).map("".join), TEXT, NASTY),
       name=FILE_NAME, who=WHO, where=WHERE)
async def test_captions_files_and_text(fz, kind, caption, name, who, where):
    h, watch = fz
    chat, user = chat_of(who, where), USERS[who]
    caption = caption[:1024]
    if kind == "document":
        def feed():  # noqa: ANN202
            return h.feed(h.api.push_document(chat, user, b"%PDF-1.4 x", name or "f", "application/pdf", caption=caption))
    elif kind == "photo":
        def feed():  # noqa: ANN202
            return h.feed(h.api.push_photo(chat, user, b"\xff\xd8\xff photo", caption=caption))
    else:
        text = (caption or name or "x")[:4096]
        if where != "private":
            text = "@liaison_test_bot " + text

        def feed():  # noqa: ANN202
            return h.say(chat, user, text)
    await watch.check(feed, f"{kind} {caption!r} {name!r}")


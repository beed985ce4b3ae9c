"""Property-based tests: arbitrary text, captions, numbers, file names and callback data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from knowledge.ask.grammar import parse_caption
from knowledge.ask.parse import interpret
from knowledge.ask.question import FREE_TEXT_INTENTS as INTENTS
from knowledge.campaigns import get_campaign
from knowledge.clock import FakeClock
from knowledge.figures import FigureError, parse_number
from knowledge.files import safe_name
from knowledge.units import UnitDirectory
from tests.botkit import OFFICE_CHAT, make_harness
from tests.conftest import campaigns_engine

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)


@pytest.fixture(scope="module")
def directory():
    engine = campaigns_engine()
    with Session(engine) as s:
        return UnitDirectory.load(s, get_campaign(s, "yancheng"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TEXT)
def test_interpret_never_raises(directory, text):
    q = interpret(text, directory, bot_username="liaison_test_bot")
    assert q.intent in INTENTS


@given(TEXT)
def test_caption_and_number_parsers(text):
    parsed = parse_caption(text)
    assert parsed is None or parsed[0] >= 0
    try:
        parse_number(text)
    except FigureError:
        pass


@given(TEXT)
def test_safe_names(name):
    clean = safe_name(name)
    assert clean and "/" not in clean and "\\" not in clean and not any(ord(c) < 32 for c in clean)
    assert ".." not in clean


@pytest.fixture(scope="module")
def bot_loop(tmp_path_factory):
    """One application on one event loop, shared by every generated example."""
    import asyncio

    loop = asyncio.new_event_loop()
    engine = campaigns_engine()
    harness = loop.run_until_complete(make_harness(engine, FakeClock(datetime(2026, 11, 24, 2, tzinfo=UTC)),
                                                   tmp_path_factory.mktemp("ev")))
    harness.api.group_chat(OFFICE_CHAT, "办公室")
    harness.bind(OFFICE_CHAT, kind="office")
    harness.register(4242, "统计局")
    yield harness, loop
    loop.run_until_complete(harness.app.shutdown())
    loop.close()


def no_error_reports(h) -> bool:
    return not [m["text"] for m in h.api.sent(OFFICE_CHAT) if "出错" in m["text"]]


CALLBACK = st.one_of(st.text(min_size=1, max_size=64),
                     st.from_regex(r"(rv|apv|setup|sb|ack|reg|i|u|t):[0-9a-z:]{0,20}", fullmatch=True))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(CALLBACK)
def test_arbitrary_callback_data(bot_loop, data):
    h, loop = bot_loop
    loop.run_until_complete(h.press(4242, 4242, 1, data[:64]))
    assert no_error_reports(h)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TEXT.filter(str.strip), st.sampled_from(["private", "caption"]))
def test_arbitrary_messages_and_captions(bot_loop, text, where):
    h, loop = bot_loop
    if where == "private":
        loop.run_until_complete(h.say(4242, 4242, text))
    else:
        loop.run_until_complete(h.feed(h.api.push_document(4242, 4242, b"%PDF-1.4 x", "a.pdf", "application/pdf",
                                                           caption=text[:1000])))
    assert no_error_reports(h)

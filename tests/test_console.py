"""``liaison-bot chat``: who the console user is, which buttons a number presses, files both ways."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.fakes.console import Console, label_keys
from bot.settings import Settings


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("console")
    return Settings(_env_file=None, data_dir=data, database_url=f"sqlite:///{data}/liaison.db")


class Typist:
    """A console session: ``turn(line)`` is what the console printed for that line."""

    def __init__(self, settings: Settings, **who: object) -> None:
        self.printed = ""
        self.console = Console(settings, out=self._out, **{"campaign": "yancheng", "unit": None, "group": False,
                                                             "role": "liaison", **who})

    def _out(self, text: str) -> None:
        self.printed += text + "\n"

    async def turn(self, line: str) -> str:
        self.printed = ""
        await self.console.say(line)
        return self.printed


async def talk(settings: Settings, lines: list[str], **who: object) -> list[str]:
    """The console's output for ``lines`` typed in order, one string per turn (banner first)."""
    typist = Typist(settings, **who)
    await typist.console.start()
    turns = [typist.printed]
    try:
        for line in lines:
            turns.append(await typist.turn(line))
    finally:
        await typist.console.stop()
    return turns


def test_labels_that_carry_a_number_are_that_number():
    assert label_keys(["4. 新增规模", "10. 有特色", "1. 网上零售额", "下一页 ›"]) == \
        [(4, "新增规模"), (10, "有特色"), (1, "网上零售额"), (2, "下一页 ›")]
    assert label_keys(["提交", "取消"]) == [(1, "提交"), (2, "取消")]
    # a second keyboard in the same turn counts on from the first's numbers
    assert label_keys(["提交", "取消"], {1}) == [(2, "提交"), (3, "取消")]
    assert label_keys(["1. 甲", "1. 乙"]) == [(1, "1. 甲"), (2, "1. 乙")]  # a clash: count instead


async def test_each_campaign_and_unit_is_another_person(settings):
    yancheng = await talk(settings, ["/start"], unit="商务局")
    hejin = await talk(settings, ["/start"], campaign="hejin", unit="统计局")
    assert "您是“商务局”的联络员" in yancheng[0] and "--as office" in yancheng[0] and "--as new" in yancheng[0]
    assert "已登记为“商务局”的联络员（盐城市）" in yancheng[1]
    assert "已登记为“统计局”的联络员（河津市）" in hejin[1]
    office = await talk(settings, ["/start", "/help"], campaign="hejin", role="office")
    assert "办公室人员" in office[1]
    assert "/review" in office[2] and "/export" in office[2] and "/withdraw" in office[2]
    assert "/review" not in (await talk(settings, ["/help"], campaign="hejin"))[1]


async def test_a_new_person_can_register(settings):
    turns = await talk(settings, ["/start", "2", "1"], role="new")
    assert "未登记的新用户" in turns[0]
    assert "请选择您所在城市" in turns[1]
    assert "请选择您所在的单位（盐城市" in turns[2]
    assert "领导小组办公室审核后会通知您" in turns[3]
    again = await talk(settings, ["/start"], role="new")
    assert "请选择您所在城市" in again[1]  # the next new person is new again


async def test_a_number_presses_only_the_last_replys_buttons(settings):
    turns = await talk(settings, ["/ind 12", "谢谢", "1"], unit="商务局")
    assert "[1] 市场监督管理局" in turns[1]
    assert "[1]" not in turns[2]
    assert "第1项" in turns[3] and "市场监督管理局的指标" not in turns[3]  # "1" was a question, not a press
    typist = Typist(settings, unit="市场监督管理局")
    await typist.console.start()
    try:
        picker = await typist.turn("/submit")
        shown = [int(n) for n in re.findall(r"^  \[(\d+)\] ", picker, re.M)]
        # the picker's buttons are indicators, numbered as labelled: one whose number is not its place
        number = next(n for place, n in enumerate(shown, 1) if n != place and n <= len(shown))
        assert f"为第{number}项" in await typist.turn(str(number))  # the number typed is the number shown
        await typist.turn("x")  # a note, so that the flow has its 取消 button
        assert "已取消" in await typist.turn("2")
    finally:
        await typist.console.stop()


async def test_files_both_ways(settings, tmp_path):
    pdf = tmp_path / "台账.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    turns = await talk(settings, [f"/file {pdf} #10 第一季度台账", "/file /no/such.pdf"], unit="商务局")
    assert "已收到材料" in turns[1] and "台账.pdf" in turns[1] and "第10项" in turns[1]
    assert "找不到文件" in turns[2]
    turns = await talk(settings, ["/export", "/digest"], role="office")
    saved = [line.split(" → ")[1] for turn in turns for line in turn.splitlines() if line.startswith("[文件] ")]
    assert len(saved) == 3  # the ledger, the evidence package, the digest chart
    assert all(Path(p).parent == settings.data_dir / "console" and Path(p).stat().st_size > 0 for p in saved)
    assert any(p.endswith(".xlsx") for p in saved) and any(p.endswith(".png") for p in saved)

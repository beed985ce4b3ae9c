"""The question set: realistic questions per city with the expected reading and answer.

Each question is one test, so a miss names itself; the set must pass 100%.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.replies import answer_typed
from knowledge.ask import Asker
from knowledge.campaigns import get_campaign
from knowledge.units import UnitDirectory

HERE = Path(__file__).parent / "questions"
CASES = [(slug, case) for slug in ("hejin", "yancheng")
         for case in yaml.safe_load((HERE / f"{slug}.yaml").read_text(encoding="utf-8"))]


def run_case(store, slug: str, case: dict):
    """The question through the same path as ``liaison-bot ask`` (commands included)."""
    camp = get_campaign(store, slug)
    directory = UnitDirectory.load(store, camp)
    asker = Asker(unit=directory.resolve(case["asker"]).unit) if case.get("asker") else Asker()
    return answer_typed(store, camp, directory, case["q"], asker, date(2026, 11, 24))


def check(reply, case: dict) -> list[str]:
    problems = []
    if reply.intent != case["intent"]:
        problems.append(f"intent {reply.intent} ≠ {case['intent']}")
    if "lead" in case:
        got = [i["no"] for i in reply.indicators if i.get("role") == "牵头"]
        if got != case["lead"]:
            problems.append(f"lead {got} ≠ {case['lead']}")
    if "support" in case:
        got = [i["no"] for i in reply.indicators if i.get("role") == "配合"]
        if got != case["support"]:
            problems.append(f"support {got} ≠ {case['support']}")
    if "indicators" in case:
        got = [i["no"] for i in reply.indicators]
        ok = set(case["indicators"]) <= set(got) if case.get("contains") else got == case["indicators"]
        if not ok:
            problems.append(f"indicators {got} ≠ {case['indicators']}")
    if "units" in case and reply.units != case["units"]:
        problems.append(f"units {reply.units} ≠ {case['units']}")
    if "tasks" in case and [t["no"] for t in reply.tasks] != case["tasks"]:
        problems.append(f"tasks {[t['no'] for t in reply.tasks]} ≠ {case['tasks']}")
    if "says" in case and case["says"] not in reply.text:
        problems.append(f"text lacks {case['says']!r}")
    if "lacks" in case and case["lacks"] in reply.text:  # what a right reply must not say
        problems.append(f"text has {case['lacks']!r}")
    if "phase" in case and (reply.phase or {}).get("name") != case["phase"]:
        problems.append(f"phase {reply.phase} ≠ {case['phase']}")
    return problems


def test_question_sets_are_large_enough():
    for slug in ("hejin", "yancheng"):
        assert sum(1 for s, _ in CASES if s == slug) >= 60


@pytest.mark.parametrize("slug,case", CASES, ids=[f"{s}:{c['q']}" for s, c in CASES])
def test_question(store, slug, case):
    reply = run_case(store, slug, case)
    assert check(reply, case) == [], reply.text

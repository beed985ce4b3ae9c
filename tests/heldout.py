"""Grading a question set written by someone who never saw the code (tests/questions/heldout_*.yaml).

Its expectations say what a right answer *contains*, from the documents alone — indicator and
task numbers, units as the document writes them, the number a count must state first, short
strings the text must hold, and whether the documents answer the question at all — never which
intent the bot should pick. So a question is right when the reply, as ``liaison-bot ask --json``
gives it, holds every one of those facts.

Run over a set: ``.venv/bin/python -m tests.heldout tests/questions/heldout_dev.yaml`` prints
the share right and every miss.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from sqlmodel import Session

from bot.replies import Reply, answer_typed
from knowledge.ask import Asker
from knowledge.campaigns import get_campaign
from knowledge.numbers import read_number
from knowledge.units import UnitDirectory

TODAY = date(2026, 11, 24)
_TAG = re.compile(r"<[^>]+>")


@dataclass
class Graded:
    case: dict
    reply: Reply | None
    problems: list[str]

    @property
    def right(self) -> bool:
        return not self.problems


def load(path: Path) -> list[dict]:
    """The questions of one set file."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _plain(text: str) -> str:
    text = _TAG.sub("", text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return unicodedata.normalize("NFKC", text)


_DATE = re.compile(r"(\d{4})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})\s*日?")


def _squash(text: str) -> str:
    """The text without spacing and punctuation, its dates in one form (2023-06-30, 2023年6月30日
    and 2023.6.30 are one fact; a set's writer copies the document's form, the bot writes ISO)."""
    text = _DATE.sub(lambda m: f"{m[1]}-{int(m[2])}-{int(m[3])}", unicodedata.normalize("NFKC", text))
    return re.sub(r"[\s()（）:：,，、。.]", "", text)


def grade(session: Session, case: dict) -> Graded:
    """One question through the path of ``liaison-bot ask``, checked against its expectations."""
    camp = get_campaign(session, case["city"])
    directory = UnitDirectory.load(session, camp)
    asker = Asker()
    if case.get("asker") and case["asker"] != "office":
        res = directory.resolve(case["asker"])
        if res.unit is None:
            return Graded(case, None, [f"asker {case['asker']!r} not resolved"])
        asker = Asker(unit=res.unit)
    try:
        reply = answer_typed(session, camp, directory, case["q"], asker, TODAY)
    except Exception as exc:  # noqa: BLE001 - a crash is a wrong answer, reported as such
        return Graded(case, None, [f"crash {type(exc).__name__}: {exc}"])
    return Graded(case, reply, check(reply, case.get("expect") or {}, directory))


def check(reply: Reply, expect: dict, directory: UnitDirectory) -> list[str]:
    """What the reply lacks of ``expect`` (empty: right)."""
    problems: list[str] = []
    text = _plain(reply.text)
    got = [i["no"] for i in reply.indicators]
    if "indicators" in expect:
        missing = sorted(set(expect["indicators"]) - set(got))
        if missing:
            problems.append(f"indicators lack {missing} (got {got[:15]})")
        if expect.get("only_indicators") and set(got) - set(expect["indicators"]):
            problems.append(f"indicators also {sorted(set(got) - set(expect['indicators']))}")
    if "tasks" in expect:
        tasks = [t["no"] for t in reply.tasks]
        if missing := sorted(set(expect["tasks"]) - set(tasks)):
            problems.append(f"tasks lack {missing} (got {tasks[:15]})")
    for name in expect.get("units", []):
        res = directory.resolve(name)
        names = {name, res.unit.name if res.unit else name, *(res.unit.full_name or "" for _ in [0] if res.unit)}
        if not any(n and (n in reply.units or n in text) for n in names):
            problems.append(f"unit {name} not named")
    if "count" in expect:
        first = next((line for line in text.splitlines() if line.strip()), "")
        # digits as they stand ("0 项": read_number takes no 0, a count may be none), numerals read
        numbers = [int(m) if m.isdigit() else read_number(m) for m in re.findall(r"\d+|[零〇一二两三四五六七八九十百]+", first)]
        if expect["count"] not in numbers:
            problems.append(f"first line lacks {expect['count']}: {first[:60]!r}")
    says = expect.get("says", [])
    for s in [says] if isinstance(says, str) else says:
        if str(s) not in text and _squash(str(s)) not in _squash(text):
            problems.append(f"text lacks {s!r}")
    if expect.get("not_in_document") and reply.answered_from != "not_in_document":
        problems.append(f"not said to be outside the document (answered_from={reply.answered_from}, "
                        f"intent={reply.intent})")
    if not expect.get("not_in_document") and reply.answered_from == "not_in_document" and expect:
        problems.append("said to be outside the document")
    return problems


def run(session: Session, cases: list[dict]) -> list[Graded]:
    return [grade(session, c) for c in cases]


def report(results: list[Graded]) -> str:
    """The share right, then every miss with what it lacked."""
    right = sum(r.right for r in results)
    lines = [f"{right}/{len(results)} right ({100 * right / max(len(results), 1):.1f}%)"]
    for r in results:
        if not r.right:
            lines.append(f"- {r.case['id']} [{r.case.get('kind', '')}] {r.case['q']} "
                         f"→ {r.reply.intent if r.reply else '-'}: {'; '.join(r.problems)}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    from tests.conftest import campaigns_engine

    with Session(campaigns_engine()) as session:
        for path in argv:
            print(path, report(run(session, load(Path(path)))), sep="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""How long the bot's replies are, over the question sets (tests/questions/*.yaml).

Every question is answered as ``liaison-bot ask`` answers it (today 2026-11-24, the asker of the
case), and the reply is measured as a person reads it: plain text (``to_text``), characters and
lines (blank lines included). Prints the median and the mean, overall and per intent, and the
longest replies. Run: PYTHONPATH=$PWD .venv/bin/python -m benchmarks.reply_length [--top N]
"""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict
from datetime import date
from pathlib import Path

import yaml
from sqlmodel import Session

from bot.markup import to_text
from bot.replies import answer_typed
from knowledge.ask import Asker
from knowledge.campaigns import get_campaign
from knowledge.db import create_schema, make_engine
from knowledge.loader import load_all
from knowledge.units import UnitDirectory

TODAY = date(2026, 11, 24)
QUESTIONS = Path(__file__).parents[1] / "tests" / "questions"


def replies() -> list[tuple[str, str, str, str]]:
    """(campaign, question, intent, plain text) for every question of the sets."""
    engine = make_engine("sqlite://")
    create_schema(engine)
    out = []
    with Session(engine) as s:
        load_all(s)
        s.commit()
        for slug in ("hejin", "yancheng"):
            camp = get_campaign(s, slug)
            directory = UnitDirectory.load(s, camp)
            for case in yaml.safe_load((QUESTIONS / f"{slug}.yaml").read_text(encoding="utf-8")):
                asker = Asker(unit=directory.resolve(case["asker"]).unit) if case.get("asker") else Asker()
                reply = answer_typed(s, camp, directory, case["q"], asker, TODAY)
                out.append((slug, case["q"], reply.intent, to_text(reply.text)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=5, help="how many of the longest replies to name")
    args = parser.parse_args()
    rows = replies()
    chars = [len(text) for *_, text in rows]
    lines = [len(text.splitlines()) for *_, text in rows]
    print(f"{len(rows)} replies: median {statistics.median(chars):.0f} characters, "
          f"{statistics.median(lines):.0f} lines; mean {statistics.mean(chars):.0f} characters, "
          f"{statistics.mean(lines):.1f} lines")
    by_intent: dict[str, list[str]] = defaultdict(list)
    for _, _, intent, text in rows:
        by_intent[intent].append(text)
    for intent, texts in sorted(by_intent.items(), key=lambda kv: -statistics.mean(map(len, kv[1]))):
        print(f"  {intent:18} {len(texts):3} replies, mean {statistics.mean(map(len, texts)):5.0f} characters, "
              f"{statistics.mean(len(t.splitlines()) for t in texts):4.1f} lines")
    for slug, q, intent, text in sorted(rows, key=lambda r: -len(r[3]))[:args.top]:
        print(f"  longest: {slug} {q!r} ({intent}): {len(text)} characters, {len(text.splitlines())} lines")


if __name__ == "__main__":
    main()

"""In-process answer latency over the question sets (tests/questions/*.yaml).

Measures interpret + answer + render for every question, repeated, on a file-backed SQLite
store as the bot uses it ("built"), and the same questions answered as the bot answers a
question it was asked before ("kept": the timeline read and a ``ReplyCache`` hit).
Run: .venv/bin/python -m benchmarks.answer_latency
"""

from __future__ import annotations

import statistics
import time
from datetime import date
from pathlib import Path

import yaml
from sqlmodel import Session

from benchmarks.common import loaded_store
from bot.replies import ReplyCache, answer_typed
from knowledge.ask import Asker
from knowledge.campaigns import get_campaign
from knowledge.units import UnitDirectory

ROUNDS = 20


def main() -> None:
    for label, cache in (("built", None), ("kept", ReplyCache())):
        run(label, cache)


def run(label: str, cache: ReplyCache | None) -> None:
    """Every question, ROUNDS times; with a cache, every round after the first is a hit."""
    with loaded_store() as engine:
        samples: list[float] = []
        questions = 0
        for slug in ("hejin", "yancheng"):
            cases = yaml.safe_load((Path("tests/questions") / f"{slug}.yaml").read_text(encoding="utf-8"))
            with Session(engine) as s:
                camp = get_campaign(s, slug)
                directory = UnitDirectory.load(s, camp)  # cached by the bot between updates
            for _ in range(ROUNDS):
                for case in cases:
                    start = time.perf_counter()
                    with Session(engine) as s:  # one session per update, as in the bot
                        camp = get_campaign(s, slug)
                        asker = Asker(unit=directory.resolve(case["asker"]).unit) if case.get("asker") else Asker()
                        answer_typed(s, camp, directory, case["q"], asker, date(2026, 11, 24), cache=cache)
                    samples.append((time.perf_counter() - start) * 1000)
            questions += len(cases)
        samples.sort()
        p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]  # noqa: E731
        print(f"{label}: questions: {questions} × {ROUNDS} rounds = {len(samples)} answers")
        print(f"  p50 {p(0.50):.2f} ms   p90 {p(0.90):.2f} ms   p99 {p(0.99):.2f} ms   "
              f"max {samples[-1]:.2f} ms   mean {statistics.mean(samples):.2f} ms")


if __name__ == "__main__":
    main()

"""In-process answer latency over the question sets (tests/questions/*.yaml).

Measures interpret + answer + render for every question, repeated, on a file-backed SQLite
store as the bot uses it ("built"), and the same questions answered as the bot answers a
question it was asked before ("kept": the timeline read and a ``ReplyCache`` hit). As in the
bot (``Services.campaign``, ``Services.directory``), the campaign row and the unit directory are
read once per process; ``--campaign-per-question`` reads the campaign row inside every timed
question, as this benchmark did before 2026-12-01's issue-15 latency work (compare old rows
with that). Wall time (``perf_counter``) and CPU time (``process_time``: less sensitive to other
work on a shared machine) are both reported.
Run: .venv/bin/python -m benchmarks.answer_latency [--campaign-per-question]
"""

from __future__ import annotations

import statistics
import sys
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
    per_question = "--campaign-per-question" in sys.argv[1:]
    for label, cache in (("built", None), ("kept", ReplyCache())):
        run(label, cache, per_question)


def run(label: str, cache: ReplyCache | None, per_question: bool = False) -> None:
    """Every question, ROUNDS times; with a cache, every round after the first is a hit."""
    with loaded_store() as engine:
        samples: list[float] = []
        cpu: list[float] = []
        questions = 0
        for slug in ("hejin", "yancheng"):
            cases = yaml.safe_load((Path("tests/questions") / f"{slug}.yaml").read_text(encoding="utf-8"))
            with Session(engine) as s:  # read once per process by the bot (Services.campaign / .directory)
                kept_camp = get_campaign(s, slug)
                s.expunge(kept_camp)
                directory = UnitDirectory.load(s, kept_camp)
            for _ in range(ROUNDS):
                for case in cases:
                    start, start_cpu = time.perf_counter(), time.process_time()
                    with Session(engine) as s:  # one session per update, as in the bot
                        camp = get_campaign(s, slug) if per_question else kept_camp
                        asker = Asker(unit=directory.resolve(case["asker"]).unit) if case.get("asker") else Asker()
                        answer_typed(s, camp, directory, case["q"], asker, date(2026, 11, 24), cache=cache)
                    samples.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - start_cpu) * 1000)
            questions += len(cases)
        shape = "campaign row per question" if per_question else "campaign row per process"
        print(f"{label}: questions: {questions} × {ROUNDS} rounds = {len(samples)} answers ({shape})")
        for name, values in (("wall", samples), ("cpu ", cpu)):
            values.sort()
            p = lambda q, v=values: v[min(len(v) - 1, int(q * len(v)))]  # noqa: E731
            print(f"  {name} p50 {p(0.50):.2f} ms   p90 {p(0.90):.2f} ms   p99 {p(0.99):.2f} ms   "
                  f"max {values[-1]:.2f} ms   mean {statistics.mean(values):.2f} ms")


if __name__ == "__main__":
    main()

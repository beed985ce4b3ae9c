"""CPU time per question on the built path, each of the 317 questions timed alone (best of
``-n`` rounds), the slowest listed; ``--replies FILE`` writes every reply (text, buttons, facts)
as one JSON line per question, to diff two trees' replies.

Run: PYTHONPATH=$PWD .venv/bin/python -m benchmarks.answer_costs -n 5 [--replies /tmp/replies.jsonl]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path

import yaml
from sqlmodel import Session

from benchmarks.common import loaded_store
from bot.replies import answer_typed
from knowledge.ask import Asker
from knowledge.campaigns import get_campaign
from knowledge.units import UnitDirectory


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("-n", type=int, default=5, help="rounds; the best of them is kept per question")
    args.add_argument("--replies", type=Path, default=None)
    args.add_argument("--top", type=int, default=15)
    opts = args.parse_args()
    costs: list[tuple[float, str, str]] = []
    lines: list[str] = []
    with loaded_store() as engine:
        for slug in ("hejin", "yancheng"):
            cases = yaml.safe_load((Path("tests/questions") / f"{slug}.yaml").read_text(encoding="utf-8"))
            with Session(engine) as s:  # once per process, as the bot does
                camp = get_campaign(s, slug)
                s.expunge(camp)
                directory = UnitDirectory.load(s, camp)
            best = [float("inf")] * len(cases)
            for r in range(opts.n):
                for i, case in enumerate(cases):
                    start = time.process_time()
                    with Session(engine) as s:
                        asker = Asker(unit=directory.resolve(case["asker"]).unit) if case.get("asker") else Asker()
                        reply = answer_typed(s, camp, directory, case["q"], asker, date(2026, 11, 24))
                    best[i] = min(best[i], (time.process_time() - start) * 1000)
                    if r == 0 and opts.replies:
                        lines.append(json.dumps({"q": case["q"], "asker": case.get("asker"), "text": reply.text,
                                                 "intent": reply.intent, "buttons": reply.buttons,
                                                 "indicators": reply.indicators, "tasks": reply.tasks,
                                                 "units": reply.units, "phase": reply.phase,
                                                 "answered_from": reply.answered_from},
                                                ensure_ascii=False, default=str))
            costs += [(b, slug, c["q"]) for b, c in zip(best, cases, strict=True)]
    if opts.replies:
        opts.replies.write_text("\n".join(lines) + "\n", encoding="utf-8")
    values = sorted(c for c, _, _ in costs)
    p = lambda q: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
    print(f"{len(values)} questions, CPU best of {opts.n}: sum {sum(values):.0f} ms  p50 {p(0.5):.2f} ms  "
          f"p90 {p(0.9):.2f} ms  p99 {p(0.99):.2f} ms  max {values[-1]:.2f} ms")
    for cost, slug, q in sorted(costs, reverse=True)[:opts.top]:
        print(f"  {cost:7.2f} ms  {slug}  {q}")


if __name__ == "__main__":
    main()

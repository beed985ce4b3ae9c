"""One-time costs of reading questions, in a fresh process: OpenCC's tables, rjieba's dictionary,
pypinyin's tables, each campaign's lexicon (``knowledge.lexicon``), and the first question.

Run: .venv/bin/python -m benchmarks.understanding_cost   (twice: the first run after a change
pays for compiling the modules)
"""

from __future__ import annotations

import tempfile
import time
from datetime import date

from sqlmodel import Session

from benchmarks.common import bench_url


def ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def main() -> None:
    from knowledge.campaigns import get_campaign
    from knowledge.db import create_schema, make_engine
    from knowledge.loader import load_all

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(bench_url(tmp))
        create_schema(engine)
        with Session(engine) as s:
            load_all(s)
            s.commit()
        t = time.perf_counter()
        from knowledge.text import fold
        fold("第15號指標")
        print(f"OpenCC t2s (import knowledge.text, first fold): {ms(t):.0f} ms")
        t = time.perf_counter()
        from knowledge.text import words_of
        words_of("推进全市5G网络建设")
        print(f"rjieba dictionary (first cut): {ms(t):.0f} ms")
        t = time.perf_counter()
        from knowledge.lexicon import warm
        warm()
        print(f"pypinyin tables (first reading): {ms(t):.0f} ms")
        from knowledge.units import UnitDirectory
        with Session(engine) as s:
            for slug in ("hejin", "yancheng"):
                camp = get_campaign(s, slug)
                t = time.perf_counter()
                directory = UnitDirectory.load(s, camp)
                lex = directory.lexicon
                print(f"{slug}: units and lexicon: {ms(t):.0f} ms ({len(lex.terms)} terms, "
                      f"{len(lex.plan_words)} plan words)")
            from bot.replies import answer_typed
            from knowledge.ask import Asker
            camp = get_campaign(s, "yancheng")
            directory = UnitDirectory.load(s, camp)
            t = time.perf_counter()
            answer_typed(s, camp, directory, "5G建设是谁的任务", Asker(), date(2026, 11, 24))
            print(f"first question (search index built on first use): {ms(t):.0f} ms")
            t = time.perf_counter()
            answer_typed(s, camp, directory, "工信句负责啥", Asker(), date(2026, 11, 24))
            print(f"second question: {ms(t):.1f} ms")


if __name__ == "__main__":
    main()

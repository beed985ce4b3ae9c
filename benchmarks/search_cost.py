"""One-time costs of the question path, in a fresh process: OpenCC's tables, rjieba's
dictionary, pypinyin's tables, each campaign's units and lexicon (``knowledge.lexicon``), bm25s,
adding the plans' terms and building each campaign's search index; then searches.

Run: .venv/bin/python -m benchmarks.search_cost   (run it twice: the first run after a change
pays for compiling the modules)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml
from sqlmodel import Session

from benchmarks.common import loaded_store


def ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def main() -> None:
    from knowledge.campaigns import get_campaign

    with loaded_store() as engine:
        preloaded = "knowledge.text" in sys.modules
        t = time.perf_counter()
        from knowledge.text import fold
        fold("第15號指標")
        print(f"OpenCC t2s ({'already imported' if preloaded else 'import knowledge.text'}, first fold): {ms(t):.0f} ms")
        t = time.perf_counter()
        from knowledge.text import words_of
        words_of("推进全市5G网络建设")
        print(f"rjieba: load the dictionary (first cut): {ms(t):.0f} ms")
        t = time.perf_counter()
        from knowledge.lexicon import warm
        warm()
        print(f"pypinyin tables (first reading; the bot loads them at start): {ms(t):.0f} ms")
        from knowledge.units import UnitDirectory
        with Session(engine) as s:
            for slug in ("hejin", "yancheng"):
                t = time.perf_counter()
                lex = UnitDirectory.load(s, get_campaign(s, slug)).lexicon
                print(f"{slug}: units and lexicon: {ms(t):.0f} ms ({len(lex.terms)} terms, {len(lex.plan_words)} plan words)")
        t = time.perf_counter()
        from knowledge.search_index import _INDEXES, _bm25s, index_of
        _bm25s()
        print(f"bm25s (numpy, scipy): import: {ms(t):.0f} ms")
        with Session(engine) as s:
            camps = [get_campaign(s, slug) for slug in ("hejin", "yancheng")]
            t = time.perf_counter()
            index_of(s, camps[0])
            print(f"first index (hejin; reads both campaigns and adds their terms to the dictionary): {ms(t):.0f} ms")
            for camp in camps:
                _INDEXES.clear()
                t = time.perf_counter()
                index = index_of(s, camp)
                print(f"index of {camp.slug} ({len(index.docs)} items), dictionary ready: {ms(t):.0f} ms")
            _search_costs(s, camps)


def _search_costs(s: Session, camps: list) -> None:
    from knowledge.search import search

    queries = [c["q"] for slug in ("hejin", "yancheng")
               for c in yaml.safe_load((Path("tests/questions") / f"{slug}.yaml").read_text(encoding="utf-8"))]
    samples = []
    for _ in range(5):
        for camp in camps:
            for q in queries:
                t = time.perf_counter()
                search(session=s, campaign=camp, query=q, limit=5)
                samples.append(ms(t))
    samples.sort()
    print(f"search over the question sets' texts ({len(samples)} calls): p50 {samples[len(samples) // 2]:.2f} ms  "
          f"p99 {samples[int(len(samples) * 0.99)]:.2f} ms  mean {statistics.mean(samples):.2f} ms")


if __name__ == "__main__":
    main()

"""The question set against campaigns drafted from the seed plans, with no hand edits.

``liaison-bot draft`` is measured part by part in ``tests/test_draft.py``; this asks the other
question: how many of the 317 questions of ``tests/questions/*.yaml`` does the bot still answer
right when each city's shipped file is replaced by its draft? Misses are printed.

    PYTHONPATH=$PWD .venv/bin/python -m benchmarks.draft_questions [hejin|yancheng]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from sqlmodel import Session

from knowledge.draft import draft_plan
from knowledge.loader import data_dir, load_all
from tests.conftest import new_engine
from tests.test_questions import CASES, check, run_case

SEEDS = Path(__file__).resolve().parent.parent / "tests" / "seeds"
CITIES = {"hejin": "000_643c854740309497.txt", "yancheng": "002_cc65fc064bb31cd3.txt"}


def main(argv: list[str]) -> None:
    drafted = [c for c in CITIES if not argv or c in argv]
    folder = Path(tempfile.mkdtemp())
    shutil.copy(data_dir() / "national.yaml", folder / "national.yaml")
    for slug, seed in CITIES.items():
        if slug in drafted:
            text = (SEEDS / seed).read_text(encoding="utf-8")
            (folder / f"{slug}.yaml").write_text(draft_plan(text, slug=slug, source_file=seed).yaml(), encoding="utf-8")
        else:
            shutil.copy(data_dir() / f"{slug}.yaml", folder / f"{slug}.yaml")
    engine = new_engine()
    with Session(engine) as session:
        load_all(session, folder)
        session.commit()
    score: dict[str, list[int]] = {}
    misses = []
    with Session(engine) as session:
        for slug, case in CASES:
            try:
                problems = check(run_case(session, slug, case), case)
            except Exception as exc:  # noqa: BLE001 — a crash is a miss, and is printed
                problems = [f"error {exc!r}"]
            session.rollback()
            hit_total = score.setdefault(slug, [0, 0])
            hit_total[0] += not problems
            hit_total[1] += 1
            if problems:
                misses.append((slug, case["q"], problems))
    for slug, (hit, total) in score.items():
        print(f"{slug} ({'draft' if slug in drafted else 'shipped'}): {hit}/{total} = {hit / total:.1%}")
    for miss in misses:
        print(" ", *miss)


if __name__ == "__main__":
    main(sys.argv[1:])

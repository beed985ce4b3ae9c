"""The cost of /status on a large store: 40 units × 41 indicators × 20,000 evidence rows.

Run: .venv/bin/python -m benchmarks.status_cost
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import UTC, datetime

from sqlmodel import Session, select

from knowledge.campaigns import get_campaign
from knowledge.db import create_schema, make_engine
from knowledge.loader import load_all
from knowledge.models import Evidence, Indicator, Unit
from knowledge.status import unit_status
from knowledge.units import UnitDirectory

ROWS = 20_000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/status.db")
        create_schema(engine)
        now = datetime(2026, 11, 24, tzinfo=UTC)
        with Session(engine) as s:
            load_all(s)
            camp = get_campaign(s, "yancheng")
            units = [u.id for u in s.exec(select(Unit).where(Unit.campaign_id == camp.id, Unit.kind != "group"))][:40]
            inds = [i.id for i in s.exec(select(Indicator).where(Indicator.campaign_id == camp.id))]
            rnd = random.Random(7)
            statuses = ["submitted", "accepted", "rejected", "superseded", "withdrawn"]
            s.add_all(Evidence(campaign_id=camp.id, indicator_id=rnd.choice(inds), unit_id=rnd.choice(units),
                               status=rnd.choice(statuses), created_at=now) for _ in range(ROWS))
            s.commit()
            directory = UnitDirectory.load(s, camp)
        samples = []
        for uid in units * 3:
            start = time.perf_counter()
            with Session(engine) as s:
                unit_status(session=s, campaign=camp, directory=directory, unit_id=uid)
            samples.append((time.perf_counter() - start) * 1000)
        samples.sort()
        print(f"units: {len(units)}, indicators: {len(inds)}, evidence rows: {ROWS}")
        print(f"/status per unit: p50 {samples[len(samples) // 2]:.1f} ms  p99 {samples[int(len(samples) * .99)]:.1f} ms"
              f"  mean {statistics.mean(samples):.1f} ms")


if __name__ == "__main__":
    main()

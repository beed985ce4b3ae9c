"""Digest JSON and XLSX on a large store (40 units × 41 indicators × 50,000 evidence rows), and
the peak memory of a ZIP export of 2 GB of files.

Run: .venv/bin/python -m benchmarks.digest_cost [--zip-gb 2]
"""

from __future__ import annotations

import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import Session, select

from benchmarks.common import bench_url
from knowledge.campaigns import get_campaign
from knowledge.db import create_schema, make_engine
from knowledge.ledger import build_xlsx, build_zip
from knowledge.loader import load_all
from knowledge.models import Evidence, EvidenceFile, Indicator, Unit
from knowledge.projection import to_json
from knowledge.units import UnitDirectory
from reminders.digest import build

ROWS = 50_000


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(zip_gb: float) -> None:
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        engine = make_engine(bench_url(tmp))
        create_schema(engine)
        now = datetime(2026, 11, 24, tzinfo=UTC)
        with Session(engine) as s:
            load_all(s)
            camp = get_campaign(s, "yancheng")
            units = [u.id for u in s.exec(select(Unit).where(Unit.campaign_id == camp.id, Unit.kind != "group"))][:40]
            inds = list(s.exec(select(Indicator).where(Indicator.campaign_id == camp.id)))
            rnd = random.Random(3)
            rows = []
            for _ in range(ROWS):
                ind = rnd.choice(inds)
                st = rnd.choice(["submitted", "accepted", "rejected", "superseded"])
                rows.append(Evidence(campaign_id=camp.id, indicator_id=ind.id, unit_id=rnd.choice(units), status=st,
                                     awarded_points=ind.points / 2 if st == "accepted" else None, created_at=now))
            s.add_all(rows)
            s.commit()
            directory = UnitDirectory.load(s, camp)
        with Session(engine) as s:
            camp = get_campaign(s, "yancheng")
            t0 = time.perf_counter()
            digest, dues = build(s, camp, directory, date(2026, 11, 24))
            to_json(digest, directory, "2026-11-24")
            t_json = time.perf_counter() - t0
            t0 = time.perf_counter()
            xlsx = build_xlsx(s, digest, dues)
            t_xlsx = time.perf_counter() - t0
        print(f"evidence rows: {ROWS}, units: {len(units)}, indicators: {len(inds)}")
        print(f"digest JSON: {t_json * 1000:.0f} ms   XLSX: {t_xlsx * 1000:.0f} ms ({len(xlsx) // 1024} KB)")
        if zip_gb <= 0:
            return
        chunk = 100 * 1024 * 1024
        count = int(zip_gb * 1024 * 1024 * 1024 // chunk)
        with Session(engine) as s:
            camp = get_campaign(s, "yancheng")
            accepted = s.exec(select(Evidence).where(Evidence.status == "accepted")).all()[:count]
            for i, ev in enumerate(accepted):
                path = Path(tmp) / f"blob{i}"
                with path.open("wb") as fh:
                    for _ in range(chunk // (1 << 20)):
                        fh.write(os.urandom(1 << 20))
                digest_hex = f"{i:064x}"
                s.add(EvidenceFile(evidence_id=ev.id, name=f"大文件{i}.pdf", size=chunk, sha256=digest_hex,
                                   stored_path=str(path)))
            s.commit()
            before = rss_mb()
            t0 = time.perf_counter()
            digest, _ = build(s, camp, directory, date(2026, 11, 24))
            info = build_zip(s, digest, Path(tmp) / "package.zip")
            elapsed = time.perf_counter() - t0
        print(f"ZIP: {info['files']} files, {info['bytes'] / 2**30:.2f} GB in {elapsed:.1f} s; "
              f"peak RSS {rss_mb():.0f} MB (before the export: {before:.0f} MB)")


if __name__ == "__main__":
    gb = float(sys.argv[sys.argv.index("--zip-gb") + 1]) if "--zip-gb" in sys.argv else 2.0
    main(gb)

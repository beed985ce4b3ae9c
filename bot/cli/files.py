"""``liaison-bot files sweep [--dry-run]``: evidence files no submission references, past the
grace period, listed and removed (``knowledge.sweep``; the running bot does the same daily)."""

from __future__ import annotations

import argparse

from bot.housekeeping import sweep_files
from bot.settings import Settings
from bot.store import open_store
from knowledge.clock import SystemClock

SHOWN = 50  # paths listed; the count and the size are always whole


def cmd_files(args: argparse.Namespace, settings: Settings) -> int:
    """sweep: print in Chinese what would be / was removed: count, MB, paths."""
    report = sweep_files(settings, open_store(settings), SystemClock().now(), dry_run=args.dry_run)
    grace = f"{settings.sweep_grace_hours:g} 小时"
    root = settings.evidence_path
    if not report.removed:
        print(f"{root}:没有需要清理的文件(无人引用且超过 {grace}的文件为 0 个)。")
    else:
        verb = "将删除(演习,未删除任何文件)" if args.dry_run else "已删除"
        print(f"{root}:{verb} {len(report.removed)} 个无人引用且超过 {grace}的文件,共 {report.bytes / 1048576:.2f} MB:")
        for f in report.removed[:SHOWN]:
            print(f"  {f.path}({f.size / 1048576:.2f} MB)")
        if len(report.removed) > SHOWN:
            print(f"  …… 另有 {len(report.removed) - SHOWN} 个")
    print(f"保留:{report.referenced} 个有材料记录引用,{report.young} 个未满 {grace}。")
    if report.foreign:
        print(f"另有 {len(report.foreign)} 个不是本程序保存的文件,未处理:"
              + "、".join(str(p) for p in report.foreign[:5]) + ("……" if len(report.foreign) > 5 else ""))
    return 0

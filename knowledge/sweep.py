"""Sweeping the evidence directory: files no submission references, once they are old enough.

A file is stored before its submission row exists — an album item waiting for its caption, a
/submit flow waiting for 提交, a download cut short by a crash (``.incoming-*``) — and some of
those rows never come. Such files are removed once they are older than the grace period (by
mtime, on the injected clock; storing a file again makes it young again). Never removed: a file
whose path or whose digest (its name) any ``EvidenceFile`` row holds, anything that is not one
of the bot's own files (``ab/cd/<sha256>`` or ``.incoming-*``), the outbox's pictures
(``OUTBOX_DIR``, kept by ``reminders.weekly``), and symlinks, which are neither
followed nor touched: the walk goes by directory descriptors (``os.fwalk``), so nothing outside
the evidence directory can be reached through a link planted inside it.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from knowledge import drafts
from knowledge.models import EvidenceFile

DIGEST = re.compile(r"[0-9a-f]{64}")
OUTBOX_DIR = "outbox"  # under the evidence dir: pictures outbox rows send (the digest's chart); theirs to keep


@dataclass(frozen=True)
class Leftover:
    path: Path
    size: int


@dataclass
class SweepReport:
    """What a sweep removed (or, on a dry run, would remove), and what it left alone."""

    removed: list[Leftover] = field(default_factory=list)
    referenced: int = 0
    young: int = 0
    foreign: list[Path] = field(default_factory=list)  # not the bot's files: left alone
    dry_run: bool = False

    @property
    def bytes(self) -> int:
        return sum(f.size for f in self.removed)


def references(session: Session) -> tuple[set[str], set[str]]:
    """(digests, resolved paths) that evidence rows hold."""
    digests, paths = set(), set()
    for sha, path in session.exec(select(EvidenceFile.sha256, EvidenceFile.stored_path)):
        digests.add(sha)
        paths.add(os.path.realpath(path))
    return digests, paths


def _ours(rel: Path) -> bool:
    """A content-addressed file (``ab/cd/<sha256>`` with matching prefixes) or a temporary one."""
    if rel.name.startswith(".incoming-"):
        return True
    parts = rel.parts
    return (len(parts) == 3 and DIGEST.fullmatch(parts[2]) is not None
            and parts[0] == parts[2][:2] and parts[1] == parts[2][2:4])


def sweep(session: Session, root: Path, *, now: datetime, grace: timedelta, dry_run: bool = False) -> SweepReport:
    """Remove (unless ``dry_run``) the bot's files under ``root`` that no row references and
    whose mtime is older than ``now - grace``."""
    report = SweepReport(dry_run=dry_run)
    if not root.is_dir():
        return report
    digests, paths = references(session)  # read before the walk: a file stored meanwhile is young
    digests |= drafts.kept_digests(session, now, grace)  # gathered in a /submit flow still open
    cutoff = (now - grace).timestamp()
    top = os.path.realpath(root)
    for dirpath, dirs, files, dirfd in os.fwalk(top, follow_symlinks=False):
        if dirpath == top and OUTBOX_DIR in dirs:
            dirs.remove(OUTBOX_DIR)
        for name in files:
            full = Path(dirpath) / name
            st = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode):  # a symlink (or a socket …): not ours to follow or remove
                continue
            if not _ours(full.relative_to(top)):
                report.foreign.append(full)
            elif name in digests or str(full) in paths:
                report.referenced += 1
            elif st.st_mtime >= cutoff:
                report.young += 1
            else:
                if not dry_run:
                    os.unlink(name, dir_fd=dirfd)
                report.removed.append(Leftover(full, st.st_size))
    return report

"""Which files count as evidence, and storing them so that an acknowledged file is never lost.

Files are stored by content: ``EVIDENCE_DIR/ab/cd/<sha256>``. They are written to a temporary
file, flushed and fsynced, then renamed into place, so a crash leaves either the whole file
or nothing — and the same content is stored once however often it is sent.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ALLOWED = {
    ".pdf": "application/pdf", ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".wps": "application/vnd.ms-works", ".et": "application/vnd.ms-excel", ".dps": "application/vnd.ms-powerpoint",
    ".ofd": "application/ofd", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
    ".gif": "image/gif", ".webp": "image/webp", ".bmp": "image/bmp", ".tif": "image/tiff",
    ".tiff": "image/tiff", ".heic": "image/heic", ".zip": "application/zip",
}
ALLOWED_TEXT = "PDF、Word(doc/docx)、Excel(xls/xlsx)、PowerPoint(ppt/pptx)、WPS(wps/et/dps)、OFD、图片(jpg/png/gif/webp/bmp/tif/heic)、ZIP 压缩包"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


class FileRejected(ValueError):
    """A file that may not be stored; the message is for the officer."""


def safe_name(name: str, fallback: str = "文件", limit: int = 120) -> str:
    """The original name without path parts, control or invisible characters or reserved characters.

    Unicode controls and format characters (C1 controls, the right-to-left override that makes
    "gpj.exe" read as "exe.jpg", zero-width spaces) go too. A long name is shortened in its stem,
    so the extension that decides whether the file is accepted survives.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf"))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    name = re.sub(r"\.{2,}", ".", name) or fallback
    if len(name) > limit:
        stem, dot, suffix = name.rpartition(".")
        keep = f".{suffix}" if dot and stem and len(suffix) <= 10 else ""
        name = name[: limit - len(keep)].rstrip(" .") + keep
    return name


def too_big(max_bytes: int, size: int | None = None) -> FileRejected:
    """The refusal of a file over the download limit (its size may be unknown until getFile says so)."""
    have = f"文件约 {size / 1048576:.2f} MB," if size is not None else "文件"
    return FileRejected(f"{have}超过了 {max_bytes // 1048576} MB 的上限。请压缩或拆分后再发,或联系办公室通过其他方式提交。")


def check_file(name: str, mime: str | None, size: int | None, max_bytes: int) -> str:
    """The safe name when the file is acceptable; ``FileRejected`` otherwise."""
    clean = safe_name(name)
    suffix = Path(clean).suffix.lower()
    if suffix not in ALLOWED:
        raise FileRejected(f"不支持“{suffix or '无扩展名'}”类型的文件。可以提交:{ALLOWED_TEXT}。")
    if size is not None and size > max_bytes:
        raise too_big(max_bytes, size)
    if size == 0:
        raise FileRejected("文件是空的。")
    return clean


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    path: Path


def store_bytes(root: Path, data: bytes) -> Stored:
    """Write ``data`` under its SHA-256 (atomically, durably) and return where it is."""
    digest = hashlib.sha256(data).hexdigest()
    target = root / digest[:2] / digest[2:4] / digest
    if target.exists() and target.stat().st_size == len(data):
        return Stored(digest, len(data), target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Stored(digest, len(data), target)

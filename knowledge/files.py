"""Which files count as evidence, and storing them so that an acknowledged file is never lost.

Files are stored by content: ``EVIDENCE_DIR/ab/cd/<sha256>``. They arrive in chunks
(``Incoming``, ``receive``) into a temporary file ``EVIDENCE_DIR/.incoming-*``, hashed as they
are written and refused the moment they pass the download limit, so memory stays bounded by
one chunk whatever the size; then flushed, fsynced, judged and renamed into place, so a crash
leaves either the whole file or nothing (a stray ``.incoming-*`` file is swept later) — and the
same content is stored once however often it is sent. Faces feed the chunks from their own
downloads; nothing here knows Telegram.

What a file is comes from its bytes, not its name or the MIME type the sender declared
(``check_content``): an ELF, an .exe, a shell script or an HTML page named ".pdf" is refused.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import puremagic

from knowledge.messages import Message

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
    """A file that may not be stored; the text (or the ``message`` template) is for the officer."""

    def __init__(self, text: str, message: Message | None = None) -> None:
        super().__init__(text)
        self.message = message


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


ZIP, OLE = (b"PK\x03\x04", b"PK\x05\x06"), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# which containers each extension may hold: OOXML, OFD and the new WPS formats are ZIP files;
# doc/xls/ppt and the old WPS formats are OLE compound files; Word also saves RTF as .doc
CONTAINERS = {".pdf": {"pdf"}, ".doc": {"ole", "rtf"}, ".xls": {"ole"}, ".ppt": {"ole"},
              ".wps": {"ole", "zip"}, ".et": {"ole", "zip"}, ".dps": {"ole", "zip"},
              ".docx": {"zip"}, ".xlsx": {"zip"}, ".pptx": {"zip"}, ".ofd": {"zip"}, ".zip": {"zip"}}
# what an OOXML or OFD package must hold to be one (a plain ZIP renamed .docx is not)
ZIP_MARKS = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/", ".ofd": "OFD.xml"}
DANGER = {"exe": "可执行程序", "script": "脚本", "html": "网页(HTML)"}
KIND_ZH = {"pdf": "PDF 文档", "ole": "Office 97-2003/WPS 文档", "rtf": "RTF 文档", "zip": "ZIP 格式的文件",
           "image": "图片"}


HEAD = 8192  # the bytes a file's kind is judged from; everything _sniff reads lies within them


def _head(source: bytes | Path) -> bytes:
    """The first ``HEAD`` bytes of ``source`` (bytes in memory, or a file read from disk)."""
    if isinstance(source, Path):
        with open(source, "rb") as fh:
            return fh.read(HEAD)
    return bytes(source[:HEAD])


def _sniff(data: bytes) -> tuple[str, str]:
    """(kind, MIME) of ``data`` (its first ``HEAD`` bytes are enough) from its bytes: pdf, image,
    ole, rtf, zip, exe, script, html, or unknown."""
    try:
        best = puremagic.magic_string(data[:HEAD])
    except (puremagic.PureError, ValueError):
        best = []
    mimes = [m.mime_type for m in best if m.mime_type]
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith((b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe")) \
            or any("executable" in m.name.lower() for m in best):
        return "exe", "application/octet-stream"
    if head.startswith(b"#!"):
        return "script", "text/x-shellscript"
    # markup: "<html", or "<?xml …><svg", "<!-- … --><html"; a ZIP may hold HTML, so only the first bytes count
    if "text/html" in mimes or head.startswith(b"<") and any(t in head for t in (b"<html", b"<svg", b"<script",
                                                                                     b"<!doctype html")):
        return "html", "text/html"
    if data.startswith(ZIP):
        return "zip", "application/zip"
    if data.startswith(OLE):
        return "ole", ""
    if data.startswith(b"{\\rtf"):
        return "rtf", "application/rtf"
    if b"%PDF-" in data[:1024]:
        return "pdf", "application/pdf"
    image = next((m for m in mimes if m.startswith("image/")), None)
    return ("image", image) if image else ("unknown", "")


def _zip_mime(source: bytes | Path, suffix: str) -> str | None:
    """The MIME type of a ZIP-based file by what it holds; None when it is not what ``suffix`` says.

    A file on disk is opened as it is: ``zipfile`` reads the central directory at its end and
    seeks, so a 2 GB package is judged without being read into memory."""
    try:
        with zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source)) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    mark = ZIP_MARKS.get(suffix)
    if mark and not any(n == mark or n.startswith(mark) for n in names):
        return None
    if mark is None:
        for ext, m in ZIP_MARKS.items():  # a .wps/.et/.dps or .zip that is really an OOXML/OFD package
            if any(n.startswith(m) for n in names) and (ext == ".ofd" or "[Content_Types].xml" in names):
                return ALLOWED[ext]
        return ALLOWED[suffix] if suffix != ".zip" else "application/zip"
    return ALLOWED[suffix]


def check_content(name: str, data: bytes | Path) -> str:
    """The MIME type detected from ``data`` (the bytes, or a file on disk) when it is what the
    (checked) ``name`` says; else ``FileRejected``."""
    suffix = Path(name).suffix.lower()
    kind, mime = _sniff(_head(data))
    allowed = CONTAINERS.get(suffix, {"image"})
    if kind == "zip" and "zip" in allowed:
        mime = _zip_mime(data, suffix) or ""
    elif kind == "ole" and "ole" in allowed:
        mime = ALLOWED[suffix]  # an OLE compound file does not say which program wrote it; the name does
    if kind in allowed and mime:
        return mime
    data_ = {"file": name, "suffix": suffix, "danger": DANGER.get(kind, ""), "found": KIND_ZH.get(kind, "")}
    raise FileRejected(f"“{name}”的内容与扩展名“{suffix}”不符,未提交。", Message("file_mismatch", data_))


def private_file(path: Path) -> Path:
    """Create ``path`` (if missing) readable and writable by its owner only, before anything is written.

    Databases, exports and backups hold officers' names and accounts; a default umask makes them
    world-readable (0644). Writers that open the file afterwards ("wb") keep its mode.
    """
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)  # an existing file keeps no wider mode either
    return path


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    path: Path


@dataclass(frozen=True)
class Received:
    """A file stored by ``Incoming.finish``, with the MIME type its bytes showed ("" when not judged)."""

    stored: Stored
    mime: str


class Incoming:
    """A file arriving in chunks, on its way into the store.

    ``write`` each chunk as it comes: it goes to a temporary file in ``root`` (the same file
    system as its final place, so the rename is atomic) and into the SHA-256 at once. A chunk
    that takes the file past ``limit`` stops it there — the temporary file is deleted and
    ``too_big`` raised — whatever size the sender declared. ``finish`` flushes and fsyncs, judges
    the bytes on disk (``check_content``), then renames the file into its content-addressed
    place. Used as a context manager, anything that goes wrong on the way (a refusal, a broken
    download) leaves no temporary file behind.
    """

    def __init__(self, root: Path, limit: int | None = None) -> None:
        root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=root, prefix=".incoming-")
        self.root, self.limit, self.path, self.size = root, limit, Path(tmp), 0
        self._hash = hashlib.sha256()
        self._fh = os.fdopen(fd, "wb")
        self._done = False

    @property
    def sha256(self) -> str:
        """The digest of what was written so far (the file's, once every chunk is in)."""
        return self._hash.hexdigest()

    def write(self, chunk: bytes) -> None:
        """Append one chunk; past the limit, delete what came and raise ``too_big``."""
        if self.limit is not None and self.size + len(chunk) > self.limit:
            self.discard()
            raise too_big(self.limit)
        self._fh.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)

    def finish(self, name: str | None = None) -> Received:
        """Make the file durable, judge it as ``name`` (skipped when None) and put it in its place."""
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            mime = check_content(name, self.path) if name is not None else ""
            stored = _place(self.path, self.root, self.sha256, self.size)
        except BaseException:
            self.discard()
            raise
        self._done = True
        return Received(stored, mime)

    def discard(self) -> None:
        """Delete the temporary file (nothing is stored)."""
        self._done = True
        if not self._fh.closed:
            self._fh.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Incoming:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self._done:
            self.discard()


def receive(root: Path, chunks: Iterable[bytes], *, name: str | None, limit: int | None = None) -> Received:
    """Store a file that arrives as ``chunks`` (see ``Incoming``); judged as ``name`` unless None."""
    with Incoming(root, limit) as incoming:
        for chunk in chunks:
            incoming.write(chunk)
        return incoming.finish(name)


def stored_place(root: Path, sha256: str) -> Path:
    """Where the file of this digest lives: ``root/ab/cd/<sha256>``."""
    return root / sha256[:2] / sha256[2:4] / sha256


def _place(tmp: Path, root: Path, digest: str, size: int) -> Stored:
    """Rename the fsynced ``tmp`` to its content-addressed place (or drop it when that content is
    already stored) and fsync the folder, so the rename itself survives a crash."""
    target = stored_place(root, digest)
    if target.exists() and target.stat().st_size == size:
        try:
            # sent again: young again, so the sweep's grace period counts from now (the row that
            # will reference it may wait for an officer's confirmation)
            os.utime(target)
        except FileNotFoundError:  # swept this very moment: ours takes its place below
            pass
        else:
            tmp.unlink()
            return Stored(digest, size, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return Stored(digest, size, target)


def store_bytes(root: Path, data: bytes) -> Stored:
    """Write ``data`` under its SHA-256 (atomically, durably) and return where it is.

    For bytes already in memory (exports, tests); downloads stream through ``Incoming``."""
    return receive(root, [data], name=None).stored

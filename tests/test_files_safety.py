"""Nothing escapes through files: evidence is what its bytes say, workbook text stays text.

A file is judged by its content (an ELF named .pdf is refused, with nothing stored), and the
MIME type kept is the detected one. Every cell the 台账 and the package's 目录.xlsx write from
user text reads back as a string, never a formula; the points stay numbers.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from knowledge.campaigns import get_campaign
from knowledge.files import check_content, store_bytes
from knowledge.ledger import build_xlsx, build_zip
from knowledge.models import Evidence, EvidenceFile, Indicator
from knowledge.units import UnitDirectory
from reminders.digest import build
from tests.test_evidence import USER, evidence_harness, rows, send_doc

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200


def zipped(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


DOCX = zipped({"[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
               'package/2006/content-types"/>', "_rels/.rels": "<Relationships/>",
               "word/document.xml": "<w:document/>"})
OFD = zipped({"OFD.xml": "<ofd:OFD/>", "Doc_0/Document.xml": "<ofd:Document/>"})
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000


@pytest.fixture
async def h(tmp_path):
    async for harness in evidence_harness(tmp_path):
        yield harness


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("data,name,mime,says", [
    (ELF, "通知.pdf", "application/pdf", "可执行程序"),
    (b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"\x00" * 100, "照片.jpg", "image/jpeg", "可执行程序"),
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "报告.docx", DOCX_MIME, "网页"),
    (b"#!/bin/sh\nrm -rf ~\n", "现场.png", "image/png", "脚本"),
    (zipped({"a.txt": "x"}), "报告.docx", DOCX_MIME, "ZIP"),  # a plain ZIP is not a Word document
    (b"just text, not a PDF at all", "报告.pdf", "application/pdf", "无法识别"),
])
async def test_content_that_is_not_what_the_name_says_is_refused_and_nothing_stored(h, tmp_path, data, name,
                                                                                     mime, says):
    out = await send_doc(h, data=data, name=name, mime=mime)
    text = out[-1]["text"]
    assert "没有提交" in text and says in text and "与扩展名" in text and name in text
    assert rows(h, Evidence) == [] and rows(h, EvidenceFile) == []
    assert stored_files(tmp_path / "ev") == []


@pytest.mark.parametrize("data,name,declared,stored", [
    (PDF, "培训通知.pdf", "application/octet-stream", "application/pdf"),
    (png(), "现场照片.jpg", "image/jpeg", "image/png"),  # an image under another image name: the bytes decide
    (DOCX, "实施方案.docx", "application/octet-stream", DOCX_MIME),
    (OFD, "红头文件.ofd", "application/octet-stream", "application/ofd"),
    (OLE, "工作总结.wps", "application/octet-stream", "application/vnd.ms-works"),
    (DOCX, "工作总结.wps", "application/octet-stream", DOCX_MIME),  # WPS saving in the OOXML format
])
async def test_real_files_are_accepted_with_the_detected_mime(h, data, name, declared, stored):
    out = await send_doc(h, data=data, name=name, mime=declared)
    assert any("已收到材料" in m["text"] for m in out)
    [f] = rows(h, EvidenceFile)
    assert (f.name, f.mime) == (name, stored) and Path(f.stored_path).read_bytes() == data


async def test_a_photo_is_checked_too(h, tmp_path):
    await h.feed(h.api.push_photo(USER, USER, ELF, caption="#1 现场照片"))
    assert "可执行程序" in h.new()[-1]["text"]
    assert rows(h, EvidenceFile) == [] and stored_files(tmp_path / "ev") == []


def test_check_content_on_its_own():
    assert check_content("a.doc", b"{\\rtf1 hi}") == "application/rtf"  # Word saves RTF as .doc
    assert check_content("a.zip", zipped({"x.exe": "MZ"})) == "application/zip"
    with pytest.raises(ValueError):
        check_content("a.xlsx", DOCX[:30])  # a ZIP cut short


INJECTED_NOTE = '=HYPERLINK("http://x","y")'
INJECTED_NAME = "+cmd.pdf"


async def test_workbook_cells_from_user_text_are_text_and_points_stay_numbers(h, tmp_path):
    late = datetime(2026, 11, 20, 2, tzinfo=UTC)
    with h.services.session() as s:
        camp = get_campaign(s, "hejin")
        d = UnitDirectory.load(s, camp)
        unit = d.resolve("统计局").unit.id
        ind = s.exec(select(Indicator).where(Indicator.campaign_id == camp.id, Indicator.no == 1)).one()
        with_file = Evidence(campaign_id=camp.id, indicator_id=ind.id, unit_id=unit, status="accepted", note="",
                             awarded_points=Decimal("1.5"), created_at=late, reason="@SUM(1)")
        note_only = Evidence(campaign_id=camp.id, indicator_id=ind.id, unit_id=unit, status="accepted",
                             note=INJECTED_NOTE, awarded_points=Decimal("2"), created_at=late)
        s.add_all([with_file, note_only])
        s.flush()
        stored = store_bytes(tmp_path / "ev", PDF)
        s.add(EvidenceFile(evidence_id=with_file.id, name=INJECTED_NAME, size=len(PDF), sha256=stored.sha256,
                           stored_path=str(stored.path)))
        s.commit()
        digest, dues = build(s, camp, d, date(2026, 11, 24))
        ledger = load_workbook(io.BytesIO(build_xlsx(s, digest, dues)))["台账"]
        build_zip(s, digest, tmp_path / "p.zip")
    with zipfile.ZipFile(tmp_path / "p.zip") as zf:
        index = load_workbook(io.BytesIO(zf.read("目录.xlsx")))["目录"]
    cells = {c.value: c for row in index.iter_rows(min_row=2) for c in row if c.value is not None}
    for text in (INJECTED_NAME, INJECTED_NOTE):
        assert cells[text].data_type == "s" and cells[text].quotePrefix, text
    assert all(c.data_type == "s" for c in cells.values() if isinstance(c.value, str))
    scores = [row[9] for row in index.iter_rows(min_row=2, max_row=3)]
    assert [(c.value, c.data_type) for c in scores] == [(1.5, "n"), (2, "n")]
    row1 = next(r for r in ledger.iter_rows(min_row=2) if r[2].value == 1)
    assert INJECTED_NAME in row1[8].value and row1[8].data_type == "s"
    assert all(c.data_type == "s" for c in row1 if isinstance(c.value, str))
    assert row1[5].data_type == "n" and row1[9].data_type == "n" and row1[9].value == 2

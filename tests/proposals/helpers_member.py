"""Small real files and shared set-ups for the member portal tests."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from responses.choices import AssignmentRole, AssignmentStatus, ReplyStatus
from responses.deadlines import WorkCalendar, assignment_deadlines
from responses.models import Assignment, Reply

IN_MEMORY_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


class InEnglish:
    """Messages are compared in English, which reads the same before and after the zh-hans catalogue
    gains this portal's new strings; pages in these tests are asked for in English too."""

    def setUp(self):
        super().setUp()
        translation.activate("en")
        self.addCleanup(translation.deactivate)
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


LETTER_BODY = "你在深圳市福田区政协六届三次会议中的提案已收悉。\n一是加强规划引领。\n二是深化深港合作。"


def png_bytes(width: int = 4, height: int = 4) -> bytes:
    """A real PNG image (red pixels), written by hand so the tests need no imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xcc\x22\x22" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def pdf_bytes(text: str = "Futian 2023160") -> bytes:
    """A small valid one-page PDF with a cross-reference table."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def docx_bytes(text: str = "福田区时尚产业发展调研报告") -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "福田区学位缺口"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def assign(proposal, unit, committee, *, role=AssignmentRole.LEAD, status=AssignmentStatus.REPLIED, on=None):
    on = on or dt.date(2023, 3, 1)
    fields = assignment_deadlines(
        proposal.session, on, with_opinion=role == AssignmentRole.COHANDLING, cal=WorkCalendar({})
    )
    return Assignment.objects.create(
        proposal=proposal, unit=unit, role=role, status=status, assigned_by=committee, **fields
    )


def sent_reply(assignment, author, *, signer=None, category=None, sent_at=None, body=LETTER_BODY) -> Reply:
    return Reply.objects.create(
        assignment=assignment,
        round=assignment.round,
        status=ReplyStatus.SENT,
        body=body,
        category=category,
        letter_number="福工信函〔2023〕160号",
        contact_person="刘经办",
        contact_phone="0755-82978326",
        drafted_by=author,
        signer=signer,
        signed_at=sent_at or timezone.now(),
        sent_at=sent_at or timezone.now(),
    )


def draft_post(**overrides) -> dict:
    """The POST data of a complete new-proposal form."""
    data = {
        "title": "关于加强福田区社区体育设施建设的建议",
        "category": "",
        "kind": "individual",
        "collective_author": "",
        "background": "福田区社区体育设施总量不足，分布不均。",
        "suggestions": "一、利用边角地建设口袋公园和健身设施。\n二、推动学校体育场馆错时开放。",
        "publication_consent": "yes",
        "publication_refusal_reason": "",
        "action": "save",
    }
    data.update(overrides)
    return data

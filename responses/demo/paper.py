"""Stand-ins for the scanned paper forms of the demo: a paper proposal (代提交) and a paper rating (代评价).

Each is a small one-page A4 PDF with the form's lines in Chinese, written by hand so the demo needs
no imaging library and no font file: the text uses Adobe's standard Chinese font STSong-Light, which
PDF readers supply themselves (pdf.js, Acrobat; poppler with poppler-data).
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

A4 = (595, 842)
MARGIN = 64


def _text(x: float, y: float, size: int, line: str) -> bytes:
    # UniGB-UCS2-H: each character as its UCS-2 code, big-endian, in a hex string.
    return b"BT /F1 %d Tf %.1f %.1f Td <%s> Tj ET\n" % (size, x, y, line.encode("utf-16-be").hex().upper().encode())


def form_pdf(title: str, lines: list[str], signature: str) -> bytes:
    """A form as a PDF page: the title, a framed box of lines, and the signature line at the foot."""
    width, height = A4
    content = io.BytesIO()
    content.write(_text(width / 2 - len(title) * 9, height - 96, 18, title))
    top, step = height - 140, 30
    bottom = top - step * (len(lines) - 1) - 20
    content.write(b"0.6 w %d %d %d %d re S\n" % (MARGIN - 8, bottom, width - 2 * MARGIN + 16, top - bottom + 24))
    for i, line in enumerate(lines):
        content.write(_text(MARGIN, top - step * i, 12, line))
    content.write(_text(width - MARGIN - 220, bottom - 48, 12, signature))
    stream = content.getvalue()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>" % A4,
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >>"
        b" /FontDescriptor 7 0 R /DW 1000 /W [1 95 500] >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
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


def scan(name: str, title: str, lines: list[str], signature: str) -> SimpleUploadedFile:
    """The form as an uploaded file, as the committee's scanner would give it."""
    return SimpleUploadedFile(name, form_pdf(title, lines, signature), content_type="application/pdf")

"""Each document converted to PDF by LibreOffice (`soffice --headless --convert-to pdf`), as a clerk would
print it from Word: the conversion succeeds, the pages are there, and the text read back has the parts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from documents.compilation import compilation, reply_compilation
from documents.word import compilation_docx, reply_compilation_docx
from tests.documents.helpers import HAS_LIBREOFFICE, DocumentScene, pdf_pages, soffice_convert
from tests.responses.helpers_units import REFERENCE_TITLE

pytestmark = pytest.mark.skipif(
    not HAS_LIBREOFFICE, reason="needs LibreOffice (apt-get install libreoffice-writer-nogui; make browser installs it)"
)


def text_lines(content: bytes, name: str) -> list[str]:
    text = soffice_convert(content, "txt:Text", name).decode("utf-8-sig")
    return [line.strip() for line in text.splitlines() if line.strip()]


class PdfTests(DocumentScene):
    def test_the_proposal_form_converts_to_a_pdf(self):
        self.client.force_login(self.committee)
        content = self.client.get(reverse("documents:proposal_form_docx", args=[self.reference.pk])).content

        pdf = soffice_convert(content, "pdf", "form")
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertGreaterEqual(pdf_pages(pdf), 1)
        text = "\n".join(text_lines(content, "form"))
        for part in ("提　案　单", "第2023160号", REFERENCE_TITLE, "陈澄（第一提案人）", "经济界", "立案"):
            self.assertIn(part, text)

    def test_the_compilation_converts_to_a_pdf_a_page_for_the_cover_the_contents_and_each_proposal(self):
        content = compilation_docx(compilation(self.session, self.committee, "category"))

        pdf = soffice_convert(content, "pdf", "compilation")
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertGreaterEqual(pdf_pages(pdf), 2 + 4)
        text = "\n".join(text_lines(content, "compilation"))
        for part in ("提案汇编", "目\u3000录", "第2023160号", "第2023163号", "其他提案（未分类）"):
            self.assertIn(part, text)

    def test_the_compilation_of_replies_converts_to_a_pdf(self):
        content = reply_compilation_docx(reply_compilation(self.session, self.committee))

        pdf = soffice_convert(content, "pdf", "replies")
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertGreaterEqual(pdf_pages(pdf), 2 + 2)
        text = "\n".join(text_lines(content, "replies"))
        for part in ("答复汇编", "福工信函〔2023〕160号", "尊敬的陈澄、王芳委员：", "特此回复。"):
            self.assertIn(part, text)

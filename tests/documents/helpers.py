"""A session's documents built from one scene through the services: the reference case 第2023160号 and
three more accepted proposals, each kind of proposal a compilation leaves out, and sent replies.

``DocumentScene`` (frozen in the 2023 session, ``UnitPagesTestCase``):

- ``reference`` 第2023160号 (经济建设), 陈澄 with 王芳 as co-signer, 区工信局 suggested; accepted with a
  note, handled by 区工信局 (lead) and 区发改局 (co-handling), its ``reference_reply`` sent with the
  reference letter's body;
- ``schools`` 第2023161号 (文化教育), handled by 区教育局, reply sent;
- ``fashion`` 第2023162号 (经济建设), handled by 区工信局, reply only drafted;
- ``parking`` 第2023163号 (no category), accepted, not assigned;
- left out of the compilations: ``rejected``, ``merged`` (into 2023162), ``waiting`` (submitted), ``own_draft``, ``withdrawn``.

Numbers by category run 160, 162 (经济建设), 161 (文化教育), 163 (no category): not the number order.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.test import override_settings

from accounts.models import MemberProfile
from proposals.choices import ProposalStatus, RejectionGround
from proposals.models import Category, Proposal, Session
from proposals.services import accept_proposal, merge_proposal, reject_proposal, withdraw_proposal
from responses.services import send_opinion
from tests.base import make_proposal
from tests.responses.helpers_units import COHANDLING, LEAD, REFERENCE_TITLE, UnitPagesTestCase, reference_body

IN_MEMORY_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ACCEPT_NOTE = "符合立案条件，同意立案，建议由区工信局主办。"
SCHOOLS_TITLE = "关于优化福田区中小学学位供给的建议"
FASHION_TITLE = "关于推动福田时尚产业数字化转型的建议"
PARKING_TITLE = "关于完善福田区停车设施规划的建议"
REJECTED_TITLE = "关于调解邻里纠纷的建议"
MERGED_TITLE = "关于加快福田时尚产业数字化发展的建议"
SUBMITTED_TITLE = "关于提升福田区社区养老服务供给能力的建议"
DRAFT_TITLE = "关于加强福田区社区体育设施建设的建议"
WITHDRAWN_TITLE = "关于增设社区口袋公园的建议"
LEFT_OUT = (REJECTED_TITLE, MERGED_TITLE, SUBMITTED_TITLE, DRAFT_TITLE, WITHDRAWN_TITLE)


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class DocumentScene(UnitPagesTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        MemberProfile.objects.filter(user=cls.chencheng).update(title="深圳市某时尚科技有限公司董事长")
        MemberProfile.objects.filter(user=cls.wangfang).update(sector="教育界", title="福田区某中学校长")
        cls.culture = Category.objects.create(name="文化教育", order=2)
        Session.objects.filter(pk=cls.session.pk).update(next_serial=160)
        case = cls()

        def submitted(title: str, category, **extra) -> Proposal:
            return make_proposal(
                cls.chencheng, cls.session, title=title, status=ProposalStatus.SUBMITTED, category=category, **extra
            )

        reference = submitted(REFERENCE_TITLE, cls.category, cosigners=[cls.wangfang])
        reference.background = "当前，深圳正处于“双区”驱动的重大历史机遇期。\n福田区产业发展也面临一些突出问题。"
        reference.suggestions = "一、构建差异化竞争优势的现代化产业体系。\n二、充分发挥毗邻香港的区位优势。"
        reference.save()
        reference.suggested_units.add(cls.unit)
        cls.reference = accept_proposal(reference, actor=cls.committee, note=ACCEPT_NOTE)
        lead, cohandling = case.handling([(cls.unit, LEAD), (cls.third_unit, COHANDLING)], proposal=cls.reference)
        send_opinion(cohandling, actor=cls.third_handler, body="建议在产业规划中统筹考虑发改项目安排。")
        case.contact(lead)
        cls.reference_reply = case.sent(lead, body=reference_body(), letter_number="福工信函〔2023〕160号")

        cls.schools = accept_proposal(submitted(SCHOOLS_TITLE, cls.culture), actor=cls.committee)
        (school_unit,) = case.handling([(cls.other_unit, LEAD)], proposal=cls.schools)
        case.contact(school_unit)
        cls.schools_reply = case.sent(
            school_unit, body="一、加快学校建设\n今年新增公办学位约6000个。", letter_number="福教函〔2023〕161号"
        )
        cls.fashion = accept_proposal(submitted(FASHION_TITLE, cls.category), actor=cls.committee)
        (fashion_unit,) = case.handling([(cls.unit, LEAD)], proposal=cls.fashion)
        cls.fashion_draft = case.draft(fashion_unit)
        cls.parking = accept_proposal(submitted(PARKING_TITLE, None), actor=cls.committee)

        cls.rejected = reject_proposal(
            submitted(REJECTED_TITLE, cls.category),
            actor=cls.committee,
            ground=RejectionGround.PERSONAL,
            reason="属个人事务，建议通过信访渠道反映。",
        )
        cls.merged = merge_proposal(
            submitted(MERGED_TITLE, cls.category), actor=cls.committee, into=cls.fashion, note="与第2023162号内容相近。"
        )
        cls.waiting = submitted(SUBMITTED_TITLE, cls.category)
        cls.own_draft = make_proposal(cls.chencheng, cls.session, title=DRAFT_TITLE, category=cls.category)
        cls.withdrawn = withdraw_proposal(
            submitted(WITHDRAWN_TITLE, cls.category), actor=cls.chencheng, reason="另行反映。"
        )
        for name in ("reference", "schools", "fashion", "parking", "rejected", "merged"):
            getattr(cls, name).refresh_from_db()


def docx_text(content: bytes) -> list[str]:
    """The text of every paragraph of a .docx in reading order, the tables' cells included (a merged cell
    is one cell in the file), links included; empty paragraphs left out."""
    from docx import Document
    from docx.oxml.ns import qn

    body = Document(io.BytesIO(content)).element.body
    lines = ["".join(node.text or "" for node in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]
    return [line for line in lines if line.strip()]


def soffice_convert(content: bytes, target: str, name: str = "document") -> bytes:
    """``content`` (a .docx) converted by LibreOffice headless to ``target`` ("pdf", "txt:Text")."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{name}.docx"
        source.write_bytes(content)
        profile = Path(tmp) / "profile"  # a private profile: parallel runs must not share LibreOffice's lock
        subprocess.run(  # noqa: S603 - fixed arguments
            [
                "soffice",
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                tmp,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=240,
            env={**os.environ, "HOME": tmp},
        )
        suffix = target.split(":", 1)[0]
        return (Path(tmp) / f"{name}.{suffix}").read_bytes()


def pdf_pages(content: bytes) -> int:
    """How many pages a PDF has (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", content))


HAS_LIBREOFFICE = shutil.which("soffice") is not None

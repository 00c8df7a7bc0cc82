"""Workbooks for the import tests, written with openpyxl in the template's layout."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from imports.workbook import SHEETS


def workbook(**sheets: list[dict]) -> bytes:
    """A workbook with the template's headers and ``sheets[key]`` rows (dicts by column key)."""
    book = Workbook()
    book.remove(book.active)
    for sheet in SHEETS:
        rows = book.create_sheet(sheet.title)
        rows.append([column.header for column in sheet.columns])
        for values in sheets.get(sheet.key, []):
            rows.append([values.get(column.key) for column in sheet.columns])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def reference_case(lead="chencheng", cosigner="wangfang", unit="深圳市福田区工业和信息化局") -> dict[str, list[dict]]:
    """第2023160号 of 六届三次会议 as a clerk would type it: assigned, replied and rated by both proposers."""
    key = {"number": "2023160", "session": "六届三次会议"}
    return {
        "proposals": [
            {
                **key,
                "title": "关于福田区构建具有竞争力的现代化产业体系的建议",
                "lead": lead,
                "cosigners": cosigner,
                "category": "经济建设",
                "background": "福田区时尚产业基础好。",
                "suggestions": "一、加强规划引领；二、深化深港合作。",
                "submitted": "2023-01-05",
                "accepted": "2023-02-10",
            }
        ],
        "assignments": [{**key, "unit": unit, "role": "主办", "assigned": "2023-03-01", "due": "2023-06-01"}],
        "replies": [
            {
                **key,
                "unit": unit,
                "category": "A",
                "letter_number": "福工信函〔2023〕160号",
                "sent": "2023-05-20",
                "body": "陈澄委员：你在深圳市福田区政协六届三次会议中提出的提案收悉。现答复如下……特此回复。",
                "contact_person": "刘经办",
                "contact_phone": "0755-82978326",
            }
        ],
        "feedback": [
            {**key, "unit": unit, "member": lead, "attitude": "满意", "result": "满意", "given": "2023-06-01"},
            {**key, "unit": unit, "member": cosigner, "attitude": "满意", "result": "基本满意", "given": "2023-06-02"},
        ],
    }

"""Realistic Chinese proposal text for benchmarks, with its search words, fast enough for a million rows.

Texts are built from a pool of sentences about 福田's affairs. Each sentence ends in
punctuation, and proposals.search_text segments text run by run between punctuation,
so a text's words and grams are exactly the concatenation of its sentences' words and
grams: each pool sentence is segmented once, not once per row.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

AREAS = [
    "福田区",
    "香蜜湖片区",
    "河套深港科技创新合作区",
    "车公庙片区",
    "华强北",
    "梅林片区",
    "莲花山周边",
    "福保街道",
    "沙头街道",
    "园岭街道",
    "南园街道",
    "华富街道",
    "福田口岸",
    "皇岗口岸",
    "新洲片区",
]
SUBJECTS = [
    "时尚产业",
    "人工智能产业",
    "低空经济",
    "新能源汽车推广",
    "社区养老服务",
    "中小学学位供给",
    "老旧小区改造",
    "城市更新",
    "深港合作",
    "跨境人才往来",
    "金融科技",
    "文化旅游消费",
    "公共停车设施",
    "垃圾分类",
    "河道治理",
    "社区医疗服务",
    "青年人才住房",
    "专精特新企业培育",
    "夜间经济",
    "一老一小服务体系",
    "智慧交通",
    "营商环境",
    "绿色建筑",
    "数字政府建设",
    "基层治理",
    "托育服务",
    "体育设施开放",
    "无障碍环境建设",
    "食品安全监管",
    "消防安全",
]
VERBS = ["加快发展", "进一步完善", "大力推进", "优化提升", "切实加强", "积极探索", "统筹推进", "持续深化"]
BACKGROUND = [
    "近年来，{area}在{subject}方面取得了积极进展，但与群众期待相比仍有差距。",
    "{area}人口密度高，{subject}的需求日益增长，现有供给难以满足。",
    "调研发现，{subject}存在规划统筹不足、部门协同不够、政策落地较慢等问题。",
    "与先进城市相比，{area}在{subject}的资金投入和人才储备方面仍显不足。",
    "随着粤港澳大湾区建设深入推进，{subject}迎来新的发展机遇。",
    "部分委员和群众反映，{area}的{subject}还存在信息不透明、办事流程繁琐的情况。",
    "从国内外经验看，{subject}需要政府引导、市场运作、社会参与相结合。",
    "当前{area}的{subject}仍以传统方式为主，数字化、智能化水平有待提高。",
    "香蜜湖新金融中心和河套深港科技创新合作区的建设，为{subject}提供了重要平台。",
    "{area}在{subject}方面的统计口径不一，难以准确评估工作成效。",
]
SUGGESTIONS = [
    "一是加强规划引领，制定{subject}专项规划，明确目标任务和责任分工。",
    "二是加大政策扶持力度，设立{subject}专项资金，简化申报流程。",
    "三是深化深港合作，借鉴香港在{subject}方面的成熟经验。",
    "四是完善考核评估机制，定期向社会公开{subject}的推进情况。",
    "五是强化人才支撑，引进和培养{subject}领域的专业人才。",
    "建议由{area}牵头，建立跨部门协调机制，形成工作合力。",
    "建议运用大数据和人工智能技术，提升{subject}的精细化管理水平。",
    "建议在{area}先行先试，总结经验后在全区推广。",
]


class Corpus:
    """Deterministic texts with their stored search words (``search_text``)."""

    def __init__(self, seed: int = 2023160) -> None:
        from proposals.search_text import text_parts

        self.rng = random.Random(seed)
        self.titles = []
        for subject in SUBJECTS:
            for verb in VERBS:
                for area in AREAS[:6]:
                    title = f"关于{area}{verb}{subject}的建议"
                    self.titles.append((title, text_parts(title)))
        self.background = self._pool(BACKGROUND, text_parts)
        self.suggestions = self._pool(SUGGESTIONS, text_parts)

    @staticmethod
    def _pool(templates, segment) -> list[tuple[str, tuple[list[str], list[str]]]]:
        pool = []
        for template in templates:
            for area in AREAS:
                for subject in SUBJECTS:
                    text = template.format(area=area, subject=subject)
                    pool.append((text, segment(text)))
        return pool

    def rows(self, count: int, *, year: int = 2023) -> Iterator[tuple[str, str, str, str, str]]:
        """(number, title, background, suggestions, search_text) for ``count`` proposals."""
        from proposals.search_text import stored_form

        rng = self.rng
        for serial in range(1, count + 1):
            number = f"{year}{serial:06d}"
            number_parts = ([number], [])
            title, title_words = rng.choice(self.titles)
            background = rng.sample(self.background, 3)
            suggestions = rng.sample(self.suggestions, 2)
            parts = [number_parts, title_words, *(b[1] for b in background), *(s[1] for s in suggestions)]
            search_text = stored_form([w for p in parts for w in p[0]], [g for p in parts for g in p[1]])
            yield (
                number,
                title,
                "".join(b[0] for b in background),
                "".join(s[0] for s in suggestions),
                search_text,
            )

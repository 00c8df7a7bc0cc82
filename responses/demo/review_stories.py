"""Stories of the previous session (六届五次会议), whose committee asked for the two steps of issue 21 that
used to be done on paper: co-handling units countersign the lead unit's final draft (会签), and the
committee reviews every signed reply before the proposers see it (督办审核).

Each function is one story; inside it the steps run in the order of their demo dates.
"""

from __future__ import annotations

import datetime as dt

from responses.choices import AssignmentRole, ContactMethod, ReplyStatus
from responses.demo.people import EDUCATION, GONGXIN, SCIENCE
from responses.demo.texts import REPLY_ENERGY_STORAGE_DRAFT, REPLY_ENERGY_STORAGE_TECH, REPLY_SPORTS_FIELDS

LEAD = AssignmentRole.LEAD
COHANDLING = AssignmentRole.COHANDLING


def under_review(s) -> None:
    """督办审核: 区教育局's signed reply went to the committee two days ago; the proposer has not been told
    yet, and will be when the committee releases it (or the unit sends it again after a return)."""
    u = s.user
    p = s.new_proposal(
        s.previous,
        "关于推进福田区中小学体育场地向社会开放的建议",
        u["wangfang"],
        created=s.at(s.day(95), 20),
        category="文化教育",
        background="福田区居民健身需求旺盛，但公共体育场地不足；区内中小学体育场地数量多、质量好，节假日和课后大多闲置，向社会开放的学校比例不高。",
        suggestions="一、分批推动具备条件的中小学体育场地在节假日向社会开放。\n二、建立预约、登记和分区管理制度。\n三、统一购买公众责任保险，落实开放管理经费。",
    )
    if not p:
        return
    s.submit(p, s.at(s.day(94), 9))
    p = s.accept(p, s.at(s.day(80), 10))
    (a,) = s.assign(p, s.day(78), (EDUCATION, LEAD))
    s.take(a, s.day(77))
    s.contact(
        a,
        s.day(60),
        ContactMethod.MEETING,
        "王芳委员；区教育局孙丽",
        "当面听取委员对学校场地开放管理和安全保障的意见。",
    )
    s.reply(
        a,
        drafted=s.day(8),
        body=REPLY_SPORTS_FIELDS,
        letter_number=f"福教函〔{s.previous.year + 1}〕12号",
        category="A",
        sent=s.day(2),
    )


def countersigning(s) -> None:
    """会签: 区工信局's draft went to 区科技创新局 (co-handling, its opinion sent), which returned it with
    comments; the lead unit added the technology part and sent the new version, which waits for the
    co-handler's answer. Only then can the draft go to the unit leader for sign-off."""
    u = s.user
    p = s.new_proposal(
        s.previous,
        "关于加快福田区新型储能产业发展的建议",
        u["liming"],
        created=s.at(s.day(45), 20),
        category="科技创新",
        background="新型储能是构建新型电力系统的关键支撑。福田区在储能电池、能量管理系统等领域聚集了一批企业，但应用场景开放不足，关键技术攻关和安全监管仍有短板。",
        suggestions="一、完善新型储能产业扶持政策。\n二、在数据中心、充电场站等开展用户侧储能示范。\n三、支持储能安全等关键技术攻关。\n四、建立储能项目安全监管机制。",
    )
    if not p:
        return
    s.submit(p, s.at(s.day(44), 9))
    p = s.accept(p, s.at(s.day(27), 10))
    lead, co = s.assign(p, s.day(25), (GONGXIN, LEAD), (SCIENCE, COHANDLING))
    s.take(lead, s.day(24))
    s.take(co, s.day(23))
    s.contact(
        lead, s.day(20), ContactMethod.PHONE, "李明委员；区工信局刘洋", "电话沟通储能示范场景和扶持政策的办理思路。"
    )
    s.opinion(
        co,
        s.at(s.day(16), 15),
        "我局支持加快新型储能产业发展。建议答复中写明我局通过科技计划项目支持固态电池、储能安全预警等关键技术攻关，并鼓励企业与高校共建联合实验室。",
    )
    reply = s.reply(
        lead,
        drafted=s.day(12),
        body=REPLY_ENERGY_STORAGE_DRAFT,
        letter_number=f"福工信函〔{s.previous.year + 1}〕26号",
        category="B",
        commitment_date=s.today + dt.timedelta(days=150),
        until=ReplyStatus.DRAFT,
    )
    (row,) = s.countersign_request(reply, s.at(s.day(11), 10))
    s.countersign(
        row,
        s.at(s.day(9), 16),
        agree=False,
        comments="答复未体现我局的会办意见，请补充关键技术攻关和联合实验室的内容后再送会签。",
    )
    reply = s.edit(reply, s.at(s.day(6), 10), body=REPLY_ENERGY_STORAGE_DRAFT + REPLY_ENERGY_STORAGE_TECH)
    s.countersign_request(reply, s.at(s.day(6), 11))

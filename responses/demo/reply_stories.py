"""Stories that reach the proposers: the reference case 第2023160号, a reply awaiting feedback, a closed and
published proposal (rated on paper, recorded by committee staff: 代评价), and a 不满意 rating that started a
second handling round (重新办理) with an extension.
"""

from __future__ import annotations

import datetime as dt

from proposals.models import Proposal, Session
from responses.choices import AssignmentRole, ContactMethod, Satisfaction
from responses.demo import paper
from responses.demo.people import EDUCATION, GONGXIN, SCIENCE
from responses.demo.texts import (
    ATTACHMENT_2023160,
    BACKGROUND_2023160,
    FOLLOWUP_2023160,
    REPLY_AFTER_SCHOOL,
    REPLY_MENTAL_HEALTH,
    REPLY_SCHOOL_PLACES,
    SUGGESTIONS_2023160,
    letter_body,
)
from responses.models import Assignment

SERIAL_2023160 = 160


def case_2023160(s) -> None:
    """The real case: 陈澄's proposal, answered by 区工信局 as 分办单位 with the reference letter, rated, closed
    by the rating and published."""
    session = s.old
    chencheng = s.user["chencheng"]
    if Proposal.objects.filter(session=session, number="2023160").exists():
        return
    p = s.new_proposal(
        session,
        "关于福田区构建具有竞争力的现代化产业体系的建议",
        chencheng,
        created=s.at(dt.date(2023, 1, 5), 20),
        category="经济建设",
        background=BACKGROUND_2023160,
        suggestions=SUGGESTIONS_2023160,
        attachment=("福田区时尚产业发展调研摘要.txt", ATTACHMENT_2023160),
    )
    if p is None:
        return
    s.submit(p, s.at(dt.date(2023, 1, 8), 9))
    # The number is the real one: the session's counter starts there (the service skips a number in use).
    Session.objects.filter(pk=session.pk, next_serial__lt=SERIAL_2023160).update(next_serial=SERIAL_2023160)
    p = s.accept(p, s.at(dt.date(2023, 2, 20), 10))
    (a,) = s.assign(p, dt.date(2023, 3, 1), (GONGXIN, AssignmentRole.SEPARATE))
    s.take(a, dt.date(2023, 3, 2))
    s.contact(
        a,
        dt.date(2023, 3, 20),
        ContactMethod.MEETING,
        "陈澄委员；区工信局刘洋",
        "上门听取陈澄委员对时尚产业规划、深港合作和政策扶持的具体意见，委员建议突出“时尚+科技”特色。",
    )
    reply = s.reply(
        a,
        drafted=dt.date(2023, 5, 10),
        body=letter_body(),
        letter_number="福工信函〔2023〕160号",
        category="B",
        sent=dt.date(2023, 5, 19),
        commitment_date=dt.date(2023, 12, 29),
    )
    s.feedback(
        reply,
        chencheng,
        dt.date(2023, 5, 30),
        Satisfaction.SATISFIED,
        Satisfaction.SATISFIED,
        "答复认真具体，沟通充分，期待时尚产业规划早日落地。",
    )
    s.publish(p, s.at(dt.date(2023, 6, 20), 9))
    # The reply (category B) committed to report back by 29 December 2023: the bureau did, a week early.
    a.refresh_from_db()
    s.followup(
        a,
        drafted=dt.date(2023, 12, 15),
        sent=dt.date(2023, 12, 22),
        body=FOLLOWUP_2023160,
        letter_number="福工信函〔2023〕418号",
    )


def replied(s) -> None:
    """A joint proposal replied to; the proposers' feedback is pending."""
    u = s.user
    p = s.new_proposal(
        s.current,
        "关于优化福田区中小学学位供给的建议",
        u["chencheng"],
        created=s.at(s.day(100), 20),
        category="文化教育",
        background="随着人口持续流入，福田区部分片区中小学学位紧张，香蜜湖、梅林等片区学位缺口较大，学校建设周期长、用地紧张。",
        suggestions="一、加快新改扩建学校项目建设。\n二、推广“高密度校园”建设模式。\n三、建立学位预警机制，提前发布片区学位信息。",
    )
    if not p:
        return
    cosigner = s.invite(p, u["wangfang"], s.at(s.day(100), 20, 10))
    s.answer(cosigner, s.at(s.day(99), 9))
    s.submit(p, s.at(s.day(98), 9))
    p = s.accept(p, s.at(s.day(82), 10))
    (a,) = s.assign(p, s.day(80), (EDUCATION, AssignmentRole.LEAD))
    s.take(a, s.day(79))
    s.contact(a, s.day(60), ContactMethod.FORUM, "陈澄委员、王芳委员；区教育局孙丽", "座谈听取学位供给意见。")
    s.reply(
        a,
        drafted=s.day(12),
        body=REPLY_SCHOOL_PLACES,
        letter_number=f"福教函〔{s.current.year}〕35号",
        category="B",
        sent=s.day(5),
        commitment_date=s.today + dt.timedelta(days=120),
    )


def closed(s) -> None:
    """Replied, rated by its proposer on the paper form and recorded by committee staff (代评价), which closes
    it as an online rating would, and published."""
    u = s.user
    p = s.new_proposal(
        s.current,
        "关于加强福田区中小学生心理健康教育的建议",
        u["huangli"],
        created=s.at(s.day(125), 20),
        category="文化教育",
        background="近年来中小学生心理健康问题呈上升趋势。福田区学校专职心理教师配备不足，家校医协同机制尚不健全。",
        suggestions="一、按标准配齐专职心理健康教师。\n二、建立学校、家庭、医疗机构协同干预机制。\n三、开展全员心理健康筛查和分级服务。",
    )
    if not p:
        return
    s.submit(p, s.at(s.day(123), 9))
    p = s.accept(p, s.at(s.day(102), 10))
    (a,) = s.assign(p, s.day(100), (EDUCATION, AssignmentRole.LEAD))
    s.take(a, s.day(99))
    s.contact(a, s.day(85), ContactMethod.PHONE, "黄丽委员；区教育局孙丽", "电话沟通心理教师配备计划。")
    reply = s.reply(
        a,
        drafted=s.day(52),
        body=REPLY_MENTAL_HEALTH,
        letter_number=f"福教函〔{s.current.year}〕21号",
        category="A",
        sent=s.day(45),
    )
    comment = "措施具体，希望加快心理教师招聘进度。"
    rated_on = s.day(38)
    s.paper_feedback(
        reply,
        u["huangli"],
        rated_on,
        Satisfaction.SATISFIED,
        Satisfaction.BASICALLY,
        comment,
        paper.scan(
            "黄丽委员满意度测评表.pdf",
            "政协委员对提案办理答复的满意度测评表",
            [
                f"提案：{p.number} {p.title}",
                "承办单位：深圳市福田区教育局",
                f"答复文号：福教函〔{s.current.year}〕21号",
                "办理态度：满意",
                "办理结果：基本满意",
                f"意见：{comment}",
            ],
            f"委员签名：黄丽    {rated_on.year}年{rated_on.month}月{rated_on.day}日",
        ),
    )
    s.publish(p, s.at(s.day(25), 9))


def rehandled(s) -> None:
    """不满意 → 重新办理: the first reply was rated dissatisfied, which opened a second round; the unit is
    handling it again and the committee extended its due date."""
    u = s.user
    p = s.new_proposal(
        s.current,
        "关于推进福田区中小学课后服务提质扩面的建议",
        u["wangfang"],
        created=s.at(s.day(160), 20),
        category="文化教育",
        background="福田区中小学课后服务已全面铺开，但内容以看管和作业辅导为主，素质拓展项目不足，教师工作时间普遍延长，经费保障标准偏低。",
        suggestions="一、引入社会优质资源，丰富课后服务内容。\n二、提高课后服务经费补助标准。\n三、实行教师弹性上下班制度。",
    )
    if not p:
        return
    s.submit(p, s.at(s.day(158), 9))
    p = s.accept(p, s.at(s.day(135), 10))
    first, first_cohandler = s.assign(
        p, s.day(133), (EDUCATION, AssignmentRole.LEAD), (SCIENCE, AssignmentRole.COHANDLING)
    )
    s.take(first, s.day(132))
    s.take(first_cohandler, s.day(131))
    s.contact(first, s.day(120), ContactMethod.PHONE, "王芳委员；区教育局孙丽", "电话了解委员对课后服务的意见。")
    # The co-handler's opinion never came; the committee let the lead unit reply without it (recorded).
    s.waive(
        first_cohandler,
        s.at(s.day(55), 10),
        "区科技创新局会办意见逾期未报，经提案委员会同意，主办单位先行答复，科技类课后服务资源在重新办理时补充。",
    )
    reply = s.reply(
        first,
        drafted=s.day(52),
        body=REPLY_AFTER_SCHOOL,
        letter_number=f"福教函〔{s.current.year}〕30号",
        category="C",
        sent=s.day(46),
    )
    s.feedback(
        reply,
        u["wangfang"],
        s.day(40),
        Satisfaction.BASICALLY,
        Satisfaction.DISSATISFIED,
        "答复对经费保障和教师负担只作原则表态，没有具体措施和时间表，请重新办理。",
    )
    p.refresh_from_db()
    # The new round replaced the first one, whose co-handling assignment was still open (superseded).
    again, again_cohandler = Assignment.objects.filter(proposal=p, round=p.handling_round).order_by("pk")
    s.redate([again, again_cohandler], s.day(40))
    s.take(again, s.day(39))
    s.take(again_cohandler, s.day(38))
    s.contact(
        again,
        s.day(30),
        ContactMethod.MEETING,
        "王芳委员；区教育局孙丽、吴敏",
        "当面听取委员对经费保障和教师弹性上下班的具体意见，商定重新答复的内容。",
    )
    s.opinion(
        again_cohandler,
        s.at(s.day(25), 11),
        "建议将区科技创新局的科普基地、青少年科技教育资源纳入课后服务课程清单，我局可协调辖区科技企业提供科普课程。",
    )
    again.refresh_from_db()
    request = s.ask_extension(
        again,
        s.at(s.day(10), 10),
        again.reply_due + dt.timedelta(days=30),
        "课后服务经费补助标准调整须报区政府常务会议审议，申请延期一个月答复。",
    )
    s.decide_extension(request, s.at(s.day(8), 15), approve=True, note="同意延期。")

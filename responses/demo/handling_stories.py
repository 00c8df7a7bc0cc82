"""Stories of the current session in the units' hands: overdue and soon due, co-handling with an opinion,
a letter sent back and one awaiting sign-off, a key proposal under supervision, returns and extensions.

Each function is one story; inside it the steps run in the order of their demo dates.
"""

from __future__ import annotations

import datetime as dt

from responses.choices import AssignmentRole, ContactMethod, ReplyStatus
from responses.deadlines import add_months
from responses.demo.people import EDUCATION, GONGXIN, SCIENCE
from responses.demo.texts import REPLY_AI_DRAFT, REPLY_INDUSTRIAL_DIGITAL, REPLY_LOW_ALTITUDE_DRAFT

LEAD = AssignmentRole.LEAD
COHANDLING = AssignmentRole.COHANDLING


def overdue(s) -> None:
    """Being handled and overdue; an extension was asked for and refused."""
    u = s.user
    assigned_on = add_months(s.today, -3) - dt.timedelta(days=12)
    p = s.new_proposal(
        s.current,
        "关于支持福田区中小企业走“专精特新”发展道路的建议",
        u["zhangwei"],
        created=s.at(assigned_on - dt.timedelta(days=20), 20),
        category="经济建设",
        background="福田区中小企业数量多、创新活跃，但普遍面临融资难、产业空间贵、人才引进难等问题，国家级专精特新“小巨人”企业数量与先进城区相比仍有差距。",
        suggestions="一、建立专精特新企业梯度培育库，实行“一企一策”。\n二、设立专精特新企业融资风险补偿资金池。\n三、在车公庙、梅林片区提供低成本产业空间。",
    )
    if not p:
        return
    cosigner = s.invite(p, u["chencheng"], s.at(assigned_on - dt.timedelta(days=20), 20, 10))
    s.answer(cosigner, s.at(assigned_on - dt.timedelta(days=19), 9))
    s.submit(p, s.at(assigned_on - dt.timedelta(days=18), 9))
    p = s.accept(p, s.at(assigned_on - dt.timedelta(days=2), 10))
    (a,) = s.assign(p, assigned_on, (GONGXIN, LEAD))
    s.take(a, assigned_on + dt.timedelta(days=1))
    s.contact(
        a,
        assigned_on + dt.timedelta(days=9),
        ContactMethod.PHONE,
        "张伟委员；区工信局刘洋",
        "电话沟通办理思路，委员关注融资风险补偿资金池的设立进度。",
    )
    a.refresh_from_db()
    asked = a.reply_due - dt.timedelta(days=6)
    request = s.ask_extension(
        a,
        s.at(asked, 11),
        a.reply_due + dt.timedelta(days=30),
        "融资风险补偿资金池需区财政局联合审核，申请延期一个月答复。",
    )
    s.decide_extension(
        request,
        s.at(asked + dt.timedelta(days=2), 15),
        approve=False,
        note="资金池设立进展可在答复中说明，请按期答复。",
    )


def due_soon(s) -> None:
    """Being handled, due in a few days; an extension request waits for the committee."""
    u = s.user
    assigned_on = add_months(s.today, -3) + dt.timedelta(days=4)
    p = s.new_proposal(
        s.current,
        "关于加强车公庙片区产业空间保障的建议",
        u["chencheng"],
        created=s.at(assigned_on - dt.timedelta(days=25), 20),
        category="城市建设",
        background="车公庙片区是福田区重要的产业集聚区，但近年来产业用房租金上涨较快，部分优质企业因空间不足外迁。",
        suggestions="一、加快片区城市更新，提高产业用房比例。\n二、扩大政府产业用房供给，实行租金优惠。\n三、建立重点企业空间需求快速响应机制。",
    )
    if not p:
        return
    s.submit(p, s.at(assigned_on - dt.timedelta(days=22), 9))
    p = s.accept(p, s.at(assigned_on - dt.timedelta(days=3), 10))
    (a,) = s.assign(p, assigned_on, (GONGXIN, LEAD))
    s.take(a, assigned_on + dt.timedelta(days=2))
    s.contact(
        a,
        assigned_on + dt.timedelta(days=12),
        ContactMethod.FORUM,
        "陈澄委员、片区企业代表；区工信局",
        "召开座谈会听取片区企业空间需求。",
    )
    a.refresh_from_db()
    s.ask_extension(
        a,
        s.at(s.day(1), 16),
        a.reply_due + dt.timedelta(days=20),
        "片区城市更新项目的产业用房比例须待规划调整批复后确定，申请延期二十日答复。",
    )


def cohandled(s) -> None:
    """A lead unit and a co-handling unit that has sent its opinion; the lead's letter was sent back."""
    u = s.user
    assigned_on = s.day(40)
    p = s.new_proposal(
        s.current,
        "关于培育福田区低空经济应用场景的建议",
        u["liming"],
        created=s.at(s.day(60), 20),
        category="科技创新",
        background="低空经济是战略性新兴产业。福田区高楼密集、商务活跃，在无人机配送、城市空中交通、应急救援等方面有应用需求，但起降点布局、空域协调和安全监管仍需完善。",
        suggestions="一、规划建设低空起降点和配送航线。\n二、在医疗物资配送、应急救援中先行先试。\n三、引进培育低空经济企业。",
    )
    if not p:
        return
    s.submit(p, s.at(s.day(58), 9))
    p = s.accept(p, s.at(s.day(42), 10))
    lead, co = s.assign(p, assigned_on, (GONGXIN, LEAD), (SCIENCE, COHANDLING))
    s.take(lead, s.day(39))
    s.take(co, s.day(38))
    s.contact(lead, s.day(30), ContactMethod.MEETING, "李明委员；区工信局刘洋", "面商低空经济场景清单。")
    s.opinion(
        co,
        s.at(s.day(15), 16),
        "我局支持在福田区开展低空经济应用场景试点。建议主办单位会同空管、交通部门优化航线审批流程，起降点优先利用公共建筑屋顶和交通枢纽；我局可通过科技计划项目支持无人机感知避障、飞行管控等关键技术攻关。",
    )
    s.reply(
        lead,
        drafted=s.day(8),
        body=REPLY_LOW_ALTITUDE_DRAFT,
        letter_number=f"福工信函〔{s.current.year}〕72号",
        category="B",
        commitment_date=s.today + dt.timedelta(days=180),
        sent_back=(s.day(5), "请吸收区科技创新局的会办意见，写明起降点试点的时间安排和责任单位。"),
    )


def awaiting_signoff(s) -> None:
    """A reply waiting for the unit leader's sign-off."""
    u = s.user
    p = s.new_proposal(
        s.current,
        "关于完善福田区人工智能产业扶持政策的建议",
        u["chencheng"],
        created=s.at(s.day(80), 20),
        category="科技创新",
        background="人工智能正加速赋能千行百业。福田区算力资源、数据要素和应用场景开放不足，对人工智能初创企业的扶持政策较为分散。",
        suggestions="一、设立人工智能产业专项扶持资金，支持算力券、模型券。\n二、开放政务、金融、医疗等应用场景。\n三、建设人工智能产业集聚区。",
    )
    if not p:
        return
    s.submit(p, s.at(s.day(78), 9))
    p = s.accept(p, s.at(s.day(62), 10))
    (a,) = s.assign(p, s.day(60), (GONGXIN, LEAD))
    s.take(a, s.day(59))
    s.contact(a, s.day(45), ContactMethod.MEETING, "陈澄委员；区工信局刘洋", "当面沟通扶持政策修订思路。")
    s.reply(
        a,
        drafted=s.day(5),
        body=REPLY_AI_DRAFT,
        letter_number=f"福工信函〔{s.current.year}〕58号",
        category="A",
        until=ReplyStatus.AWAITING_SIGNOFF,
    )


def returned(s) -> None:
    """Handed back (退回): the first unit asked within its window, the committee approved and assigned the
    unit it suggested, whose signed letter is ready to send."""
    u = s.user
    p = s.new_proposal(
        s.current,
        "关于推动福田区工业企业数字化改造的建议",
        u["huangli"],
        created=s.at(s.day(50), 20),
        category="经济建设",
        background="福田区工业企业以电子信息、精密制造为主，多数中小企业数字化基础薄弱，对数字化改造“不敢转、不会转”。",
        suggestions="一、为规模以上工业企业开展免费数字化诊断。\n二、支持企业“上云用数赋智”。\n三、培育本地数字化转型服务商。",
    )
    if not p:
        return
    s.submit(p, s.at(s.day(48), 9))
    p = s.accept(p, s.at(s.day(32), 10))
    # The unit asks for the return two days after 交办: the service checks the window against today, so the
    # assignment is made today and its due dates are counted again from its demo day once the return is asked.
    (first,) = s.assign(p, s.day(30), (SCIENCE, LEAD), window_open=True)
    request = s.ask_return(
        first,
        s.at(s.day(28), 10),
        "该提案主要涉及工业企业技术改造和数字化转型，属区工信局职责，建议改由区工信局办理。",
        suggested=GONGXIN,
    )
    s.redate([first], s.day(30))
    s.decide_return(request, s.at(s.day(27), 9), approve=True, note="同意退回，改由区工信局主办。")
    (a,) = s.assign(p, s.day(27), (GONGXIN, LEAD))
    s.take(a, s.day(26))
    s.contact(a, s.day(20), ContactMethod.PHONE, "黄丽委员；区工信局刘洋", "电话沟通企业数字化诊断的推进安排。")
    s.reply(
        a,
        drafted=s.day(6),
        body=REPLY_INDUSTRIAL_DIGITAL,
        letter_number=f"福工信函〔{s.current.year}〕91号",
        category="A",
        until=ReplyStatus.SIGNED,
    )


def key(s) -> None:
    """A key proposal (重点提案) supervised by a leader; the co-handling unit has not accepted yet."""
    u = s.user
    p = s.new_proposal(
        s.current,
        "关于加快河套深港科技创新合作区福田园区建设的建议",
        u["liming"],
        created=s.at(s.day(45), 20),
        category="科技创新",
        background="河套深港科技创新合作区是粤港澳大湾区唯一以科技创新为主题的特色合作平台。福田园区在空间供给、重大科研平台引进和深港规则衔接方面仍需加快。",
        suggestions="一、加快释放园区产业空间，建设国际化科研社区。\n二、引进香港高校科研机构和重大科技基础设施。\n三、探索深港科研管理规则衔接。",
        kind="collective",
        collective_author="九三学社福田区基层委员会",
    )
    if not p:
        return
    s.submit(p, s.at(s.day(43), 9))
    p = s.accept(p, s.at(s.day(22), 10))
    lead, _co = s.assign(p, s.day(20), (SCIENCE, LEAD), (GONGXIN, COHANDLING))
    s.mark_key(p, s.at(s.day(19), 11), u["leader"], note="确定为重点提案，由周海明同志督办")
    s.take(lead, s.day(19))
    s.supervise(
        p,
        s.at(s.day(10), 15),
        "请区科技创新局牵头，会同区工信局尽快召开专题协调会，明确园区空间释放时间表，答复前与提案人当面沟通。",
    )


def return_requested(s) -> None:
    """A unit asked to hand the proposal back; the committee has not decided yet."""
    u = s.user
    p = s.new_proposal(
        s.current,
        "关于优化福田区中小学周边交通组织的建议",
        u["wangfang"],
        created=s.at(s.day(12), 20),
        category="城市建设",
        background="上下学高峰时段，福田区部分中小学周边道路拥堵，接送车辆违停多，学生过街存在安全隐患。",
        suggestions="一、在学校周边设置临时接送停车区。\n二、优化学校周边信号灯配时和交通标志。\n三、推广“护学岗”和错峰放学。",
    )
    if not p:
        return
    s.submit(p, s.at(s.day(11), 9))
    p = s.accept(p, s.at(s.day(5), 10))
    (a,) = s.assign(p, s.day(3), (EDUCATION, LEAD))
    s.ask_return(
        a,
        s.at(s.day(2), 10),
        "学校周边交通组织、停车区设置和信号灯配时属交通管理部门职责，建议改由福田交通管理局主办，我局配合。",
        suggested="深圳市交通运输局福田管理局",
    )

"""Stories of the current session before handling: drafts, co-signing, a paper proposal entered by committee
staff (代提交), review (立案, 不予立案, 并案), withdrawal.

Each function is one story; the seeder calls them in the order the committee accepted the
proposals, so that the numbers it gives run with the dates.
"""

from __future__ import annotations

from proposals.choices import RejectionGround
from responses.choices import AssignmentRole
from responses.demo import paper
from responses.demo.people import GONGXIN


def draft(s) -> None:
    """A draft, not yet submitted."""
    u = s.user
    s.new_proposal(
        s.current,
        "关于加快完善香蜜湖新金融中心配套服务的建议",
        u["chencheng"],
        created=s.at(s.day(2), 21),
        category="经济建设",
        background="香蜜湖新金融中心是深圳建设全球金融中心城市的重要承载区。目前片区金融机构加快集聚，但国际化教育、医疗、人才公寓和商务配套仍显不足，交通微循环也有待改善。",
        suggestions="一、统筹规划片区国际学校、国际医疗服务和人才住房。\n二、优化香蜜湖片区公交接驳和慢行系统。\n三、建立金融机构落户“一站式”服务专班。",
    )


def submitted(s) -> None:
    """Submitted, awaiting the committee's review."""
    u = s.user
    p = s.new_proposal(
        s.current,
        "关于提升福田区社区养老服务供给能力的建议",
        u["chencheng"],
        created=s.at(s.day(6), 20),
        category="社会事业",
        background="福田区60岁以上户籍老年人口持续增加，老旧小区居家养老需求突出。社区长者饭堂、日间照料中心覆盖不均，专业护理人员短缺。",
        suggestions="一、推进街道综合养老服务中心全覆盖，社区嵌入式养老服务站点按需布局。\n二、扩大长者饭堂覆盖面，引入社会力量参与运营。\n三、完善养老护理员培训和激励机制。",
    )
    if p:
        s.submit(p, s.at(s.day(3), 9))


def paper_submitted(s) -> None:
    """代提交: 张伟 handed in a joint paper proposal at the plenary, signed by 李明 and 黄丽; committee staff
    entered it with the scan of the paper form, and it awaits review."""
    u = s.user
    title = "关于推进福田区老旧住宅加装电梯的建议"
    s.enter_paper(
        s.current,
        title,
        u["zhangwei"],
        [u["liming"], u["huangli"]],
        entered=s.at(s.day(4), 15),
        category="城市建设",
        background="福田区建成于上世纪八九十年代的多层住宅较多，老年住户上下楼困难。加装电梯需全体业主协商一致，低层住户顾虑多，审批、管线迁改和资金分摊也缺少统一指引。",
        suggestions="一、编制老旧住宅加装电梯工作指引，明确审批流程和办理时限。\n二、设立街道协调服务站，帮助业主协商资金分摊。\n三、对管线迁改给予财政补贴。",
        scan=paper.scan(
            "张伟委员提案（纸质）.pdf",
            "深圳市福田区政协提案（委员手写稿扫描件）",
            [
                f"案由：{title}",
                "提案人：张伟（第一提案人）",
                "联名人：李明、黄丽（均已签名）",
                "情况分析：老旧多层住宅加装电梯需求大，协调难、审批繁、资金难。",
                "具体建议：一、编制工作指引；二、设立协调服务站；三、补贴管线迁改。",
            ],
            f"提案人签名：张伟    {s.current.year}年大会期间",
        ),
    )


def joint_draft(s) -> None:
    """A joint draft: one co-signer confirmed, one declined, one still invited."""
    u = s.user
    p = s.new_proposal(
        s.current,
        "关于完善福田区“一老一小”服务体系的建议",
        u["chencheng"],
        created=s.at(s.day(6), 15),
        category="社会事业",
        background="“一老一小”是民生关切。福田区双职工家庭多，托育服务供给不足，普惠性托育机构收费偏高；同时社区养老与托育资源分散，缺少统筹。",
        suggestions="一、推动社区养老托育综合体建设，实现资源共享。\n二、加大普惠托育机构扶持力度，稳定收费水平。\n三、鼓励用人单位提供托育服务。",
    )
    if p:
        s.invite(p, u["wangfang"], s.at(s.day(6), 15, 10))
        liming = s.invite(p, u["liming"], s.at(s.day(6), 15, 12))
        huangli = s.invite(p, u["huangli"], s.at(s.day(6), 15, 14))
        s.answer(liming, s.at(s.day(4), 10))
        s.answer(huangli, s.at(s.day(4), 18), accept=False)


def accepted(s) -> None:
    """Accepted (立案), not yet assigned."""
    u = s.user
    p = s.new_proposal(
        s.current,
        "关于支持河套深港科技创新合作区科研人员跨境往来便利化的建议",
        u["liming"],
        created=s.at(s.day(16), 20),
        category="科技创新",
        background="河套深港科技创新合作区深圳园区与香港园区一河之隔，科研人员、样本、设备跨境往来频繁，但通关手续、数据跨境和科研资金跨境使用仍有堵点。",
        suggestions="一、争取科研人员“一签多行”和专用通道。\n二、试点科研样本、设备跨境便利通关。\n三、探索科研数据跨境流动安全评估机制。",
    )
    if p:
        s.submit(p, s.at(s.day(15), 9))
        s.accept(p, s.at(s.day(8), 10))


def merged_and_assigned(s) -> None:
    """Assigned, the unit has not accepted yet (待签收); another proposal was merged into it (并案)."""
    u = s.user
    target = s.new_proposal(
        s.current,
        "关于推动福田时尚产业数字化转型的建议",
        u["chencheng"],
        created=s.at(s.day(12), 20),
        category="经济建设",
        background="福田区服装服饰产业基础雄厚，但多数企业仍以传统设计、生产和渠道模式为主，数字化设计、柔性供应链和直播电商等新模式应用不足。",
        suggestions="一、建设时尚产业数字化公共服务平台，提供“云设计”等服务。\n二、支持龙头品牌开展柔性供应链改造。\n三、培育数字时尚和虚拟时尚新业态。",
    )
    if not target:
        return
    merged = s.new_proposal(
        s.current,
        "关于打造福田时尚消费地标的建议",
        u["chencheng"],
        created=s.at(s.day(11), 21),
        category="经济建设",
        background="福田区商圈密集，时尚品牌首店、旗舰店资源丰富，但缺少具有国际影响力的时尚消费地标。",
        suggestions="一、以中心区和华强北为重点打造时尚消费街区。\n二、举办国际时尚周和首发活动。",
    )
    s.submit(target, s.at(s.day(10), 9))
    target = s.accept(target, s.at(s.day(3), 10))
    if merged:
        s.submit(merged, s.at(s.day(10), 9, 30))
        s.merge(merged, target, s.at(s.day(3), 10, 5), note=f"与第{target.number}号提案内容相近，并案办理")
    s.assign(target, s.day(2), (GONGXIN, AssignmentRole.LEAD))


def rejected(s) -> None:
    """Not accepted (不予立案), passed on as an opinion (意见建议)."""
    u = s.user
    p = s.new_proposal(
        s.current,
        "关于解决梅林某小区停车位产权纠纷的建议",
        u["zhangwei"],
        created=s.at(s.day(30), 20),
        category="城市建设",
        background="梅林某小区业主与开发商就地下停车位产权归属长期存在争议，已向法院起诉。",
        suggestions="建议有关部门协调解决该小区停车位产权纠纷。",
    )
    if p:
        s.submit(p, s.at(s.day(29), 9))
        s.reject(
            p,
            s.at(s.day(20), 10),
            ground=RejectionGround.LITIGATION,
            reason="所提事项属于正在诉讼中的具体民事纠纷，不符合立案标准。已转为意见建议，转请福田区住房和建设局参考。",
            convert_to_suggestion=True,
        )


def withdrawn(s) -> None:
    """Withdrawn by the proposer."""
    u = s.user
    p = s.new_proposal(
        s.current,
        "关于增设福田区夜间儿科门诊的建议",
        u["wangfang"],
        created=s.at(s.day(22), 20),
        category="社会事业",
        background="福田区夜间儿科就诊需求大，部分医院夜间儿科候诊时间长。",
        suggestions="一、在区属医院增设夜间儿科门诊。\n二、推广互联网儿科问诊。",
    )
    if p:
        s.submit(p, s.at(s.day(21), 9))
        s.withdraw(p, s.at(s.day(18), 15), "拟补充调研后与其他委员联名重新提交")

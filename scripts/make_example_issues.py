"""Write publication issues as documents for the example workspaces (examples/*/adoptions).

Four issues, laid out the way the periodicals print them (报头 with the periodical's name in
red, 第N期（总第N期）, the issuing office and the date; 本期目录; section headers; titles in
bold; the source at the end of each article; the imprint 报/送 and 印发 at the foot):

- 《建德政务·动态》2018年第13期 as Word (.docx, python-docx),
- 《杭州政务》2018年第139期 as PDF (WeasyPrint from HTML),
- 《建德政务·情况专报》2018年第7期 as a web page (.html),
- 《浙江政务信息》2018年第124期 as plain text (.txt), its date in Chinese numerals.

Their articles are rows of examples/jiande-2018/adoptions/2018q2.csv (so they count once
with the spreadsheet), plus two articles only the documents hold: a brief of 审管办 in the
Word issue and a joint 专报 of 农业局 and 林业局 in the PDF; and one article whose source
names only its writer (it goes to the review list). Deterministic: the same files each run
(the .docx and .pdf carry fixed metadata).

The other examples get three issues each the same way (`EXAMPLES`), with their schemes'
periodicals and mastheads: xiaoshan-2018 《萧山信息·每日动态》 (.docx, the name over two lines),
《萧山信息·情况交流》 (.pdf), 区跑改简报 (.txt); yinchuan-2018 《银川政务信息》 (.docx, .html),
《银川专题信息》 (.pdf); qingshan-2020 《政务信息（专刊）》 (.docx), 《上报信息》 (.pdf),
《政务信息（普刊）》 (.txt). Each: rows of its spreadsheets, one document-only article, one
article whose source names only its writer.

    .venv/bin/python scripts/make_example_issues.py                  # all four examples
    .venv/bin/python scripts/make_example_issues.py --example yinchuan-2018
    .venv/bin/python scripts/make_example_issues.py --out DIR        # jiande's issues into DIR
"""

from __future__ import annotations

import argparse
import html
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "examples" / "jiande-2018" / "adoptions"
OFFICE = "建德市人民政府办公室"
RED = "C00000"


@dataclass(frozen=True)
class Article:
    title: str
    source: str  # the attribution as printed
    units: tuple[str, ...]  # the units it names (what the parser must read)
    in_spreadsheet: bool = True  # False: only the document holds it
    text: str = ""


@dataclass
class Issue:
    file: str
    periodical: str
    number: int
    total: int
    date: date
    office: str
    sections: list[tuple[str, str, list[Article]]] = field(default_factory=list)
    # (header as printed, kind it gives, articles); a header "" prints no section
    masthead: tuple[str, ...] = ()  # the name as printed over several lines; () = periodical
    report_to: str | None = None  # the imprint's 报：line (None: the jiande wording)
    send_to: str | None = None  # the imprint's 送：line (None: the jiande wording)

    def name_lines(self) -> tuple[str, ...]:
        return self.masthead or (self.periodical,)

    def articles(self) -> list[tuple[str, Article]]:
        return [(kind, a) for _, kind, arts in self.sections for a in arts]


def _text(title: str, unit: str, seed: int) -> str:
    """Two short paragraphs about the article, deterministic."""
    openers = ["今年以来", "近日", "一季度以来", "自年初起"]
    measures = [
        "强化组织领导，成立工作专班",
        "细化任务清单，实行挂图作战",
        "完善考核机制，压实工作责任",
    ]
    results = ["各项工作取得阶段性成效", "群众满意度明显提升", "形成了一批可复制的经验"]
    o = openers[seed % len(openers)]
    m1, m2 = measures[seed % 3], measures[(seed + 1) % 3]
    r = results[seed % len(results)]
    return (
        f"{o}，{unit}聚焦年度重点任务，{m1}，{m2}，推动各项工作落地见效。\n"
        f"截至目前，{r}。下一步，{unit}将继续加大工作力度，确保全年目标任务圆满完成。"
    )


def _a(
    title: str, source: str, units: tuple[str, ...], seed: int, home: str = "我市", **kw
) -> Article:
    return Article(title, source, units, text=_text(title, units[0] if units else home, seed), **kw)


ISSUES: list[Issue] = [
    Issue(
        file="2018-建德政务动态-第13期.docx",
        periodical="建德政务·动态",
        number=13,
        total=395,
        date=date(2018, 4, 9),
        office=OFFICE,
        sections=[
            (
                "工作动态",
                "动态",
                [
                    _a(
                        "乾潭镇全力打好老旧小区改造攻坚战",
                        "（建德市乾潭镇供稿）",
                        ("建德市乾潭镇",),
                        1,
                    ),
                    _a("大同镇“三化”抓实“两山”转化", "（大同镇 李静）", ("大同镇",), 2),
                    _a(
                        "市住建局以“一线工作法”工作法推动结对帮扶低收入农户",
                        "（市住建局）",
                        ("市住建局",),
                        3,
                    ),
                    _a("市农业局机关党建见实效", "（市农业局供稿）", ("市农业局",), 4),
                    _a(
                        "市安全监管局企业安全生产标准化实现“开门红”",
                        "（市安全监管局 陈刚 整理）",
                        ("市安全监管局",),
                        5,
                    ),
                    _a(
                        "市市场监管局：结对帮扶低收入农户迈出新步伐",
                        "来源：市市场监管局",
                        ("市市场监管局",),
                        6,
                    ),
                    _a(
                        "市机关事务管理局在城区社区试点公共机构节能",
                        "（市机关事务管理局）",
                        ("市机关事务管理局",),
                        7,
                    ),
                    _a("市民政局殡葬改革跑出“加速度”", "（市民政局供稿）", ("市民政局",), 8),
                    _a("市环保局“大走访”活动见实效", "（市环保局）", ("市环保局",), 9),
                    _a(
                        "市科技局全力打好结对帮扶低收入农户攻坚战",
                        "（市科技局）",
                        ("市科技局",),
                        10,
                    ),
                    _a(
                        "市财政局“一线工作法”抓实清廉机关建设",
                        "（市财政局 周敏）",
                        ("市财政局",),
                        11,
                    ),
                    _a("我市平安建设向基层延伸", "（市公安局供稿）", ("市公安局",), 12),
                    _a(
                        "我市第四次全国经济普查向基层延伸",
                        "（建德市统计局供稿）",
                        ("建德市统计局",),
                        13,
                    ),
                    _a(
                        "更楼街道：专班运作让低收入农户帮扶再上新台阶",
                        "（更楼街道）",
                        ("更楼街道",),
                        14,
                    ),
                    _a(
                        "李家镇上半年草莓产业提质增效驶入快车道",
                        "（建德市李家镇供稿）",
                        ("建德市李家镇",),
                        15,
                    ),
                    _a(
                        "梅城镇六项举措破解“千村示范万村整治”难题",
                        "（梅城镇）",
                        ("梅城镇",),
                        16,
                    ),
                    # the source names only the writer: to the review list
                    _a(
                        "我市“最多跑一次”改革便民服务再提速",
                        "（王建国）",
                        (),
                        17,
                        in_spreadsheet=False,
                    ),
                ],
            ),
            (
                "简讯",
                "简讯",
                [
                    _a("市农办召开汛期防汛防台工作例会", "（市农办）", ("市农办",), 18),
                    _a(
                        "市发改局召开春耕时节物流业发展工作例会",
                        "（市发改局）",
                        ("市发改局",),
                        19,
                    ),
                    _a(
                        "市旅游商务局举办信访积案化解培训",
                        "（市旅游商务局 王芳）",
                        ("市旅游商务局",),
                        20,
                    ),
                    # only in the document
                    _a(
                        "市审管办举办“一窗受理”业务培训",
                        "（市审管办）",
                        ("市审管办",),
                        21,
                        in_spreadsheet=False,
                    ),
                ],
            ),
        ],
    ),
    Issue(
        file="2018-杭州政务-第139期.pdf",
        periodical="杭州政务",
        number=139,
        total=1021,
        date=date(2018, 6, 18),
        office="杭州市人民政府办公厅",
        sections=[
            (
                "要情",
                "要情",
                [
                    _a(
                        "建德市市场监管局汛期防汛防台走在全市前列",
                        "（建德市市场监管局）",
                        ("建德市市场监管局",),
                        22,
                    ),
                    _a(
                        "建德市梅城镇精品线路打造成效明显",
                        "（建德市梅城镇 何平）",
                        ("建德市梅城镇",),
                        23,
                    ),
                    _a(
                        "建德市环保局以“五个到位”工作法推动防汛防台",
                        "（建德市环保局供稿）",
                        ("建德市环保局",),
                        24,
                    ),
                    _a(
                        "建德市统计局全力打好统计数据质量提升攻坚战",
                        "（建德市统计局）",
                        ("建德市统计局",),
                        25,
                    ),
                    _a(
                        "建德经济开发区全力打好工业企业“腾笼换鸟”攻坚战",
                        "（建德经济开发区）",
                        ("建德经济开发区",),
                        26,
                    ),
                    _a(
                        "建德：市场监管局六项举措破解小微企业培育难题",
                        "（建德市市场监管局）",
                        ("建德市市场监管局",),
                        27,
                    ),
                ],
            ),
            (
                "专报",
                "专报",
                [
                    # only in the document, written jointly by two units
                    _a(
                        "建德市林下经济发展中存在的问题及对策建议",
                        "来源：建德市农业局、建德市林业局",
                        ("建德市农业局", "建德市林业局"),
                        28,
                        in_spreadsheet=False,
                    ),
                ],
            ),
        ],
    ),
    Issue(
        file="2018-建德政务情况专报-第7期.html",
        periodical="建德政务·情况专报",
        number=7,
        total=52,
        date=date(2018, 6, 4),
        office=OFFICE,
        sections=[
            (
                "",
                None,
                [
                    _a(
                        "破解清廉机关建设难题需在中小学校下功夫",
                        "来源：市教育局",
                        ("市教育局",),
                        29,
                    ),
                ],
            ),
        ],
    ),
    Issue(
        file="2018-浙江政务信息-第124期.txt",
        periodical="浙江政务信息",
        number=124,
        total=1650,
        date=date(2018, 5, 21),
        office="浙江省人民政府办公厅",
        sections=[
            (
                "要情",
                "要情",
                [
                    _a("建德市平安建设向基层延伸", "（建德市公安局）", ("建德市公安局",), 30),
                ],
            ),
            (
                "专报",
                "专报",
                [
                    _a(
                        "建德市春耕时节我市扫黑除恶专项斗争运行分析",
                        "（建德市公安分局供稿）",
                        ("建德市公安分局",),
                        31,
                    ),
                    _a(
                        "建德市科技局全力打好结对帮扶低收入农户攻坚战",
                        "（建德市科技局 吴婷 整理）",
                        ("建德市科技局",),
                        32,
                    ),
                ],
            ),
        ],
    ),
]

# --------------------------------------------------------------------------- other examples
# Articles are rows of each example's adoption spreadsheets (same periodical, issue, date and
# title, so they count once), plus one article only the document holds and one whose source
# names only its writer (to the review list).

XIAOSHAN_OFFICE = "萧山区人民政府办公室"
XIAOSHAN: list[Issue] = [
    Issue(
        file="2018-萧山信息每日动态-第109期.docx",
        periodical="萧山信息·每日动态",
        number=109,
        total=1287,
        date=date(2018, 11, 15),
        office=XIAOSHAN_OFFICE,
        masthead=("萧山信息", "每日动态"),  # the name over two lines, as the masthead prints it
        report_to="报：区委、区人大、区政府、区政协领导",
        send_to="送：各镇人民政府、街道办事处，区政府各部门、单位",
        sections=[
            (
                "",
                None,
                [
                    _a(
                        "区招商局探索“最多跑一次”向村社延伸新模式",
                        "（区招商局）",
                        ("区招商局",),
                        33,
                    ),
                    _a(
                        "新街街道以“互联网+政务服务”提升群众获得感",
                        "（萧山区新街街道 供稿）",
                        ("萧山区新街街道",),
                        34,
                    ),
                    _a(
                        "新街街道推进“双随机一公开”监管",
                        "（新街街道 徐丽 整理）",
                        ("新街街道",),
                        35,
                    ),
                    # only in the document
                    _a(
                        "区发改局推行企业投资项目“标准地”改革",
                        "（区发改局）",
                        ("区发改局",),
                        36,
                        in_spreadsheet=False,
                    ),
                ],
            ),
        ],
    ),
    Issue(
        file="2018-萧山信息情况交流-第71期.pdf",
        periodical="萧山信息·情况交流",
        number=71,
        total=402,
        date=date(2018, 11, 6),
        office=XIAOSHAN_OFFICE,
        masthead=("萧山信息", "情况交流"),
        report_to="报：区委、区人大、区政府、区政协领导",
        send_to="送：各镇人民政府、街道办事处，区政府各部门、单位",
        sections=[
            (
                "",
                None,
                [
                    _a(
                        "“证照分离”改革试点的区农水局实践",
                        "来源：区农水局",
                        ("区农水局",),
                        37,
                    ),
                    _a(
                        "关于区城乡一体办“跑零次”事项清单的调研与思考",
                        "（区城乡一体办 高丽）",
                        ("区城乡一体办",),
                        38,
                    ),
                    _a(
                        "经济技术开发区出生“一件事”联办的做法与启示",
                        "（萧山经济技术开发区供稿）",
                        ("萧山经济技术开发区",),
                        39,
                    ),
                ],
            ),
        ],
    ),
    Issue(
        file="2018-区跑改简报-第47期.txt",
        periodical="区跑改简报",
        number=47,
        total=47,
        date=date(2018, 5, 20),
        office="区跑改办",
        report_to="报：区委、区政府领导，区跑改领导小组成员",
        sections=[
            (
                "工作动态",
                "动态",
                [
                    _a(
                        "中国邮政“三个一”抓实社保卡“一卡通办”",
                        "（中国邮政萧山分公司）",
                        ("中国邮政萧山分公司",),
                        40,
                    ),
                    _a(
                        "区农业局创新开展“多证合一”改革",
                        "（区农业局（林业局））",
                        ("区农业局（林业局）",),
                        41,
                    ),
                    _a(
                        "区档案局不动产登记“一小时办结”取得实效",
                        "（区档案局）",
                        ("区档案局",),
                        42,
                    ),
                    # the source names only the writer: to the review list
                    _a(
                        "我区“跑改”窗口推行周末无休服务",
                        "（通讯员 沈佳）",
                        (),
                        43,
                        home="我区",
                        in_spreadsheet=False,
                    ),
                ],
            ),
        ],
    ),
]

YINCHUAN_OFFICE = "银川市人民政府办公厅"
YINCHUAN_REPORT = "报：自治区政府办公厅，市委、市人大、市政府、市政协领导"
YINCHUAN_SEND = "送：各县（市）区人民政府，市政府各部门、各直属机构"
YINCHUAN: list[Issue] = [
    Issue(
        file="2018-银川政务信息-第43期.docx",
        periodical="银川政务信息",
        number=43,
        total=612,
        date=date(2018, 5, 31),
        office=YINCHUAN_OFFICE,
        report_to=YINCHUAN_REPORT,
        send_to=YINCHUAN_SEND,
        sections=[
            (
                "",
                None,
                [
                    _a("市教育局干部能力提升亮点纷呈", "（银川市教育局）", ("银川市教育局",), 44),
                    _a(
                        "市教育局民生实事存在的问题及建议",
                        "来源：银川市教育局",
                        ("银川市教育局",),
                        45,
                    ),
                    _a(
                        "贺兰县“一站式”老旧小区改造经验做法",
                        "（贺兰县人民政府办公室供稿）",
                        ("贺兰县人民政府办公室",),
                        46,
                    ),
                    _a(
                        "兴庆区5月份城乡环境综合整治进展情况",
                        "（银川市兴庆区）",
                        ("银川市兴庆区",),
                        47,
                    ),
                    _a("贺兰县创新机制破解政务公开难题", "（贺兰县）", ("贺兰县",), 48),
                    _a(
                        "市发改委“四步走”抓实民生实事",
                        "来源：银川市发展改革委",
                        ("银川市发展改革委",),
                        49,
                    ),
                    _a(
                        "市审批局营商环境优化亮点纷呈",
                        "（市审批服务管理局 马骏）",
                        ("市审批服务管理局",),
                        50,
                    ),
                    # only in the document
                    _a(
                        "市发展改革委“三张清单”推动重点项目落地",
                        "来源：银川市发展改革委",
                        ("银川市发展改革委",),
                        51,
                        in_spreadsheet=False,
                    ),
                ],
            ),
            (
                "简讯",
                "简讯",
                [_a("市委政研室做好妇女维权工作", "（市委政研室）", ("市委政研室",), 52)],
            ),
        ],
    ),
    Issue(
        file="2018-银川专题信息-第10期.pdf",
        periodical="银川专题信息",
        number=10,
        total=186,
        date=date(2018, 5, 28),
        office=YINCHUAN_OFFICE,
        report_to=YINCHUAN_REPORT,
        send_to=YINCHUAN_SEND,
        sections=[
            (
                "",
                None,
                [
                    _a(
                        "市民政局重点项目服务存在的问题及建议的调查与思考",
                        "（银川市民政局 供稿）",
                        ("银川市民政局",),
                        53,
                    ),
                ],
            ),
        ],
    ),
    Issue(
        file="2018-银川政务信息-第47期.html",
        periodical="银川政务信息",
        number=47,
        total=616,
        date=date(2018, 6, 14),
        office=YINCHUAN_OFFICE,
        report_to=YINCHUAN_REPORT,
        send_to=YINCHUAN_SEND,
        sections=[
            (
                "",
                None,
                [
                    _a(
                        "市气象局项目化推进“大学习大讨论”活动",
                        "来源：市气象局、市邮政管理局",
                        ("市气象局", "市邮政管理局"),
                        70,
                    ),
                    _a(
                        "市审批局“四步走”抓实“一枚印章管审批”",
                        "（银川市审批服务管理局）",
                        ("银川市审批服务管理局",),
                        71,
                    ),
                    _a(
                        "西夏区“一站式”黄河岸线整治经验做法",
                        "（西夏区人民政府 供稿）",
                        ("西夏区人民政府",),
                        72,
                    ),
                    _a(
                        "市发改委1—5月安全隐患排查进展情况",
                        "来源：银川市发展改革委",
                        ("银川市发展改革委",),
                        73,
                    ),
                    _a("贺兰县葡萄酒产业见实效", "（贺兰县）", ("贺兰县",), 74),
                    _a(
                        "市国土局创新机制破解“大学习大讨论”活动难题",
                        "（市国土资源局 杨帆）",
                        ("市国土资源局",),
                        75,
                    ),
                    _a(
                        "市农牧局农产品质量安全亮点纷呈",
                        "（市农牧局供稿）",
                        ("市农牧局",),
                        76,
                    ),
                    # the source names only the writer: to the review list
                    _a(
                        "我市“互联网+政务服务”平台上线运行",
                        "（执笔：马丽）",
                        (),
                        77,
                        in_spreadsheet=False,
                    ),
                ],
            ),
        ],
    ),
]

QINGSHAN_OFFICE = "青山区人民政府办公室"
QINGSHAN_REPORT = "报：区委、区人大、区政府、区政协领导"
QINGSHAN_SEND = "送：各镇人民政府、街道办事处，区政府各部门、单位"
QINGSHAN: list[Issue] = [
    Issue(
        file="2020-政务信息专刊-第18期.docx",
        periodical="政务信息（专刊）",
        number=18,
        total=18,
        date=date(2020, 11, 5),
        office=QINGSHAN_OFFICE,
        report_to=QINGSHAN_REPORT,
        send_to=QINGSHAN_SEND,
        sections=[
            (
                "",
                None,
                [
                    _a(
                        "区统计局党风廉政建设的调查与思考",
                        "（青山区统计局 供稿）",
                        ("青山区统计局",),
                        54,
                        home="我区",
                    ),
                    _a(
                        "对“一网通办”工作的几点建议",
                        "（区政务服务局 赵磊 整理）",
                        ("区政务服务局",),
                        55,
                        home="我区",
                    ),
                    # only in the document
                    _a(
                        "区教育局线上线下融合教学的经验做法",
                        "（青山区教育局 供稿）",
                        ("青山区教育局",),
                        56,
                        home="我区",
                        in_spreadsheet=False,
                    ),
                ],
            ),
        ],
    ),
    Issue(
        file="2020-上报信息-第68期.pdf",
        periodical="上报信息",
        number=68,
        total=68,
        date=date(2020, 12, 11),
        office=QINGSHAN_OFFICE,
        report_to="报：市政府办公室，区委、区政府领导",
        send_to=QINGSHAN_SEND,
        sections=[
            (
                "工作动态",
                "动态",
                [
                    _a(
                        "区应急管理局聚焦民法典学习宣传打出“组合拳”",
                        "（区应急管理局）",
                        ("区应急管理局",),
                        57,
                    ),
                    _a(
                        "国际会展中心“线上+线下”做实政务公开",
                        "（包头国际会展中心 供稿）",
                        ("包头国际会展中心",),
                        58,
                    ),
                    # the source names only the writer: to the review list
                    _a(
                        "我区新建社区食堂为老年人提供助餐服务",
                        "（王海燕 撰稿）",
                        (),
                        59,
                        home="我区",
                        in_spreadsheet=False,
                    ),
                ],
            ),
            (
                "调研",
                "调研",
                [
                    _a(
                        "关于区统计局民法典学习宣传情况的调研报告",
                        "（区统计局）",
                        ("区统计局",),
                        60,
                    ),
                ],
            ),
            (
                "做法",
                "做法",
                [
                    _a(
                        "区信访局全国文明城市创建的经验做法",
                        "来源：青山区信访局",
                        ("青山区信访局",),
                        61,
                    ),
                ],
            ),
            (
                "问题",
                "问题",
                [
                    _a(
                        "当前作风建设面临的困难和问题——来自区就业局的调查",
                        "（区就业局 供稿）",
                        ("区就业局",),
                        62,
                    ),
                ],
            ),
            (
                "建议",
                "建议",
                [
                    _a(
                        "对网格化管理工作的几点建议",
                        "（自由路街道办事处）",
                        ("自由路街道办事处",),
                        63,
                    ),
                ],
            ),
        ],
    ),
    Issue(
        file="2020-政务信息普刊-第93期.txt",
        periodical="政务信息（普刊）",
        number=93,
        total=93,
        date=date(2020, 11, 16),
        office=QINGSHAN_OFFICE,
        report_to=QINGSHAN_REPORT,
        sections=[
            (
                "",
                None,
                [
                    _a(
                        "区供销社部署党风廉政建设重点任务",
                        "（区供销社）",
                        ("区供销社",),
                        64,
                    ),
                    _a(
                        "区发改委“十四五”规划编制的经验做法",
                        "（青山区发改委 供稿）",
                        ("青山区发改委",),
                        65,
                    ),
                    _a("区商务局开展外贸稳增长专项行动", "（区商务局）", ("区商务局",), 66),
                    _a(
                        "国际会展中心扫黑除恶专项斗争跑出“加速度”",
                        "（国际会展中心 刘洋）",
                        ("国际会展中心",),
                        67,
                    ),
                    _a(
                        "对政务公开工作的几点建议",
                        "（万青路办事处供稿）",
                        ("万青路办事处",),
                        68,
                    ),
                    _a("青山路街道扎实推进为民服务", "（青山路街道）", ("青山路街道",), 69),
                ],
            ),
        ],
    ),
]

REPORT_TO = "报：市委、市人大、市政府、市政协领导"
SEND_TO = "送：各乡镇人民政府、街道办事处，市政府各部门、单位"

CN_DIGITS = "〇一二三四五六七八九"


def cn_date(d: date) -> str:
    """二〇一八年五月二十一日."""

    def small(n: int) -> str:
        if n < 10:
            return CN_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")

    year = "".join(CN_DIGITS[int(c)] for c in str(d.year))
    return f"{year}年{small(d.month)}月{small(d.day)}日"


def ymd(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _brief(kind: str | None) -> bool:
    return kind == "简讯"


# --------------------------------------------------------------------------- .docx


def write_docx(issue: Issue, path: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    props = document.core_properties
    props.author = issue.office
    props.title = f"{issue.periodical}{issue.date.year}年第{issue.number}期"
    props.created = props.modified = datetime(issue.date.year, issue.date.month, issue.date.day)
    props.last_modified_by = issue.office
    props.revision = 1
    normal = document.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")

    def para(text: str, *, size=14, bold=False, red=False, align=None, indent=False):
        p = document.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(28)
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
        if red:
            run.font.color.rgb = RGBColor.from_string(RED)
        return p

    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    for i, name in enumerate(issue.name_lines()):  # 「萧山信息」 over 「每日动态」
        para(name, size=36 if i == 0 else 22, bold=True, red=True, align=center)
    para(f"{issue.date.year}年第{issue.number}期（总第{issue.total}期）", align=center)
    para(f"{issue.office}编印\t\t\t{ymd(issue.date)}")
    para("━" * 22, red=True, align=center)
    para("本期目录", size=16, bold=True, align=center)
    for header, _kind, arts in issue.sections:
        if header:
            para(f"【{header}】", bold=True)
        for a in arts:
            para(f"{a.title}……………………{arts.index(a) + 1}")
    para("━" * 22, red=True, align=center)
    for header, kind, arts in issue.sections:
        if header:
            para(" ".join(header), size=16, bold=True, align=center)
        for a in arts:
            if _brief(kind):
                # △ + the title in bold + the text + the source, in one paragraph
                p = document.add_paragraph()
                p.paragraph_format.first_line_indent = Pt(28)
                head = p.add_run(f"△{a.title}。")
                head.bold = True
                p.add_run(a.text.replace("\n", "") + a.source)
                continue
            para(a.title, size=16, bold=True, align=center)
            for text in a.text.split("\n"):
                para(text, indent=True)
            para(a.source, align=right)
    para("━" * 22, align=center)
    para(issue.report_to or REPORT_TO)
    para(issue.send_to or SEND_TO)
    para(f"{issue.office}\t\t{ymd(issue.date)}印发")
    buf = io.BytesIO()
    document.save(buf)
    _write_zip_deterministic(buf.getvalue(), path)


def _write_zip_deterministic(data: bytes, path: Path) -> None:
    """Rewrite a zip package (docx) with fixed timestamps so that reruns give the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2018, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    path.write_bytes(out.getvalue())


# --------------------------------------------------------------------------- HTML / PDF

CSS = """
@page { size: A4; margin: 25mm 26mm 25mm 28mm; }
body { font-family: "Noto Serif CJK SC"; font-size: 14pt; line-height: 1.6; }
.masthead { color: #c00000; font-size: 40pt; font-weight: bold; text-align: center;
  margin: 0 0 6pt 0; }
.no, .office { text-align: center; margin: 0; }
hr { border: 0; border-top: 2pt solid #c00000; margin: 8pt 0; }
.toc-head, .section { font-size: 16pt; font-weight: bold; text-align: center; margin: 8pt 0; }
.toc { margin: 0; }
h2 { font-size: 16pt; font-weight: bold; text-align: center; margin: 14pt 0 6pt 0; }
p.body { text-indent: 2em; margin: 0; }
p.source { text-align: right; margin: 0; }
p.imprint { margin: 0; }
"""


def issue_html(issue: Issue, *, toc: bool = True) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(issue.periodical)}{issue.date.year}年第{issue.number}期</title>",
        f"<style>{CSS}</style></head><body>",
        f'<p class="masthead" style="color:#c00000">{e(issue.name_lines()[0])}</p>',
        *(
            f'<p class="masthead" style="color:#c00000;font-size:24pt">{e(name)}</p>'
            for name in issue.name_lines()[1:]
        ),
        f'<p class="no">{issue.date.year}年第{issue.number}期（总第{issue.total}期）</p>',
        f'<p class="office">{e(issue.office)}　　　　{ymd(issue.date)}</p>',
        "<hr>",
    ]
    if toc:
        parts.append('<p class="toc-head">本期目录</p>')
        for header, _kind, arts in issue.sections:
            if header:
                parts.append(f'<p class="toc"><b>【{e(header)}】</b></p>')
            for i, a in enumerate(arts, start=1):
                parts.append(f'<p class="toc">{e(a.title)}……………………{i}</p>')
        parts.append("<hr>")
    for header, _kind, arts in issue.sections:
        if header:
            parts.append(f'<p class="section">{e("　".join(header))}</p>')
        for a in arts:
            parts.append(f"<h2>{e(a.title)}</h2>")
            parts += [f'<p class="body">{e(t)}</p>' for t in a.text.split("\n")]
            parts.append(f'<p class="source">{e(a.source)}</p>')
    parts += [
        "<hr>",
        f'<p class="imprint">{e(issue.report_to or REPORT_TO)}</p>',
        f'<p class="imprint">{e(issue.send_to or SEND_TO)}</p>',
        f'<p class="imprint">{e(issue.office)}　　{ymd(issue.date)}印发</p>',
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_pdf(issue: Issue, path: Path) -> None:
    from weasyprint import HTML

    doc = HTML(string=issue_html(issue)).render()
    # fixed metadata: the same bytes each run
    doc.metadata.created = doc.metadata.modified = issue.date.isoformat() + "T00:00:00+08:00"
    doc.metadata.title = f"{issue.periodical}{issue.date.year}年第{issue.number}期"
    path.write_bytes(doc.write_pdf(uncompressed_pdf=False))


def write_html(issue: Issue, path: Path) -> None:
    # a web page of a single-article issue has no table of contents
    toc = len(issue.articles()) > 1
    path.write_text(issue_html(issue, toc=toc), encoding="utf-8")


# --------------------------------------------------------------------------- .txt


def write_txt(issue: Issue, path: Path) -> None:
    lines = [
        *(f"《{name}》" if i == 0 else name for i, name in enumerate(issue.name_lines())),
        f"{issue.date.year}年第{issue.number}期  总第{issue.total}期",
        f"主办：{issue.office}        {cn_date(issue.date)}",
        "————————————————————",
        "本期目录",
    ]
    for header, _kind, arts in issue.sections:
        if header:
            lines.append(f"【{header}】")
        lines += [f"  {a.title}" for a in arts]
    lines.append("————————————————————")
    for header, _kind, arts in issue.sections:
        if header:
            lines += ["", f"【{header}】", ""]
        for a in arts:
            lines += [a.title, *("    " + t for t in a.text.split("\n")), a.source, ""]
    lines += [
        "————————————————————",
        issue.report_to or "报：省委、省人大、省政府、省政协领导",
        f"{issue.office}  {cn_date(issue.date)}印发",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


WRITERS = {".docx": write_docx, ".pdf": write_pdf, ".html": write_html, ".txt": write_txt}


#: The issues of each example workspace (examples/<name>/adoptions/).
EXAMPLES: dict[str, list[Issue]] = {
    "jiande-2018": ISSUES,
    "xiaoshan-2018": XIAOSHAN,
    "yinchuan-2018": YINCHUAN,
    "qingshan-2020": QINGSHAN,
}


def write_issues(out: Path, issues: list[Issue] | None = None) -> list[Path]:
    """Write `issues` (default: jiande's) into the folder `out`."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for issue in ISSUES if issues is None else issues:
        path = out / issue.file
        WRITERS[path.suffix](issue, path)
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--example", choices=sorted(EXAMPLES), help="one example only (default: all four)"
    )
    ap.add_argument("--out", type=Path, help="folder to write into (default: the example's)")
    args = ap.parse_args()
    names = [args.example] if args.example else list(EXAMPLES)
    if args.out is not None and len(names) > 1:
        names = ["jiande-2018"]  # --out alone: jiande's issues, as before
    for name in names:
        out = args.out or ROOT / "examples" / name / "adoptions"
        for path in write_issues(out, EXAMPLES[name]):
            print(path)


if __name__ == "__main__":
    main()

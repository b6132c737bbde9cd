"""Generate the example workspace `examples/yinchuan-2018/` (invented data for the whole of 2018).

The data follow 银政办发〔2018〕94号 (银川市政务信息工作考核办法). The regulation names only
categories of units; the roster here is built from public facts (the six 县（市）区, the three
zones, the three 驻外办事处) plus plausible departments, 直属机构, 事业单位 and 自治区垂管机构.
Adoptions by the six periodicals, mail logs with quarterly volumes around each group's quota,
and the office's events (领导批示, 优秀信息, 约稿, 通报批评) are all invented.

Everything is drawn from one seeded random generator and written in a fixed order, so a
rerun rewrites exactly the same bytes:

    .venv/bin/python scripts/make_example_yinchuan.py [--out examples/yinchuan-2018]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field
from pathlib import Path

from schemes import get_scheme
from transforms.grouping import title_similarity
from transforms.matching import normalize_name

SEED = 20180604  # the day the regulation was issued
SCHEME = get_scheme("yinchuan-2018")
#: 第九条（一）: submissions per quarter by group
QUOTAS = {g.group: int(g.count) for g in SCHEME.rule("Y-9.1.1").by_group}
YEAR = 2018
PLACES = SCHEME.place_prefixes
GUARD = 58  # a new title must score below this against the unit's other titles
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "examples" / "yinchuan-2018"
DOMAIN = "yinchuan.gov.cn"

COUNTY, DEPT, DIRECT, INST = "县（市）区", "市政府部门", "直属机构", "事业单位"
ZONE, VERTICAL, LIAISON = "开发区", "自治区垂管机构", "驻外办事处"


@dataclass
class Unit:
    name: str
    group: str
    code: str
    aliases: list[str]
    printed: list[str]  # how periodicals print the unit (first = usual)
    weight: float  # adoptions activity
    topics: list[str]
    emails: list[str] = field(default_factory=list)

    @property
    def short(self) -> str:
        """The unit as titles name it: the shortest of its printed names and aliases."""
        names = [self.printed[0]] + [a for a in self.aliases if not a.endswith(("政府", "联络处"))]
        return min(names, key=len).removeprefix("银川")


#: topics every unit writes about besides its own
GENERIC = "营商环境优化 作风整顿 安全隐患排查 信访矛盾化解 “大学习大讨论”活动 民生实事 干部能力提升 重点项目服务 政务公开 优化审批流程".split()  # fmt: skip


def U(name, group, code, aliases, printed, weight, topics):
    return Unit(name, group, code, list(aliases), list(printed), weight, topics.split() + GENERIC)


COUNTY_TOPICS = (
    "老旧小区改造 农村人居环境整治 脱贫攻坚 移民村产业发展 葡萄酒产业 枸杞产业 扫黑除恶专项斗争 "
    "河长制落实 “放管服”改革 社区网格化治理 蓝天碧水净土行动 设施农业提质增效 乡村振兴 "
    "城乡环境综合整治 招商引资 民生实事 “厕所革命” 生态移民安置 黄河岸线整治 全域旅游"
)
UNITS = [
    U("兴庆区", COUNTY, "xqq", ["兴庆区人民政府"], ["兴庆区", "银川市兴庆区"], 9, COUNTY_TOPICS),
    U("金凤区", COUNTY, "jfq", ["金凤区人民政府"], ["金凤区", "银川市金凤区"], 8, COUNTY_TOPICS),
    U("西夏区", COUNTY, "xxq", ["西夏区人民政府"], ["西夏区", "银川市西夏区"], 7, COUNTY_TOPICS),
    U("永宁县", COUNTY, "ynx", ["永宁县人民政府"], ["永宁县", "永宁县人民政府"], 7, COUNTY_TOPICS),
    U("贺兰县", COUNTY, "hlx", ["贺兰县人民政府"], ["贺兰县", "银川市贺兰县"], 6, COUNTY_TOPICS),
    U("灵武市", COUNTY, "lws", ["灵武市人民政府"], ["灵武市", "灵武市人民政府"], 6, COUNTY_TOPICS),
    U("银川综合保税区", ZONE, "zbq", ["综合保税区", "综保区"], ["银川综合保税区", "综保区"], 2,
      "跨境电商 保税物流 外贸稳增长 通关便利化"),
    U("银川经济技术开发区", ZONE, "jkq", ["经济技术开发区", "经开区", "银川经开区"],
      ["银川经济技术开发区", "银川经开区"], 4, "园区企业服务 新材料产业 项目建设 “亩均效益”评价"),
    U("银川滨河新区", ZONE, "bhxq", ["滨河新区"], ["银川滨河新区", "滨河新区"], 2.5,
      "新区基础设施建设 黄河金岸开发 征地拆迁 产业招商"),
    U("驻京办", LIAISON, "zjb", ["银川市人民政府驻北京联络处", "驻北京联络处"],
      ["驻京办", "银川市人民政府驻北京联络处"], 1, "京银合作 招商推介 在京人才服务"),
    U("驻沪办", LIAISON, "zhb", ["银川市人民政府驻上海联络处", "驻上海联络处"],
      ["驻沪办", "银川市人民政府驻上海联络处"], 1, "沪银合作 长三角招商 产品推介"),
    U("驻深办", LIAISON, "zsb", ["银川市人民政府驻深圳联络处", "驻深圳联络处"],
      ["驻深办"], 0, "深银合作 粤港澳招商"),
]  # fmt: skip
_DEPTS = [
    ("市发展改革委", "fgw", ["市发展和改革委员会", "市发改委"], 6, "重大项目建设 营商环境优化 有效投资 “放管服”改革 价格监管"),
    ("市教育局", "jyj", [], 4, "城乡教育均衡发展 校园安全管理 学前教育普惠 “互联网+教育”"),
    ("市科技局", "kjj", [], 3, "科技型企业培育 科技成果转化 “双创”平台建设"),
    ("市经济和信息化委", "jxw", ["市经信委"], 5, "工业稳增长 企业减负降本 数字经济发展 智慧城市建设"),
    ("市公安局", "gaj", [], 4, "扫黑除恶专项斗争 道路交通安全整治 电信诈骗防范 户籍制度改革"),
    ("市民政局", "mzj", [], 4, "居家养老服务 社会救助 社区治理创新 殡葬改革"),
    ("市司法局", "sfj", [], 2.5, "人民调解 公共法律服务 社区矫正"),
    ("市财政局", "czj", [], 3, "预算绩效管理 减税降费 政府采购改革"),
    ("市人力资源社会保障局", "rsj", ["市人社局"], 4, "稳就业 根治欠薪 技能人才培养 城乡居民养老保险"),
    ("市国土资源局", "gtj", ["市国土局"], 3, "土地节约集约利用 耕地保护 不动产登记“一窗受理”"),
    ("市环境保护局", "hbj", ["市环保局"], 5, "大气污染防治 黄河水质保护 环保督察整改 “散乱污”企业整治"),
    ("市住房城乡建设局", "zjj", ["市住建局"], 4, "棚户区改造 海绵城市建设 建筑施工安全管理"),
    ("市交通运输局", "jtj", [], 3, "“四好农村路”建设 城乡公交一体化 交通治堵"),
    ("市水务局", "swj", [], 3, "河长制落实 节水型城市建设 农村饮水安全"),
    ("市农牧局", "nmj", [], 4, "设施农业提质增效 奶产业发展 农产品质量安全 农村电商"),
    ("市商务局", "swuj", [], 3, "外贸稳增长 消费升级 中阿博览会筹备"),
    ("市文化旅游广电局", "wlj", ["市文旅广电局"], 4, "全域旅游 文化惠民 旅游市场秩序整治"),
    ("市卫生计生委", "wjw", ["市卫计委"], 4, "医联体建设 家庭医生签约服务 “互联网+医疗健康”"),
    ("市审计局", "sjj", [], 2, "经济责任审计 政策落实跟踪审计"),
    ("市统计局", "tjj", [], 2, "统计数据质量 第四次全国经济普查"),
    ("市市场监管局", "scjg", ["市市场监督管理局"], 4, "食品安全 商事制度改革 “证照分离”改革 特种设备安全"),
    ("市安全监管局", "ajj", ["市安监局"], 2.5, "安全生产大检查 危化品安全整治"),
    ("市城市管理局", "cgj", ["市城管局"], 4, "垃圾分类 城市精细化管理 违法建设整治"),
    ("市审批服务管理局", "spj", ["市审批局"], 5, "“一枚印章管审批” 投资项目审批提速 “不见面”审批"),
    ("市林业局", "lyj", [], 2.5, "国土绿化 湿地保护 森林防火"),
    ("市规划管理局", "ghj", [], 2, "城市总体规划 城市设计"),
]  # fmt: skip
UNITS += [U(n, DEPT, c, a, [n, "银川" + n], w, t) for n, c, a, w, t in _DEPTS]
UNITS += [
    U("市机关事务管理局", DIRECT, "jgsw", ["市机关事务局"], ["市机关事务管理局"], 1.5, "公共机构节能 公务用车改革"),
    U("市住房公积金管理中心", DIRECT, "gjj", ["银川住房公积金管理中心"], ["市住房公积金管理中心"], 2, "公积金提取便民 缴存扩面"),
    U("市地震局", DIRECT, "dzj", [], ["市地震局"], 1, "防震减灾宣传 地震应急演练"),
    U("银川日报社", INST, "ycrb", ["银川日报"], ["银川日报社"], 1.5, "媒体融合 新闻舆论引导"),
    U("银川广播电视台", INST, "ycgd", ["市广播电视台"], ["银川广播电视台"], 1.5, "融媒体中心建设 广播电视惠民"),
    U("市公共资源交易中心", INST, "ggzy", [], ["市公共资源交易中心"], 2, "电子化交易 交易监管"),
    U("市气象局", VERTICAL, "qxj", [], ["市气象局", "银川市气象局"], 2, "人工影响天气 气象为农服务"),
    U("市邮政管理局", VERTICAL, "yzj", [], ["市邮政管理局"], 1, "快递业绿色发展 寄递安全"),
    U("市烟草专卖局", VERTICAL, "ycj", [], ["市烟草专卖局"], 0, "卷烟市场整治"),
    U("国家统计局银川调查队", VERTICAL, "dcd", ["银川调查队"], ["国家统计局银川调查队", "银川调查队"], 1, "住户调查 物价监测"),
]  # fmt: skip
#: a unit mailing also from a personal box
EXTRA_MAIL = {"永宁县": "ynxzfb@163.com", "市农牧局": "ycnmjxx@126.com", "驻沪办": "ycshb@163.com"}

#: units that miss their quota, by quarter (just below it); 市统计局 misses Q2 and Q3 in a
#: row (通报批评 at Q3), 市地震局 Q1 and Q2 (通报批评 at Q2)
MISSES = {
    "市统计局": {2, 3},
    "市地震局": {1, 2},
    "贺兰县": {1},
    "市规划管理局": {2},
    "驻深办": {3},
    "市邮政管理局": {4},
    "市审计局": {3},
    "银川滨河新区": {4},
    "市司法局": {1},
}
#: units that send exactly their quota in one quarter (met, just)
EXACT = {"灵武市": 2, "市科技局": 3, "驻京办": 1, "市公共资源交易中心": 4, "市气象局": 2}
#: printed names that are not roster units (the review list shows them)
OUTSIDERS = ["市委政研室", "银川市妇联"]

ACTIONS = [
    "{u}{t}见实效",
    "{u}：{t}跑出“加速度”",
    "{u}{t}取得阶段性成效",
    "{u}创新机制破解{t}难题",
    "{u}{d}{t}经验做法",
    "{u}{t}存在的问题及建议",
    "{u}“四步走”抓实{t}",
    "{u}{m}{t}进展情况",
    "{u}{d}推进{t}",
    "{u}{t}亮点纷呈",
    "{u}{t}中的几点做法",
]
DETAILS = "“清单制” 网格化 信息化 项目化 “互联网+” 标准化 “一站式” 专班化 精细化 常态化".split()
SHORT = "专题调研 政策研究 督查督办 妇女维权 家庭文明建设".split()


# --------------------------------------------------------------------------------------
# Generation


class Gen:
    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        self.titles: dict[str, list[tuple[dt.date, str]]] = {u.name: [] for u in UNITS}

    def title(self, unit: Unit, day: dt.date, suffix: str = "", also=()) -> str:
        """A new title for `unit` (and the units in `also`, for a joint article), unlike
        their titles of the last 130 days."""
        rng = self.rng
        owners = [unit, *also]
        recent = [t for u in owners for d, t in self.titles[u.name] if (day - d).days <= 130]
        best, score = "", 101.0
        for _ in range(200):
            t = rng.choice(ACTIONS).format(
                u=unit.short,
                t=rng.choice(unit.topics),
                d=rng.choice(DETAILS),
                m=rng.choice(month_words(day)),
            )
            t += suffix
            worst = max((title_similarity(t, r, PLACES) for r in recent), default=0)
            if worst < score:
                best, score = t, worst
            if worst < GUARD:
                break
        else:
            best = f"{unit.short}{rng.choice(month_words(day))}{best.removeprefix(unit.short)}"
        for u in owners:
            self.titles[u.name].append((day, best))
        return best


def month_words(day: dt.date) -> list[str]:
    """Time words a title written on `day` may carry: 5月份, 1—4月, 一季度 …"""
    m = day.month
    words = [f"{m}月份"]
    if m > 2:
        words.append(f"1—{m - 1}月")
    done = (m - 1) // 3
    if done:
        words.append(("一季度", "上半年", "前三季度")[done - 1])
    return words


def workdays(start: dt.date, end: dt.date) -> list[dt.date]:
    out, d = [], start
    while d <= end:
        if d.weekday() < 5:
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def quarter_days(q: int) -> list[dt.date]:
    start = dt.date(YEAR, 3 * q - 2, 1)
    end = dt.date(YEAR + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    return workdays(start, end)


def make_units() -> list[Unit]:
    for u in UNITS:
        u.emails = [f"{u.code}@{DOMAIN}"]
        if u.name in EXTRA_MAIL:
            u.emails.append(EXTRA_MAIL[u.name])
    return UNITS


def make_adoptions(g: Gen) -> tuple[list[dict], list[dict]]:
    """Adoption rows and the articles (for events): 《银川政务信息》 twice a week, reported
    up and adopted above by share; 《银川专题信息》 twice a month."""
    rng = g.rng
    rows, articles = [], []
    active = [u for u in UNITS if u.weight > 0]
    weights = [u.weight for u in active]
    issue = 0
    for day in workdays(dt.date(YEAR, 1, 4), dt.date(YEAR, 12, 28)):
        if day.weekday() not in (0, 3):
            continue
        issue += 1
        for _ in range(rng.randint(4, 7)):
            unit = rng.choices(active, weights)[0]
            units = [rng.choice(unit.printed)] if rng.random() < 0.8 else [unit.printed[0]]
            also = []
            if rng.random() < 0.03:
                also = [rng.choice([u for u in active if u.group == unit.group and u is not unit])]
                units.append(also[0].printed[0])
            title = g.title(unit, day, also=also)
            kind = "简讯" if rng.random() < 0.2 else "信息"
            art = dict(unit=unit, title=title, date=day, units=units, top=YC)
            rows.append(_row(YC, str(issue), day, title, units, kind))
            if kind == "信息" and rng.random() < 0.3:
                up_day = day + dt.timedelta(days=rng.randint(1, 3))
                rows.append(_row(UP, "", up_day, title, units[:1], ""))
                r = rng.random()
                if r < 0.03:
                    d2 = up_day + dt.timedelta(days=rng.randint(10, 30))
                    rows.append(_row(GB, f"{YEAR}-{d2.month:02d}", d2, _edit(title), units[:1], ""))
                    art["top"] = GB
                elif r < 0.3:
                    d2 = up_day + dt.timedelta(days=rng.randint(3, 10))
                    k = "简讯" if rng.random() < 0.25 else ""
                    rows.append(_row(KB, "", d2, _edit(title), units[:1], k))
                    art["top"] = KB
                elif r < 0.45:
                    d2 = up_day + dt.timedelta(days=rng.randint(1, 4))
                    rows.append(_row(CB, "", d2, title, units[:1], ""))
            articles.append(art)
        if rng.random() < 0.03:
            name = rng.choice(OUTSIDERS)
            rows.append(_row(YC, str(issue), day, f"{name}做好{rng.choice(SHORT)}工作", [name], "简讯"))  # fmt: skip
    topical = [u for u in active if u.group in (COUNTY, DEPT, ZONE) and u.weight >= 4]
    for month in range(1, 13):
        for k, day in enumerate((dt.date(YEAR, month, 12), dt.date(YEAR, month, 26))):
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
            unit = rng.choice(topical)
            title = g.title(unit, day, "的调查与思考")
            no = f"{2 * month - 1 + k}"
            rows.append(_row(TOPIC, no, day, title, [unit.printed[0]], "专题"))
            art = dict(unit=unit, title=title, date=day, units=[unit.printed[0]], top=TOPIC)
            if rng.random() < 0.3:
                d2 = day + dt.timedelta(days=rng.randint(5, 15))
                rows.append(_row(KB, "", d2, title, [unit.printed[0]], ""))
            articles.append(art)
    rows.sort(key=lambda r: (r["date"], PUB_ORDER[r["publication"]], r["issue"]))
    return rows, articles


YC, TOPIC, UP, KB, CB, GB = "银川政务信息", "银川专题信息", "上报自治区", "宁夏政务快报", "宁夏政务晨报", "国报信息"  # fmt: skip
PUB_ORDER = {p: i for i, p in enumerate((YC, TOPIC, UP, KB, CB, GB))}
#: how the periodicals are written in the office's spreadsheets
PRINTED_PUB = {YC: "《银川政务信息》", TOPIC: "《银川专题信息》", UP: "上报自治区", KB: "《宁夏政务快报》", CB: "宁夏政务晨报", GB: "《国报信息》"}  # fmt: skip


def _row(pub, issue, day, title, units, kind) -> dict:
    return dict(publication=pub, issue=issue, date=day, title=title, units="、".join(units), kind=kind)  # fmt: skip


def _edit(title: str) -> str:
    """Upper-level editors drop the unit's 市 and add 银川: 「银川市教育局…」."""
    if title.startswith("市"):
        return "银川" + title
    return title if title.startswith("银川") else "银川市" + title


def make_submissions(g: Gen, articles: list[dict]) -> list[dict]:
    """Mail logs: each adopted article was mailed 1–6 days before its first adoption
    (subject = its title); other mails fill each unit's quarter up to a count around the
    group's quota (just below it in the quarters of MISSES, exactly it in EXACT)."""
    rng = g.rng
    out = []
    sent: dict[tuple[str, int], int] = {}
    for a in sorted(articles, key=lambda a: (a["date"], a["title"])):
        u = a["unit"]
        day = a["date"] - dt.timedelta(days=rng.randint(1, 6))
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        t = dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.randint(0, 59)))
        out.append(dict(time=t, sender=u.emails[0], subject=a["title"], unit=u))
        key = (u.name, (day.month - 1) // 3 + 1) if day.year == YEAR else (u.name, 0)
        sent[key] = sent.get(key, 0) + 1
    for q in (1, 2, 3, 4):
        days = quarter_days(q)
        for u in UNITS:
            quota = QUOTAS[u.group]
            if q in MISSES.get(u.name, ()):
                n = quota - rng.randint(1, max(2, quota // 8))
            elif EXACT.get(u.name) == q:
                n = quota
            else:
                n = quota + rng.randint(0, max(3, quota // 4))
            for _ in range(max(0, n - sent.get((u.name, q), 0))):
                day = rng.choice(days)
                t = dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.randint(0, 59)))
                sender = u.emails[-1] if len(u.emails) > 1 and rng.random() < 0.2 else u.emails[0]
                topic = rng.choice(u.topics)
                out.append(dict(time=t, sender=sender, subject=f"{u.short}{topic}", unit=u))
    return out


def make_events(g: Gen, articles: list[dict], subs: list[dict]) -> list[dict]:
    rng = g.rng
    ev = []
    # 领导批示: 国报信息 articles get a 国务院 instruction now and then; 快报 articles 自治区;
    # others 银川市; one article gets 自治区 and 银川市.
    pool = sorted(articles, key=lambda a: (a["date"], a["title"]))
    gb = [a for a in pool if a["top"] == GB]
    kb = [a for a in pool if a["top"] == KB]
    yc = [a for a in pool if a["top"] in (YC, TOPIC)]
    for a in gb[:2]:
        ev.append(_ev(a["date"] + dt.timedelta(days=35), "领导批示", a, "国务院", note="国务院领导批示"))  # fmt: skip
    for a in rng.sample(kb, min(6, len(kb))):
        ev.append(_ev(a["date"] + dt.timedelta(days=rng.randint(5, 20)), "领导批示", a, "自治区"))
    for a in rng.sample(yc, 14):
        ev.append(_ev(a["date"] + dt.timedelta(days=rng.randint(1, 6)), "领导批示", a, "银川市"))
    both = rng.choice(kb)
    ev.append(_ev(both["date"] + dt.timedelta(days=3), "领导批示", both, "银川市", note="市长批示"))
    ev.append(_ev(both["date"] + dt.timedelta(days=12), "领导批示", both, "自治区主要领导"))
    # 优秀信息: five a quarter, dated in the quarter's last week
    for q in (1, 2, 3, 4):
        inq = [a for a in pool if (a["date"].month - 1) // 3 + 1 == q and a["top"] != YC]
        day = dt.date(YEAR, 3 * q, 25)
        for a in rng.sample(inq, min(5, len(inq))):
            ev.append(_ev(day, "优秀信息", a, "", note="季度优秀信息"))
    # 约稿: four a quarter; status from the mail logs (约稿 mail) or recorded by hand
    plan = [
        ("2018-02-09", "市发展改革委", "关于一季度重大项目开工情况", "mail_on_time"),
        ("2018-03-16", "兴庆区", "关于春季农村人居环境整治进展", "按时"),
        ("2018-03-23", "市人力资源社会保障局", "关于春节后返岗就业情况", "mail_late"),
        ("2018-05-11", "金凤区", "关于“放管服”改革推进情况", "mail_on_time"),
        ("2018-05-18", "市商务局", "关于中阿博览会筹备情况", "未报"),
        ("2018-06-08", "永宁县", "关于闽宁镇移民产业发展情况", "mail_on_time"),
        ("2018-06-22", "市环境保护局", "关于环保督察整改落实情况", "mail_none"),
        ("2018-08-10", "贺兰县", "关于设施农业提质增效情况", "mail_on_time"),
        ("2018-08-24", "市交通运输局", "关于城乡公交一体化进展", "逾期"),
        ("2018-09-14", "银川经济技术开发区", "关于园区企业用工情况", "mail_on_time"),
        ("2018-11-09", "灵武市", "关于冬季清洁取暖情况", "mail_on_time"),
        ("2018-11-23", "市民政局", "关于冬季困难群众救助情况", "mail_late"),
        ("2018-12-07", "西夏区", "关于全年民生实事完成情况", "按时"),
    ]
    by_name = {u.name: u for u in UNITS}
    for day, name, title, how in plan:
        due = dt.date.fromisoformat(day)
        u = by_name[name]
        status = how if not how.startswith("mail") else ""
        if how in ("mail_on_time", "mail_late"):
            shift = -rng.randint(0, 2) if how == "mail_on_time" else rng.randint(2, 5)
            t = dt.datetime.combine(due + dt.timedelta(days=shift), dt.time(16, rng.randint(0, 59)))
            subs.append(dict(time=t, sender=u.emails[0], subject=f"约稿：{title}", unit=u))
        ev.append(dict(date=due, type="约稿", unit=name, title=title, level="", value="", status=status, note="市政府办公厅约稿"))  # fmt: skip
    # one 通报批评 the office issued for another reason
    ev.append(dict(date=dt.date(YEAR, 9, 20), type="通报批评", unit="市水务局", title="汛期信息报送迟缓", level="", value="", status="", note="银政办通报"))  # fmt: skip
    ev.sort(key=lambda e: (e["date"], e["type"], e["unit"]))
    return ev


def _ev(day, type_, art, level, note=""):
    """Events name county units as periodicals print them, others by roster name."""
    u = art["unit"]
    printed = u.printed[-1] if u.group == COUNTY else u.name
    return dict(date=day, type=type_, unit=printed, title=art["title"], level=level, value="", status="", note=note)  # fmt: skip


# --------------------------------------------------------------------------------------
# Writing


def _csv(path: Path, header: list[str], rows: list[list]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def write(out: Path) -> None:
    g = Gen()
    units = make_units()
    adoptions, articles = make_adoptions(g)
    subs = make_submissions(g, articles)
    events = make_events(g, articles, subs)
    for sub in ("adoptions", "submissions", "events"):
        (out / sub).mkdir(parents=True, exist_ok=True)
        # Only the tables this script writes: issue documents come from make_example_issues.py.
        for p in (out / sub).iterdir():
            if p.suffix in (".csv", ".xlsx"):
                p.unlink()
    (out / "kaohe.toml").write_text(TOML, encoding="utf-8")
    _csv(
        out / "units.csv",
        ["unit", "group", "aliases", "emails"],
        [[u.name, u.group, ";".join(u.aliases), ";".join(u.emails)] for u in units],
    )
    # adoptions: one file per half year; the first with Chinese headers
    for half, (lo, hi), header in (
        ("2018h1", (1, 6), ["刊物", "期号", "日期", "标题", "单位", "类别"]),
        ("2018h2", (7, 12), ["publication", "issue", "date", "title", "units", "kind"]),
    ):
        rows = [
            [
                PRINTED_PUB[r["publication"]],
                r["issue"],
                r["date"].isoformat(),
                r["title"],
                r["units"],
                r["kind"],
            ]  # fmt: skip
            for r in adoptions
            if lo <= r["date"].month <= hi
        ]
        _csv(out / "adoptions" / f"{half}.csv", header, rows)
    # mail logs: one file per quarter; Q1–Q2 English headers, Q3–Q4 Chinese
    subs.sort(key=lambda s: (s["time"], s["sender"], s["subject"]))
    for q in (1, 2, 3, 4):
        header = ["time", "sender", "subject"] if q <= 2 else ["时间", "发件人", "主题"]
        rows = [
            [s["time"].strftime("%Y-%m-%d %H:%M"), s["sender"], s["subject"]]
            for s in subs
            if (s["time"].month - 1) // 3 + 1 == q
        ]
        _csv(out / "submissions" / f"2018q{q}.csv", header, rows)
    _csv(
        out / "events" / "events.csv",
        ["日期", "类型", "单位", "标题", "级别", "分值", "状态", "备注"],
        [
            [
                e["date"].isoformat(),
                e["type"],
                e["unit"],
                e["title"],
                e["level"],
                e["value"],
                e["status"],
                e["note"],
            ]
            for e in events
        ],  # fmt: skip
    )
    key = normalize_name("银川市妇联", PLACES)
    (out / "decisions.csv").write_text(f"type,key,answer\nunit,{key},忽略\n", encoding="utf-8")


TOML = """# kaohe workspace: 银川市 2018 政务信息工作考核 (example, invented data)
scheme = "yinchuan-2018"
office = "银川市人民政府办公厅"

# Database: default is the SQLite file kaohe.db in this folder. Any SQLAlchemy URL works.
# [database]
# url = "postgresql+psycopg://kaohe@db.example.internal/kaohe"

# Mail for `kaohe send`. The password is read from the environment variable named below.
# [mail]
# host = "smtp.yinchuan.gov.cn"
# port = 587
# sender = "ycxwxxc@163.com"
# starttls = true
# username = "ycxwxxc@163.com"
# password_env = "KAOHE_SMTP_PASSWORD"
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    write(args.out)
    print(args.out)


if __name__ == "__main__":
    main()

"""Generate the example workspace `examples/qingshan-2020/` (invented data for 2020).

The data follow 青山区政府系统政务信息工作考评细则（修订）(2020): the 37 units of its article
三 (一类 14, 二类 13, 办事处（镇） 10), adoptions by 《上报信息》《政务信息（普刊）》
《政务信息（专刊）》 and the offices above (市政府办公室, 自治区办公厅, 国务院办公厅), one
mail log per month with yearly volumes around the targets (some units just below), and the
office's events (领导批示, 约稿, 调训, 把关不严).

Everything is drawn from one seeded random generator and written in a fixed order, so a
rerun rewrites exactly the same bytes:

    .venv/bin/python scripts/make_example_qingshan.py [--out examples/qingshan-2020]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

from flows.readers import _issue_key, _sha16, normalize_title
from schemes import get_scheme
from transforms.grouping import title_similarity

SEED = 20200420  # the day the regulation was issued
YEAR = 2020
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "examples" / "qingshan-2020"
SCHEME = get_scheme("qingshan-2020")
PLACES = SCHEME.place_prefixes
#: a new adopted title must score below this against the unit's other adopted titles
GUARD = 58
FIRST, SECOND, TOWNS = "一类", "二类", "办事处（镇）"
TARGET = {FIRST: 120, SECOND: 60, TOWNS: 150}

# (unit, mail code, printed names (own periodicals), name in titles, topics)
ROSTER = [
    ("包头装备制造产业园区管委会", "zbyq", ["装备制造产业园区", "包头装备制造产业园区管委会"], "装备制造产业园区", ["招商引资", "重点项目建设", "企业服务", "产业链延伸"]),
    ("包头市国际会展管理中心", "hzzx", ["国际会展中心", "包头国际会展中心"], "国际会展中心", ["会展经济", "展会招商", "场馆运营"]),
    ("区发展和改革委员会", "fgw", ["区发改委", "青山区发改委", "区发展和改革委员会"], "区发改委", ["重点项目建设", "“十四五”规划编制", "稳投资", "价格监测"]),
    ("区教育局", "jyj", ["区教育局", "青山区教育局"], "区教育局", ["线上教学", "校园疫情防控", "课后服务", "教师队伍建设"]),
    ("区工信和科技局", "gxkj", ["区工信和科技局", "区工信科技局"], "区工信和科技局", ["企业复工复产", "科技创新", "中小企业纾困"]),
    ("区民政局", "mzj", ["区民政局", "青山区民政局"], "区民政局", ["社会救助", "养老服务", "社区治理"]),
    ("区财政局", "czj", ["区财政局"], "区财政局", ["减税降费", "直达资金监管", "预算绩效管理"]),
    ("区人力资源和社会保障局", "rsj", ["区人社局", "青山区人力资源和社会保障局"], "区人社局", ["稳就业", "农民工工资支付", "社保减免"]),
    ("区住房和城乡建设局", "zjj", ["区住建局", "区住房和城乡建设局"], "区住建局", ["老旧小区改造", "物业管理", "棚户区改造"]),
    ("区农牧局", "nmj", ["区农牧局"], "区农牧局", ["设施农业", "动物防疫", "菜篮子保供"]),
    ("区商务局", "swj", ["区商务局", "青山区商务局"], "区商务局", ["促消费", "夜间经济", "外贸稳增长"]),
    ("区市场监督管理局", "scjg", ["区市场监管局", "青山区市场监督管理局"], "区市场监管局", ["食品安全", "市场主体培育", "价格监管"]),
    ("区统计局", "tjj", ["区统计局"], "区统计局", ["第七次全国人口普查", "经济运行监测"]),
    ("区政务服务局", "zwfw", ["区政务服务局", "青山区政务服务局"], "区政务服务局", ["“一网通办”", "营商环境优化", "帮办代办"]),
    ("区民族事务委员会", "mw", ["区民委", "区民族事务委员会"], "区民委", ["民族团结进步创建", "民族团结宣传"]),
    ("区司法局", "sfj", ["区司法局"], "区司法局", ["民法典宣传", "人民调解", "法律援助"]),
    ("区文体旅游广电局", "wtlg", ["区文体旅游广电局", "区文旅广电局"], "区文体旅游广电局", ["文旅消费", "全民健身", "公共文化服务"]),
    ("区就业局", "jyju", ["区就业局"], "区就业局", ["高校毕业生就业", "创业担保贷款"]),
    ("区卫生健康委员会", "wjw", ["区卫健委", "青山区卫生健康委员会"], "区卫健委", ["疫情防控", "家庭医生签约", "核酸检测"]),
    ("区退役军人事务局", "tyjr", ["区退役军人事务局"], "区退役军人事务局", ["退役军人服务", "拥军优属"]),
    ("区应急管理局", "yjj", ["区应急管理局", "区应急局"], "区应急管理局", ["安全生产专项整治", "防汛"]),
    ("区审计局", "sjj", ["区审计局"], "区审计局", ["审计监督", "疫情防控资金审计"]),
    ("区金融工作办公室", "jrb", ["区金融办"], "区金融办", ["金融助企", "防范非法集资"]),
    ("区医疗保障局", "ybj", ["区医保局", "区医疗保障局"], "区医保局", ["医保基金监管", "医保便民服务"]),
    ("区信访局", "xfj", ["区信访局"], "区信访局", ["信访积案化解", "网上信访"]),
    ("区城市管理综合执法局", "cgzf", ["区城管执法局", "青山区城市管理综合执法局"], "区城管执法局", ["垃圾分类", "背街小巷整治", "违建治理"]),
    ("区供销社", "gxs", ["区供销社"], "区供销社", ["农资保供", "供销合作社改革"]),
    ("富强办", "fq", ["富强路办事处", "富强路街道"], "富强路街道", ["网格化管理", "老旧小区改造", "社区疫情防控", "创建全国文明城市"]),
    ("科学办", "kx", ["科学路办事处", "科学路街道"], "科学路街道", ["党建引领基层治理", "垃圾分类", "居家养老"]),
    ("幸福办", "xf", ["幸福路办事处", "幸福路街道"], "幸福路街道", ["社区疫情防控", "物业管理", "志愿服务"]),
    ("自由办", "zy", ["自由路办事处", "自由路街道"], "自由路街道", ["网格化管理", "扫黑除恶", "文明城市创建"]),
    ("青山办", "qs", ["青山路办事处", "青山路街道"], "青山路街道", ["为民服务", "老旧小区改造", "平安建设"]),
    ("万青办", "wq", ["万青路办事处", "万青路街道"], "万青路街道", ["社区治理", "志愿服务", "矛盾纠纷排查"]),
    ("先锋办", "xfd", ["先锋道办事处", "先锋道街道"], "先锋道街道", ["网格化管理", "居家养老", "民生实事"]),
    ("乌素图办", "wst", ["乌素图办事处", "乌素图街道"], "乌素图街道", ["城乡结合部治理", "人居环境整治"]),
    ("青福镇", "qf", ["青福镇"], "青福镇", ["乡村振兴", "设施农业", "人居环境整治"]),
    ("兴胜镇", "xs", ["兴胜镇"], "兴胜镇", ["乡村振兴", "村集体经济", "农村人居环境整治"]),
]  # fmt: skip

#: yearly submissions fixed for the story (others: target × a random factor)
VOLUME = {"区统计局": 117, "区审计局": 58, "兴胜镇": 146, "区供销社": 41, "乌素图办": 149}
#: topics any unit writes about in 2020 (besides its own)
SHARED = [
    "疫情防控", "复工复产", "安全生产", "全国文明城市创建", "扫黑除恶专项斗争", "民法典学习宣传",
    "“六稳”“六保”", "作风建设", "“十四五”谋划", "政务公开", "脱贫攻坚", "党风廉政建设",
]  # fmt: skip
ACTIONS = [
    "扎实推进{t}", "多措并举抓好{t}", "召开{t}工作推进会", "开展{t}专项行动", "聚焦{t}打出“组合拳”",
    "创新方式做好{t}", "全面启动{t}", "以“三个一”工作法推动{t}", "{t}取得阶段性成效", "部署{t}重点任务",
    "“线上+线下”做实{t}", "{t}跑出“加速度”",
]  # fmt: skip
COMPOSITE = {
    "调研": ["关于{u}{t}情况的调研报告", "{u}{t}的调查与思考"],
    "问题": ["{u}{t}中存在的问题及对策", "当前{t}面临的困难和问题——来自{u}的调查"],
    "做法": ["{u}{t}的经验做法", "{u}探索{t}新路径"],
    "建议": ["关于进一步加强{t}的建议", "对{t}工作的几点建议"],
}


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A working day between start and end."""
    for _ in range(50):
        d = start + dt.timedelta(days=rng.randint(0, (end - start).days))
        if d.weekday() < 5:
            return d
    return start


def build(rng: random.Random):
    units, mails, adoptions = [], [], []
    year_start, year_end = dt.date(YEAR, 1, 2), dt.date(YEAR, 12, 30)
    for name, code, printed, short, topics in ROSTER:
        group = _group(name)
        mail_addr = f"{code}_xx@qingshan.gov.cn"
        extra = f"qs{code}{rng.randint(10, 99)}@163.com" if rng.random() < 0.3 else None
        aliases = [p for p in printed if p != name]
        units.append((name, group, ";".join(aliases), ";".join(filter(None, [mail_addr, extra]))))
        n = VOLUME.get(name) or round(TARGET[group] * rng.uniform(0.96, 1.3))
        p_comp = {FIRST: 0.07, SECOND: 0.065, TOWNS: 0.05}[group]
        own: list[tuple] = []
        for _ in range(n):
            d = _day(rng, year_start, year_end)
            t = rng.choice(topics) if rng.random() < 0.6 else rng.choice(SHARED)
            kind = None
            if rng.random() < p_comp:
                kind = rng.choice(list(COMPOSITE))
                title = rng.choice(COMPOSITE[kind]).format(u=short, t=t)
            else:
                title = short + rng.choice(ACTIONS).format(t=t)
            when = dt.datetime.combine(
                d, dt.time(rng.randint(8, 18), rng.randint(0, 59), rng.randint(0, 59))
            )
            sender = extra if extra and rng.random() < 0.4 else mail_addr
            marked = kind and rng.random() < 0.3  # some mark the class in the subject only
            subject = f"【{kind}】{title}" if marked else title
            mails.append((when, sender, subject, "" if marked else (kind or "")))
            own.append((when.date(), title, kind))
        # adoptions: a share of the unit's submissions, 综合类 preferred; titles of one unit
        # within half a year kept apart so that C1 does not take two articles for one
        lo, hi = {FIRST: (8, 20), SECOND: (5, 12), TOWNS: (6, 13)}[group]
        want = min(rng.randint(lo, hi), n // 6)
        comp = [o for o in own if o[2]]
        plain = [o for o in own if not o[2]]
        rng.shuffle(comp)
        rng.shuffle(plain)
        picked: list[tuple] = []
        for o in comp[: max(1, want // 3)] + plain:
            if len(picked) >= want:
                break
            if all(
                abs((o[0] - p[0]).days) > 180 or title_similarity(o[1], p[1], PLACES) < GUARD
                for p in picked
            ):
                picked.append(o)
        for d, title, kind in sorted(picked):
            adoptions += _adopt(rng, printed, short, d, title, kind)
    return units, mails, adoptions


def _group(name: str) -> str:
    for u, g in SCHEME.roster().select("unit", "group").iter_rows():
        if u == name:
            return g
    raise KeyError(name)


def _upper_title(title: str, short: str, place: str) -> str:
    """How a periodical above retitles an article: the unit named with its district."""
    return title.replace(short, place + short.removeprefix("区"), 1)


def _upper_name(rng, short: str) -> str:
    return rng.choice(
        [f"包头市青山区{short.removeprefix('区')}", f"青山区{short.removeprefix('区')}"]
    )


def _adopt(rng, printed, short, d, title, kind) -> list[tuple]:
    """Adoptions of one article: an own periodical, maybe the offices above."""
    out = []
    d0 = d + dt.timedelta(days=rng.randint(2, 9))
    if kind:
        r = rng.random()
        pub = "政务信息（专刊）" if r < 0.3 else "上报信息" if r < 0.85 else "政务信息（普刊）"
        k = kind
    else:
        pub = "上报信息" if rng.random() < 0.35 else "政务信息（普刊）"
        k = "动态" if pub == "上报信息" else ""
    out.append([pub, d0, title, rng.choice(printed), k])
    if pub == "上报信息" or pub == "政务信息（专刊）":
        if rng.random() < (0.45 if kind else 0.3):
            d1 = d0 + dt.timedelta(days=rng.randint(5, 25))
            out.append(
                [
                    "市政府办公室",
                    d1,
                    _upper_title(title, short, "青山区"),
                    _upper_name(rng, short),
                    kind or "动态",
                ]
            )
            if kind and rng.random() < 0.3:
                d2 = d1 + dt.timedelta(days=rng.randint(7, 30))
                out.append(
                    [
                        "自治区办公厅",
                        d2,
                        _upper_title(title, short, "包头市青山区"),
                        _upper_name(rng, short),
                        kind,
                    ]
                )
    return [o for o in out if o[1].year == YEAR]


STORY_TITLE = "富强路街道网格化管理织密基层治理网的经验做法"
STATE_TITLE = "内蒙古包头市青山区以网格化管理织密基层治理网"


def add_story(rng, adoptions, mails):
    """Hand-picked parts of the year: a joint article, one State Council adoption."""
    adoptions.append(
        [
            "政务信息（专刊）",
            dt.date(YEAR, 6, 12),
            "青山区以“放管服”改革优化营商环境的实践与思考",
            "区发改委、区政务服务局",
            "做法",
        ]
    )
    adoptions.append(
        [
            "市政府办公室",
            dt.date(YEAR, 6, 30),
            "青山区“放管服”改革优化营商环境的实践",
            "青山区发改委、青山区政务服务局",
            "做法",
        ]
    )
    adoptions.append(
        [
            "上报信息",
            dt.date(YEAR, 9, 8),
            "青山区部门街道联动破解小区停车难",
            "区住建局、富强路办事处",
            "动态",
        ]
    )
    adoptions.append(
        ["国务院办公厅", dt.date(YEAR, 11, 20), STATE_TITLE, "包头市青山区富强路街道", ""]
    )
    adoptions.append(["上报信息", dt.date(YEAR, 10, 27), STORY_TITLE, "富强路办事处", "做法"])
    for when, code, title, kind in [
        ((6, 3, 10, 12), "fgw", "青山区以“放管服”改革优化营商环境的实践与思考", "做法"),
        ((8, 28, 16, 40), "zjj", "青山区部门街道联动破解小区停车难", ""),
        ((10, 20, 9, 5), "fq", STORY_TITLE, "做法"),
    ]:
        m, d, h, mi = when
        mails.append((dt.datetime(YEAR, m, d, h, mi), f"{code}_xx@qingshan.gov.cn", title, kind))


def events_for(rng, adoptions, mails, units):
    ev = []
    emails = {u: e.split(";")[0] for u, _, _, e in units}
    printed_to_unit = {}
    for name, _, printed, short, _ in ROSTER:
        for p in printed + [short]:
            printed_to_unit[p] = name
    # leader instructions on adopted articles (own periodicals)
    own = [a for a in adoptions if a[0] in ("上报信息", "政务信息（专刊）") and "、" not in a[3]]
    for a in rng.sample(own, 16):
        unit = printed_to_unit.get(a[3])
        level = rng.choice(["青山区"] * 6 + ["包头市"] * 3 + ["青山区主要领导"])
        d = a[1] + dt.timedelta(days=rng.randint(1, 6))
        if d.year == YEAR:
            ev.append(
                [
                    d,
                    "领导批示",
                    unit,
                    a[2],
                    level,
                    "",
                    "",
                    "区长批示" if "青山区" in level else "市领导批示",
                ]
            )
    a = next(x for x in own if x[0] == "政务信息（专刊）")
    unit = printed_to_unit.get(a[3])
    ev.append([a[1] + dt.timedelta(days=3), "领导批示", unit, a[2], "包头市", "", "", "副市长批示"])
    ev.append([a[1] + dt.timedelta(days=5), "领导批示", unit, a[2], "青山区", "", "", "副区长批示"])
    ev.append(
        [
            dt.date(YEAR, 11, 25),
            "领导批示",
            "富强办",
            STATE_TITLE,
            "自治区",
            "",
            "",
            "自治区领导批示",
        ]
    )
    ev.append(
        [
            dt.date(YEAR, 7, 6),
            "领导批示",
            "区发展和改革委员会",
            "青山区“放管服”改革优化营商环境的实践",
            "包头市主要领导",
            "",
            "",
            "市长批示",
        ]
    )
    # commissions (约稿): status from the mail logs unless recorded
    topics = [
        ("区发展和改革委员会", "一季度经济运行情况", 4, 10, "on"),
        ("区卫生健康委员会", "疫情防控常态化工作情况", 5, 15, "on"),
        ("区商务局", "促进消费回补情况", 5, 20, "late"),
        ("区住房和城乡建设局", "老旧小区改造进展", 6, 12, "on"),
        ("区人力资源和社会保障局", "稳就业保居民就业情况", 6, 30, "recorded"),
        ("富强办", "社区网格化管理情况", 7, 10, "on"),
        ("区商务局", "夜间经济发展情况", 8, 14, "late"),
        ("先锋办", "居家养老服务情况", 8, 28, "missing"),
        ("区市场监督管理局", "市场主体发展情况", 9, 11, "on"),
        ("区民政局", "困难群众救助情况", 10, 16, "recorded"),
        ("兴胜镇", "乡村振兴工作情况", 11, 13, "on"),
        ("区城市管理综合执法局", "垃圾分类工作开展情况", 12, 4, "on"),
    ]
    for unit, topic, m, day, how in topics:
        due = dt.date(YEAR, m, day)
        title = f"{topic}"
        status = {"recorded": "按时", "missing": "未报"}.get(how, "")
        ev.append([due, "约稿", unit, title, "", "", status, "区政府办公室约稿"])
        if how in ("on", "late"):
            sent = due + dt.timedelta(days=-rng.randint(1, 4) if how == "on" else rng.randint(2, 6))
            when = dt.datetime.combine(sent, dt.time(rng.randint(9, 17), rng.randint(0, 59)))
            mails.append((when, emails[unit], f"【约稿】{title}", ""))
    for d, unit, title in [
        ((5, 28), "区教育局", "全区政务信息员业务培训班"),
        ((5, 28), "幸福办", "全区政务信息员业务培训班"),
        ((9, 17), "区司法局", "全市政务信息工作调训"),
        ((9, 17), "青福镇", "全市政务信息工作调训"),
        ((9, 17), "区发展和改革委员会", "全市政务信息工作调训"),
        ((11, 5), "科学办", "自治区政务信息业务培训"),
    ]:
        ev.append([dt.date(YEAR, *d), "调训", unit, title, "", "", "", "完成调训任务"])
    ev.append(
        [
            dt.date(YEAR, 8, 3),
            "把关不严",
            "区就业局",
            "区就业局上半年新增就业数据有误",
            "",
            "",
            "",
            "数据未核实，造成不良影响",
        ]
    )
    ev.sort(key=lambda e: (e[0], e[1], e[2]))
    return ev


def write(out: Path) -> None:
    rng = random.Random(SEED)
    units, mails, adoptions = build(rng)
    add_story(rng, adoptions, mails)
    events = events_for(rng, adoptions, mails, units)
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("adoptions", "submissions", "events"):
        (out / sub).mkdir(exist_ok=True)
        # Only the tables this script writes: issue documents come from make_example_issues.py.
        for p in (out / sub).iterdir():
            if p.suffix in (".csv", ".xlsx"):
                p.unlink()
    (out / "kaohe.toml").write_text(TOML, encoding="utf-8")
    _csv(out / "units.csv", ["unit", "group", "aliases", "emails"], units)

    # adoptions: issue numbers per periodical in date order, one file per quarter
    adoptions.sort(key=lambda a: (a[1], a[0], a[2]))
    issue_days = {
        "上报信息": (1, 4), "政务信息（普刊）": (0, 2, 4), "政务信息（专刊）": (3,), "市政府办公室": (3,),
        "自治区办公厅": (1,), "国务院办公厅": (4,),
    }  # fmt: skip
    rows, seen = [], {}
    for pub, d, title, printed, kind in adoptions:
        while d.weekday() not in issue_days[pub]:
            d += dt.timedelta(days=1)
        if d.year != YEAR:
            continue
        seen.setdefault(pub, [])
        if d not in seen[pub]:
            seen[pub].append(d)
        rows.append((d, pub, str(len(seen[pub])), title, printed, kind))
    rows.sort(key=lambda r: (r[0], r[1], int(r[2]), r[3]))
    for q in range(1, 5):
        part = [r for r in rows if (r[0].month - 1) // 3 + 1 == q]
        fancy = {"政务信息（普刊）": "《政务信息（普刊）》", "上报信息": "《上报信息》"}
        data = [
            (
                fancy.get(pub, pub) if q % 2 == 0 else pub,
                f"第{issue}期" if q == 3 else issue,
                d.isoformat(),
                title,
                printed,
                kind,
            )
            for d, pub, issue, title, printed, kind in part
        ]
        _csv(
            out / "adoptions" / f"2020q{q}.csv",
            ["刊物", "期号", "日期", "标题", "单位", "类别"],
            data,
        )

    # decisions.csv: the office's answer that the State Council's item is 富强办's article
    ids = {}
    for d, pub, issue, title, printed, _ in rows:
        written = f"第{issue}期" if (d.month - 1) // 3 + 1 == 3 else issue
        ids[(pub, title)] = _sha16(
            pub, _issue_key(written), d.isoformat(), normalize_title(title), printed
        )
    pair = sorted([ids[("上报信息", STORY_TITLE)], ids[("国务院办公厅", STATE_TITLE)]])
    _csv(out / "decisions.csv", ["type", "key", "answer"], [("same_article", "|".join(pair), "是")])

    mails.sort(key=lambda m: (m[0], m[1], m[2]))
    for m in range(1, 13):
        part = [x for x in mails if x[0].month == m]
        data = [(w.strftime("%Y-%m-%d %H:%M:%S"), s, subj, "", k) for w, s, subj, k in part]
        _csv(
            out / "submissions" / f"2020-{m:02d}.csv",
            ["time", "sender", "subject", "unit", "kind"],
            data,
        )
    data = [(e[0].isoformat(), *e[1:]) for e in events]
    _csv(
        out / "events" / "events.csv",
        ["日期", "类型", "单位", "标题", "级别", "分值", "状态", "备注"],
        data,
    )


def _csv(path: Path, header, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


TOML = """# kaohe workspace: 包头市青山区 2020 政务信息工作考评 (example, invented data)
scheme = "qingshan-2020"
office = "包头市青山区人民政府办公室"

# Database: default is the SQLite file kaohe.db in this folder. Any SQLAlchemy URL works.
# [database]
# url = "postgresql+psycopg://kaohe@db.example.internal/kaohe"

# Mail for `kaohe send`. The password is read from the environment variable named below.
# [mail]
# host = "smtp.qingshan.gov.cn"
# port = 587
# sender = "qsqzfbxxg@163.com"
# starttls = true
# username = "qsqzfbxxg@163.com"
# password_env = "KAOHE_SMTP_PASSWORD"
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    write(ap.parse_args().out)


if __name__ == "__main__":
    main()

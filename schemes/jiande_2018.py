"""建政办函〔2018〕22号 2018年全市政务信息工作考核办法 (建德市).

Quarterly ranking in four groups turns the quarter's information points into rank points
(assessment); the year sums the quarters and draws the 30% line. Readings J1–J9 of
docs/readings.md apply; see docs/schemes.md for clause -> rule -> test.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from schemes import engine as E
from schemes.contract import Group, Publication, Rule, ScoreResult, ScoringInputs
from transforms.periods import Period

ID = "jiande-2018"
TOWNS, A, B, C = "乡镇（街道）", "A", "B", "C"

DYNAMIC = "建德政务·动态"
SPECIAL = "建德政务·情况专报"
REFERENCE = "建德政务·参阅"
HANGZHOU = "杭州政务"
ZHEJIANG = "浙江政务信息"

GROUPS = (
    Group(TOWNS, 30, "季度目标分30分"),
    Group(A, 30, "部门（单位）A类，季度目标分30分"),
    Group(B, 20, "部门（单位）B类，季度目标分20分"),
    Group(C, 10, "部门（单位）C类，季度目标分10分"),
)

# Aliases: the short names offices type (each fits one periodical; 动态, 情况专报, 参阅 and the
# names without their dot are derived by transforms.publications).
PUBLICATIONS = (
    Publication(DYNAMIC, "本级", "动态", aliases=("建德动态", "政务动态")),
    Publication(SPECIAL, "本级", aliases=("专报", "建德专报")),
    Publication(REFERENCE, "本级", aliases=("建德参阅",)),
    Publication(HANGZHOU, "市", "要情", aliases=("杭州政务要情",)),
    Publication(ZHEJIANG, "省", "要情", aliases=("浙江信息", "浙江政务")),
)

EMERGENCY_TYPES = ("应急信息迟报", "应急信息漏报", "应急信息错报", "应急信息瞒报", "应急信息违纪")
EVENT_TYPES = frozenset(
    (
        "领导批示",
        "约稿",
        "约稿致上级扣分",
        "信息失实",
        "多头报送",
        "缺席会议",
        "挂职",
        "直报任务未完成",
    )
    + EMERGENCY_TYPES
)


def _r(id_: str, clause: str, name: str, text: str, reading: str = "") -> Rule:
    return Rule(id_, clause, name, text, reading)


R = {
    r.id: r
    for r in (
        _r("J-3.1.1", "三（一）1", "《建德政务·动态》录用", "每条计4分（简讯计2分）", "J1"),
        _r("J-3.1.2", "三（一）2", "《建德政务·情况专报》录用", "每条计8分", "J1"),
        _r("J-3.1.3", "三（一）3", "《建德政务·参阅》录用", "每条计6分", "J1"),
        _r(
            "J-3.2.1",
            "三（二）1",
            "部门信息被《杭州政务》录用",
            "要情类每条8分，专报类每条16分",
            "J2",
        ),
        _r(
            "J-3.2.2",
            "三（二）1",
            "被《浙江政务信息》录用",
            "要情类每条16分，专报类每条32分（乡镇（街道）同部门）",
            "J2",
        ),
        _r(
            "J-3.2.3",
            "三（二）2",
            "乡镇（街道）直报信息被杭州录用",
            "要情类每条16分，专报类每条32分",
            "J2",
        ),
        _r(
            "J-3.2.4",
            "三（二）2",
            "直报任务未完成",
            "未完成月度和季度信息报送任务的，视作当季信息任务未完成",
        ),
        _r(
            "J-3.3.1",
            "三（三）1",
            "约稿按时报送",
            "按稿件质量给予单条最高10分的基础加分",
            "J4",
        ),
        _r(
            "J-3.3.2",
            "三（三）1",
            "约稿信息被杭州录用（三倍）",
            "被杭州市政府办公厅采用的，按照杭州市政府办公厅录用分的三倍计分",
            "J4",
        ),
        _r(
            "J-3.3.3",
            "三（三）2",
            "约稿逾期或未报",
            "未在规定时间、未按要求报送约稿信息的，当季信息考核不得分",
            "J4",
        ),
        _r(
            "J-3.3.4",
            "三（三）2",
            "约稿致上级扣分",
            "因应报未报、迟报而造成建德市信息被上级扣分的，年度信息考核不得分",
        ),
        _r("J-3.4.1", "三（四）", "市政府领导批示", "每条加计3分；多位领导批示按最高分计", "J3"),
        _r("J-3.4.2", "三（四）", "杭州市政府领导批示", "每条加计30分；按最高分计", "J3"),
        _r("J-3.4.3", "三（四）", "省政府及以上领导批示", "每条加计50分；按最高分计", "J3"),
        _r(
            "J-3.4.4",
            "三（四）",
            "国务院领导批示",
            "被国务院领导批示的，报送单位视为年度排名第一",
            "J3, J9",
        ),
        _r(
            "J-3.5.1",
            "三（五）",
            "应急信息报送违纪",
            "迟报、漏报、错报、瞒报：第一次扣10分，第二次起每次扣20分",
            "J5",
        ),
        _r("J-3.5.2", "三（五）", "应急信息不计分", "应急信息不计分，领导批示不加分"),
        _r(
            "J-3.6.1", "三（六）1", "信息失实", "内容失真、数据或事例失实，年度信息考核不得分", "J8"
        ),
        _r("J-3.6.2", "三（六）2", "当月未报送信息", "当月未报送有效信息的单位，每次扣10分", "J6"),
        _r("J-3.6.3", "三（六）3", "多头报送", "政务信息与党委信息多头报送、重复报送，每次扣10分"),
        _r("J-3.6.4", "三（六）4", "缺席会议培训", "无故缺席信息工作会议、培训，每次扣10分"),
        _r("J-3.6.5", "三（六）5", "信息员挂职", "挂职满三个月，当季加30分/人", "J8"),
        _r(
            "J-4.2.1",
            "四2",
            "季度排名赋分",
            "按当季得分组内排名赋分；未完成季度目标的不得分",
            "J7, C4",
        ),
        _r(
            "J-4.3.1",
            "四3",
            "年度综合排名",
            "按季考核得分全年综合排名；组内前30%（向上取整）不扣分",
            "J9",
        ),
    )
}

_DEPT, _TOWN = "部门", "乡镇"


def _category(group: str) -> str:
    return _TOWN if group == TOWNS else _DEPT


def _category_label(cat: str | None) -> str:
    return TOWNS if cat == _TOWN else "部门"


_P = E.PointsEntry
POINTS = E.PointsTable(
    (
        _P(DYNAMIC, "动态", None, 4, R["J-3.1.1"]),
        _P(DYNAMIC, "简讯", None, 2, R["J-3.1.1"]),
        _P(SPECIAL, None, None, 8, R["J-3.1.2"]),
        _P(REFERENCE, None, None, 6, R["J-3.1.3"]),
        _P(HANGZHOU, "要情", _DEPT, 8, R["J-3.2.1"]),
        _P(HANGZHOU, "专报", _DEPT, 16, R["J-3.2.1"]),
        _P(HANGZHOU, "要情", _TOWN, 16, R["J-3.2.3"]),
        _P(HANGZHOU, "专报", _TOWN, 32, R["J-3.2.3"]),
        _P(ZHEJIANG, "要情", None, 16, R["J-3.2.2"]),
        _P(ZHEJIANG, "专报", None, 32, R["J-3.2.2"]),
        _P(None, "应急信息", None, 0, R["J-3.5.2"]),
        _P(None, "应急", None, 0, R["J-3.5.2"]),
    ),
    {p.name: p.default_kind for p in PUBLICATIONS},
)
EMERGENCY_KINDS = ("应急信息", "应急")

#: In 建德's events the word 市 alone means 建德市 (本级).
LEVELS = {
    "建德市": "本级",
    "建德": "本级",
    "本级": "本级",
    "市": "本级",
    "杭州市": "杭州",
    "杭州": "杭州",
    "浙江省": "省",
    "浙江": "省",
    "省": "省",
    "国务院": "国家",
    "国家": "国家",
    "中央": "国家",
}
STATE = "国家"
INSTRUCTIONS = E.InstructionTable(
    LEVELS,
    (
        E.InstructionEntry("本级", 3, R["J-3.4.1"]),
        E.InstructionEntry("杭州", 30, R["J-3.4.2"]),
        E.InstructionEntry("省", 50, R["J-3.4.3"]),
        E.InstructionEntry(STATE, 50, R["J-3.4.3"]),
    ),
    combine="max",
)

COMMISSION_QUALITY = E.EventRule(
    ("约稿",), R["J-3.3.1"], per_value=1, cap=10, label="按时报送，质量分 "
)
COMMISSION_FACTOR = 3
EMERGENCY = E.EscalatingPenalty(EMERGENCY_TYPES, R["J-3.5.1"], (-10, -20))
SILENT_MONTH = -10
EVENT_RULES = (
    E.EventRule(("多头报送",), R["J-3.6.3"], points=-10),
    E.EventRule(("缺席会议",), R["J-3.6.4"], points=-10),
    E.EventRule(("挂职",), R["J-3.6.5"], per_value=30, default_value=1, label="人数 "),
)
#: events that make the year not score (年度信息考核不得分)
YEAR_ZERO = {"信息失实": R["J-3.6.1"], "约稿致上级扣分": R["J-3.3.4"]}
TARGET_FAILED = "直报任务未完成"

RANK_POINTS = {
    TOWNS: E.RankPoints.descending(15, 6, 5),
    A: E.RankPoints.descending(25, 11, 10),
    B: E.RankPoints.descending(10, 5, 3),
    C: E.RankPoints.descending(10, 4, 4),
}
YEAR_SHARE = 0.3

UNITS = tuple((u, TOWNS, ()) for u in "新安江街道 更楼街道 洋溪街道 梅城镇 寿昌镇 大同镇 乾潭镇 三都镇 杨村桥镇 下涯镇 大慈岩镇 大洋镇 航头镇 李家镇 莲花镇 钦堂乡".split())  # fmt: skip
# Full names and the abbreviations periodicals print (kaohe init writes them into units.csv;
# towns' short names and bracketed names' parts are added by transforms.matching's rules).
_FULL = {
    "市农办": ("农业和农村工作办公室", "农办"),
    "发改局": ("发展和改革局", "发展改革局", "市发改局"),
    "经信局": ("经济和信息化局", "市经信局"),
    "公安局": ("公安分局",),
    "财政（地税）局": ("财政地税局",),
    "人力社保局": ("人力资源和社会保障局", "人社局"),
    "国土资源局": ("国土局",),
    "住建局": ("住房和城乡建设局", "建设局"),
    "交通运输局": ("交通局",),
    "旅游商务局": ("旅商局", "旅游局", "商务局"),
    "卫生计生局": ("卫生和计划生育局", "卫计局"),
    "环保局": ("环境保护局",),
    "市场监管局": ("市场监督管理局",),
    "城管局": ("城市管理局",),
    "安全监管局": ("安全生产监督管理局", "安监局"),
    "审管办": ("行政审批服务管理办公室",),
    "开发区（航空小镇）": ("经济开发区",),
    "高铁新区管委会": ("高铁新区",),
    "文广新局": ("文化广电新闻出版局", "文广局"),
    "国税局": ("国家税务局",),
    "城投公司": ("城投集团",),
    "民宗局": ("民族宗教事务局",),
    "移民局": ("移民办",),
    "机关事务管理局": ("机关事务局",),
    "公积金建德分中心": ("住房公积金建德分中心",),
    "供电公司": ("国网建德市供电公司",),
}
_DEPTS = {
    A: "市农办 发改局 经信局 教育局 公安局 民政局 财政（地税）局 人力社保局 国土资源局 住建局 交通运输局 农业局 林业局 水利水产局 旅游商务局 卫生计生局 环保局 市场监管局 城管局 安全监管局 审管办 开发区（航空小镇） 高铁新区管委会",
    B: "科技局 司法局 文广新局 统计局 体育局 国税局 城投公司 资投公司 旅投公司 交投公司",
    C: "民宗局 移民局 审计局 机关事务管理局 公积金建德分中心 气象局 供电公司",
}  # fmt: skip
UNITS += tuple((u, g, _FULL.get(u, ())) for g, names in _DEPTS.items() for u in names.split())


# --------------------------------------------------------------------------------------
# Scoring


def _commissions(prep: E.Prepared) -> list[dict]:
    return E.commission_status(prep.events, prep)


def _items(prep: E.Prepared, period: Period, commissions: list[dict]):
    """Item rows of a month or quarter (no period-wide adjustment), notes, remarks."""
    notes: list[str] = []
    remarks: dict[str, list[str]] = defaultdict(list)
    rows = E.adoption_rows(
        prep, period, POINTS, _category, joint="full", combine="sum",
        category_label=_category_label,
    )  # fmt: skip

    on_time = [c for c in commissions if c["status"] == E.ON_TIME]
    boosted = {(c["unit"], c["article_id"]) for c in on_time if c.get("article_id")}

    def is_boosted(r: dict) -> bool:
        return r["publication"] == HANGZHOU and (r["unit"], r["article_id"]) in boosted

    def boost_note(r: dict, pts: float) -> str:
        return (
            f"约稿信息被《{HANGZHOU}》录用，按录用分三倍计分：{E.fmt(r['points'])}×"
            f"{COMMISSION_FACTOR} = {E.fmt(pts)} 分（{r['note']}）"
        )

    rows = E.multiply_rows(rows, is_boosted, COMMISSION_FACTOR, R["J-3.3.2"], boost_note)

    emergency = {a["article_id"] for a in prep.adoptions if a.get("kind") in EMERGENCY_KINDS}
    rows += E.instruction_rows(prep, period, INSTRUCTIONS, no_bonus_articles=emergency)
    rows += E.event_rows(on_time, period, COMMISSION_QUALITY)
    rows += E.escalating_rows(prep.events, period, EMERGENCY)
    for rule in EVENT_RULES:
        rows += E.event_rows(prep.events, period, rule)
    silent, silent_notes = E.silent_month_rows(prep, period, R["J-3.6.2"], SILENT_MONTH)
    rows += silent
    notes += silent_notes

    for c in commissions:
        if not period.contains(c["date"]):
            continue
        title = f"「{c['title']}」" if c.get("title") else ""
        if c["status"] in (E.LATE, E.MISSING):
            remarks[c["unit"]].append(f"约稿{title}{c['status']}，当季信息考核不得分")
        elif c["status"] == E.UNKNOWN:
            notes.append(
                f"{c['unit']}的约稿{title}（{c['date']:%Y年%-m月%-d日}到期）没有报送记录可供判断，"
                "未计分，请在事项表中填写状态。"
            )
    for e in prep.events:
        if not period.contains(e["date"]):
            continue
        title = f"「{e['title']}」" if e.get("title") else ""
        if e["type"] in YEAR_ZERO:
            remarks[e["unit"]].append(f"{e['type']}{title}：年度信息考核不得分")
        elif e["type"] == TARGET_FAILED:
            remarks[e["unit"]].append(f"{TARGET_FAILED}{title}：视作当季信息任务未完成")
        elif e["type"] == INSTRUCTIONS.event_type and _is_state(e):
            remarks[e["unit"]].append(f"国务院领导批示{title}：视为年度排名第一")
    return rows, notes, remarks


def _is_state(e: dict) -> bool:
    return INSTRUCTIONS.read(e)[0] == STATE


def _quarter(prep: E.Prepared, q: Period, commissions: list[dict]):
    """Rows (with the 不得分 adjustments), score records, notes of quarter `q`."""
    rows, notes, remarks = _items(prep, q, commissions)
    late = {}
    for c in commissions:
        if q.contains(c["date"]) and c["status"] in (E.LATE, E.MISSING):
            late.setdefault(c["unit"], f"约稿「{c.get('title') or ''}」{c['status']}")
    rows += E.zero_rows(rows, late, q, R["J-3.3.3"])
    failed = {e["unit"] for e in prep.events_of(TARGET_FAILED) if q.contains(e["date"])}

    pts = E.totals(rows)
    records = []
    for unit, group in prep.units.items():
        target = float(SCHEME.group(group).target)
        met = pts[unit] >= target and unit not in failed
        if pts[unit] < target:
            remarks[unit].append(f"未完成季度目标（{E.fmt(target)}分）")
        records.append(
            dict(unit=unit, group=group, points=pts[unit], target=target, target_met=met)
        )
    df = E.scores_frame(records)
    df = df.with_columns(rank=E.shared_rank(df, ["points"]))
    assessment = [
        RANK_POINTS[g].for_rank(r) if m else 0.0
        for g, r, m in zip(df["group"], df["rank"], df["target_met"], strict=True)
    ]
    df = df.with_columns(assessment=pl.Series(assessment, dtype=pl.Float64))
    return rows, df, notes, remarks


def _finish(prep, period, rows, df, notes, remarks, commissions, quarters=None):
    df = E.with_counts(prep, period, df, remarks)
    quality = _quality_points(rows)
    com_df = E.commission_frame(commissions, period, lambda c: _commission_points(c, quality))
    return ScoreResult(
        period=period,
        ledger=E.to_ledger(rows, ID, period),
        scores=E.scores_frame(df.to_dicts()),
        notes=list(dict.fromkeys(notes)),
        commissions=com_df,
        quarters=quarters,
    )


def _quality_points(rows: list[dict]) -> dict:
    """Commission quality points per event id (one pass over the ledger rows)."""
    out: dict = defaultdict(int)
    for r in rows:
        if r["rule_id"] == COMMISSION_QUALITY.rule.id:
            out[r["ref"]] += r["points"]
    return out


def _commission_points(c: dict, quality: dict) -> float | None:
    if c["status"] == E.UNKNOWN:
        return None
    return quality.get(c.get("event_id"), 0)


def _quarters_frame(frames: list[tuple[Period, pl.DataFrame]]) -> pl.DataFrame:
    cols = ["unit", "period", "points", "rank", "assessment", "target_met"]
    return pl.concat([df.with_columns(period=pl.lit(q.label)).select(cols) for q, df in frames])


def score(spec: E.SchemeSpec, inputs: ScoringInputs, period: Period) -> ScoreResult:
    """Score a month (分月通报), a quarter (按季考核) or the year (J9)."""
    prep = E.prepare(inputs, [g.name for g in GROUPS])
    commissions = _commissions(prep)

    if period.kind == "month":
        rows, notes, remarks = _items(prep, period, commissions)
        pts = E.totals(rows)
        df = E.scores_frame([dict(unit=u, group=g, points=pts[u]) for u, g in prep.units.items()])
        df = df.with_columns(rank=E.shared_rank(df, ["points"]))
        return _finish(prep, period, rows, df, notes, remarks, commissions)

    done = [(q, _quarter(prep, q, commissions)) for q in period.quarters_to_date()]
    quarters = _quarters_frame([(q, r[1]) for q, r in done])
    if period.kind == "quarter":
        rows, df, notes, remarks = done[-1][1]
        return _finish(prep, period, rows, df, notes, remarks, commissions, quarters)

    # The year (J9)
    rows, notes, remarks = [], [], defaultdict(list)
    for q, (q_rows, _, q_notes, q_remarks) in done:
        rows += q_rows
        notes += q_notes
        for u, rs in q_remarks.items():
            remarks[u] += [f"{q.title[5:]}{r}" for r in rs if not r.startswith("未完成季度目标")]
    zeroed: set[str] = set()
    for etype, rule in YEAR_ZERO.items():
        reasons = {}
        for e in prep.events_of(etype):
            if period.contains(e["date"]) and e["unit"] not in zeroed:
                reasons.setdefault(e["unit"], f"{etype}「{e.get('title') or ''}」")
        rows += E.zero_rows(rows, reasons, period, rule)
        zeroed |= set(reasons)
    state = {
        e["unit"]
        for e in prep.events_of(INSTRUCTIONS.event_type)
        if period.contains(e["date"]) and _is_state(e)
    }
    pts = E.totals(rows)
    assess = quarters.group_by("unit").agg(pl.col("assessment").sum())
    assess = dict(zip(assess["unit"], assess["assessment"], strict=True))
    records = []
    for unit, group in prep.units.items():
        a = 0.0 if unit in zeroed else assess.get(unit, 0.0)
        if unit in zeroed:
            remarks[unit].append("年度信息考核不得分，季度排名赋分不计")
        records.append(
            dict(unit=unit, group=group, points=pts[unit], assessment=a, first=unit in state)
        )
    df = pl.DataFrame(records)
    df = df.with_columns(rank=E.shared_rank(df, ["first", "assessment", "points"]))
    line = {g: E.top_share_count(n, YEAR_SHARE) for g, n in df["group"].value_counts().iter_rows()}
    df = df.with_columns(
        target_met=pl.Series([r <= line[g] for g, r in zip(df["group"], df["rank"], strict=True)])
    )
    for unit, group, r in df.select("unit", "group", "rank").iter_rows():
        if r <= line[group]:
            remarks[unit].append(f"组内前{E.fmt(YEAR_SHARE * 100)}%（前{line[group]}名），不扣分")
    return _finish(prep, period, rows, df.drop("first"), notes, remarks, commissions, quarters)


SCHEME = E.SchemeSpec(
    id=ID,
    title="2018年全市政务信息工作考核办法",
    doc_number="建政办函〔2018〕22号",
    office="建德市人民政府办公室",
    groups=GROUPS,
    publications=PUBLICATIONS,
    event_types=EVENT_TYPES,
    place_prefixes=("杭州市建德市", "建德市", "建德", "市"),
    rules=tuple(R.values()),
    units=UNITS,
    scorer=score,
    silent_month=(R["J-3.6.2"], SILENT_MONTH),  # ScoreResult.quotas for statements
)

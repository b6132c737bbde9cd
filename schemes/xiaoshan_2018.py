"""萧跑改办〔2018〕3号 萧山区“最多跑一次”改革信息宣传目标考核办法 (萧山区).

Monthly basic tasks (基本任务), points per article 就高 across levels, leader instruction and
media bonuses 就高, deductions, and an annual target per group (A 90, B 60, C 30); the
不列入考核 units are listed but never scored. Readings X1–X4 of docs/readings.md apply; see
docs/schemes.md for clause -> rule -> test.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from schemes import engine as E
from schemes.contract import Group, Publication, Rule, ScoreResult, ScoringInputs
from transforms.periods import Period, quarter_of

ID = "xiaoshan-2018"
A, B, C, UNSCORED = "A", "B", "C", "不列入考核"

GROUPS = (
    Group(A, 90, "A类考核单位，年度目标分90分"),
    Group(B, 60, "B类考核单位，年度目标分60分"),
    Group(C, 30, "C类考核单位，年度目标分30分"),
    Group(UNSCORED, None, "不列入考核单位：列入名单，不计分"),
)
ANNUAL_TARGET = {g.name: g.target for g in GROUPS if g.target is not None}

# Periodicals, own (区) level first.
QPG, XS_DAILY, XS_SPECIAL, XS_EXCHANGE = "区跑改简报", "萧山信息·每日动态", "萧山信息·专报", "萧山信息·情况交流"  # fmt: skip
SPG, HZ_TODAY, HZ_SPECIAL, HZ_EXCHANGE = "市跑改简报", "杭州信息·今日要情", "杭州信息·专报", "杭州信息·情况交流"  # fmt: skip
PPG, ZJ_DAILY, ZJ_EXCHANGE, ZJ_SPECIAL, ZJ_CENTRAL = "省跑改简报", "浙江信息·每日汇报", "浙江信息·工作情况交流", "浙江信息·专报", "浙江信息·上报中办专件"  # fmt: skip
ZB = "中办"

# Aliases: the short names offices type, each fitting one periodical. 每日动态, 今日要情 … and
# the names without their dot are derived (transforms.publications); 专报, 情况交流, 萧山信息 …
# fit several periodicals and are asked (review type publication), never guessed.
PUBLICATIONS = (
    Publication(QPG, "区", aliases=("萧山区跑改简报", "区跑改办简报")),
    Publication(XS_DAILY, "区"),
    Publication(XS_SPECIAL, "区"),
    Publication(XS_EXCHANGE, "区"),
    Publication(SPG, "市", aliases=("市跑简报", "杭州市跑改简报")),
    Publication(HZ_TODAY, "市"),
    Publication(HZ_SPECIAL, "市"),
    Publication(HZ_EXCHANGE, "市"),
    Publication(PPG, "省", aliases=("浙江省跑改简报",)),
    Publication(ZJ_DAILY, "省"),
    Publication(ZJ_EXCHANGE, "省"),
    Publication(ZJ_SPECIAL, "省"),
    Publication(ZJ_CENTRAL, "省", aliases=("中办专件", "上报中办")),
    Publication(ZB, "国家", aliases=("中共中央办公厅",)),
)

INSTRUCTION, MEDIA, COMMISSION = "领导批示", "媒体报道", "约稿"
SUMMARY_LATE = "总结计划迟报"
MAJOR_TYPES = ("重大信息漏报", "重大信息迟报")
EVENT_TYPES = frozenset((INSTRUCTION, MEDIA, COMMISSION, SUMMARY_LATE) + MAJOR_TYPES)


def _r(id_: str, clause: str, name: str, text: str, reading: str = "") -> Rule:
    return Rule(id_, clause, name, text, reading)


R = {
    r.id: r
    for r in (
        # 一、基本任务 (missing pieces cost 5 each: 四 扣分项目「未完成阶段性报送任务的」)
        _r(
            "X-1.1",
            "一",
            "基本任务·动态信息",
            "A、B类每月2篇，C类每两月1篇；每缺1篇扣5分",
            "X4, C5",
        ),
        _r(
            "X-1.2",
            "一",
            "基本任务·专报信息",
            "A类每月1篇，B类每两月1篇，C类每季度1篇；每缺1篇扣5分",
            "X4, C5",
        ),
        _r(
            "X-1.3",
            "一",
            "基本任务·月度总结计划",
            "每月20日报送当月总结及下月计划1篇；每缺1篇扣5分",
            "X4, C5",
        ),
        _r(
            "X-1.4",
            "一",
            "基本任务·季度总结计划",
            "每季度报送季度总结计划1篇；每缺1篇扣5分",
            "X4, C5",
        ),
        # 二、考核序列及考核分值
        _r(
            "X-2.1",
            "二",
            "年度目标分",
            "A类90分，B类60分，C类30分；年度得分达到目标分为完成目标任务",
            "X3",
        ),
        _r("X-2.2", "二", "不列入考核单位", "列入名单，不计分、不排名", "X3"),
        # 四、信息分值考核：录用（同一篇信息被不同层级录用，就高计分）
        _r("X-4.1.1", "四（区级录用）", "区跑改简报录用", "5分/篇", "X1"),
        _r(
            "X-4.1.2",
            "四（区级录用）",
            "《萧山信息·每日动态》录用",
            "5分/篇（区两办录用一并计入）",
            "X1",
        ),
        _r(
            "X-4.1.3",
            "四（区级录用）",
            "《萧山信息·专报》《萧山信息·情况交流》录用",
            "10分/篇",
            "X1",
        ),
        _r("X-4.2.1", "四（市级录用）", "市跑改简报录用", "10分/篇", "X1"),
        _r("X-4.2.2", "四（市级录用）", "《杭州信息·今日要情》录用", "10分/篇", "X1"),
        _r(
            "X-4.2.3",
            "四（市级录用）",
            "《杭州信息·专报》《杭州信息·情况交流》录用",
            "20分/篇",
            "X1",
        ),
        _r("X-4.3.1", "四（省级录用）", "省跑改简报录用", "15分/篇", "X1"),
        _r(
            "X-4.3.2",
            "四（省级录用）",
            "《浙江信息》录用",
            "每日汇报、工作情况交流、专报、上报中办专件 30分/篇",
            "X1",
        ),
        _r("X-4.4.1", "四（国家级录用）", "中办录用", "60分/篇", "X1"),
        # 领导批示（同一篇信息被不同层级领导批示肯定，就高分，不重复计分）
        _r("X-4.1.4", "四（区级录用）备注", "区领导批示", "加10分", "X1, X2"),
        _r(
            "X-4.2.4",
            "四（市级录用）备注",
            "杭州市委、市政府主要领导批示",
            "加40分，就高",
            "X1, X2",
        ),
        _r("X-4.2.5", "四（市级录用）备注", "杭州市其他领导批示", "加30分，就高", "X1, X2"),
        _r("X-4.3.3", "四（省级录用）备注", "省委、省政府主要领导批示", "加60分，就高", "X1, X2"),
        _r("X-4.3.4", "四（省级录用）备注", "省其他领导批示", "加40分，就高", "X1, X2"),
        _r("X-4.4.2", "四（国家级录用）备注", "国家领导人批示", "加80分", "X1, X2"),
        # 媒体报道（同一内容被不同层级媒体报道肯定，就高计分）
        _r("X-4.2.6", "四（市级录用）", "杭州主要媒体报道肯定", "10分/次", "X1"),
        _r("X-4.3.5", "四（省级录用）", "省级主要媒体报道肯定", "15分/次", "X1"),
        _r("X-4.4.3", "四（国家级录用）", "国家级主要媒体报道肯定", "20分/次", "X1"),
        # 扣分项目
        _r("X-4.5.1", "四（扣分项目）", "未按时完成总结计划报送", "-5分/次", "X4"),
        _r("X-4.5.2", "四（扣分项目）", "未按时完成约稿任务", "-10分/次", "X4"),
        _r(
            "X-4.5.3",
            "四（扣分项目）",
            "重大信息漏报、迟报",
            "视情况予以扣分（按事项分值）",
            "X4, C6",
        ),
        _r("X-4.5.4", "四（扣分项目）", "未取得区级及以上领导批示", "-30分（年度）", "X4"),
    )
}

_P = E.PointsEntry
POINTS = E.PointsTable(
    (
        _P(QPG, None, None, 5, R["X-4.1.1"]),
        _P(XS_DAILY, None, None, 5, R["X-4.1.2"]),
        _P(XS_SPECIAL, None, None, 10, R["X-4.1.3"]),
        _P(XS_EXCHANGE, None, None, 10, R["X-4.1.3"]),
        _P(SPG, None, None, 10, R["X-4.2.1"]),
        _P(HZ_TODAY, None, None, 10, R["X-4.2.2"]),
        _P(HZ_SPECIAL, None, None, 20, R["X-4.2.3"]),
        _P(HZ_EXCHANGE, None, None, 20, R["X-4.2.3"]),
        _P(PPG, None, None, 15, R["X-4.3.1"]),
        _P(ZJ_DAILY, None, None, 30, R["X-4.3.2"]),
        _P(ZJ_EXCHANGE, None, None, 30, R["X-4.3.2"]),
        _P(ZJ_SPECIAL, None, None, 30, R["X-4.3.2"]),
        _P(ZJ_CENTRAL, None, None, 30, R["X-4.3.2"]),
        _P(ZB, None, None, 60, R["X-4.4.1"]),
    ),
    {p.name: p.default_kind for p in PUBLICATIONS},
)

#: Level words of 领导批示 and 媒体报道 events -> 区 / 市 / 省 / 国家.
LEVELS = {
    **dict.fromkeys(("萧山区", "萧山", "区", "区级", "区委", "萧山区委"), "区"),
    **dict.fromkeys(("杭州市", "杭州", "市", "市级", "市委", "杭州市委"), "市"),
    **dict.fromkeys(("浙江省", "浙江", "省", "省级", "省委", "浙江省委"), "省"),
    **dict.fromkeys(("国家", "国家级", "国家领导人", "中央", "国务院", "中办", "国办"), "国家"),
}
_I = E.InstructionEntry
INSTRUCTIONS = E.InstructionTable(
    LEVELS,
    (
        _I("区", 10, R["X-4.1.4"]),
        _I("市", 40, R["X-4.2.4"], main=True),
        _I("市", 30, R["X-4.2.5"], main=False),
        _I("省", 60, R["X-4.3.3"], main=True),
        _I("省", 40, R["X-4.3.4"], main=False),
        _I("国家", 80, R["X-4.4.2"]),
    ),
    combine="max",
)
#: 媒体报道: a 区 medium is not in the regulation and scores nothing.
MEDIA_TABLE = E.InstructionTable(
    LEVELS,
    (_I("市", 10, R["X-4.2.6"]), _I("省", 15, R["X-4.3.5"]), _I("国家", 20, R["X-4.4.3"])),
    combine="max",
    event_type=MEDIA,
    actor="媒体",
    verb="报道",
)

# Submission kinds (the `kind` column, else words of the subject).
DYNAMIC, SPECIAL, SUMMARY = "动态", "专报", "总结计划"
QUARTER_WORD = "季度"


def submission_kind(s: dict) -> str | None:
    """动态 / 专报 / 总结计划 / 约稿 of a submission: its `kind` when it names one, else the
    subject (总结 → 总结计划, 专报, 约稿); anything else is a 动态 (the default class)."""
    for text in (s.get("kind") or "", s.get("subject") or ""):
        if COMMISSION in text:
            return COMMISSION
        if "总结" in text or SUMMARY in text:
            return SUMMARY
        if SPECIAL in text:
            return SPECIAL
        if DYNAMIC in text:
            return DYNAMIC
    return DYNAMIC


def _is(kind: str):
    return lambda s: submission_kind(s) == kind


def _quarterly_summary(s: dict) -> bool:
    text = (s.get("kind") or "") + (s.get("subject") or "")
    return submission_kind(s) == SUMMARY and QUARTER_WORD in text


_Q = E.Quota
BASIC_TASKS = (
    _Q(R["X-1.1"], {A: 2, B: 2}, "month", per_missing=-5, match=_is(DYNAMIC)),
    _Q(R["X-1.1"], {C: 1}, "bimonth", per_missing=-5, match=_is(DYNAMIC)),
    _Q(R["X-1.2"], {A: 1}, "month", per_missing=-5, match=_is(SPECIAL)),
    _Q(R["X-1.2"], {B: 1}, "bimonth", per_missing=-5, match=_is(SPECIAL)),
    _Q(R["X-1.2"], {C: 1}, "quarter", per_missing=-5, match=_is(SPECIAL)),
    _Q(R["X-1.3"], {A: 1, B: 1, C: 1}, "month", per_missing=-5, match=_is(SUMMARY)),
    _Q(R["X-1.4"], {A: 1, B: 1, C: 1}, "quarter", per_missing=-5, match=_quarterly_summary),
)
#: what each basic task counts, as the ledger note says it
TASK_WORDS = {
    "X-1.1": "动态信息",
    "X-1.2": "专报信息",
    "X-1.3": "总结计划",
    "X-1.4": "季度总结计划",
}

SUMMARY_LATE_RULE = E.EventRule((SUMMARY_LATE,), R["X-4.5.1"], points=-5)
MAJOR_RULE = E.EventRule(MAJOR_TYPES, R["X-4.5.3"], per_value=1, label="视情况扣分 ")
COMMISSION_RULES = {
    E.LATE: E.EventRule((COMMISSION,), R["X-4.5.2"], points=-10, label="逾期报送，"),
    E.MISSING: E.EventRule((COMMISSION,), R["X-4.5.2"], points=-10, label="未报送，"),
}
NO_INSTRUCTION = -30

# --------------------------------------------------------------------------------------
# Roster (二、考核序列), as printed

_ROSTER = {
    A: "区市场监管局 区发改局 国土萧山分局 区公安分局 区人力社保局 区民政局 区信息中心 区卫计局 区住建局（规划分局） 区环保局 区城市管理局",
    B: "区办事服务中心（招管办） 区编委办 区档案局 区文广新局 区招商局 区商务局 区农水局 区农业局（林业局） 区交通运输局 区财政（地税）局 区教育局 区经信局 区国税局 公积金萧山分中心 区消防大队 区安监局",
    C: "城厢街道 党湾镇 戴村镇 河上镇 瓜沥镇 临浦镇 浦阳镇 所前镇 蜀山街道 北干街道 衙前镇 新街街道 新塘街道 义桥镇 靖江街道 进化镇 闻堰街道 楼塔镇 南阳街道 益农镇 宁围街道 经济技术开发区 红山农场 区城乡一体办 区侨办 区总工会 区人防办 区台办 区残联 区旅游局 区司法局 区民族宗教局 区信访局 区科技局",
    UNSCORED: "人民银行萧山支行 海关驻萧山办事处 萧山出入境检验检疫局 区气象局 区红十字会 萧山烟草专卖局 城投集团 环境集团 市民卡公司 中国移动 中国联通 中国电信 华数 中石油 中石化 中国邮政 国家电网 中燃集团 新奥燃气",
}  # fmt: skip
_ALIASES = {
    "区市场监管局": ("区市场监督管理局",),
    "区发改局": ("区发展和改革局",),
    "国土萧山分局": ("国土资源局萧山分局", "萧山国土分局"),
    "区人力社保局": ("区人力资源和社会保障局",),
    "区卫计局": ("区卫生和计划生育局", "区卫生计生局"),
    "区住建局（规划分局）": ("区住房和城乡建设局",),
    "区环保局": ("区环境保护局",),
    "区城市管理局": ("区城管局",),
    "区办事服务中心（招管办）": ("区行政服务中心",),
    "区编委办": ("区编办",),
    "区文广新局": ("区文化广电新闻出版局",),
    "区经信局": ("区经济和信息化局",),
    "区国税局": ("区国家税务局",),
    "公积金萧山分中心": ("住房公积金萧山分中心",),
    "区安监局": ("区安全生产监督管理局",),
    "经济技术开发区": ("萧山经济技术开发区", "萧山经济开发区", "开发区"),
    "区民族宗教局": ("区民宗局",),
    "区科技局": ("区科学技术局",),
    "区人防办": ("区人民防空办公室",),
}
UNITS = tuple((u, g, _ALIASES.get(u, ())) for g, names in _ROSTER.items() for u in names.split())


# --------------------------------------------------------------------------------------
# Scoring


def _prepare(inputs: ScoringInputs) -> E.Prepared:
    prep = E.prepare(inputs, [g.name for g in GROUPS]).without_groups((UNSCORED,))
    for e in prep.events:  # C6: the deduction's size, whatever its sign
        if e["type"] in MAJOR_TYPES and e.get("value") is not None:
            e["value"] = -abs(e["value"])
    return prep


def _task_spans(period: Period) -> list[tuple[E.Quota, Period]]:
    """(basic task, the period its windows are taken from) for `period`: a month that ends
    a quarter also judges the quarter's tasks (C 专报, 季度总结计划)."""
    out = []
    for quota in BASIC_TASKS:
        over = period
        if quota.window == "quarter" and period.kind == "month":
            if period.index % 3:
                continue
            over = quarter_of(period.start)
        out.append((quota, over))
    return out


def _basic_tasks(prep: E.Prepared, period: Period) -> tuple[list[dict], list[str]]:
    """Basic-task rows of `period` (see `_task_spans`). C5: months without mail logs are
    not judged."""
    rows: list[dict] = []
    for quota, over in _task_spans(period):
        for r in E.quota_rows(prep, over, quota)[0]:
            r["note"] = r["note"].replace("报送 ", f"报送{TASK_WORDS[r['rule_id']]} ", 1)
            rows.append(r)
    notes = []
    missing = [m for m in period.months() if not prep.has_logs(m)]
    if missing:
        months = "、".join(m.title for m in missing)
        notes.append(
            f"{months}没有报送记录（邮件日志），这些月份未考核基本任务（一）；"
            "跨月的任务按有记录的月份计算。"
        )
    return rows, notes


def _basic_task_table(prep: E.Prepared, period: Period) -> pl.DataFrame:
    """ScoreResult.quotas: each basic task's judged windows of `period` per unit — the
    same windows, counts and points as the ledger rows of `_basic_tasks` (met: 0)."""
    rows: list[dict] = []
    for quota, over in _task_spans(period):
        rows += E.quota_table(prep, over, quota)
    return E.quotas_frame(rows)


def _items(prep: E.Prepared, period: Period, commissions: list[dict]):
    """Ledger rows and notes of `period` without the annual −30 rule."""
    rows = E.adoption_rows(prep, period, POINTS, lambda g: None, joint="full", combine="max")
    rows += E.instruction_rows(prep, period, INSTRUCTIONS)
    rows += E.instruction_rows(prep, period, MEDIA_TABLE)
    tasks, notes = _basic_tasks(prep, period)
    rows += tasks
    rows += E.event_rows(prep.events, period, SUMMARY_LATE_RULE)
    rows += E.event_rows(prep.events, period, MAJOR_RULE)
    for status, rule in COMMISSION_RULES.items():
        rows += E.event_rows([c for c in commissions if c["status"] == status], period, rule)
    for c in commissions:
        if period.contains(c["date"]) and c["status"] == E.UNKNOWN:
            title = f"「{c['title']}」" if c.get("title") else ""
            notes.append(
                f"{c['unit']}的约稿{title}（{c['date']:%Y年%-m月%-d日}到期）没有报送记录可供判断，"
                "未计分，请在事项表中填写状态。"
            )
    return rows, notes


def _no_instruction_rows(prep: E.Prepared, year: Period) -> list[dict]:
    """X4: a unit without any 领导批示 (区 level or above) in the year: −30."""
    instructed = set()
    for e in prep.events_of(INSTRUCTION):
        if year.contains(e["date"]):
            INSTRUCTIONS.read(e)  # an unknown level is an error, not an instruction
            instructed.add(e["unit"])
    rule = R["X-4.5.4"]
    note = f"{year.title}未取得区级及以上领导批示：{E.fmt(NO_INSTRUCTION)} 分"
    return [
        E.row(u, year.end, rule, NO_INSTRUCTION, note, E.ADJUST, None)
        for u in prep.units
        if u not in instructed
    ]


def _target(group: str, period: Period) -> float:
    """The annual target, pro rata for a quarter (¼) or a month (1/12): a progress line."""
    share = {"year": 1, "quarter": 4, "month": 12}[period.kind]
    return ANNUAL_TARGET[group] / share


def _table(prep: E.Prepared, period: Period, rows: list[dict]) -> pl.DataFrame:
    pts = E.totals(rows)
    records = []
    for unit, group in prep.units.items():
        target = _target(group, period)
        records.append(
            dict(
                unit=unit,
                group=group,
                points=pts[unit],
                target=target,
                target_met=pts[unit] >= target,
            )
        )
    df = E.scores_frame(records)
    return df.with_columns(rank=E.shared_rank(df, ["points"]))


def score(spec: E.SchemeSpec, inputs: ScoringInputs, period: Period) -> ScoreResult:
    """Score a month, a quarter or the year (the year-end result: target met, −30 rule)."""
    prep = _prepare(inputs)
    commissions = E.commission_status(prep.events, prep)
    rows, notes = _items(prep, period, commissions)
    if period.kind == "year":
        rows += _no_instruction_rows(prep, period)
    df = _table(prep, period, rows)

    quarters = None
    if period.kind != "month":
        frames = []
        for q in period.quarters_to_date():
            q_rows = rows if q == period else _items(prep, q, commissions)[0]
            frames.append(_table(prep, q, q_rows).with_columns(period=pl.lit(q.label)))
        quarters = pl.concat(frames).select(
            "unit", "period", "points", "rank", "assessment", "target_met"
        )

    remarks = _remarks(prep, period, rows, df, quarters)
    df = E.with_counts(prep, period, df, remarks)
    return ScoreResult(
        period=period,
        ledger=E.to_ledger(rows, ID, period),
        scores=E.scores_frame(df.to_dicts()),
        notes=list(dict.fromkeys(notes)),
        commissions=_commissions_frame(commissions, period, rows),
        quarters=quarters,
        quotas=_basic_task_table(prep, period),
    )


def _remarks(prep, period, rows, df, quarters) -> dict[str, list[str]]:
    remarks: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r["rule_id"] == "X-4.5.4":
            remarks[r["unit"]].append("全年未取得区级及以上领导批示，扣30分")
    if period.kind == "year":
        for unit, group, pts in df.select("unit", "group", "points").iter_rows():
            target = ANNUAL_TARGET[group]
            if pts >= target:
                remarks[unit].append(f"完成年度目标（{E.fmt(target)}分）")
            else:
                remarks[unit].append(
                    f"未完成年度目标（{E.fmt(target)}分），差{E.fmt(target - pts)}分"
                )
    elif quarters is not None:
        ytd = dict(quarters.group_by("unit").agg(pl.col("points").sum()).iter_rows())
        for unit, group in prep.units.items():
            target = ANNUAL_TARGET[group]
            done = ytd.get(unit, 0.0)
            remarks[unit].append(f"年度目标{E.fmt(target)}分，已完成{done / target:.0%}")
    return remarks


def _commissions_frame(commissions: list[dict], period: Period, rows: list[dict]):
    late = E.event_points(rows, ["X-4.5.2"])
    return E.commission_frame(commissions, period, lambda c: late.get(c.get("event_id"), 0.0))


SCHEME = E.SchemeSpec(
    id=ID,
    title="萧山区“最多跑一次”改革信息宣传目标考核办法",
    doc_number="萧跑改办〔2018〕3号",
    office="杭州市萧山区全面深化“最多跑一次”改革领导小组办公室",
    groups=GROUPS,
    publications=PUBLICATIONS,
    event_types=EVENT_TYPES,
    place_prefixes=("杭州市萧山区", "萧山区", "萧山", "区"),
    rules=tuple(R.values()),
    units=UNITS,
    scorer=score,
    unscored_groups=(UNSCORED,),
)

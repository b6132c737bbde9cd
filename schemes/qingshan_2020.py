"""青山区政府系统政务信息工作考评细则（修订）(2020) (包头市青山区).

Points add up across periodicals and instruction levels (累计); the year is the sum of the
year's points, less 2 points per submission missing below the group's yearly target; the
yearly targets on submissions and adoptions (综合类 included) decide `target_met`, and the
quarterly bulletins show each unit's progress against them. Readings Q1–Q4 of docs/readings.md
apply; see docs/schemes.md for clause -> rule -> test.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from schemes import engine as E
from schemes.contract import Group, Publication, Rule, ScoreResult, ScoringInputs
from transforms.periods import Period, month_of, quarter_of
from transforms.schema import NOTICES

ID = "qingshan-2020"
FIRST, SECOND, TOWNS = "一类", "二类", "办事处（镇）"

REPORT = "上报信息"
REGULAR = "政务信息（普刊）"
SPECIAL = "政务信息（专刊）"
CITY = "市政府办公室"
REGION = "自治区办公厅"
STATE = "国务院办公厅"

GROUPS = (
    Group(FIRST, 120, "全年上报信息不少于120条，采用不少于12条（次），综合类报送不少于6条、采用不少于2条（次）"),
    Group(SECOND, 60, "全年上报信息不少于60条，采用不少于8条（次），综合类报送不少于3条、采用不少于1条（次）"),
    Group(TOWNS, 150, "全年上报信息不少于150条，采用不少于8条（次），综合类不少于6条、采用不少于1条（次）"),
)  # fmt: skip

PUBLICATIONS = (
    Publication(REPORT, "本级", "动态"),
    Publication(REGULAR, "本级", "动态"),
    Publication(SPECIAL, "本级", "综合"),
    Publication(CITY, "市", "动态", aliases=("市政府办", "包头市政府办公室")),
    Publication(REGION, "自治区", aliases=("自治区政府办公厅",)),
    Publication(STATE, "国家", aliases=("国办",)),
)
DEFAULT_KINDS = {p.name: p.default_kind for p in PUBLICATIONS}

INSTRUCTION, COMMISSION, TRAINING, CARELESS = "领导批示", "约稿", "调训", "把关不严"
EVENT_TYPES = frozenset((INSTRUCTION, COMMISSION, TRAINING, CARELESS))

#: 综合类: 调研类、问题类、做法类 (经验做法类)、建议类 … (三, 四（一）3, 四（二）1)
COMPOSITE_KINDS = ("综合", "调研", "问题", "做法", "经验做法", "建议", "对策建议")


def _r(id_: str, clause: str, name: str, text: str, reading: str = "") -> Rule:
    return Rule(id_, clause, name, text, reading)


R = {
    r.id: r
    for r in (
        _r(
            "Q-3",
            "三（一）至（三）",
            "全年目标任务",
            "一类：报送≥120条、采用≥12条（次），综合类报送≥6条、采用≥2条（次）；二类：60、8、3、1；"
            "办事处（镇）：150、8、6、1",
            "Q4, C5",
        ),
        _r(
            "Q-4.1.1",
            "四（一）1",
            "《上报信息》采用",
            "综合类信息每篇30分，问题类信息每篇20分，动态类信息每篇15分",
            "Q1",
        ),
        _r("Q-4.1.2", "四（一）2", "《政务信息（普刊）》采用", "每篇15分", "Q1"),
        _r("Q-4.1.3", "四（一）3", "《政务信息（专刊）》采用", "每篇100分", "Q1"),
        _r("Q-4.2.1.1", "四（二）1", "国务院办公厅采用", "每篇加100分", "Q1"),
        _r("Q-4.2.1.2", "四（二）1", "自治区办公厅采用", "每篇加40分", "Q1"),
        _r(
            "Q-4.2.1.3",
            "四（二）1",
            "市政府办公室采用",
            "调研类、做法类、问题类等综合类信息每篇加30分，动态类信息每篇加15分",
            "Q1",
        ),
        _r("Q-4.2.2.1", "四（二）2", "自治区领导批示", "每篇加100分（国务院领导批示同）", "Q2"),
        _r("Q-4.2.2.2", "四（二）2", "市领导批示", "每篇加50分", "Q2"),
        _r("Q-4.2.2.3", "四（二）2", "区领导批示", "每篇加40分", "Q2"),
        _r("Q-4.2.3", "四（二）3", "按期完成约稿", "每篇加10分", "Q2"),
        _r(
            "Q-4.3.1",
            "四（三）1",
            "未完成全年报送目标",
            "以全年12个月总积分为基数，未完成全年目标任务报送条数的每少一条减2分",
            "Q4, C5",
        ),
        _r("Q-4.3.2", "四（三）2", "信息员调训", "每完成一次信息员调训任务加100分", "Q3"),
        _r(
            "Q-4.3.3",
            "四（三）3",
            "未按期完成约稿",
            "一次未按期完成约稿任务的减30分，两次的减80分，并予以通报（两次约稿不同题材）",
            "Q3",
        ),
        _r("Q-4.3.4", "四（三）4", "信息把关不严", "因信息把关不严造成不良影响的，减50分", "Q3"),
    )
}

_P = E.PointsEntry
_COMPOSITE_30 = ("综合", "调研", "做法", "经验做法", "建议", "对策建议")
POINTS = E.PointsTable(
    tuple(_P(REPORT, k, None, 30, R["Q-4.1.1"]) for k in _COMPOSITE_30)
    + (
        _P(REPORT, "问题", None, 20, R["Q-4.1.1"]),
        _P(REPORT, "动态", None, 15, R["Q-4.1.1"]),
        _P(REGULAR, None, None, 15, R["Q-4.1.2"]),
        _P(SPECIAL, None, None, 100, R["Q-4.1.3"]),
        _P(STATE, None, None, 100, R["Q-4.2.1.1"]),
        _P(REGION, None, None, 40, R["Q-4.2.1.2"]),
    )
    + tuple(_P(CITY, k, None, 30, R["Q-4.2.1.3"]) for k in COMPOSITE_KINDS)
    + (_P(CITY, "动态", None, 15, R["Q-4.2.1.3"]),),
    DEFAULT_KINDS,
)

LEVELS = {
    "青山区": "区",
    "青山": "区",
    "区": "区",
    "包头市": "市",
    "包头": "市",
    "市": "市",
    "自治区": "自治区",
    "内蒙古": "自治区",
    "内蒙古自治区": "自治区",
    "国务院": "国家",
    "国家": "国家",
    "中央": "国家",
}
INSTRUCTIONS = E.InstructionTable(
    LEVELS,
    (
        E.InstructionEntry("国家", 100, R["Q-4.2.2.1"]),
        E.InstructionEntry("自治区", 100, R["Q-4.2.2.1"]),
        E.InstructionEntry("市", 50, R["Q-4.2.2.2"]),
        E.InstructionEntry("区", 40, R["Q-4.2.2.3"]),
    ),
    combine="sum",
)

COMMISSION_ON_TIME = E.EventRule((COMMISSION,), R["Q-4.2.3"], points=10, label="按期完成，")
COMMISSION_LATE = E.EscalatingPenalty((COMMISSION,), R["Q-4.3.3"], (-30, -80), cumulative=True)
EVENT_RULES = (
    E.EventRule((TRAINING,), R["Q-4.3.2"], points=100),
    E.EventRule((CARELESS,), R["Q-4.3.4"], points=-50),
)

SUBMIT = E.CountTarget("报送", "submission", {FIRST: 120, SECOND: 60, TOWNS: 150})
ADOPT = E.CountTarget("采用", "adoption", {FIRST: 12, SECOND: 8, TOWNS: 8}, unit_word="条（次）")
SUBMIT_COMPOSITE = E.CountTarget(
    "综合类报送", "submission", {FIRST: 6, SECOND: 3, TOWNS: 6}, kinds=COMPOSITE_KINDS
)
ADOPT_COMPOSITE = E.CountTarget(
    "综合类采用",
    "adoption",
    {FIRST: 2, SECOND: 1, TOWNS: 1},
    kinds=COMPOSITE_KINDS,
    unit_word="条（次）",
)
TARGETS = (SUBMIT, ADOPT, SUBMIT_COMPOSITE, ADOPT_COMPOSITE)
PER_MISSING = -2

#: the regulation applies from April 2020 (六1); earlier months of 2020 are scored under it
START = (2020, 4)

_A = {
    "包头装备制造产业园区管委会": ("装备制造产业园区管委会", "装备制造产业园区", "装备园区管委会"),
    "包头市国际会展管理中心": ("包头国际会展中心", "国际会展中心", "会展中心"),
    "区发展和改革委员会": ("发改委", "发展改革委", "区发改委", "青山区发改委"),
    "区教育局": ("青山区教育局",),
    "区工信和科技局": ("工信科技局", "区工信科技局"),
    "区民政局": ("青山区民政局",),
    "区人力资源和社会保障局": ("人社局", "人力社保局", "区人社局", "青山区人力资源和社会保障局"),
    "区住房和城乡建设局": ("住建局", "区住建局"),
    "区商务局": ("青山区商务局",),
    "区市场监督管理局": ("市场监管局", "区市场监管局", "青山区市场监督管理局"),
    "区政务服务局": ("青山区政务服务局",),
    "区民族事务委员会": ("民委", "民族宗教事务委员会", "区民委"),
    "区文体旅游广电局": ("文旅广电局", "文体广电旅游局", "区文旅广电局"),
    "区卫生健康委员会": ("卫健委", "卫生健康委", "区卫健委", "青山区卫生健康委员会"),
    "区退役军人事务局": ("退役军人局",),
    "区应急管理局": ("应急局", "区应急局"),
    "区金融工作办公室": ("金融办", "区金融办"),
    "区医疗保障局": ("医保局", "区医保局"),
    "区城市管理综合执法局": (
        "城管执法局",
        "城市管理执法局",
        "区城管执法局",
        "青山区城市管理综合执法局",
    ),
    "区供销社": ("供销合作社",),
    "富强办": ("富强路街道", "富强路街道办事处", "富强路办事处"),
    "科学办": ("科学路街道", "科学路街道办事处", "科学路办事处"),
    "幸福办": ("幸福路街道", "幸福路街道办事处", "幸福路办事处"),
    "自由办": ("自由路街道", "自由路街道办事处", "自由路办事处"),
    "青山办": ("青山路街道", "青山路街道办事处", "青山路办事处"),
    "万青办": ("万青路街道", "万青路街道办事处", "万青路办事处"),
    "先锋办": ("先锋道街道", "先锋道街道办事处", "先锋道办事处"),
    "乌素图办": ("乌素图街道", "乌素图街道办事处", "乌素图办事处"),
}
_ROSTER = {
    FIRST: "包头装备制造产业园区管委会 包头市国际会展管理中心 区发展和改革委员会 区教育局 区工信和科技局 区民政局 区财政局 区人力资源和社会保障局 区住房和城乡建设局 区农牧局 区商务局 区市场监督管理局 区统计局 区政务服务局",
    SECOND: "区民族事务委员会 区司法局 区文体旅游广电局 区就业局 区卫生健康委员会 区退役军人事务局 区应急管理局 区审计局 区金融工作办公室 区医疗保障局 区信访局 区城市管理综合执法局 区供销社",
    TOWNS: "富强办 科学办 幸福办 自由办 青山办 万青办 先锋办 乌素图办 青福镇 兴胜镇",
}  # fmt: skip
UNITS = tuple((u, g, _A.get(u, ())) for g, names in _ROSTER.items() for u in names.split())


# --------------------------------------------------------------------------------------
# Scoring


def _prepare(inputs: ScoringInputs) -> E.Prepared:
    """Prepared inputs with article classes read without 类/信息 (调研类 → 调研)."""
    prep = E.prepare(inputs, [g.name for g in GROUPS])
    for a in prep.adoptions:
        a["kind"] = E.kind_word(a.get("kind"))
    return prep


def _instruction_events(prep: E.Prepared, year: Period) -> tuple[list[dict], list[dict]]:
    """(instructions that score, repeats): one instruction per article and level in the
    year scores (每篇: a second 区 leader on the same article adds nothing)."""
    seen: set = set()
    kept, repeats = [], []
    for e in prep.events:
        if e["type"] == INSTRUCTION and year.contains(e["date"]) and e.get("article_id"):
            key = (e["unit"], e["article_id"], INSTRUCTIONS.read(e)[0])
            if key in seen:
                repeats.append(e)
                continue
            seen.add(key)
        kept.append(e)
    return kept, repeats


def _notices(period: Period, commissions: list[dict]) -> pl.DataFrame:
    """ScoreResult.notices: 四（三）3 两次未按期完成约稿 → 予以通报, at the second late
    commission (different topics) when it falls in `period`; labelled with its quarter (the
    month for a month)."""
    of = month_of if period.kind == "month" else quarter_of
    rule = R["Q-4.3.3"]
    counts: dict[str, int] = defaultdict(int)
    out = []
    for c in _late_commissions(commissions):
        counts[c["unit"]] += 1
        if counts[c["unit"]] == 2 and period.contains(c["date"]):
            title = f"「{c['title']}」" if c.get("title") else ""
            out.append(
                dict(unit=c["unit"], period=of(c["date"]).label, rule_id=f"{ID}/{rule.id}",
                     clause=rule.clause,
                     reason=f"两次未按期完成约稿任务（第二次：约稿{title}{c['status']}）")
            )  # fmt: skip
    return pl.DataFrame(out, schema=NOTICES)


def _items(prep: E.Prepared, period: Period, commissions: list[dict]):
    """Item rows of `period` (everything but the yearly deduction), notes, remarks."""
    notes: list[str] = []
    remarks: dict[str, list[str]] = defaultdict(list)
    rows = E.adoption_rows(prep, period, POINTS, lambda g: None, joint="full", combine="sum")
    events, repeats = _instruction_events(prep, period.year_period)
    for e in repeats:
        if period.contains(e["date"]):
            notes.append(
                f"{e['unit']}「{e.get('title') or ''}」另有{e.get('level')}领导批示"
                f"（{e['date']:%Y年%-m月%-d日}），同一信息同级批示只加分一次。"
            )
    rows += E.instruction_rows(
        prep.with_events(events),
        period,
        INSTRUCTIONS,
    )
    on_time = [c for c in commissions if c["status"] == E.ON_TIME]
    late = _late_commissions(commissions)
    rows += E.event_rows(on_time, period, COMMISSION_ON_TIME)
    rows += E.escalating_rows(late, period, COMMISSION_LATE)
    for rule in EVENT_RULES:
        rows += E.event_rows(prep.events, period, rule)

    counts: dict[str, int] = defaultdict(int)
    for c in late:
        counts[c["unit"]] += 1
        if not period.contains(c["date"]):
            continue
        title = f"「{c['title']}」" if c.get("title") else ""
        remarks[c["unit"]].append(f"约稿{title}{c['status']}")
        if counts[c["unit"]] == 2:
            remarks[c["unit"]].append("两次未按期完成约稿任务，予以通报")
    for c in commissions:
        if period.contains(c["date"]) and c["status"] == E.UNKNOWN:
            title = f"「{c['title']}」" if c.get("title") else ""
            notes.append(
                f"{c['unit']}的约稿{title}（{c['date']:%Y年%-m月%-d日}到期）没有报送记录可供判断，"
                "未计分，请在事项表中填写状态。"
            )
    if period.year == START[0] and period.start.month < START[1]:
        notes.append(
            "《细则》自2020年4月起实施，考评时段为全年1—12月：2020年1—3月的采用、批示等"
            "按工作区所存记录一并按本细则计分。"
        )
    return rows, notes, remarks


def _late_commissions(commissions: list[dict]) -> list[dict]:
    """未按期完成 (逾期 or 未报), one per unit and topic (两次约稿不同题材): a second miss
    on the same title does not count again."""
    seen, out = set(), []
    for c in commissions:
        if c["status"] not in (E.LATE, E.MISSING):
            continue
        key = (c["unit"], "".join((c.get("title") or c.get("event_id") or "").split()))
        if key in seen:
            continue
        seen.add(key)
        out.append(c)
    return out


def _progress_remark(progs: list[E.Progress]) -> str:
    """Quarter or month: what is still missing for the year, or that all is done."""
    missing = [
        f"{p.target.name}{p.full - p.got:g}{p.target.unit_word}"
        for p in progs
        if p.full is not None and p.got < p.full
    ]
    return "全年目标尚差：" + "，".join(missing) if missing else "已完成全年目标任务"


def _year_remark(progs: list[E.Progress]) -> str:
    """The year: the targets missed (count/need) or not judged, or that all were met."""
    parts = []
    for p in progs:
        if p.met is False:
            text = f"{p.text().replace(' ', '')}"
            if p.target is SUBMIT:
                text += f"（扣{E.fmt(-PER_MISSING * p.short)}分）"
            parts.append(text)
        elif p.met is None and p.full is not None:
            parts.append(f"{p.target.name}未考核（无报送记录）")
    if not parts:
        return "完成全年目标任务"
    return "未完成全年目标任务：" + "，".join(parts)


def _met(progs: list[E.Progress]) -> bool | None:
    """All targets met → True; any missed → False; else (a target not judged) None."""
    flags = [p.met for p in progs if p.full is not None]
    if any(f is False for f in flags):
        return False
    if any(f is None for f in flags):
        return None
    return True


def _target_table(period: Period, progress: dict[str, list[E.Progress]]) -> pl.DataFrame:
    """ScoreResult.quotas: per unit, its count against each yearly target of its group
    (三), in the window of the year (label 2020). In the year the 报送 row carries the
    deduction of 四（三）1 (−2 per missing submission, 0 when met: the ledger's Q-4.3.1
    rows) against the need scaled to the months holding mail logs (C5); the other targets
    carry no points (blank). A quarter or a month shows the year-to-date progress against
    the full targets, all without points. A submission target without any month of mail
    logs has no row (C5)."""
    judge = period.kind == "year"
    upto = "" if judge else f"（截至{period.title}末）"
    rows = []
    for unit, progs in progress.items():
        for p in progs:
            if p.full is None:
                continue
            if p.target.source == "submission" and (p.need is None or p.months == 0):
                continue
            rule = R["Q-4.3.1"] if p.target is SUBMIT else R["Q-3"]
            pts = float(PER_MISSING * p.short) + 0.0 if judge and p.target is SUBMIT else None
            rows.append(
                dict(unit=unit, period=period.year_period.label,
                     rule=f"{R['Q-3'].name}·{p.target.name}{upto}", clause=rule.clause,
                     required=float(p.need), count=p.got, points=pts)
            )  # fmt: skip
    return E.quotas_frame(rows)


def _frame(prep: E.Prepared, pts: dict[str, float], met: dict | None = None) -> pl.DataFrame:
    met = met or {}
    df = E.scores_frame(
        [
            dict(unit=u, group=g, points=pts.get(u, 0.0), target_met=met.get(u))
            for u, g in prep.units.items()
        ]
    )
    return df.with_columns(rank=E.shared_rank(df, ["points"]))


def score(spec: E.SchemeSpec, inputs: ScoringInputs, period: Period) -> ScoreResult:
    """Score a month, a quarter (按季度通报) or the year (年度综合考评)."""
    prep = _prepare(inputs)
    commissions = E.commission_status(prep.events, prep)

    rows, notes, remarks = _items(prep, period, commissions)
    quarters = None
    if period.kind != "month":
        frames = []
        for q in period.quarters_to_date():
            q_rows = rows if q == period else _items(prep, q, commissions)[0]
            df = _frame(prep, E.totals(q_rows)).with_columns(period=pl.lit(q.label))
            frames.append(df.select("unit", "period", "points", "rank", "assessment", "target_met"))
        quarters = pl.concat(frames)

    judge = period.kind == "year"
    progress = E.target_progress(prep, period, TARGETS, default_kinds=DEFAULT_KINDS, judge=judge)
    met = None
    if judge:
        short_rows, short_notes = E.shortfall_rows(
            progress, SUBMIT, period, R["Q-4.3.1"], PER_MISSING
        )
        rows += short_rows
        notes += short_notes
        met = {u: _met(p) for u, p in progress.items()}
        for u, p in progress.items():
            remarks[u].insert(0, _year_remark(p))
    else:
        for u, p in progress.items():
            remarks[u].insert(0, _progress_remark(p))
        done = [u for u, p in progress.items() if _met(p)]
        by_group = {g.name: sum(1 for u in done if prep.units[u] == g.name) for g in GROUPS}
        counts = "、".join(f"{g}{n}个" for g, n in by_group.items())
        notes.append(
            f"全年目标任务完成进度（截至{period.title}末，按《细则》第三条）："
            f"已全部完成的单位{counts}；其余单位尚差的条数见附件“备注”。"
        )

    df = _frame(prep, E.totals(rows), met)
    df = E.with_counts(prep, period, df, remarks)
    earned = E.event_points((r for r in rows if r["source"] == "event"), ("Q-4.2.3", "Q-4.3.3"))
    com_df = E.commission_frame(commissions, period, lambda c: earned.get(c.get("event_id"), 0.0))
    return ScoreResult(
        period=period,
        ledger=E.to_ledger(rows, ID, period),
        scores=E.scores_frame(df.to_dicts()),
        notes=list(dict.fromkeys(notes)),
        commissions=com_df,
        quarters=quarters,
        quotas=_target_table(period, progress),
        notices=_notices(period, commissions),
    )


SCHEME = E.SchemeSpec(
    id=ID,
    title="青山区政府系统政务信息工作考评细则（修订）",
    doc_number="",
    office="包头市青山区人民政府办公室",
    groups=GROUPS,
    publications=PUBLICATIONS,
    event_types=EVENT_TYPES,
    place_prefixes=("包头市青山区", "青山区", "青山", "区"),
    rules=tuple(R.values()),
    units=UNITS,
    scorer=score,
)

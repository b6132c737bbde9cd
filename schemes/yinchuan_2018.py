"""银政办发〔2018〕94号 银川市政务信息工作考核办法 (银川市).

Quarterly bulletins: a quarter's submission quota gives 10 base points; adopted articles
score their highest periodical only (就高); leader instructions add per level; 优秀信息
adds, an unfinished 约稿 deducts. Two quarters below quota in a row bring a 通报批评; each
通报批评 and a year without any adoption cost the unit in the annual performance assessment
(绩效扣分, reported in the `assessment` column, never subtracted from the points). The year
sums the quarters and ranks them. Readings Y1–Y3 of docs/readings.md apply; see docs/schemes.md
for clause -> rule -> test.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import polars as pl

from schemes import engine as E
from schemes.contract import Group, Publication, Rule, ScoreResult, ScoringInputs
from transforms.periods import Period, month_of, quarter_of
from transforms.schema import NOTICES

ID = "yinchuan-2018"
COUNTY, DEPT, DIRECT, INSTITUTION = "县（市）区", "市政府部门", "直属机构", "事业单位"
ZONE, VERTICAL, LIAISON = "开发区", "自治区垂管机构", "驻外办事处"

#: 第九条（一）: submissions per quarter by group (三区 = the three zones, 开发区)
QUOTAS = {
    COUNTY: 90,
    DEPT: 40,
    DIRECT: 20,
    INSTITUTION: 20,
    ZONE: 20,
    VERTICAL: 10,
    LIAISON: 30,
}
GROUPS = tuple(Group(g, None, f"每季度报送信息不少于{n}条") for g, n in QUOTAS.items())

YINCHUAN = "银川政务信息"
TOPICAL = "银川专题信息"
UPWARD = "上报自治区"
KUAIBAO = "宁夏政务快报"
CHENBAO = "宁夏政务晨报"
GUOBAO = "国报信息"

# Aliases: the short names offices type (each fits one periodical).
PUBLICATIONS = (
    Publication(YINCHUAN, "本级", aliases=("银川信息",)),
    Publication(TOPICAL, "本级", aliases=("专题信息", "银川专题")),
    Publication(UPWARD, "上报", aliases=("上报区",)),
    Publication(KUAIBAO, "自治区", aliases=("快报", "政务快报")),
    Publication(CHENBAO, "自治区", aliases=("晨报", "政务晨报")),
    Publication(GUOBAO, "国家", aliases=("国报",)),
)

INSTRUCTION, EXCELLENT, COMMISSION, CRITICISM = "领导批示", "优秀信息", "约稿", "通报批评"
EVENT_TYPES = frozenset((INSTRUCTION, EXCELLENT, COMMISSION, CRITICISM))


def _r(id_: str, clause: str, name: str, text: str, reading: str = "") -> Rule:
    return Rule(id_, clause, name, text, reading)


R = {
    r.id: r
    for r in (
        _r(
            "Y-9.1.1",
            "第九条（一）",
            "季度报送数量",
            "完成季度报送数量计基础分10分，未完成的基础分计0分",
            "Y3, C5",
        ),
        _r(
            "Y-9.1.2",
            "第九条（一）",
            "连续2个季度未完成报送数量",
            "对连续2个季度未完成报送数量的单位进行通报批评",
            "Y3",
        ),
        _r("Y-9.2.1", "第九条（二）", "《银川政务信息》采用", "每条计3分（简讯1分）", "Y1"),
        _r("Y-9.2.2", "第九条（二）", "《银川专题信息》采用", "每条计5分", "Y1"),
        _r(
            "Y-9.2.3",
            "第九条（二）",
            "采编上报自治区",
            "经市政府办公厅采编上报自治区的每条计1分",
            "Y1",
        ),  # fmt: skip
        _r("Y-9.3.1", "第九条（三）", "《国报信息》采用", "每条加5分；重复采用只记最高分", "Y1"),
        _r(
            "Y-9.3.2",
            "第九条（三）",
            "《宁夏政务快报》采用",
            "每条加3分（简讯1分）；重复采用只记最高分",
            "Y1",
        ),
        _r(
            "Y-9.3.3", "第九条（三）", "《宁夏政务晨报》采用", "每条加1分；重复采用只记最高分", "Y1"
        ),  # fmt: skip
        _r("Y-9.3.4", "第九条（三）", "国务院领导批示", "每条加10分", "Y2"),
        _r("Y-9.3.5", "第九条（三）", "自治区领导批示", "每条加5分", "Y2"),
        _r("Y-9.3.6", "第九条（三）", "银川市领导批示", "每条加3分", "Y2"),
        _r("Y-9.3.7", "第九条（三）", "优秀信息", "被评选为优秀信息的每条加2分", "Y2"),
        _r(
            "Y-9.3.8", "第九条（三）", "约稿未按要求完成", "约稿信息未按要求完成的每次扣3分", "Y2"
        ),  # fmt: skip
        _r(
            "Y-9.4.1",
            "第九条（四）",
            "通报批评",
            "政务信息工作被通报批评的单位，每通报1次，年终绩效考核扣0.1分（不计入信息得分）",
            "Y3",
        ),
        _r(
            "Y-9.4.2",
            "第九条（四）",
            "全年零采用",
            "全年信息“零采用”的，年终绩效考核扣0.2分（不计入信息得分）",
            "Y3",
        ),
        _r(
            "Y-9.4.3",
            "第九条、第九条（四）",
            "年度得分排名",
            "年终累计得分作为当年信息工作考核的依据；根据全年得分排名",
            "C4",
        ),
    )
}

_P = E.PointsEntry
#: Y1: one article scores its highest adoption only (就高, combine="max")
POINTS = E.PointsTable(
    (
        _P(YINCHUAN, None, None, 3, R["Y-9.2.1"]),
        _P(YINCHUAN, "简讯", None, 1, R["Y-9.2.1"]),
        _P(TOPICAL, None, None, 5, R["Y-9.2.2"]),
        _P(UPWARD, None, None, 1, R["Y-9.2.3"]),
        _P(GUOBAO, None, None, 5, R["Y-9.3.1"]),
        _P(KUAIBAO, None, None, 3, R["Y-9.3.2"]),
        _P(KUAIBAO, "简讯", None, 1, R["Y-9.3.2"]),
        _P(CHENBAO, None, None, 1, R["Y-9.3.3"]),
    ),
    {p.name: p.default_kind for p in PUBLICATIONS},
)

LEVELS = {
    "银川市": "市",
    "银川": "市",
    "市": "市",
    "本级": "市",
    "宁夏回族自治区": "自治区",
    "宁夏": "自治区",
    "自治区": "自治区",
    "国务院": "国家",
    "国家": "国家",
    "中央": "国家",
}
#: Y2: levels add up; on one article each level counts once (see `_instruction_rows`)
INSTRUCTIONS = E.InstructionTable(
    LEVELS,
    (
        E.InstructionEntry("国家", 10, R["Y-9.3.4"]),
        E.InstructionEntry("自治区", 5, R["Y-9.3.5"]),
        E.InstructionEntry("市", 3, R["Y-9.3.6"]),
    ),
    combine="sum",
    event_type=INSTRUCTION,
)
EXCELLENT_RULE = E.EventRule((EXCELLENT,), R["Y-9.3.7"], points=2)
COMMISSION_MISSED = E.EventRule((COMMISSION,), R["Y-9.3.8"], points=-3)
#: 第九条（一）: judged per quarter; only quarters whose three months hold mail logs (C5)
QUOTA = E.Quota(R["Y-9.1.1"], dict(QUOTAS), window="quarter", met_points=10)
MISSED_RUN = 2
#: 第九条（四）: the annual performance deductions (绩效扣分, positive numbers)
PER_CRITICISM, NO_ADOPTION = 0.1, 0.2

UNITS = (
    ("兴庆区", COUNTY, ("兴庆区人民政府",)),
    ("金凤区", COUNTY, ("金凤区人民政府",)),
    ("西夏区", COUNTY, ("西夏区人民政府",)),
    ("永宁县", COUNTY, ("永宁县人民政府",)),
    ("贺兰县", COUNTY, ("贺兰县人民政府",)),
    ("灵武市", COUNTY, ("灵武市人民政府",)),
    ("银川综合保税区", ZONE, ("综合保税区", "综保区")),
    ("银川经济技术开发区", ZONE, ("经济技术开发区", "经开区", "银川经开区")),
    ("银川滨河新区", ZONE, ("滨河新区",)),
    ("驻京办", LIAISON, ("银川市人民政府驻北京联络处", "驻北京联络处")),
    ("驻沪办", LIAISON, ("银川市人民政府驻上海联络处", "驻上海联络处")),
    ("驻深办", LIAISON, ("银川市人民政府驻深圳联络处", "驻深圳联络处")),
)


# --------------------------------------------------------------------------------------
# Scoring


def _instruction_rows(prep: E.Prepared, period: Period) -> list[dict]:
    """Y2: every level adds (国务院 10 + 自治区 5 + 银川市 3 on one article = 18); a second
    instruction of the same level on the same article adds nothing, across the year."""
    year = E.instruction_rows(prep, period.year_period, INSTRUCTIONS)
    upto = [r for r in year if r["date"] <= period.end]
    return E.keep_highest(
        upto,
        period,
        key=lambda r: (r["unit"], r["article_id"] or ("event", r["ref"]), r["rule_id"]),
    )


def _items(prep: E.Prepared, period: Period, commissions: list[dict]):
    """Item rows of any period (adoptions, instructions, events), notes and remarks."""
    notes: list[str] = []
    remarks: dict[str, list[str]] = defaultdict(list)
    rows = E.adoption_rows(prep, period, POINTS, lambda g: None, joint="full", combine="max")
    rows += _instruction_rows(prep, period)
    rows += E.event_rows(prep.events, period, EXCELLENT_RULE)
    for c in commissions:
        if not period.contains(c["date"]):
            continue
        title = f"「{c['title']}」" if c.get("title") else ""
        if c["status"] in (E.LATE, E.MISSING):
            rows += E.event_rows([c], period, replace(COMMISSION_MISSED, label=f"{c['status']}，"))
            remarks[c["unit"]].append(f"约稿{title}{c['status']}，扣3分")
        elif c["status"] == E.UNKNOWN:
            notes.append(
                f"{c['unit']}的约稿{title}（{c['date']:%Y年%-m月%-d日}到期）没有报送记录可供判断，"
                "未计分，请在事项表中填写状态。"
            )
    for e in prep.events_of(CRITICISM):
        if period.contains(e["date"]):
            title = f"「{e['title']}」" if e.get("title") else ""
            note = f"通报批评{title}：年终绩效考核扣{E.fmt(PER_CRITICISM)}分，不计入信息得分"
            row = E.row(e["unit"], e["date"], R["Y-9.4.1"], 0, note, "event", e.get("event_id"))
            what = e.get("title") or e.get("note")
            when = f"{e['date']:%Y年%-m月%-d日}"
            row[_NOTICE] = f"因“{what}”被通报批评（{when}）" if what else f"{when}被通报批评"
            rows.append(row)
            remarks[e["unit"]].append(f"通报批评{title}（年终绩效考核扣{E.fmt(PER_CRITICISM)}分）")
    return rows, notes, remarks


def _judged(prep: E.Prepared, q: Period) -> bool:
    """C5 for the quarterly quota: a quarter is judged only when each of its three months
    holds mail logs; a partly covered quarter is neither met nor missed."""
    return all(prep.has_logs(m) for m in q.months())


def _outcomes(prep: E.Prepared, quarters: list[Period]) -> dict[Period, dict[str, bool]]:
    """Quota met (True) or missed (False) per judged quarter and unit."""
    out = {}
    for q in quarters:
        if _judged(prep, q):
            n = E.submitted_counts(prep, q)
            out[q] = {u: n.get(u, 0) >= QUOTAS[g] for u, g in prep.units.items()}
    return out


def _criticised(prep, outcomes, quarters) -> dict[str, list[Period]]:
    """unit -> the quarters at which a run of two missed quarters completes."""
    out = {}
    for unit in prep.units:
        seq = [(q, outcomes[q][unit] if q in outcomes else None) for q in quarters]
        out[unit] = E.consecutive_misses(seq, MISSED_RUN)
    return out


def _quarter(prep: E.Prepared, q: Period, commissions: list[dict], outcomes, criticised):
    """Rows, score records and notes of quarter `q`; `assessment` holds the 绩效扣分 of the
    通报批评 issued in the quarter."""
    rows, notes, remarks = _items(prep, q, commissions)
    if q in outcomes:
        quota, quota_notes = E.quota_rows(prep, q, QUOTA)
        rows += quota
        notes += quota_notes
    else:
        missing = "、".join(m.title for m in q.months() if not prep.has_logs(m))
        notes.append(
            f"{missing}没有报送记录（邮件日志），{q.title}未执行“季度报送数量”规则（第九条（一））："
            "本季度不计基础分，也不计入“连续2个季度未完成”。"
        )
    n_sub = E.submitted_counts(prep, q)
    for unit, hits in criticised.items():
        if q in hits:
            prev = Period(q.year, "quarter", q.index - 1)
            note = (
                f"{prev.title[5:]}、{q.title[5:]}连续未完成报送数量：通报批评，"
                f"年终绩效考核扣{E.fmt(PER_CRITICISM)}分，不计入信息得分"
            )
            row = E.row(unit, q.end, R["Y-9.1.2"], 0, note, "quota", None)
            row[_NOTICE] = f"{prev.title}、{q.title[5:]}连续2个季度未完成报送数量"
            rows.append(row)
            remarks[unit].append(
                f"连续2个季度未完成报送数量，通报批评（年终绩效考核扣{E.fmt(PER_CRITICISM)}分）"
            )
    pts = E.totals(rows)
    records = []
    for unit, group in prep.units.items():
        met = outcomes[q][unit] if q in outcomes else None
        if met is False:
            remarks[unit].insert(
                0, f"未完成季度报送数量（报送{n_sub.get(unit, 0)}条，应不少于{QUOTAS[group]}条）"
            )
        n_crit = sum(1 for r in rows if r["unit"] == unit and r["rule_id"] in _CRITICISM_RULES)
        records.append(
            dict(
                unit=unit,
                group=group,
                points=pts[unit],
                target_met=met,
                assessment=round(PER_CRITICISM * n_crit, 2),
            )
        )
    df = E.scores_frame(records)
    return rows, df.with_columns(rank=E.shared_rank(df, ["points"])), notes, remarks


_CRITICISM_RULES = ("Y-9.1.2", "Y-9.4.1")
#: the key of a 通报批评 row's reason (ScoreResult.notices); not a ledger column
_NOTICE = "notice"


def _notices(rows: list[dict], period: Period) -> pl.DataFrame:
    """ScoreResult.notices: every 通报批评 of `rows` (consecutive misses, Y-9.1.2, and
    recorded ones, Y-9.4.1), labelled with the quarter it falls in (the month for a month)."""
    of = month_of if period.kind == "month" else quarter_of
    out = [
        dict(unit=r["unit"], period=of(r["date"]).label, rule_id=f"{ID}/{r['rule_id']}",
             clause=r["clause"], reason=r[_NOTICE])
        for r in rows
        if r.get(_NOTICE)
    ]  # fmt: skip
    return pl.DataFrame(out, schema=NOTICES).sort("period", "unit", maintain_order=True)


def _quota_table(prep: E.Prepared, quarters: list[Period], outcomes) -> pl.DataFrame:
    """ScoreResult.quotas: the quota of each judged quarter (all three months logged, C5)
    per unit — the quarters and points `_quarter` puts in the ledger (met 10, missed 0);
    a partly logged quarter has no row, as it has no ledger row."""
    rows: list[dict] = []
    for q in quarters:
        if q in outcomes:
            rows += E.quota_table(prep, q, QUOTA)
    return E.quotas_frame(rows)


def _finish(prep, period, rows, df, notes, remarks, commissions, quarters=None, quotas=None):
    df = E.with_counts(prep, period, df, remarks)
    missed = E.event_points(rows, [COMMISSION_MISSED.rule.id])
    com_df = E.commission_frame(commissions, period, lambda c: missed.get(c.get("event_id"), 0.0))
    return ScoreResult(
        period=period,
        ledger=E.to_ledger(
            [{k: v for k, v in r.items() if k != _NOTICE} for r in rows], ID, period
        ),
        scores=E.scores_frame(df.to_dicts()),
        notes=list(dict.fromkeys(notes)),
        commissions=com_df,
        quarters=quarters,
        quotas=quotas if quotas is not None else E.quotas_frame([]),
        notices=_notices(rows, period),
    )


def _quarters_frame(frames: list[tuple[Period, pl.DataFrame]]) -> pl.DataFrame:
    cols = ["unit", "period", "points", "rank", "assessment", "target_met"]
    return pl.concat([df.with_columns(period=pl.lit(q.label)).select(cols) for q, df in frames])


def score(spec: E.SchemeSpec, inputs: ScoringInputs, period: Period) -> ScoreResult:
    """Score a month, a quarter (季度通报) or the year (年终累计得分, 排名, 绩效扣分)."""
    prep = E.prepare(inputs, [g.name for g in GROUPS])
    commissions = E.commission_status(prep.events, prep, event_type=COMMISSION)

    if period.kind == "month":
        rows, notes, remarks = _items(prep, period, commissions)
        notes.append("季度报送数量（第九条（一））按季度考核，月度不计基础分。")
        pts = E.totals(rows)
        df = E.scores_frame([dict(unit=u, group=g, points=pts[u]) for u, g in prep.units.items()])
        df = df.with_columns(rank=E.shared_rank(df, ["points"]))
        return _finish(prep, period, rows, df, notes, remarks, commissions)

    quarters = period.quarters_to_date()
    outcomes = _outcomes(prep, quarters)
    criticised = _criticised(prep, outcomes, quarters)
    done = [(q, _quarter(prep, q, commissions, outcomes, criticised)) for q in quarters]
    qframe = _quarters_frame([(q, r[1]) for q, r in done])
    if period.kind == "quarter":
        rows, df, notes, remarks = done[-1][1]
        quotas = _quota_table(prep, [period], outcomes)
        return _finish(prep, period, rows, df, notes, remarks, commissions, qframe, quotas)

    # The year: the quarters' rows summed, ranked; 通报批评 counted, 零采用 found
    rows, notes, remarks = [], [], defaultdict(list)
    for q, (q_rows, _, q_notes, q_remarks) in done:
        rows += q_rows
        notes += q_notes
        for u, rs in q_remarks.items():
            remarks[u] += [f"{q.title[5:]}{r}" for r in rs if not r.startswith("未完成季度报送")]
    pts = E.totals(rows)
    adopted = E.adopted_counts(prep, period)
    records = []
    for unit, group in prep.units.items():
        missed = [q for q in quarters if q in outcomes and outcomes[q][unit] is False]
        judged = [q for q in quarters if q in outcomes]
        if missed:
            which = "、".join(q.title[5:].removesuffix("季度") for q in missed)
            remarks[unit].insert(0, f"{which}季度未完成报送数量")
        n_crit = sum(1 for r in rows if r["unit"] == unit and r["rule_id"] in _CRITICISM_RULES)
        deduction = PER_CRITICISM * n_crit
        if n_crit:
            remarks[unit].append(
                f"全年通报批评{n_crit}次，年终绩效考核扣{E.fmt(round(deduction, 2))}分"
            )
        if not adopted.get(unit):
            deduction += NO_ADOPTION
            remarks[unit].append(f"全年信息零采用，年终绩效考核扣{E.fmt(NO_ADOPTION)}分")
        records.append(
            dict(
                unit=unit,
                group=group,
                points=pts[unit],
                target_met=(not missed) if judged else None,
                assessment=round(deduction, 2),
            )
        )
    notes.append(
        "绩效扣分（通报批评每次0.1分、全年零采用0.2分，第九条（四））在年终绩效考核中扣除，"
        "不计入信息得分。"
    )
    df = E.scores_frame(records)
    df = df.with_columns(rank=E.shared_rank(df, ["points"]))
    quotas = _quota_table(prep, quarters, outcomes)
    return _finish(prep, period, rows, df, notes, remarks, commissions, qframe, quotas)


SCHEME = E.SchemeSpec(
    id=ID,
    title="银川市政务信息工作考核办法",
    doc_number="银政办发〔2018〕94号",
    office="银川市人民政府办公厅",
    groups=GROUPS,
    publications=PUBLICATIONS,
    event_types=EVENT_TYPES,
    place_prefixes=("宁夏回族自治区银川市", "银川市", "银川", "市"),
    rules=tuple(R.values()),
    units=UNITS,
    scorer=score,
    assessment_label="绩效扣分",
)

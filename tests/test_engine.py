"""The scoring engine's building blocks, each with numbers worked out by hand."""

from __future__ import annotations

import polars as pl
import pytest
from scoring_frames import adoption, d, event, mail, make_inputs, roster

from schemes import engine as E
from schemes.contract import Rule
from transforms.errors import InputError
from transforms.periods import Period
from transforms.schema import LEDGER

Q1, Q2 = Period.parse("2018Q1"), Period.parse("2018Q2")
APRIL, MAY, JUNE = (Period.parse(f"2018-0{m}") for m in (4, 5, 6))

R_LOCAL = Rule("T-1", "一", "本级录用")
R_CITY = Rule("T-2", "二", "市级录用")
R_INSTR = Rule("T-3", "三", "领导批示")
R_EVENT = Rule("T-4", "四", "事项")
R_ZERO = Rule("T-5", "五", "不得分")

UNITS = roster(("甲局", "部门"), ("乙局", "部门"), ("丙镇", "乡镇"))
TABLE = E.PointsTable(
    (
        E.PointsEntry("本级动态", "动态", None, 4, R_LOCAL),
        E.PointsEntry("本级动态", "简讯", None, 2, R_LOCAL),
        E.PointsEntry("本级专报", None, None, 8, R_LOCAL),
        E.PointsEntry("市刊", "要情", "部门", 8, R_CITY),
        E.PointsEntry("市刊", "要情", "乡镇", 16, R_CITY),
        E.PointsEntry("市刊", "专报", None, 16, R_CITY),
    ),
    {"本级动态": "动态", "本级专报": None, "市刊": "要情"},
)


def prep(adoptions=(), events=(), submissions=()) -> E.Prepared:
    return E.prepare(make_inputs(UNITS, adoptions, events, submissions))


def cat(group: str) -> str:
    return group


def pts(rows) -> dict[str, float]:
    return dict(E.totals(rows))


# ---- points table ---------------------------------------------------------------------


def test_points_table_lookup_kinds_categories_and_defaults():
    # explicit kind, category-specific entry: 市刊 要情 for a town = 16
    e, kind, remark = TABLE.lookup("市刊", "要情", "乡镇")
    assert (e.points, kind, remark) == (16, "要情", None)
    # empty kind -> the default 要情; a department gets 8
    e, kind, remark = TABLE.lookup("市刊", None, "部门")
    assert (e.points, kind, remark) == (8, "要情", None)
    # 专报 has one entry for any category: 16
    assert TABLE.lookup("市刊", "专报", "乡镇")[0].points == 16
    # 简讯 is its own kind: 2
    assert TABLE.lookup("本级动态", "简讯", None)[0].points == 2
    # an unknown kind falls back to the default kind (动态, 4) and says so
    e, kind, remark = TABLE.lookup("本级动态", "调研", None)
    assert (e.points, kind) == (4, "动态")
    assert remark == "类别「调研」未识别，按默认类别「动态」计分"
    # a periodical with one score for any kind: no remark
    assert TABLE.lookup("本级专报", "参阅", None)[:3:2] == (TABLE.entries[2], None)
    # a periodical the table does not know scores nothing
    assert TABLE.lookup("别的刊物", "要情", None)[0] is None


# ---- adoptions ------------------------------------------------------------------------


def test_adoptions_sum_across_periodicals():
    # 累计: 本级动态 4 + 市刊 要情 8 (department) = 12; the town: 4 + 16 = 20
    p = prep(
        [
            adoption("本级动态", "2018-04-02", "甲文", "甲局", issue="3"),
            adoption("市刊", "2018-04-20", "甲文改", "甲局", kind="要情", article="甲文"),
            adoption("本级动态", "2018-04-02", "丙文", "丙镇"),
            adoption("市刊", "2018-05-20", "丙文", "丙镇"),
        ]
    )
    rows = E.adoption_rows(p, Q2, TABLE, cat)
    assert pts(rows) == {"甲局": 12, "丙镇": 20}
    assert len(rows) == 4  # one ledger row per adoption
    first = next(r for r in rows if r["title"] == "甲文")
    assert first["note"] == "《本级动态》第3期 动态「甲文」：4 分"
    assert first["source"] == "adoption" and first["ref"] == "a0"


def test_adoptions_max_keeps_the_highest_across_the_year():
    # 就高: 本级动态 4 in Q1, 市刊 专报 16 in Q2 for the same article.
    # Q1 gives 4; Q2 gives the difference 16 - 4 = 12; the year's total is 16.
    p = prep(
        [
            adoption("本级动态", "2018-03-02", "文", "甲局", article="x"),
            adoption("市刊", "2018-04-20", "文", "甲局", kind="专报", article="x"),
            adoption("市刊", "2018-05-20", "文二", "甲局", kind="要情", article="x"),
        ]
    )
    q1 = E.adoption_rows(p, Q1, TABLE, cat, combine="max")
    q2 = E.adoption_rows(p, Q2, TABLE, cat, combine="max")
    assert pts(q1) == {"甲局": 4}
    assert pts(q2) == {"甲局": 12}
    assert len(q2) == 1 and "补计差额12分" in q2[0]["note"] and "另有1项" in q2[0]["note"]
    year = E.adoption_rows(p, Period.parse("2018"), TABLE, cat, combine="max")
    assert pts(year) == {"甲局": 16}


@pytest.mark.parametrize(
    "joint, expected",
    [
        ("full", {"甲局": 8.0, "乙局": 8.0}),  # each unit the full 8 (C2)
        ("split", {"甲局": 4.0, "乙局": 4.0}),  # 8 / 2 units = 4
        ("first", {"甲局": 8.0}),  # only the first-named unit
    ],
)
def test_joint_articles(joint, expected):
    p = prep([adoption("本级专报", "2018-04-02", "联合", ["甲局", "乙局"])])
    rows = E.adoption_rows(p, Q2, TABLE, cat, joint=joint)
    assert pts(rows) == expected
    assert all(r["shared"] for r in rows)


# ---- leader instructions --------------------------------------------------------------

LEVELS = {"区": "区", "本区": "区", "杭州市": "市", "市": "市", "浙江省": "省", "国务院": "国家"}


def test_normalize_level_reads_place_and_main_leader():
    assert E.normalize_level("杭州市主要领导", LEVELS) == ("市", True)
    assert E.normalize_level("杭州市领导", LEVELS) == ("市", False)
    assert E.normalize_level(" 浙江省 ", LEVELS) == ("省", False)
    assert E.normalize_level("市政府", LEVELS) == ("市", False)
    assert E.normalize_level("火星", LEVELS) == (None, False)
    assert E.normalize_level(None, LEVELS) == (None, False)


MAXED = E.InstructionTable(
    LEVELS,
    (
        E.InstructionEntry("区", 3, R_INSTR),
        E.InstructionEntry("市", 40, R_INSTR, main=True),
        E.InstructionEntry("市", 30, R_INSTR, main=False),
    ),
    combine="max",
)


def test_instructions_highest_per_article():
    # one article: 区 3 and 杭州市 30 -> 30 (不重复累计); a second article with a 杭州市
    # 主要领导 instruction -> 40; an instruction without article counts alone: 3.
    # Total 30 + 40 + 3 = 73.
    p = prep(
        events=[
            event("2018-04-02", "领导批示", "甲局", "文一", "区", article="a"),
            event("2018-04-03", "领导批示", "甲局", "文一", "杭州市", article="a"),
            event("2018-04-04", "领导批示", "甲局", "文二", "杭州市主要领导", article="b"),
            event("2018-04-05", "领导批示", "甲局", "文三", "本区"),
        ]
    )
    rows = E.instruction_rows(p, Q2, MAXED)
    assert sorted(r["points"] for r in rows) == [3, 30, 40]
    assert pts(rows) == {"甲局": 73}


def test_instructions_highest_across_periods_and_sum_mode():
    # Q1: 区 3; Q2: 杭州市 30 on the same article -> Q2 adds 30 - 3 = 27.
    events = [
        event("2018-03-02", "领导批示", "甲局", "文", "区", article="a"),
        event("2018-04-03", "领导批示", "甲局", "文", "杭州市", article="a"),
    ]
    p = prep(events=events)
    assert pts(E.instruction_rows(p, Q1, MAXED)) == {"甲局": 3}
    assert pts(E.instruction_rows(p, Q2, MAXED)) == {"甲局": 27}
    # sum mode (银川/青山): each instruction adds: Q1 3, Q2 30
    summed = E.InstructionTable(LEVELS, MAXED.entries, combine="sum")
    assert pts(E.instruction_rows(p, Q2, summed)) == {"甲局": 30}
    assert pts(E.instruction_rows(p, Period.parse("2018"), summed)) == {"甲局": 33}


def test_instruction_unknown_level_is_an_input_error():
    p = prep(events=[event("2018-04-02", "领导批示", "甲局", "文", "火星")])
    with pytest.raises(InputError) as err:
        E.instruction_rows(p, Q2, MAXED)
    assert "events/test.csv 第2行" in str(err.value) and "火星" in str(err.value)


# ---- events ---------------------------------------------------------------------------


def test_event_rules_fixed_value_cap_and_default():
    fixed = E.EventRule(("多头报送",), R_EVENT, points=-10)
    quality = E.EventRule(("约稿",), R_EVENT, per_value=1, cap=10)
    persons = E.EventRule(("挂职",), R_EVENT, per_value=30, default_value=1)
    p = prep(
        events=[
            event("2018-04-02", "多头报送", "甲局"),  # -10
            event("2018-04-03", "约稿", "甲局", "稿", value=12),  # 12 capped at 10
            event("2018-04-04", "约稿", "乙局", "稿"),  # no value: 0
            event("2018-04-05", "挂职", "丙镇", value=2),  # 30 x 2 = 60
            event("2018-04-06", "挂职", "乙局"),  # 30 x default 1 = 30
        ]
    )
    assert pts(E.event_rows(p.events, Q2, fixed)) == {"甲局": -10}
    q = E.event_rows(p.events, Q2, quality)
    assert pts(q) == {"甲局": 10, "乙局": 0}
    assert "单条最高 10 分" in q[0]["note"] and "未填写分值" in q[1]["note"]
    assert pts(E.event_rows(p.events, Q2, persons)) == {"丙镇": 60, "乙局": 30}
    assert pts(E.event_rows(p.events, Q1, fixed)) == {}


def test_escalating_penalty_each_and_cumulative():
    # per occurrence, last repeats: -10, -20, -20 = -50 over the year
    each = E.EscalatingPenalty(("迟报", "漏报"), R_EVENT, (-10, -20))
    assert [each.nth(n) for n in (1, 2, 3)] == [-10, -20, -20]
    # totals after n (青山): one -30, two -80 in all -> -30, then -50, then 0
    total = E.EscalatingPenalty(("逾期",), R_EVENT, (-30, -80), cumulative=True)
    assert [total.nth(n) for n in (1, 2, 3)] == [-30, -50, 0]

    p = prep(
        events=[
            event("2018-02-01", "迟报", "甲局"),  # 1st: -10 (Q1)
            event("2018-04-01", "漏报", "甲局"),  # 2nd: -20 (Q2)
            event("2018-05-01", "迟报", "甲局"),  # 3rd: -20 (Q2)
            event("2018-05-02", "迟报", "乙局"),  # 乙局's 1st: -10
        ]
    )
    assert pts(E.escalating_rows(p.events, Q1, each)) == {"甲局": -10}
    assert pts(E.escalating_rows(p.events, Q2, each)) == {"甲局": -40, "乙局": -10}
    year = E.escalating_rows(p.events, Period.parse("2018"), each)
    assert pts(year) == {"甲局": -50, "乙局": -10}
    assert year[2]["note"].startswith("本年度第3次")


# ---- period-wide adjustments ----------------------------------------------------------


def test_zero_rows_remove_positive_points_and_keep_deductions():
    # 4 + 16 = 20 positive, -10 deduction: total 10. Not scoring: adjustment -20,
    # points -10 (= the deduction), still the sum of the ledger rows.
    rows = [
        E.row("甲局", d("2018-04-02"), R_LOCAL, 4, "", "adoption"),
        E.row("甲局", d("2018-04-03"), R_CITY, 16, "", "adoption"),
        E.row("甲局", d("2018-04-04"), R_EVENT, -10, "", "event"),
        E.row("乙局", d("2018-04-04"), R_LOCAL, 4, "", "adoption"),
    ]
    adj = E.zero_rows(rows, {"甲局": "约稿逾期"}, Q2, R_ZERO)
    assert [(r["unit"], r["points"], r["source"], r["date"]) for r in adj] == [
        ("甲局", -20, "adjust", d("2018-06-30"))
    ]
    assert (
        adj[0]["note"] == "约稿逾期：2018年第二季度信息考核不得分，冲减得分 20 分，保留扣分 -10 分"
    )
    assert pts(rows + adj) == {"甲局": -10, "乙局": 4}
    # a second zeroing over rows already zeroed adds 0
    again = E.zero_rows(rows + adj, {"甲局": "信息失实"}, Period.parse("2018"), R_ZERO)
    assert again[0]["points"] == 0


def test_silent_months_only_where_mail_logs_exist():
    # Logs for April and May only. 乙局 and 丙镇 send nothing in April: -10 each; 甲局 is
    # silent in May: -10 (乙局 and 丙镇 too). June has no logs: skipped, noted.
    p = prep(
        submissions=[
            mail("2018-04-03", "甲局"),
            mail("2018-05-31 23:59", "乙局"),
            mail("2018-05-04", "丙镇"),
        ]
    )
    rows, notes = E.silent_month_rows(p, Q2, R_EVENT, -10)
    assert sorted((r["unit"], r["date"].month) for r in rows) == [
        ("丙镇", 4),
        ("乙局", 4),
        ("甲局", 5),
    ]
    assert notes == ["2018年6月没有报送记录（邮件日志），未执行“事项”规则（四）。"]
    # no logs at all: nothing deducted
    rows, notes = E.silent_month_rows(prep(), Q2, R_EVENT, -10)
    assert rows == [] and "2018年4月、2018年5月、2018年6月" in notes[0]


def test_quota_met_missed_and_per_missing():
    subs = [mail(f"2018-04-0{i}", "甲局") for i in range(1, 4)] + [mail("2018-05-02", "乙局")]
    p = prep(submissions=subs)
    # 银川-like: 3 a quarter gives +10, otherwise 0 (no row): 甲局 3 -> +10
    base = E.Quota(R_EVENT, {"部门": 3}, "quarter", met_points=10)
    rows, notes = E.quota_rows(p, Q2, base)
    assert pts(rows) == {"甲局": 10, "乙局": 0}
    assert "2018年6月没有报送记录" in notes[0]
    # 青山-like: a yearly target of 5, -2 per missing: 甲局 3 -> -4, 乙局 1 -> -8
    year = E.Quota(R_EVENT, {"部门": 5}, "year", per_missing=-2)
    rows, _ = E.quota_rows(p, Period.parse("2018"), year)
    assert pts(rows) == {"甲局": -4, "乙局": -8}
    # a yearly quota is not judged inside a quarter
    assert E.quota_rows(p, Q2, year) == ([], [])
    # only submissions naming 约稿 count; Q1 holds no logs at all: skipped with a note
    only = E.Quota(R_EVENT, {"部门": 1}, "quarter", missed_points=-3, words=("约稿",))
    assert pts(E.quota_rows(p, Q2, only)[0]) == {"甲局": -3, "乙局": -3}
    rows, notes = E.quota_rows(p, Q1, only)
    assert rows == [] and "2018年第一季度没有报送记录" in notes[0]


# ---- commissions ----------------------------------------------------------------------


def test_commission_status_from_records_and_mail_logs():
    events = [
        event("2018-04-10", "约稿", "甲局", "一"),  # mail 04-10 18:00 -> 按时 (same day)
        event("2018-04-10", "约稿", "乙局", "二"),  # mail 04-11 -> 逾期
        event("2018-04-10", "约稿", "丙镇", "三"),  # no mail, April has logs -> 未报
        event("2018-07-10", "约稿", "甲局", "四"),  # no mail, July no logs -> 未知
        event("2018-04-12", "约稿", "丙镇", "五", status="迟报"),  # recorded -> 逾期
    ]
    subs = [
        mail("2018-04-10 18:00", "甲局", "约稿：一"),
        mail("2018-04-11", "乙局", "二", kind="约稿"),
        mail("2018-04-09", "丙镇", "普通信息"),
    ]
    p = prep(events=events, submissions=subs)
    got = {
        c["title"]: (c["status"], c["derived"])
        for c in E.commission_status(p.events, p.submissions)
    }
    assert got == {
        "一": ("按时", True),
        "二": ("逾期", True),
        "三": ("未报", True),
        "四": ("未知", True),
        "五": ("逾期", False),
    }
    # frames work as well
    inputs = make_inputs(UNITS, events=events[:1], submissions=subs[:1])
    frames = E.commission_status(inputs.events, inputs.submissions)
    assert [c["status"] for c in frames] == ["按时"]


def test_commission_mail_is_used_once_per_commission():
    # two commissions to 甲局 (due 04-10 and 05-10), one 约稿 mail on 04-09: it answers the
    # first; the second has none and May holds logs -> 未报
    p = prep(
        events=[
            event("2018-04-10", "约稿", "甲局", "一"),
            event("2018-05-10", "约稿", "甲局", "二"),
        ],
        submissions=[mail("2018-04-09", "甲局", "约稿"), mail("2018-05-02", "乙局")],
    )
    assert [c["status"] for c in E.commission_status(p.events, p.submissions)] == ["按时", "未报"]


def test_commission_unknown_status_is_an_input_error():
    p = prep(events=[event("2018-04-10", "约稿", "甲局", "一", status="差不多")])
    with pytest.raises(InputError, match="约稿状态「差不多」"):
        E.commission_status(p.events, p.submissions)


# ---- ranking --------------------------------------------------------------------------


def test_shared_rank_and_rank_points():
    df = pl.DataFrame({"group": ["x"] * 4 + ["y"], "points": [50.0, 30.0, 30.0, 10.0, 5.0]})
    assert E.shared_rank(df, ["points"]).to_list() == [1, 2, 2, 4, 1]
    table = E.RankPoints.descending(10, 5, 3)  # 10,9,8,7,6,5 then 3
    assert table.points == (10, 9, 8, 7, 6, 5)
    assert [table.for_rank(r) for r in (1, 2, 2, 4, 6, 7, 20)] == [10, 9, 9, 7, 5, 3, 3]
    # ties broken by a second column
    df = pl.DataFrame({"group": ["x"] * 3, "a": [5.0, 5.0, 1.0], "b": [1.0, 2.0, 9.0]})
    assert E.shared_rank(df, ["a", "b"]).to_list() == [2, 1, 3]


def test_top_share_count_rounds_up():
    # 30% of 7 = 2.1 -> 3; of 10 = 3 exactly -> 3 (no float surprise); of 16 = 4.8 -> 5
    assert [E.top_share_count(n, 0.3) for n in (7, 10, 16, 23)] == [3, 3, 5, 7]


# ---- frames ---------------------------------------------------------------------------


def test_to_ledger_prefixes_the_scheme_and_conforms():
    rows = [E.row("甲局", d("2018-04-02"), R_LOCAL, 4, "说明", "adoption", "a0")]
    ledger = E.to_ledger(rows, "demo", Q2)
    assert ledger.schema == pl.Schema(LEDGER)
    assert ledger.row(0, named=True)["rule_id"] == "demo/T-1"
    assert ledger["period"].to_list() == ["2018Q2"]
    assert E.to_ledger([], "demo", Q2).height == 0


def test_prepare_rejects_unknown_groups():
    with pytest.raises(InputError, match="类别「部门」不是本考核办法的类别"):
        E.prepare(make_inputs(UNITS), groups=["A", "B"])


def test_issue_text_never_doubles_the_issue_words():
    from schemes.engine import issue_text

    assert issue_text("杭州政务", "18") == "《杭州政务》第18期"
    assert issue_text("杭州政务", "第18期") == "《杭州政务》第18期"
    assert issue_text("杭州政务", "2018年第18期") == "《杭州政务》2018年第18期"
    assert issue_text("杭州政务", None) == "《杭州政务》"

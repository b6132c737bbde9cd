"""建政办函〔2018〕22号 (jiande-2018): every scoring clause, numbers worked out by hand."""

from __future__ import annotations

import polars as pl
import pytest
from scoring_frames import adoption, event, mail, make_inputs, roster

from schemes import get_scheme
from schemes.contract import Scheme
from transforms.errors import InputError
from transforms.periods import Period
from transforms.schema import LEDGER, SCORES

SCHEME = get_scheme("jiande-2018")

DYN, SPECIAL, REF = "建德政务·动态", "建德政务·情况专报", "建德政务·参阅"
HZ, ZJ = "杭州政务", "浙江政务信息"
TOWN = "乡镇（街道）"
Q1, Q2, Q3 = (Period.parse(f"2018Q{q}") for q in (1, 2, 3))
YEAR = Period.parse("2018")

#: a small roster: two departments of A, one town, for most tests
SMALL = roster(("发改局", "A"), ("教育局", "A"), ("新安江街道", TOWN))


def run(period, adoptions=(), events=(), submissions=(), units=SMALL):
    return SCHEME.score(make_inputs(units, adoptions, events, submissions), period)


def points(result) -> dict[str, float]:
    return dict(result.scores.select("unit", "points").iter_rows())


def score_row(result, unit) -> dict:
    return result.scores.filter(pl.col("unit") == unit).row(0, named=True)


def ledger_of(result, unit) -> list[tuple[str, float]]:
    led = result.ledger.filter(pl.col("unit") == unit)
    return [
        (r.removeprefix("jiande-2018/"), p) for r, p in led.select("rule_id", "points").iter_rows()
    ]


# ---- the scheme and its roster ---------------------------------------------------------


def test_scheme_satisfies_the_contract():
    assert get_scheme("jiande-2018") is SCHEME
    for name in Scheme.__annotations__:
        assert hasattr(SCHEME, name), name
    assert SCHEME.doc_number == "建政办函〔2018〕22号"
    assert [g.name for g in SCHEME.groups] == [TOWN, "A", "B", "C"]
    assert [g.target for g in SCHEME.groups] == [30, 30, 20, 10]
    pubs = {p.name: (p.level, p.default_kind) for p in SCHEME.publications}
    assert pubs == {
        DYN: ("本级", "动态"),
        SPECIAL: ("本级", None),
        REF: ("本级", None),
        HZ: ("市", "要情"),
        ZJ: ("省", "要情"),
    }
    assert SCHEME.place_prefixes[0] == "杭州市建德市"
    assert len({r.id for r in SCHEME.rules}) == len(SCHEME.rules)


def test_roster_is_the_appendix():
    r = SCHEME.roster()
    assert r.schema["aliases"] == pl.List(pl.String)
    counts = dict(r.group_by("group").len().iter_rows())
    assert counts == {TOWN: 16, "A": 23, "B": 10, "C": 7}
    assert r["unit"].n_unique() == 56
    units = set(r["unit"])
    assert {"财政（地税）局", "开发区（航空小镇）", "钦堂乡", "公积金建德分中心"} <= units
    aliases = dict(r.select("unit", "aliases").iter_rows())
    # full names and the abbreviations periodicals print; towns' short forms are derived
    assert aliases["发改局"] == ["发展和改革局", "发展改革局", "市发改局"]
    assert aliases["新安江街道"] == [] and aliases["城投公司"] == ["城投集团"]


# ---- 三（一） 本级信息, 三（二） 上报信息 ------------------------------------------------------


def test_local_periodicals():
    # 动态 4, 简讯 2, 情况专报 8, 参阅 6 = 20
    r = run(
        Q2,
        [
            adoption(DYN, "2018-04-02", "一", "发改局", issue="12"),
            adoption(DYN, "2018-04-03", "二", "发改局", kind="简讯"),
            adoption(SPECIAL, "2018-04-04", "三", "发改局"),
            adoption(REF, "2018-04-05", "四", "发改局"),
        ],
    )
    assert ledger_of(r, "发改局") == [
        ("J-3.1.1", 4),
        ("J-3.1.1", 2),
        ("J-3.1.2", 8),
        ("J-3.1.3", 6),
    ]
    assert points(r)["发改局"] == 20
    assert r.ledger["note"][0] == "《建德政务·动态》第12期 动态「一」：4 分"


def test_department_and_town_points_add_up():
    # J1/J2. Department: 动态 4 + 《杭州政务》 要情 8 = 12 (one article, two rows).
    # Town: 动态 4 + 《杭州政务》 要情 16 = 20; its 《浙江政务信息》 要情 counts as for
    # departments: 16; a department's 《杭州政务》 专报 16 and 《浙江政务信息》 专报 32.
    r = run(
        Q2,
        [
            adoption(DYN, "2018-04-02", "甲", "发改局"),
            adoption(HZ, "2018-04-20", "甲（改）", "发改局", kind="要情", issue="5", article="甲"),
            adoption(DYN, "2018-04-02", "乙", "新安江街道"),
            adoption(HZ, "2018-04-22", "乙", "新安江街道"),
            adoption(ZJ, "2018-05-22", "丙", "新安江街道", kind="要情"),
            adoption(HZ, "2018-05-02", "丁", "教育局", kind="专报"),
            adoption(ZJ, "2018-05-03", "丁", "教育局", kind="专报"),
        ],
    )
    assert ledger_of(r, "发改局") == [("J-3.1.1", 4), ("J-3.2.1", 8)]
    assert ledger_of(r, "新安江街道") == [("J-3.1.1", 4), ("J-3.2.3", 16), ("J-3.2.2", 16)]
    # 16 + 32 = 48
    assert points(r) == {"发改局": 12, "教育局": 48, "新安江街道": 36}
    hz = r.ledger.filter(pl.col("publication") == HZ, pl.col("unit") == "发改局")
    assert hz["note"][0] == "《杭州政务》第5期 要情「甲（改）」：部门 8 分"
    assert score_row(r, "发改局")["adopted"] == 1  # one article, two adoptions


def test_unknown_kind_uses_the_default_kind_with_a_note():
    r = run(Q2, [adoption(HZ, "2018-04-02", "甲", "发改局", kind="调研")])
    row = r.ledger.row(0, named=True)
    assert row["points"] == 8  # read as 要情
    assert "类别「调研」未识别，按默认类别「要情」计分" in row["note"]


def test_joint_article_gives_each_unit_full_points():
    # C2 option full: both units get 8 for one 情况专报 article; rows marked shared
    r = run(Q2, [adoption(SPECIAL, "2018-04-02", "合写", ["发改局", "新安江街道"])])
    assert points(r) == {"发改局": 8, "教育局": 0, "新安江街道": 8}
    assert r.ledger["shared"].to_list() == [True, True]


# ---- 三（四） 领导批示 ----------------------------------------------------------------------


def test_instructions_only_the_highest_per_article():
    # article 甲: 建德市 3 and 杭州市 30 -> 30; article 乙: 浙江省 50; an instruction by a
    # 市 (= 建德市) leader without article: 3. Total 30 + 50 + 3 = 83.
    r = run(
        Q2,
        events=[
            event("2018-04-02", "领导批示", "发改局", "甲", "建德市", article="甲"),
            event("2018-04-09", "领导批示", "发改局", "甲", "杭州市", article="甲"),
            event("2018-05-02", "领导批示", "发改局", "乙", "浙江省", article="乙"),
            event("2018-05-03", "领导批示", "发改局", "丙", "市"),
        ],
    )
    assert sorted(ledger_of(r, "发改局")) == [("J-3.4.1", 3), ("J-3.4.2", 30), ("J-3.4.3", 50)]
    assert points(r)["发改局"] == 83


def test_instruction_with_unknown_level_is_an_input_error():
    with pytest.raises(InputError, match="级别「区里」无法识别"):
        run(Q2, events=[event("2018-04-02", "领导批示", "发改局", "甲", "区里")])


def test_state_council_instruction_ranks_first_in_the_year():
    # C group of 7. Q1: u1 30 (8+16+6), u2 20 (16+4), u3 16, u4 12 (8+4), u5 8, u6 0, u7 0.
    # Q1 ranks 1..5 -> rank points 10, 9, 8, 7; u5 is below the target 10 -> 0.
    # Without the instruction the year ranks u1, u2, u3 first; 30% of 7 -> ceil(2.1) = 3
    # above the line. With a 国务院 instruction to u7 (Q2: 50 points, Q2 rank points 10)
    # u7 is first, u1 2, u2 3, u3 4 -> u3 falls below the line.
    c = roster(*[(f"u{i}", "C") for i in range(1, 8)])
    ads = [
        adoption(SPECIAL, "2018-01-05", "a", "u1"),
        adoption(ZJ, "2018-01-06", "b", "u1"),
        adoption(REF, "2018-01-07", "c", "u1"),
        adoption(HZ, "2018-01-05", "d", "u2", kind="专报"),
        adoption(DYN, "2018-01-06", "e", "u2"),
        adoption(HZ, "2018-02-05", "f", "u3", kind="专报"),
        adoption(SPECIAL, "2018-02-05", "g", "u4"),
        adoption(DYN, "2018-02-06", "h", "u4"),
        adoption(SPECIAL, "2018-03-05", "i", "u5"),
    ]
    q1 = run(Q1, ads, units=c)
    assert q1.scores["assessment"].to_list() == [10, 9, 8, 7, 0, 0, 0]

    plain = run(YEAR, ads, units=c)
    assert plain.scores["rank"].to_list() == [1, 2, 3, 4, 5, 6, 6]
    assert plain.scores["target_met"].to_list() == [True] * 3 + [False] * 4

    state = event("2018-05-05", "领导批示", "u7", "报告", "国务院", article="x")
    r = run(YEAR, ads, [state], units=c)
    ranks = dict(r.scores.select("unit", "rank").iter_rows())
    assert ranks == {"u7": 1, "u1": 2, "u2": 3, "u3": 4, "u4": 5, "u5": 6, "u6": 7}
    assert dict(r.scores.select("unit", "target_met").iter_rows())["u3"] is False
    assert "国务院领导批示「报告」：视为年度排名第一" in score_row(r, "u7")["remark"]
    assert ledger_of(r, "u7") == [("J-3.4.3", 50)]


# ---- 三（三） 约稿 --------------------------------------------------------------------------


def test_commission_on_time_quality_points_capped_at_10():
    # value 12 -> 10; value missing -> 0 with a note
    r = run(
        Q2,
        events=[
            event("2018-04-10", "约稿", "发改局", "稿一", value=12, status="按时"),
            event("2018-04-10", "约稿", "教育局", "稿二", status="按时"),
        ],
    )
    assert ledger_of(r, "发改局") == [("J-3.3.1", 10)]
    assert "单条最高 10 分" in r.ledger["note"][0]
    assert ledger_of(r, "教育局") == [("J-3.3.1", 0)]
    assert "未填写分值" in r.ledger.filter(pl.col("unit") == "教育局")["note"][0]
    assert r.commissions.select("unit", "status", "points").rows() == [
        ("发改局", "按时", 10.0),
        ("教育局", "按时", 0.0),
    ]


def test_commission_adopted_by_hangzhou_scores_three_times():
    # 《杭州政务》 要情 for a department 8 -> 8 × 3 = 24 under J-3.3.2 instead of 8;
    # quality 5; 动态 4 unchanged. Total 24 + 5 + 4 = 33.
    r = run(
        Q2,
        [
            adoption(HZ, "2018-05-02", "约稿文", "发改局", kind="要情", issue="7", article="y"),
            adoption(DYN, "2018-04-20", "约稿文", "发改局", article="y"),
        ],
        [event("2018-04-15", "约稿", "发改局", "约稿文", value=5, status="按时", article="y")],
    )
    assert sorted(ledger_of(r, "发改局")) == [("J-3.1.1", 4), ("J-3.3.1", 5), ("J-3.3.2", 24)]
    note = r.ledger.filter(pl.col("rule_id") == "jiande-2018/J-3.3.2")["note"][0]
    assert note.startswith("约稿信息被《杭州政务》录用，按录用分三倍计分：8×3 = 24 分")
    assert points(r)["发改局"] == 33


def test_late_commission_zeroes_the_quarter_keeping_deductions():
    # Q2: 动态 4 + 《杭州政务》 专报 16 = 20, 多头报送 -10, a late 约稿: the adjustment
    # removes the 20 positive points (-20) and keeps the deduction: points -10.
    r = run(
        Q2,
        [
            adoption(DYN, "2018-04-02", "甲", "发改局"),
            adoption(HZ, "2018-04-20", "甲", "发改局", kind="专报"),
        ],
        [
            event("2018-05-01", "多头报送", "发改局"),
            event("2018-06-01", "约稿", "发改局", "稿", status="逾期"),
        ],
    )
    assert ledger_of(r, "发改局")[-1] == ("J-3.3.3", -20)
    row = score_row(r, "发改局")
    assert row["points"] == -10
    assert row["target_met"] is False and row["assessment"] == 0
    assert "约稿「稿」逾期，当季信息考核不得分" in row["remark"]
    adj = r.ledger.filter(pl.col("source") == "adjust").row(0, named=True)
    assert (
        adj["note"]
        == "约稿「稿」逾期：2018年第二季度信息考核不得分，冲减得分 20 分，保留扣分 -10 分"
    )
    # Q1 is untouched, the month shows no adjustment (zeroing is per quarter)
    assert run(Period.parse("2018-06"), events=[event("2018-06-01", "约稿", "发改局", "稿", status="未报")]).ledger.height == 0  # fmt: skip


def test_commission_status_comes_from_the_mail_logs():
    # 发改局 due 05-10, 约稿 mail 05-10 18:00 -> 按时 (quality 6); 教育局 due 05-10, mail
    # 05-12 -> 逾期 -> Q2 zeroed; 新安江街道 due 08-10 and August has no logs -> 未知, noted.
    subs = [
        mail("2018-05-10 18:00", "发改局", "约稿：稿"),
        mail("2018-05-12", "教育局", "关于约稿的报送"),
        mail("2018-04-02", "新安江街道"),
        mail("2018-06-02", "新安江街道"),
        mail("2018-04-02", "发改局"),
        mail("2018-06-02", "发改局"),
        mail("2018-04-02", "教育局"),
        mail("2018-06-02", "教育局"),
    ]
    events = [
        event("2018-05-10", "约稿", "发改局", "稿", value=6),
        event("2018-05-10", "约稿", "教育局", "稿"),
        event("2018-08-10", "约稿", "新安江街道", "稿"),
    ]
    r = run(Q2, [adoption(SPECIAL, "2018-04-02", "甲", "教育局")], events, subs)
    assert r.commissions.select("unit", "status", "points").rows() == [
        ("发改局", "按时", 6.0),
        ("教育局", "逾期", 0.0),
    ]
    assert points(r) == {"发改局": 6, "教育局": 0, "新安江街道": -10}  # 新安江街道 silent in May
    q3 = run(Q3, events=events, submissions=subs)
    assert q3.commissions["status"].to_list() == ["未知"]
    assert q3.commissions["points"].to_list() == [None]
    assert any(
        "新安江街道的约稿「稿」（2018年8月10日到期）没有报送记录可供判断" in n for n in q3.notes
    )


# ---- 三（五） 应急信息, 三（六） 其他 -----------------------------------------------------------


def test_emergency_violations_escalate_over_the_year():
    # 1st (Q1) -10, 2nd and 3rd (Q2) -20 each: Q2 -40, the year -10 -20 -20 = -50
    ev = [
        event("2018-02-01", "应急信息迟报", "教育局", "火情"),
        event("2018-04-01", "应急信息漏报", "教育局"),
        event("2018-05-01", "应急信息瞒报", "教育局"),
    ]
    assert points(run(Q1, events=ev))["教育局"] == -10
    assert points(run(Q2, events=ev))["教育局"] == -40
    year = run(YEAR, events=ev)
    assert points(year)["教育局"] == -50
    assert (
        year.ledger["note"].to_list()[0]
        == "本年度第1次应急信息报送违纪（应急信息迟报「火情」）：-10 分"
    )


def test_emergency_information_scores_nothing():
    # 三（五）: an adoption of kind 应急信息 scores 0 and its instruction adds nothing
    r = run(
        Q2,
        [adoption(DYN, "2018-04-02", "险情", "发改局", kind="应急信息", article="z")],
        [event("2018-04-03", "领导批示", "发改局", "险情", "杭州市", article="z")],
    )
    assert ledger_of(r, "发改局") == [("J-3.5.2", 0)]


def test_month_without_submission_only_where_logs_exist():
    # J6: logs for April and May only. 教育局 is silent in April -> -10; 新安江街道 silent in
    # April and May -> -20; June is not judged and the notes say so.
    subs = [
        mail("2018-04-03", "发改局"),
        mail("2018-05-03", "发改局"),
        mail("2018-05-04", "教育局"),
    ]
    r = run(Q2, submissions=subs)
    assert points(r) == {"发改局": 0, "教育局": -10, "新安江街道": -20}
    assert ledger_of(r, "教育局") == [("J-3.6.2", -10)]
    assert r.notes == [
        "2018年6月没有报送记录（邮件日志），未执行“当月未报送信息”规则（三（六）2）。"
    ]
    assert dict(r.scores.select("unit", "submitted").iter_rows()) == {
        "发改局": 2,
        "教育局": 1,
        "新安江街道": 0,
    }


def test_other_deductions_and_secondment():
    # 多头报送 -10, 缺席会议 -10, 挂职 2 persons 30 × 2 = 60, 挂职 without value: 30
    r = run(
        Q2,
        events=[
            event("2018-04-02", "多头报送", "发改局"),
            event("2018-04-03", "缺席会议", "发改局"),
            event("2018-06-30", "挂职", "发改局", "信息员", value=2),
            event("2018-06-30", "挂职", "教育局", "信息员"),
        ],
    )
    assert ledger_of(r, "发改局") == [("J-3.6.3", -10), ("J-3.6.4", -10), ("J-3.6.5", 60)]
    assert points(r) == {"发改局": 40, "教育局": 30, "新安江街道": 0}


@pytest.mark.parametrize("etype, rule", [("信息失实", "J-3.6.1"), ("约稿致上级扣分", "J-3.3.4")])
def test_year_does_not_score(etype, rule):
    # Q1: 浙江 专报 32 + 情况专报 8 = 40 (rank 1 of A -> 25). Q2: 多头报送 -10 and the
    # event. The quarter only notes it; the year: 40 - 10 = 30, adjustment -40 -> -10,
    # assessment 0.
    ads = [adoption(ZJ, "2018-02-02", "甲", "发改局", kind="专报"), adoption(SPECIAL, "2018-02-03", "乙", "发改局")]  # fmt: skip
    ev = [event("2018-04-02", "多头报送", "发改局"), event("2018-05-02", etype, "发改局", "某信息")]
    q2 = run(Q2, ads, ev)
    assert score_row(q2, "发改局")["points"] == -10
    assert f"{etype}「某信息」：年度信息考核不得分" in score_row(q2, "发改局")["remark"]
    assert q2.quarters.filter(pl.col("unit") == "发改局")["assessment"].to_list() == [25, 0]
    year = run(YEAR, ads, ev)
    row = score_row(year, "发改局")
    assert (row["points"], row["assessment"]) == (-10, 0)
    assert ledger_of(year, "发改局")[-1] == (rule, -40)


def test_direct_report_task_failed_means_target_not_met():
    # 三（二）2: the town has 4 + 16 + 16 = 36 >= 30 but missed its 直报 task: rank 1,
    # target not met, no rank points
    r = run(
        Q2,
        [
            adoption(DYN, "2018-04-02", "甲", "新安江街道"),
            adoption(HZ, "2018-04-03", "甲", "新安江街道"),
            adoption(ZJ, "2018-04-04", "甲", "新安江街道"),
        ],
        [event("2018-06-30", "直报任务未完成", "新安江街道", "6月要情不足2条")],
    )
    row = score_row(r, "新安江街道")
    assert (row["points"], row["rank"], row["target_met"], row["assessment"]) == (36, 1, False, 0)
    assert "视作当季信息任务未完成" in row["remark"]


# ---- 四 考核结果 ------------------------------------------------------------------------


def test_quarter_rank_ties_and_rank_points():
    # A group of 6: 40 (32+8), 36 (32+4), 36, 32, 20 (16+4), 0. Ranks 1,2,2,4,5,6.
    # Rank points follow the shared rank: 25, 24, 24, 22; 20 is below the target 30 -> 0.
    a = roster(*[(f"a{i}", "A") for i in range(1, 7)])
    ads = [
        adoption(ZJ, "2018-04-02", "1", "a1", kind="专报"),
        adoption(SPECIAL, "2018-04-02", "2", "a1"),
        adoption(ZJ, "2018-04-02", "3", "a2", kind="专报"),
        adoption(DYN, "2018-04-02", "4", "a2"),
        adoption(ZJ, "2018-04-02", "5", "a3", kind="专报"),
        adoption(DYN, "2018-04-02", "6", "a3"),
        adoption(ZJ, "2018-04-02", "7", "a4", kind="专报"),
        adoption(HZ, "2018-04-02", "8", "a5", kind="专报"),
        adoption(DYN, "2018-04-02", "9", "a5"),
    ]
    r = run(Q2, ads, units=a)
    s = r.scores
    assert s["points"].to_list() == [40, 36, 36, 32, 20, 0]
    assert s["rank"].to_list() == [1, 2, 2, 4, 5, 6]
    assert s["target"].to_list() == [30] * 6
    assert s["target_met"].to_list() == [True, True, True, True, False, False]
    assert s["assessment"].to_list() == [25, 24, 24, 22, 0, 0]
    assert "未完成季度目标（30分）" in s["remark"][4]


@pytest.mark.parametrize(
    "group, expected",
    [
        (TOWN, [15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 5]),
        ("B", [10, 9, 8, 7, 6, 5, 3, 3, 3, 3, 3, 3]),
        ("C", [10, 9, 8, 7, 6, 5, 4, 4, 4, 4, 4, 4]),
        ("A", [25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14]),
    ],
)
def test_rank_points_tables(group, expected):
    # 12 units each with a distinct score above every target (100 - i with 参阅/情况专报 …):
    # 浙江 专报 32 × 2 = 64 plus i × 情况专报 8 -> ranks 1..12 in order
    units = roster(*[(f"x{i:02d}", group) for i in range(12)])
    ads = [adoption(ZJ, "2018-04-02", f"z{i}{k}", f"x{i:02d}", kind="专报") for i in range(12) for k in range(2)]  # fmt: skip
    ads += [adoption(SPECIAL, "2018-04-03", f"s{i}{k}", f"x{i:02d}") for i in range(12) for k in range(12 - i)]  # fmt: skip
    r = run(Q2, ads, units=units)
    assert r.scores["rank"].to_list() == list(range(1, 13))
    assert r.scores["assessment"].to_list() == expected


def test_year_sums_quarters_and_draws_the_30_percent_line():
    # two units of A: Q1 a1 40 (rank 1 -> 25), a2 32 (rank 2 -> 24); Q2 a2 40 (25), a1 0
    # (below target, 0). Year: a1 points 40, assessment 25; a2 points 72, assessment 49.
    # 30% of 2 -> 1 above the line: a2.
    units = roster(("a1", "A"), ("a2", "A"))
    ads = [
        adoption(ZJ, "2018-01-02", "1", "a1", kind="专报"),
        adoption(SPECIAL, "2018-01-02", "2", "a1"),
        adoption(ZJ, "2018-01-02", "3", "a2", kind="专报"),
        adoption(ZJ, "2018-04-02", "4", "a2", kind="专报"),
        adoption(SPECIAL, "2018-04-02", "5", "a2"),
    ]
    r = run(YEAR, ads, units=units)
    s = r.scores
    assert s.select("unit", "points", "assessment", "rank", "target_met").rows() == [
        ("a1", 40.0, 25.0, 2, False),
        ("a2", 72.0, 49.0, 1, True),
    ]
    assert s["target"].to_list() == [None, None]
    assert r.quarters.height == 8  # 2 units x 4 quarters
    assert r.ledger["period"].unique().to_list() == ["2018"]
    assert s["adopted"].to_list() == [2, 3]


def test_month_period():
    # 2018-05: rows of May only; rank by points; no target or assessment
    r = run(
        Period.parse("2018-05"),
        [
            adoption(DYN, "2018-04-30", "四月", "发改局"),
            adoption(SPECIAL, "2018-05-02", "五月", "发改局"),
            adoption(DYN, "2018-05-31", "五月末", "教育局"),
        ],
    )
    assert r.ledger["title"].to_list() == ["五月", "五月末"]
    assert r.scores.select("unit", "points", "rank").rows() == [
        ("发改局", 8.0, 1),
        ("教育局", 4.0, 2),
        ("新安江街道", 0.0, 1),
    ]
    assert r.scores["target"].null_count() == 3
    assert r.scores["assessment"].null_count() == 3
    assert r.scores["target_met"].null_count() == 3
    assert r.quarters is None


def test_quarter_lists_the_year_to_date_and_frames_conform():
    r = run(Q2, [adoption(SPECIAL, "2018-02-02", "一", "发改局")])
    assert r.quarters.columns == ["unit", "period", "points", "rank", "assessment", "target_met"]
    fa = r.quarters.filter(pl.col("unit") == "发改局")
    assert fa.select("period", "points").rows() == [("2018Q1", 8.0), ("2018Q2", 0.0)]
    assert r.scores.schema == pl.Schema(SCORES)
    assert r.ledger.schema == pl.Schema(LEDGER)
    assert set(r.scores["unit"]) == {"发改局", "教育局", "新安江街道"}  # every unit scored


def test_ledger_sums_to_points_for_the_full_roster():
    # a mix of everything over the real roster: points always equal the ledger sums
    subs = [mail("2018-04-03", "发改局"), mail("2018-05-03", "梅城镇", "约稿")]
    ads = [
        adoption(DYN, "2018-04-02", "甲", ["发改局", "梅城镇"]),
        adoption(HZ, "2018-05-02", "甲", "梅城镇", kind="专报"),
    ]
    ev = [
        event("2018-05-01", "约稿", "梅城镇", "甲", value=8, article="甲"),
        event("2018-05-20", "约稿", "教育局", "乙"),
        event("2018-06-02", "应急信息迟报", "公安局"),
        event("2018-06-03", "领导批示", "发改局", "甲", "杭州市主要领导", article="甲"),
    ]
    units = SCHEME.roster()
    for period in ("2018-05", "2018Q2", "2018"):
        r = run(Period.parse(period), ads, ev, subs, units=units)
        assert r.scores.height == 56
        sums = dict(r.ledger.group_by("unit").agg(pl.col("points").sum()).iter_rows())
        for unit, pts in r.scores.select("unit", "points").iter_rows():
            assert pts == pytest.approx(sums.get(unit, 0.0)), (period, unit)
    # 梅城镇 in Q2: 动态 4 + 《杭州政务》 专报 32 = 36, but its 约稿 (due 05-01) was mailed
    # on 05-03 -> 逾期, so no 3x and the quarter is zeroed: the 36 are removed and the
    # April deduction (no mail in April) stays: -10.
    q2 = run(Q2, ads, ev, subs, units=units)
    assert score_row(q2, "梅城镇")["points"] == -10
    assert q2.commissions.filter(pl.col("unit") == "梅城镇")["status"].to_list() == ["逾期"]

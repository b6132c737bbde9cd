"""青山区政府系统政务信息工作考评细则（修订）2020 (qingshan-2020): every scoring clause,
numbers worked out by hand."""

from __future__ import annotations

import polars as pl
import pytest
from scoring_frames import adoption, event, mail, make_inputs, roster

from schemes import get_scheme
from schemes.contract import Scheme
from transforms.errors import InputError
from transforms.periods import Period
from transforms.schema import COMMISSIONS, LEDGER, QUARTERS, SCORES

SCHEME = get_scheme("qingshan-2020")

REPORT, REGULAR, SPECIAL = "上报信息", "政务信息（普刊）", "政务信息（专刊）"
CITY, REGION, STATE = "市政府办公室", "自治区办公厅", "国务院办公厅"
FIRST, SECOND, TOWNS = "一类", "二类", "办事处（镇）"
FGW, SFJ, FQB = "区发展和改革委员会", "区司法局", "富强办"
Q1, Q2, Q3, Q4 = (Period.parse(f"2020Q{q}") for q in (1, 2, 3, 4))
YEAR = Period.parse("2020")

#: one unit per group
SMALL = roster((FGW, FIRST), (SFJ, SECOND), (FQB, TOWNS))


def run(period, adoptions=(), events=(), submissions=(), units=SMALL):
    return SCHEME.score(make_inputs(units, adoptions, events, submissions), period)


def points(result) -> dict[str, float]:
    return dict(result.scores.select("unit", "points").iter_rows())


def score_row(result, unit) -> dict:
    return result.scores.filter(pl.col("unit") == unit).row(0, named=True)


def ledger_of(result, unit) -> list[tuple[str, float]]:
    led = result.ledger.filter(pl.col("unit") == unit)
    return [
        (r.removeprefix("qingshan-2020/"), p)
        for r, p in led.select("rule_id", "points").iter_rows()
    ]


def mails(unit, n, kind=None, months=range(1, 13)) -> list[dict]:
    """`n` submissions of `unit` spread over `months` (round robin, one a day)."""
    months = list(months)
    return [
        mail(f"2020-{months[i % len(months)]:02d}-{i // len(months) + 1:02d}", unit, kind=kind)
        for i in range(n)
    ]


# ---- the scheme and its roster ---------------------------------------------------------


def test_scheme_satisfies_the_contract():
    assert get_scheme("qingshan-2020") is SCHEME
    for name in Scheme.__annotations__:
        assert hasattr(SCHEME, name), name
    assert [g.name for g in SCHEME.groups] == [FIRST, SECOND, TOWNS]
    assert [g.target for g in SCHEME.groups] == [120, 60, 150]
    pubs = {p.name: (p.level, p.default_kind) for p in SCHEME.publications}
    assert pubs == {
        REPORT: ("本级", "动态"),
        REGULAR: ("本级", "动态"),
        SPECIAL: ("本级", "综合"),
        CITY: ("市", "动态"),
        REGION: ("自治区", None),
        STATE: ("国家", None),
    }
    assert SCHEME.place_prefixes == ("包头市青山区", "青山区", "青山", "区")
    assert SCHEME.office == "包头市青山区人民政府办公室"
    assert SCHEME.event_types == {"领导批示", "约稿", "调训", "把关不严"}
    assert len({r.id for r in SCHEME.rules}) == len(SCHEME.rules)


def test_roster_as_printed():
    r = SCHEME.roster()
    assert dict(r.group_by("group").len().iter_rows()) == {FIRST: 14, SECOND: 13, TOWNS: 10}
    units = r["unit"].to_list()
    assert units[0] == "包头装备制造产业园区管委会" and units[13] == "区政务服务局"
    assert units[14] == "区民族事务委员会" and units[26] == "区供销社"
    assert (
        units[27:]
        == "富强办 科学办 幸福办 自由办 青山办 万青办 先锋办 乌素图办 青福镇 兴胜镇".split()
    )
    aliases = dict(r.select("unit", "aliases").iter_rows())
    assert "富强路办事处" in aliases[FQB] and "发改委" in aliases[FGW]


# ---- 四（一） 刊物采用计分 ----------------------------------------------------------------


def test_report_periodical_scores_by_class():
    # 四（一）1: 综合/调研/做法/建议 30 each, 问题 20, 动态 15; no class → 动态 15;
    # 调研类 is read as 调研 (30). 30×4 + 20 + 15 + 15 + 30 = 200
    kinds = ["综合", "调研", "做法", "建议", "问题", "动态", None, "调研类"]
    r = run(
        Q2, [adoption(REPORT, "2020-04-10", f"篇{i}", FGW, kind=k) for i, k in enumerate(kinds)]
    )
    assert [p for _, p in ledger_of(r, FGW)] == [30, 30, 30, 30, 20, 15, 15, 30]
    assert {rid for rid, _ in ledger_of(r, FGW)} == {"Q-4.1.1"}
    assert points(r)[FGW] == 200


def test_regular_and_special_issues():
    # 四（一）2 普刊 15 whatever the class; 四（一）3 专刊 100. 15 + 15 + 100 = 130
    r = run(
        Q2,
        [
            adoption(REGULAR, "2020-04-10", "一", SFJ, issue="12"),
            adoption(REGULAR, "2020-04-11", "二", SFJ, kind="调研"),
            adoption(SPECIAL, "2020-05-11", "三", SFJ, kind="建议"),
        ],
    )
    assert ledger_of(r, SFJ) == [("Q-4.1.2", 15), ("Q-4.1.2", 15), ("Q-4.1.3", 100)]
    assert points(r)[SFJ] == 130
    assert r.ledger["note"][0] == "《政务信息（普刊）》第12期 动态「一」：15 分"


def test_points_add_up_across_periodicals():
    # Q1 累计: one article in 上报信息 as 调研 (30), in 专刊 (100) and adopted by 自治区办公厅
    # (+40) = 170; the article counts once in `adopted`
    r = run(
        Q2,
        [
            adoption(REPORT, "2020-04-02", "甲", FQB, kind="调研"),
            adoption(SPECIAL, "2020-04-09", "甲", FQB),
            adoption(REGION, "2020-05-20", "甲（改）", FQB, article="甲"),
        ],
    )
    assert ledger_of(r, FQB) == [("Q-4.1.1", 30), ("Q-4.1.3", 100), ("Q-4.2.1.2", 40)]
    assert points(r)[FQB] == 170
    assert score_row(r, FQB)["adopted"] == 1


# ---- 四（二）1 上级采用 -------------------------------------------------------------------


def test_adoptions_above():
    # 国务院办公厅 +100, 自治区办公厅 +40, 市政府办公室 调研 +30, 问题 +30 (综合类), 动态 +15,
    # no class → 动态 +15: 100 + 40 + 30 + 30 + 15 + 15 = 230
    r = run(
        Q3,
        [
            adoption(STATE, "2020-07-01", "一", FGW),
            adoption(REGION, "2020-07-02", "二", FGW, kind="动态"),
            adoption(CITY, "2020-07-03", "三", FGW, kind="调研"),
            adoption(CITY, "2020-07-04", "四", FGW, kind="问题"),
            adoption(CITY, "2020-07-05", "五", FGW, kind="动态"),
            adoption(CITY, "2020-07-06", "六", FGW),
        ],
    )
    assert ledger_of(r, FGW) == [
        ("Q-4.2.1.1", 100),
        ("Q-4.2.1.2", 40),
        ("Q-4.2.1.3", 30),
        ("Q-4.2.1.3", 30),
        ("Q-4.2.1.3", 15),
        ("Q-4.2.1.3", 15),
    ]
    assert points(r)[FGW] == 230


def test_joint_article_gives_each_unit_full_points():
    # C2 full: a 专刊 article of two units gives each 100
    r = run(Q2, [adoption(SPECIAL, "2020-04-02", "合写", [FGW, SFJ])])
    assert points(r) == {FGW: 100, SFJ: 100, FQB: 0}


# ---- 四（二）2 领导批示, 四（二）3 约稿 ------------------------------------------------------


def test_instructions_add_across_levels():
    # Q2: 市 +50 and 区 +40 on one article = +90; a second 区 leader on the same article adds
    # nothing (每篇); 自治区 +100; 国务院 (above the levels named) +100 as 自治区.
    # 司法局: 90; 富强办: 100 + 100 = 200
    r = run(
        Q2,
        events=[
            event("2020-04-03", "领导批示", SFJ, "甲", level="包头市", article="甲"),
            event("2020-04-05", "领导批示", SFJ, "甲", level="青山区", article="甲"),
            event("2020-05-05", "领导批示", SFJ, "甲", level="青山区领导", article="甲"),
            event("2020-05-06", "领导批示", FQB, "乙", level="自治区", article="乙"),
            event("2020-05-07", "领导批示", FQB, "丙", level="国务院", article="丙"),
        ],
    )
    assert ledger_of(r, SFJ) == [("Q-4.2.2.2", 50), ("Q-4.2.2.3", 40)]
    assert ledger_of(r, FQB) == [("Q-4.2.2.1", 100), ("Q-4.2.2.1", 100)]
    assert points(r) == {FGW: 0, SFJ: 90, FQB: 200}
    assert any("同一信息同级批示只加分一次" in n for n in r.notes)


def test_instruction_with_unknown_level_is_an_input_error():
    with pytest.raises(InputError, match="级别「省」无法识别"):
        run(Q2, events=[event("2020-04-03", "领导批示", SFJ, "甲", level="省")])


def test_commission_on_time_adds_ten_each():
    # Q2 约稿 on time: +10 each; two → 20
    r = run(
        Q2,
        events=[
            event("2020-04-20", "约稿", FGW, "复工复产情况", status="按时"),
            event("2020-06-20", "约稿", FGW, "营商环境情况", status="按时"),
        ],
    )
    assert ledger_of(r, FGW) == [("Q-4.2.3", 10), ("Q-4.2.3", 10)]
    com = r.commissions
    assert com.columns == list(COMMISSIONS)
    assert com["points"].to_list() == [10, 10]


def test_commission_status_comes_from_the_mail_logs():
    # 约稿 due 4-20: the unit's 约稿 mail on 4-18 → 按时 +10; due 5-20: its 约稿 mail on
    # 5-25 → 逾期, first late in the year −30. Total −20.
    r = run(
        Q2,
        events=[
            event("2020-04-20", "约稿", SFJ, "普法宣传"),
            event("2020-05-20", "约稿", SFJ, "矛盾调解"),
        ],
        submissions=[
            mail("2020-04-18", SFJ, "【约稿】普法宣传"),
            mail("2020-05-25", SFJ, "【约稿】矛盾调解"),
        ],
    )
    assert ledger_of(r, SFJ) == [("Q-4.2.3", 10), ("Q-4.3.3", -30)]
    assert r.commissions["status"].to_list() == ["按时", "逾期"]


# ---- 四（三） 年度综合考评 ----------------------------------------------------------------


def test_late_commissions_escalate_to_80_in_total():
    # Q3: one late −30, two −80 in total (the second costs −50), a third costs nothing more:
    # −30 − 50 + 0 = −80, not −110. 未报 counts as 未按期完成. The first late in Q1 and the
    # second in Q2 give Q1 −30, Q2 −50; the year −80.
    evs = [
        event("2020-03-10", "约稿", FQB, "垃圾分类", status="逾期"),
        event("2020-05-10", "约稿", FQB, "老旧小区改造", status="未报"),
        event("2020-08-10", "约稿", FQB, "疫情防控", status="逾期"),
    ]
    assert ledger_of(run(Q1, events=evs), FQB) == [("Q-4.3.3", -30)]
    q2 = run(Q2, events=evs)
    assert ledger_of(q2, FQB) == [("Q-4.3.3", -50)]
    assert "两次未按期完成约稿任务，予以通报" in score_row(q2, FQB)["remark"]
    assert ledger_of(run(Q3, events=evs), FQB) == [("Q-4.3.3", 0)]
    year = run(YEAR, events=evs)
    assert sum(p for rid, p in ledger_of(year, FQB) if rid == "Q-4.3.3") == -80
    assert year.commissions["points"].to_list() == [-30, -50, 0]


def test_second_late_commission_is_a_notice():
    # 四（三）3: 垃圾分类 逾期 (Q1, −30), 老旧小区改造 未报 (Q2, −80 in total) -> 予以通报 at
    # the second, in Q2 and in the year; none in Q1; a third late (Q3) adds none.
    evs = [
        event("2020-03-10", "约稿", FQB, "垃圾分类", status="逾期"),
        event("2020-05-10", "约稿", FQB, "老旧小区改造", status="未报"),
        event("2020-08-10", "约稿", FQB, "疫情防控", status="逾期"),
    ]
    notice = (
        FQB,
        "2020Q2",
        "qingshan-2020/Q-4.3.3",
        "四（三）3",
        "两次未按期完成约稿任务（第二次：约稿「老旧小区改造」未报）",
    )
    assert [tuple(r) for r in run(Q2, events=evs).notices.iter_rows()] == [notice]
    assert [tuple(r) for r in run(YEAR, events=evs).notices.iter_rows()] == [notice]
    assert run(Q1, events=evs).notices.height == 0
    assert run(Q3, events=evs).notices.height == 0
    # one late only: no notice
    assert run(YEAR, events=evs[:1]).notices.height == 0


def test_late_twice_on_one_topic_counts_once():
    # (两次约稿不同题材): the same topic missed twice is one miss: −30, not −80
    evs = [
        event("2020-04-10", "约稿", FQB, "垃圾分类", status="逾期"),
        event("2020-05-10", "约稿", FQB, "垃圾分类", status="未报"),
    ]
    assert ledger_of(run(Q2, events=evs), FQB) == [("Q-4.3.3", -30)]


def test_training_and_careless_checking():
    # 四（三）2 调训 +100 each: two → 200; 四（三）4 把关不严 −50: 200 − 50 = 150
    r = run(
        Q4,
        events=[
            event("2020-10-10", "调训", FGW, "全区信息员培训班"),
            event("2020-11-10", "调训", FGW, "全市信息员调训"),
            event("2020-12-01", "把关不严", FGW, "数据错误的信息"),
        ],
    )
    assert ledger_of(r, FGW) == [("Q-4.3.2", 100), ("Q-4.3.2", 100), ("Q-4.3.4", -50)]
    assert points(r)[FGW] == 150


def test_missing_submissions_cost_two_each_in_the_year_only():
    # Q4 with 12 months of logs: 一类 117 of 120 → 3 × −2 = −6; 二类 60 of 60 → 0;
    # 办事处（镇） 149 of 150 → −2. The quarter has no such row.
    subs = mails(FGW, 117) + mails(SFJ, 60) + mails(FQB, 149)
    year = run(YEAR, submissions=subs)
    assert ledger_of(year, FGW) == [("Q-4.3.1", -6)]
    assert ledger_of(year, SFJ) == []
    assert ledger_of(year, FQB) == [("Q-4.3.1", -2)]
    row = year.ledger.filter(pl.col("unit") == FGW).row(0, named=True)
    assert row["note"] == "2020年度报送 117 条，目标 120 条，少 3 条：-2 × 3 = -6 分"
    assert row["period"] == "2020" and str(row["date"]) == "2020-12-31"
    assert score_row(year, FGW)["submitted"] == 117
    assert run(Q4, submissions=subs).ledger.height == 0


def test_partly_covered_year_scales_the_target():
    # C5: logs only April–December (9 months): 一类 120 × 9/12 = 90; 85 sent → 5 × −2 = −10;
    # 办事处（镇） 150 × 9/12 = 112.5 → 113; 112 sent → −2. A note says so.
    subs = mails(FGW, 85, months=range(4, 13)) + mails(FQB, 112, months=range(4, 13))
    subs += mails(SFJ, 45, months=range(4, 13))  # 60 × 9/12 = 45: met
    year = run(YEAR, submissions=subs)
    assert points(year) == {FGW: -10, SFJ: 0, FQB: -2}
    assert any("仅9个月有报送记录" in n for n in year.notes)
    # no mail logs at all: the rule is skipped and said so
    empty = run(YEAR)
    assert empty.ledger.height == 0
    assert any("没有报送记录" in n and "四（三）1" in n for n in empty.notes)
    # the submission targets are not judged; the adoption targets are (0 of 12: missed)
    assert score_row(empty, FGW)["target_met"] is False
    assert score_row(empty, FGW)["remark"] == (
        "未完成全年目标任务：报送未考核（无报送记录），采用0/12条（次），"
        "综合类报送未考核（无报送记录），综合类采用0/2条（次）"
    )


def quota_rows(result, unit) -> dict[str, tuple[str, float, int, float | None]]:
    """The unit's ScoreResult.quotas rows: rule -> (window, required, count, points)."""
    q = result.quotas.filter(pl.col("unit") == unit)
    return {r: (w, n, c, p) for w, r, n, c, p in q.select("period", "rule", "required", "count", "points").iter_rows()}  # fmt: skip


def test_quotas_table_shows_each_target_and_the_deduction():
    # Logs April–December only (9 months, C5). The year: 报送 needs are scaled (一类
    # 120 × 9/12 = 90, 二类 45, 办事处（镇） 112.5 → 113; 综合类报送 一类 6 × 9/12 = 4.5 → 5):
    # 发改委 85 of 90 -> 5 × −2 = −10; 司法局 45 of 45 -> 0; 富强办 112 of 113 -> −2. The
    # adoption targets (采用 12, 综合类采用 2 for 一类) carry no points: blank.
    subs = mails(FGW, 85, months=range(4, 13)) + mails(FQB, 112, months=range(4, 13))
    subs += mails(SFJ, 45, months=range(4, 13))
    ads = [adoption(REGULAR, "2020-05-01", "一", FGW)]
    year = run(YEAR, ads, submissions=subs)
    assert quota_rows(year, FGW) == {
        "全年目标任务·报送": ("2020", 90.0, 85, -10.0),
        "全年目标任务·采用": ("2020", 12.0, 1, None),
        "全年目标任务·综合类报送": ("2020", 5.0, 0, None),
        "全年目标任务·综合类采用": ("2020", 2.0, 0, None),
    }
    assert quota_rows(year, SFJ)["全年目标任务·报送"] == ("2020", 45.0, 45, 0.0)
    assert quota_rows(year, FQB)["全年目标任务·报送"] == ("2020", 113.0, 112, -2.0)
    clauses = dict(year.quotas.select("rule", "clause").unique().iter_rows())
    assert clauses["全年目标任务·报送"] == "四（三）1"
    assert clauses["全年目标任务·采用"] == "三（一）至（三）"
    # Q2 shows the year-to-date progress against the full targets, without points:
    # 发改委's 85 mails go round robin over April–December, 10 in each of April–June = 30.
    q2 = run(Q2, ads, submissions=subs)
    assert quota_rows(q2, FGW) == {
        "全年目标任务·报送（截至2020年第二季度末）": ("2020", 120.0, 30, None),
        "全年目标任务·采用（截至2020年第二季度末）": ("2020", 12.0, 1, None),
        "全年目标任务·综合类报送（截至2020年第二季度末）": ("2020", 6.0, 0, None),
        "全年目标任务·综合类采用（截至2020年第二季度末）": ("2020", 2.0, 0, None),
    }
    # Q1 holds no mail logs: the submission targets have no rows (C5), adoptions do
    q1 = run(Q1, ads, submissions=subs)
    assert sorted(quota_rows(q1, FGW)) == [
        "全年目标任务·综合类采用（截至2020年第一季度末）",
        "全年目标任务·采用（截至2020年第一季度末）",
    ]
    # for every unit and period: the table's points = the ledger's rows
    for r in (year, q2, q1, run(Period.parse("2020-05"), ads, submissions=subs), run(YEAR, ads)):
        led = r.ledger.filter(pl.col("rule_id") == "qingshan-2020/Q-4.3.1")
        for unit in r.scores["unit"]:
            shown = r.quotas.filter(pl.col("unit") == unit)["points"].sum()
            assert shown == led.filter(pl.col("unit") == unit)["points"].sum(), (r.period, unit)


def _meets_all(unit, kind_unit, n_submit, n_composite, n_adopt, n_composite_adopt):
    subs = mails(unit, n_submit - n_composite) + mails(unit, n_composite, kind="调研")
    ads = [
        adoption(REGULAR, "2020-06-01", f"{unit}{i}", unit)
        for i in range(n_adopt - n_composite_adopt)
    ]
    ads += [adoption(SPECIAL, "2020-09-01", f"{unit}综{i}", unit) for i in range(n_composite_adopt)]
    return subs, ads


def test_year_targets_all_must_be_met():
    # 三: 一类 120/12/6/2; 二类 60/8/3/1; 办事处（镇） 150/8/6/1 (报送/采用/综合类报送/综合类采用).
    # 发改委 meets all four (专刊 adoptions count as 综合类 by default) → True;
    # 司法局 meets submissions but has only 0 综合类 adoptions of 1 → False;
    # 富强办 sends 150 but only 5 综合类 of 6 → False.
    s1, a1 = _meets_all(FGW, FIRST, 120, 6, 12, 2)
    s2, a2 = _meets_all(SFJ, SECOND, 60, 3, 8, 0)
    s3, a3 = _meets_all(FQB, TOWNS, 150, 5, 8, 1)
    year = run(YEAR, a1 + a2 + a3, submissions=s1 + s2 + s3)
    met = dict(year.scores.select("unit", "target_met").iter_rows())
    assert met == {FGW: True, SFJ: False, FQB: False}
    assert score_row(year, FGW)["remark"] == "完成全年目标任务"
    assert score_row(year, SFJ)["remark"] == "未完成全年目标任务：综合类采用0/1条（次）"
    assert score_row(year, FQB)["remark"] == "未完成全年目标任务：综合类报送5/6条"
    # 117 of 120 sent: the remark names the count and the deduction (3 × 2 = 6)
    short = run(YEAR, submissions=mails(FGW, 117))
    assert score_row(short, FGW)["remark"].startswith(
        "未完成全年目标任务：报送117/120条（扣6分），"
    )
    # points: 发改委 10 × 15 + 2 × 100 = 350 (no deduction: 120 sent)
    assert points(year)[FGW] == 350
    assert score_row(year, FGW)["target"] is None


def test_quarter_shows_progress_against_all_targets_and_the_year_to_date():
    # Q2 progress from January: 发改委 sent 40 (4 of them 调研) and had 3 普刊 adoptions
    # (one in Q1: 15, two in Q2: 30); quarters lists Q1 and Q2.
    subs = mails(FGW, 36, months=range(1, 7)) + mails(FGW, 4, kind="调研", months=[5])
    ads = [
        adoption(REGULAR, "2020-02-01", "一", FGW),
        adoption(REGULAR, "2020-04-01", "二", FGW),
        adoption(REGULAR, "2020-05-01", "三", FGW),
    ]
    r = run(Q2, ads, submissions=subs)
    row = score_row(r, FGW)
    # still missing: 120 − 40 = 80 mails, 12 − 3 = 9 adoptions, 6 − 4 = 2 综合类 mails and
    # 2 − 0 = 2 综合类 adoptions
    assert row["remark"] == (
        "全年目标尚差：报送80条，采用9条（次），综合类报送2条，综合类采用2条（次）"
    )
    assert row["target_met"] is None and row["points"] == 30
    q = r.quarters
    assert q.columns == list(QUARTERS)
    assert q.filter(pl.col("unit") == FGW).select("period", "points").rows() == [
        ("2020Q1", 15.0),
        ("2020Q2", 30.0),
    ]
    assert any("全年目标任务完成进度" in n for n in r.notes)


def test_month_period_and_the_months_before_april():
    # the month: only its items; January–March 2020 are scored under the 细则 with a note
    ads = [adoption(SPECIAL, "2020-02-03", "一", FGW), adoption(SPECIAL, "2020-04-03", "二", FGW)]
    feb = run(Period.parse("2020-02"), ads)
    assert points(feb)[FGW] == 100 and feb.quarters is None
    assert any("2020年4月起实施" in n for n in feb.notes)
    apr = run(Period.parse("2020-04"), ads)
    assert points(apr)[FGW] == 100
    assert not any("2020年4月起实施" in n for n in apr.notes)


def test_ledger_sums_to_points_for_the_full_roster():
    units = SCHEME.roster()
    ads = [
        adoption(SPECIAL, "2020-05-01", "一", "区教育局"),
        adoption(CITY, "2020-05-01", "一", "区教育局"),
    ]
    evs = [event("2020-06-01", "把关不严", "兴胜镇"), event("2020-06-01", "调训", "区审计局")]
    r = run(YEAR, ads, evs, mails("区教育局", 100), units=units)
    assert r.scores.height == 37 and r.scores.columns == list(SCORES)
    assert r.ledger.columns == list(LEDGER)
    led = dict(r.ledger.group_by("unit").agg(pl.col("points").sum()).iter_rows())
    for unit, pts in r.scores.select("unit", "points").iter_rows():
        assert pts == pytest.approx(led.get(unit, 0.0)), unit
    # 教育局: 100 + 15 − 2 × (120 − 100) = 75; every other unit missed all 120/60/150 mails
    assert points(r)["区教育局"] == 75
    assert points(r)["区审计局"] == 100 - 2 * 60
    ranks = dict(r.scores.select("unit", "rank").iter_rows())
    assert ranks["区教育局"] == 1

"""The rule kinds `quota`, `consecutive_misses`, `notice` and `no_adoption`, a commission's
status in an event's label, and whole numbers in a file: a small regulation of their own,
numbers worked out by hand."""

from __future__ import annotations

import polars as pl
import pytest
from scoring_frames import adoption, event, mail, make_inputs, roster

from schemes.regulation import loads
from transforms.errors import InputError
from transforms.periods import Period

Q1, Q2, YEAR = Period.parse("2024Q1"), Period.parse("2024Q2"), Period.parse("2024")

#: a monthly quota of 3 (−2 when missed), three missed months in a row named publicly
#: (通报, 0.5 each in the year's assessment), a year without adoption 1, a late commission −1
SMALL = """
id = "test-2024"
title = "测试办法"
doc_number = "测〔2024〕2号"
office = "测试县人民政府办公室"
assessment_label = "考核扣分"
assessment_in = "年度考核"
event_words = ["约稿", "通报"]

[scoring]
order = ["T-5", "T-3", "T-1", "T-2"]

[[groups]]
name = "部门"
units = ["甲局", "乙局"]

[[publications]]
name = "测试信息"
level = "本级"

[[rules]]
id = "T-1"
clause = "一"
name = "月度报送数量"
text = "每月报送不少于3条，未完成的扣2分"
kind = "quota"
window = "month"
by_group = [{ group = "部门", count = 3 }]
missed_points = -2

[[rules]]
id = "T-2"
clause = "二"
name = "连续3个月未完成报送数量"
text = "连续3个月未完成的予以通报"
kind = "consecutive_misses"
quota = "T-1"
run = 3

[[rules]]
id = "T-3"
clause = "三"
name = "通报"
text = "每通报1次，年度考核扣0.5分"
kind = "notice"
events = ["通报"]
assessment = 0.5

[[rules]]
id = "T-4"
clause = "三"
name = "全年零采用"
text = "全年零采用的，年度考核扣1分"
kind = "no_adoption"
assessment = 1

[[rules]]
id = "T-5"
clause = "四"
name = "约稿未完成"
text = "每次扣1分"
kind = "event"
commissions = ["逾期", "未报"]
points = -1
label = "{status}，"
remark = "扣1分"

[[rules]]
id = "T-6"
clause = "五"
name = "《测试信息》录用"
kind = "adoption"
table = [{ publication = "测试信息", points = 1 }]
"""

UNITS = roster(("甲局", "部门"), ("乙局", "部门"))


def logs(*months: int) -> list[dict]:
    """A submission of an unknown sender in each month: the month holds mail logs."""
    return [mail(f"2024-{m:02d}-28", None, "其他来信") for m in months]


def sent(unit: str, n: int, month: int) -> list[dict]:
    return [mail(f"2024-{month:02d}-{d + 1:02d}", unit) for d in range(n)]


def rows(result, unit: str) -> list[tuple[str, float, str]]:
    led = result.ledger.filter(pl.col("unit") == unit)
    return [
        (r.removeprefix("test-2024/"), p, n) for r, p, n in led.select("rule_id", "points", "note").iter_rows()
    ]  # fmt: skip


def test_three_missed_months_in_a_row_are_named_and_charged_in_the_assessment():
    # 甲 sends 1 a month in Q1 (each month missed: −2), 乙 3 a month (met, no row). The run
    # of three completes in March: a 0-point row, a remark, a notice; Q1's assessment 0.5.
    reg = loads(SMALL, "测试.toml")
    subs = logs(1, 2, 3) + [s for m in (1, 2, 3) for s in sent("甲局", 1, m) + sent("乙局", 3, m)]
    r = reg.score(make_inputs(UNITS, submissions=subs), Q1)
    assert rows(r, "甲局") == [
        ("T-1", -2, "2024年1月报送 1 条，少于 3 条（差 2 条）：-2 分"),
        ("T-1", -2, "2024年2月报送 1 条，少于 3 条（差 2 条）：-2 分"),
        ("T-1", -2, "2024年3月报送 1 条，少于 3 条（差 2 条）：-2 分"),
        ("T-2", 0, "1月、2月、3月连续未完成报送数量：通报，年度考核扣0.5分，不计入信息得分"),
    ]
    assert rows(r, "乙局") == []
    score = {u: (p, m, a) for u, p, m, a in r.scores.select("unit", "points", "target_met", "assessment").iter_rows()}  # fmt: skip
    assert score == {"甲局": (-6, False, 0.5), "乙局": (0, True, 0.0)}
    remark = dict(r.scores.select("unit", "remark").iter_rows())
    assert remark["甲局"] == (
        "未完成月度报送数量（报送1条，应不少于3条）；"
        "连续3个月未完成报送数量，通报（年度考核扣0.5分）"
    )
    assert r.notices.select("unit", "period", "reason").rows() == [
        ("甲局", "2024Q1", "2024年1月、2月、3月连续3个月未完成报送数量")
    ]
    # the statement's quota lines: every judged month, met or not
    assert r.quotas.filter(pl.col("unit") == "甲局")["points"].to_list() == [-2, -2, -2]
    assert r.quotas.filter(pl.col("unit") == "乙局")["points"].to_list() == [0, 0, 0]


def test_a_month_without_logs_breaks_the_run_and_is_noted():
    # February holds no mail logs: not judged, so January and March are not in a row
    reg = loads(SMALL, "测试.toml")
    subs = logs(1, 3) + sent("甲局", 1, 1) + sent("甲局", 1, 3)
    r = reg.score(make_inputs(UNITS, submissions=subs), Q1)
    assert [x[0] for x in rows(r, "甲局")] == ["T-1", "T-1"]
    assert r.notices.height == 0
    assert "2024年2月没有报送记录（邮件日志），未执行“月度报送数量”规则（一）。" in r.notes


def test_the_year_counts_the_namings_and_a_year_without_adoption():
    # 甲: named in Q1 (three missed months) and by a recorded 通报 in Q2; no adoption:
    # 0.5 × 2 + 1 = 2. 乙: one adoption, one 通报: 0.5. A late commission costs 甲 −1.
    reg = loads(SMALL, "测试.toml")
    subs = logs(1, 2, 3) + [s for m in (1, 2, 3) for s in sent("甲局", 1, m) + sent("乙局", 3, m)]
    evs = [
        event("2024-04-10", "约稿", "甲局", "春耕", status="逾期"),
        event("2024-05-06", "通报", "甲局", "信息失实"),
        event("2024-05-07", "通报", "乙局"),
    ]
    ads = [adoption("测试信息", "2024-05-02", "乙文", "乙局")]
    inputs = make_inputs(UNITS, ads, evs, subs)
    q2 = reg.score(inputs, Q2)
    assert rows(q2, "甲局") == [
        ("T-5", -1, "约稿「春耕」：逾期，-1 分"),
        ("T-3", 0, "通报「信息失实」：年度考核扣0.5分，不计入信息得分"),
    ]
    assert q2.commissions["points"].to_list() == [-1]
    assert q2.notices.select("unit", "reason").rows() == [
        ("乙局", "2024年5月7日被通报"),
        ("甲局", "因“信息失实”被通报（2024年5月6日）"),
    ]
    remark = dict(q2.scores.select("unit", "remark").iter_rows())
    assert remark["甲局"] == "约稿「春耕」逾期，扣1分；通报「信息失实」（年度考核扣0.5分）"
    # Q2 holds no mail logs: the quota is not judged, target_met empty
    assert q2.scores["target_met"].to_list() == [None, None]

    y = reg.score(inputs, YEAR)
    assessment = dict(y.scores.select("unit", "assessment").iter_rows())
    assert assessment == {"甲局": 2.0, "乙局": 0.5}
    assert dict(y.scores.select("unit", "points").iter_rows()) == {"甲局": -7, "乙局": 1}
    remark = dict(y.scores.select("unit", "remark").iter_rows())
    assert remark["甲局"].endswith("全年通报2次，年度考核扣1分；全年零采用，年度考核扣1分")
    assert remark["乙局"] == "第二季度通报（年度考核扣0.5分）；全年通报1次，年度考核扣0.5分"
    assert (
        y.notes[-1]
        == "考核扣分（通报每次0.5分、全年零采用1分，三）在年度考核中扣除，不计入信息得分。"
    )
    assert y.notices["period"].to_list() == ["2024Q1", "2024Q2", "2024Q2"]


QUARTERLY = SMALL.replace('window = "month"', 'window = "quarter"').replace(
    "missed_points = -2", "missed_points = -2\npoints = 5"
)


def test_a_partly_logged_quarter_is_judged_unless_the_whole_window_is_required():
    # only April holds logs: without `whole_window` the quarter is judged on April (甲 3:
    # met, +5; 乙 0: −2); with it, not judged, and the note says what the file says
    subs = logs(4) + sent("甲局", 3, 4)
    inputs = make_inputs(UNITS, submissions=subs)
    r = loads(QUARTERLY, "测试.toml").score(inputs, Q2)
    assert dict(r.scores.select("unit", "points").iter_rows()) == {"甲局": 5, "乙局": -2}
    assert "2024年5月、2024年6月没有报送记录，“月度报送数量”按已有记录计算。" in r.notes
    whole = QUARTERLY.replace(
        'window = "quarter"',
        'window = "quarter"\nwhole_window = true\nunjudged_note = "本季度不扣分"',
    )
    r = loads(whole, "测试.toml").score(inputs, Q2)
    assert dict(r.scores.select("unit", "points").iter_rows()) == {"甲局": 0, "乙局": 0}
    assert r.quotas.height == 0
    assert (
        "2024年5月、2024年6月没有报送记录（邮件日志），2024年第二季度未执行“月度报送数量”规则"
        "（一）：本季度不扣分。"
    ) in r.notes
    # a month is shorter than the window: the file's note says so
    month = whole.replace(
        "whole_window = true", 'whole_window = true\nshort_period_note = "按季度考核"'
    )
    r = loads(month, "测试.toml").score(inputs, Period.parse("2024-04"))
    assert "月度报送数量（一）按季度考核。" in r.notes
    assert r.ledger.filter(pl.col("source") == "quota").height == 0


def test_a_whole_number_key_rejects_a_fraction():
    with pytest.raises(InputError, match="「rules\\[2\\].run」应为整数"):
        loads(SMALL.replace("run = 3", "run = 2.5"), "测试.toml")


def test_a_yearly_quota_is_judged_in_the_year_only():
    # 5 a year: 甲 sends 6 (met, +2), 乙 1 (missed: −3); a quarter only notes the rule
    yearly = (
        SMALL.replace('window = "month"', 'window = "year"')
        .replace('name = "月度报送数量"', 'name = "年度报送数量"')
        .replace("count = 3 }", "count = 5 }")
        .replace(
            "missed_points = -2", 'missed_points = -3\npoints = 2\nshort_period_note = "按年度考核"'
        )
    )
    reg = loads(yearly, "测试.toml")
    subs = logs(1, 5) + sent("甲局", 6, 5) + sent("乙局", 1, 1)
    inputs = make_inputs(UNITS, submissions=subs)
    q2 = reg.score(inputs, Q2)
    assert q2.ledger.height == 0 and "年度报送数量（一）按年度考核。" in q2.notes
    y = reg.score(inputs, YEAR)
    assert rows(y, "甲局") == [("T-1", 2, "2024年度报送 6 条，达到 5 条：2 分")]
    assert rows(y, "乙局") == [("T-1", -3, "2024年度报送 1 条，少于 5 条（差 4 条）：-3 分")]
    assert dict(y.scores.select("unit", "target_met").iter_rows()) == {"甲局": True, "乙局": False}
    remark = dict(y.scores.select("unit", "remark").iter_rows())
    assert remark["乙局"] == "未完成年度报送数量（报送1条，应不少于5条）；全年零采用，年度考核扣1分"
    assert y.quotas.select("unit", "period", "count").rows() == [
        ("乙局", "2024", 1),
        ("甲局", "2024", 6),
    ]


def test_a_year_scored_whole_names_the_same_runs():
    # the year as one period: the quota's months and the run of three are found in the year
    whole = SMALL.replace("[scoring]\n", '[scoring]\nyear = "whole"\n')
    subs = logs(1, 2, 3) + [s for m in (1, 2, 3) for s in sent("甲局", 1, m) + sent("乙局", 3, m)]
    inputs = make_inputs(UNITS, [adoption("测试信息", "2024-05-02", "甲文", "甲局")], (), subs)
    by_quarters = loads(SMALL, "测试.toml").score(inputs, YEAR)
    y = loads(whole, "测试.toml").score(inputs, YEAR)
    assert y.notices.rows() == by_quarters.notices.rows()
    assert rows(y, "甲局") == rows(by_quarters, "甲局")
    assert dict(y.scores.select("unit", "assessment").iter_rows()) == {"甲局": 0.5, "乙局": 1.0}

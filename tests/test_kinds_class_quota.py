"""Rule kinds and keys a regulation file gained with 萧山 (schemes/kinds/class_quota.py,
schemes/kinds/absence.py, the event keys `status_labels` and `deduction`, `[submissions]`,
`[scoring]` `target_missed`, `target_met` and `target_progress`), each on a small regulation of its own
with numbers worked out by hand."""

from __future__ import annotations

import polars as pl
from scoring_frames import adoption, event, mail, make_inputs, roster

from schemes.regulation import loads
from transforms.periods import Period

#: a one-page regulation: two groups, a monthly 简报 quota for 部门, a quarterly 调研 quota
#: for everyone and a yearly one for 乡镇, an event worth its value as a deduction, a
#: commission penalty worded per status, −20 for a year without a 表扬, a yearly target.
TEXT = """
id = "test-2025"
title = "测试办法"
doc_number = "测〔2025〕2号"
office = "测试县人民政府办公室"
event_words = ["约稿", "重大漏报", "表扬"]

[scoring]
target_period = "year"
pro_rata = true
target_missed = "未完成{period}目标（{target}分），差{gap}分"
target_met = "完成{period}目标（{target}分）"
target_progress = "{period}目标{target}分，已完成{share}（{points}分）"
year = "whole"
order = ["T-3", "T-1", "T-4", "T-5"]

[submissions]
classes = [{ name = "调研", words = ["调研"] }, { name = "简报", words = ["简报"] }]
default_class = "简报"
tasks = "报送任务（一）"

[[groups]]
name = "部门"
target = 40
units = ["甲局"]

[[groups]]
name = "乡镇"
target = 20
units = ["丙镇"]

[[publications]]
name = "测试信息"
level = "本级"

[[rules]]
id = "T-1"
clause = "一（一）"
name = "简报"
text = "部门每月2篇；每缺1篇扣2分"
kind = "class_quota"
submission_class = "简报"
what = "简报"
per_missing = -2
counts = [{ window = "month", groups = ["部门"], count = 2 }]

[[rules]]
id = "T-2"
clause = "一（二）"
name = "调研"
text = "每季度1篇（乡镇每年3篇）；每缺1篇扣5分"
kind = "class_quota"
submission_class = "调研"
words = ["季度"]
per_missing = -5
counts = [
    { window = "quarter", groups = ["部门"], count = 1 },
    { window = "year", groups = ["乡镇"], count = 3 },
]

[[rules]]
id = "T-3"
clause = "二"
name = "《测试信息》录用"
kind = "adoption"
table = [{ publication = "测试信息", points = 10 }]

[[rules]]
id = "T-4"
clause = "三（一）"
name = "重大漏报"
text = "视情况扣分"
kind = "event"
events = ["重大漏报"]
per_value = 1
deduction = true

[[rules]]
id = "T-5"
clause = "三（二）"
name = "约稿未完成"
text = "每次扣4分"
kind = "event"
commissions = ["逾期", "未报"]
status_labels = [{ status = "逾期", label = "迟交，" }, { status = "未报", label = "缺交，" }]
points = -4

[[rules]]
id = "T-6"
clause = "三（三）"
name = "未获表扬"
text = "全年未获表扬的扣20分"
kind = "year_without_event"
events = ["表扬"]
points = -20
"""

REG = loads(TEXT, "测试.toml")
UNITS = roster(("甲局", "部门"), ("丙镇", "乡镇"))
JAN, MAR, DEC = (Period.parse(p) for p in ("2025-01", "2025-03", "2025-12"))
Q1, Q2, YEAR = Period.parse("2025Q1"), Period.parse("2025Q2"), Period.parse("2025")


def run(period, adoptions=(), events=(), submissions=()):
    return REG.score(make_inputs(UNITS, adoptions, events, submissions), period)


def rows(result, unit) -> list[tuple[str, float, str]]:
    led = result.ledger.filter(pl.col("unit") == unit)
    return [
        (r.removeprefix("test-2025/"), p, n)
        for r, p, n in led.select("rule_id", "points", "note").iter_rows()
    ]


def test_submission_classes_are_tried_on_the_kind_then_the_subject():
    c = REG.submissions.class_of
    assert c({"kind": "调研", "subject": "简报"}) == "调研"
    assert c({"kind": None, "subject": "一季度调研报告"}) == "调研"
    assert c({"kind": "", "subject": "工作简报"}) == "简报"
    assert c({"kind": None, "subject": "其他"}) == "简报"  # the default class


def test_class_quota_counts_its_class_per_window_and_says_what_it_counts():
    # January: 甲局 sent one 简报 and one 调研 (the 调研 is not a 简报): 1 of 2 → −2
    subs = [mail("2025-01-05", "甲局", "简报一"), mail("2025-01-06", "甲局", "调研", kind="调研")]
    r = run(JAN, submissions=subs)
    assert rows(r, "甲局") == [
        ("T-1", -2, "2025年1月报送简报 1 条，少于 2 条（差 1 条）：-2 分"),
    ]
    assert rows(r, "丙镇") == []  # 乡镇 owe no 简报
    # the statements' table: the judged window per unit and task
    assert r.quotas.select("unit", "period", "rule", "required", "count", "points").rows() == [
        ("甲局", "2025-01", "简报", 2.0, 1, -2.0)
    ]


def test_a_quarter_window_is_judged_in_the_month_ending_it_and_words_filter():
    # 调研 counts only when it says 季度 (words): the January one does not; March ends Q1,
    # so March judges the quarter's 调研 (−5) besides its own 简报 (0 sent: −4)
    subs = [
        mail("2025-01-06", "甲局", "一月调研", kind="调研"),
        mail("2025-03-02", "丙镇", "x"),
    ]
    r = run(MAR, submissions=subs)
    assert sorted((i, p) for i, p, _ in rows(r, "甲局")) == [("T-1", -4), ("T-2", -5)]
    feb = run(Period.parse("2025-02"), submissions=subs)
    assert "T-2" not in {i for i, _, _ in rows(feb, "甲局")}


def test_a_year_window_is_judged_in_december_and_the_year():
    subs = [mail(f"2025-{m:02d}-03", "丙镇", "季度调研", kind="调研") for m in (3, 6)]
    subs += [mail("2025-12-01", "甲局", "x")]
    # 丙镇 sent 2 of 3: −5 in December and in the year, never before
    assert ("T-2", -5) in [(i, p) for i, p, _ in rows(run(DEC, submissions=subs), "丙镇")]
    assert "T-2" not in {i for i, _, _ in rows(run(Q2, submissions=subs), "丙镇")}
    year = run(YEAR, submissions=subs)
    assert [(i, p) for i, p, _ in rows(year, "丙镇") if i == "T-2"] == [("T-2", -5)]


def test_months_without_mail_logs_are_named_once_for_all_class_quotas():
    r = run(Q1, submissions=[mail("2025-02-03", "甲局", "简报")])
    notes = [n for n in r.notes if "报送任务（一）" in n]
    assert notes == [
        "2025年1月、2025年3月没有报送记录（邮件日志），这些月份未考核报送任务（一）；"
        "跨月的任务按有记录的月份计算。"
    ]


def test_a_deduction_costs_its_value_whatever_the_sign():
    ev = [
        event("2025-04-02", "重大漏报", "甲局", "某事", value=6),
        event("2025-04-03", "重大漏报", "甲局", "另事", value=-3),
        event("2025-04-04", "重大漏报", "丙镇", "无值"),
    ]
    r = run(Q2, events=ev)
    assert [(i, p) for i, p, _ in rows(r, "甲局")] == [("T-4", -6), ("T-4", -3)]
    assert rows(r, "丙镇") == [("T-4", 0, "重大漏报「无值」：未填写分值，计 0 分")]


def test_status_labels_word_each_status_in_their_order():
    ev = [
        event("2025-05-10", "约稿", "甲局", "稿一", status="未报"),
        event("2025-05-10", "约稿", "甲局", "稿二", status="逾期"),
        event("2025-05-10", "约稿", "甲局", "稿三", status="按时"),
    ]
    r = run(Q2, events=ev)
    assert rows(r, "甲局") == [
        ("T-5", -4, "约稿「稿二」：迟交，-4 分"),
        ("T-5", -4, "约稿「稿一」：缺交，-4 分"),
    ]
    assert r.commissions.select("title", "points").rows() == [
        ("稿一", -4.0),
        ("稿二", -4.0),
        ("稿三", 0.0),
    ]


def test_a_year_without_the_event_costs_points_at_year_end_only():
    ev = [event("2025-06-01", "表扬", "丙镇", "表扬信")]
    ads = [adoption("测试信息", "2025-02-01", "甲文", "甲局")]
    year = run(YEAR, ads, ev)
    assert rows(year, "甲局")[-1] == ("T-6", -20, "2025年度未获表扬：-20 分")
    assert year.ledger.filter(pl.col("rule_id") == "test-2025/T-6")["date"].to_list() == [
        Period.parse("2025").end
    ]
    assert "T-6" not in {i for i, _, _ in rows(year, "丙镇")}
    q4 = run(Period.parse("2025Q4"), ads, ev)
    assert "T-6" not in {i for i, _, _ in rows(q4, "甲局")}
    mine = year.remarks.filter(pl.col("unit") == "甲局")
    assert mine.select("kind", "rule_id", "text").rows()[0] == (
        "year_without_event",
        "T-6",
        "全年未获表扬，扣20分",
    )


def test_targets_pro_rata_with_the_shortfall_and_the_progress():
    ads = [adoption("测试信息", f"2025-0{m}-01", f"文{m}", "甲局") for m in (1, 2, 4)]
    ads += [adoption("测试信息", "2025-01-02", "乙文", "丙镇")]
    ev = [event("2025-06-01", "表扬", u, "表扬信") for u in ("甲局", "丙镇")]
    q1 = run(Q1, ads, ev)
    s = {r["unit"]: r for r in q1.scores.iter_rows(named=True)}
    # a quarter: ¼ of the year's target; the remark: the year so far against the year's
    assert (s["甲局"]["target"], s["甲局"]["target_met"]) == (10, True)
    assert (s["丙镇"]["target"], s["丙镇"]["target_met"]) == (5, True)
    assert s["甲局"]["remark"] == "年度目标40分，已完成50%（20分）"
    q2 = run(Q2, ads, ev)
    assert (
        q2.scores.filter(pl.col("unit") == "甲局")["remark"].item()
        == "年度目标40分，已完成75%（30分）"
    )
    # a month: 1/12, no remark
    jan = run(JAN, ads, ev).scores.filter(pl.col("unit") == "丙镇").row(0, named=True)
    assert jan["target"] == 20 / 12 and jan["remark"] is None
    # the year: met, or missed by how much; quarters' progress remarks are not carried
    year = {r["unit"]: r for r in run(YEAR, ads, ev).scores.iter_rows(named=True)}
    assert (year["甲局"]["points"], year["甲局"]["target_met"]) == (30, False)
    assert year["甲局"]["remark"] == "未完成年度目标（40分），差10分"
    assert year["丙镇"]["remark"] == "未完成年度目标（20分），差10分"
    more = ads + [adoption("测试信息", "2025-09-01", "丙二", "丙镇")]
    year = run(YEAR, more, ev).scores.filter(pl.col("unit") == "丙镇").row(0, named=True)
    assert (year["target_met"], year["remark"]) == (True, "完成年度目标（20分）")

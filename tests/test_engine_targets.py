"""Engine concept `CountTarget` / `target_progress` / `shortfall_rows` (目标任务): yearly
targets on numbers of submissions and adoptions, numbers worked out by hand."""

from __future__ import annotations

from scoring_frames import adoption, mail, make_inputs, roster

from schemes import engine as E
from schemes.contract import Rule
from transforms.periods import Period

RULE = Rule("T-1", "四（三）1", "未完成全年报送目标", "每少一条减2分")
UNITS = roster(("甲局", "一类"), ("乙局", "二类"), ("丙镇", "无目标"))
SUBMIT = E.CountTarget("报送", "submission", {"一类": 4, "二类": 2})
DEEP = E.CountTarget("综合类报送", "submission", {"一类": 2}, kinds=("调研", "问题"))
ADOPT = E.CountTarget("采用", "adoption", {"一类": 2}, unit_word="条（次）")
DEEP_ADOPT = E.CountTarget("综合类采用", "adoption", {"一类": 1}, kinds=("调研",))
YEAR, Q1 = Period.parse("2020"), Period.parse("2020Q1")


def _prep(submissions=(), adoptions=()):
    return E.prepare(make_inputs(UNITS, adoptions, (), submissions))


def _by_name(progs):
    return {p.target.name: p for p in progs}


def test_kind_word_drops_class_suffixes():
    assert E.kind_word("调研类信息") == "调研"
    assert E.kind_word(" 问题类 ") == "问题"
    assert E.kind_word("类") == "类" and E.kind_word("") is None and E.kind_word(None) is None


def test_counts_by_kind_subject_mark_and_default_kind():
    # kind column first (调研类 = 调研); without a kind, a 【调研】 mark in the subject;
    # an adoption without a kind takes its periodical's default kind.
    assert DEEP.counts({"kind": "调研类", "subject": "x"})
    assert not DEEP.counts({"kind": "动态", "subject": "【调研】x"})
    assert DEEP.counts({"kind": None, "subject": "【问题】背街小巷"})
    assert not DEEP.counts({"kind": None, "subject": "问题不大"})
    defaults = {"专刊": "调研", "普刊": "动态"}
    assert DEEP_ADOPT.counts({"kind": None, "publication": "专刊"}, defaults)
    assert not DEEP_ADOPT.counts({"kind": None, "publication": "普刊"}, defaults)
    assert SUBMIT.counts({"kind": "动态"})  # no kinds: everything counts


def test_progress_year_to_date_and_judged_year():
    subs = [
        mail("2020-01-05", "甲局", kind="调研"),
        mail("2020-02-05", "甲局"),
        mail("2020-05-05", "甲局", subject="【问题】x"),
        mail("2020-05-06", "乙局"),
    ]
    ads = [
        adoption("专刊", "2020-03-01", "一", "甲局", kind="调研"),
        adoption("普刊", "2020-03-01", "一", "甲局", kind="调研"),
        adoption("普刊", "2020-06-01", "二", "甲局", kind="动态"),
    ]
    prep = _prep(subs, ads)
    targets = (SUBMIT, DEEP, ADOPT, DEEP_ADOPT)
    # Q1: 甲局 sent 2 (one 调研) of 4; adopted 2 times (条（次）: the same article twice)
    q1 = _by_name(E.target_progress(prep, Q1, targets)["甲局"])
    assert (q1["报送"].got, q1["报送"].need, q1["报送"].met) == (2, 4, False)
    assert (q1["综合类报送"].got, q1["综合类采用"].got, q1["采用"].got) == (1, 2, 2)
    assert q1["报送"].text() == "报送 2/4 条"
    # the year: logs in Jan, Feb, May only (3 months) → submission targets scaled:
    # 一类 4 × 3/12 = 1 → 甲局 3 ≥ 1 met; 综合类 2 × 3/12 = 0.5 → 1, got 2; 二类 2 × 3/12 =
    # 0.5 → 1, 乙局 got 1 met. Adoption targets are not scaled: 采用 3 ≥ 2.
    year = E.target_progress(prep, YEAR, targets, judge=True)
    y = _by_name(year["甲局"])
    assert (y["报送"].need, y["报送"].months, y["报送"].met) == (1, 3, True)
    assert y["报送"].text() == "报送 3/1 条（按3个月）"
    assert (y["综合类报送"].need, y["综合类报送"].got) == (1, 2)
    assert (y["采用"].need, y["采用"].got, y["综合类采用"].got) == (2, 3, 2)
    assert _by_name(year["乙局"])["报送"].need == 1
    # a group without the target: need and full None, not judged, no text
    c = _by_name(year["丙镇"])["报送"]
    assert (c.need, c.met, c.short, c.text()) == (None, None, 0, "")


def test_shortfall_rows_per_missing_item():
    # full year of logs: one mail a month from 乙局 in every month (12 ≥ 2 met); 甲局 sends
    # 1 in January only → 4 − 1 = 3 missing × −2 = −6
    subs = [mail(f"2020-{m:02d}-10", "乙局") for m in range(1, 13)]
    subs.append(mail("2020-01-11", "甲局"))
    prep = _prep(subs)
    progress = E.target_progress(prep, YEAR, (SUBMIT,), judge=True)
    rows, notes = E.shortfall_rows(progress, SUBMIT, YEAR, RULE, -2)
    assert [(r["unit"], r["points"]) for r in rows] == [("甲局", -6)]
    assert rows[0]["note"] == "2020年度报送 1 条，目标 4 条，少 3 条：-2 × 3 = -6 分"
    assert rows[0]["source"] == "quota" and str(rows[0]["date"]) == "2020-12-31"
    assert notes == []


def test_shortfall_scaled_or_skipped_by_log_months():
    # logs in 9 months (April–December): 一类 4 × 9/12 = 3 → 甲局 with 1 misses 2 → −4
    subs = [mail(f"2020-{m:02d}-10", "乙局") for m in range(4, 13)]
    subs.append(mail("2020-04-11", "甲局"))
    progress = E.target_progress(_prep(subs), YEAR, (SUBMIT,), judge=True)
    rows, notes = E.shortfall_rows(progress, SUBMIT, YEAR, RULE, -2)
    assert [(r["unit"], r["points"]) for r in rows] == [("甲局", -4)]
    assert notes and "仅9个月有报送记录" in notes[0]
    # no logs at all: not judged, nobody loses points, a note says so
    progress = E.target_progress(_prep(), YEAR, (SUBMIT,), judge=True)
    rows, notes = E.shortfall_rows(progress, SUBMIT, YEAR, RULE, -2)
    assert rows == [] and "没有报送记录" in notes[0]

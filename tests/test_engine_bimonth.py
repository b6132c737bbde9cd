"""Engine concepts added for 萧山: bimonth quota windows, quota predicates, dropping the
groups that are not scored, and the wording of a level table (媒体报道)."""

from __future__ import annotations

import polars as pl
from scoring_frames import event, mail, make_inputs, roster

from schemes import engine as E
from schemes.contract import Rule
from transforms.periods import Period

RULE = Rule("T-1", "一", "测试任务")
UNITS = roster(("甲", "A"), ("乙", "A"), ("丙", "不计"))


def prep(events=(), submissions=()) -> E.Prepared:
    return E.prepare(make_inputs(UNITS, (), events, submissions))


def test_bimonth_windows_end_in_the_period():
    # 1–2月 … 11–12月; a quarter holds the windows that end in it: Q1 -> 1–2月, Q2 -> 3–4月
    # and 5–6月; a month only in even months; the year all six.
    assert [w.title for w in E._windows(Period.parse("2018Q1"), "bimonth")] == ["2018年1—2月"]
    assert [(w.first, w.last) for w in E._windows(Period.parse("2018Q2"), "bimonth")] == [
        (3, 4),
        (5, 6),
    ]
    assert E._windows(Period.parse("2018-05"), "bimonth") == []
    assert len(E._windows(Period.parse("2018-06"), "bimonth")) == 1
    assert len(E._windows(Period.parse("2018"), "bimonth")) == 6
    w = E.MonthSpan(2018, 3, 4)
    assert (str(w.start), str(w.end)) == ("2018-03-01", "2018-04-30")


def test_bimonth_quota_with_a_predicate():
    # one 专报 per 3–4月 at −5 each missing: 甲 sent a 专报 in March -> met; 乙 sent two
    # mails that are not 专报 -> 1 missing -> −5, dated April 30.
    p = prep(
        submissions=[
            mail("2018-03-02", "甲", "x", kind="专报"),
            mail("2018-04-02", "乙", "专"),
            mail("2018-04-03", "乙", "报"),
        ]
    )
    q = E.Quota(RULE, {"A": 1}, "bimonth", per_missing=-5, match=lambda s: s.get("kind") == "专报")
    rows, notes = E.quota_rows(p, Period.parse("2018-04"), q)
    assert [(r["unit"], r["points"], str(r["date"])) for r in rows] == [("乙", -5.0, "2018-04-30")]
    assert rows[0]["note"] == "2018年3—4月报送 0 条，少于 1 条（差 1 条）：-5 分"
    assert notes == []


def test_bimonth_quota_half_logged_is_judged_and_noted():
    # logs only in April: 3–4月 is judged on April and the note names March
    p = prep(submissions=[mail("2018-04-02", "甲", "x")])
    rows, notes = E.quota_rows(p, Period.parse("2018Q2"), E.Quota(RULE, {"A": 1}, "bimonth", per_missing=-5))  # fmt: skip
    assert [(r["unit"], r["points"]) for r in rows] == [("乙", -5.0)]
    assert notes[0] == "2018年3月没有报送记录，“测试任务”按已有记录计算。"
    assert "2018年5—6月没有报送记录（邮件日志）" in notes[1]


def test_without_groups_drops_units_and_their_rows_but_keeps_log_months():
    p = prep(
        events=[
            event("2018-05-02", "领导批示", "丙", "x", "区"),
            event("2018-05-02", "领导批示", "甲", "y", "区"),
        ],  # fmt: skip
        submissions=[mail("2018-07-02", "丙", "x")],
    )
    q = p.without_groups(("不计",))
    assert q.units == {"甲": "A", "乙": "A"}
    assert [e["unit"] for e in q.events] == ["甲"]
    assert q.submissions == []
    assert q.has_logs(Period.parse("2018-07"))
    assert p.units["丙"] == "不计"  # the original is unchanged


def test_level_table_wording_for_media():
    table = E.InstructionTable(
        {"杭州市": "市"},
        (E.InstructionEntry("市", 10, RULE),),
        event_type="媒体报道",
        actor="媒体",
        verb="报道",
    )
    p = prep(events=[event("2018-05-02", "媒体报道", "甲", "稿", "杭州市")])
    rows = E.instruction_rows(p, Period.parse("2018Q2"), table)
    assert [r["note"] for r in rows] == ["杭州市媒体报道「稿」：加 10 分"]
    assert isinstance(pl.DataFrame(rows), pl.DataFrame)

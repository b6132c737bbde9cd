"""Commissions (约稿) from mail logs, and quotas shown per unit (ScoreResult.quotas)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from scoring_frames import mail, make_inputs, roster

from schemes import engine as E
from schemes import get_scheme
from schemes.kinds.quota import quota_of
from transforms.commissions import commission_table, expand_commission_units
from transforms.errors import InputError
from transforms.periods import Period
from transforms.schema import EVENTS, SUBMISSIONS, conform

TZ = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
JIANDE = get_scheme("jiande-2018")
YINCHUAN = get_scheme("yinchuan-2018")
YINCHUAN_QUOTA = quota_of(YINCHUAN.rule("Y-9.1.1"))
VERTICAL = "自治区垂管机构"


def _events(rows: list[dict]) -> pl.DataFrame:
    recs = [
        {
            "event_id": f"e{i}",
            "type": "约稿",
            "source_file": "events/e.csv",
            "source_row": i + 2,
            **r,
        }
        for i, r in enumerate(rows)
    ]
    df = conform(pl.DataFrame(recs), EVENTS)
    df = expand_commission_units(df)
    return df.with_columns(pl.col("unit_raw").alias("unit"))


def _subs(rows: list[tuple[datetime, str, str]]) -> pl.DataFrame:
    recs = [
        {"submission_id": f"s{i}", "time": t, "unit": u, "subject": subj, "kind": None}
        for i, (t, u, subj) in enumerate(rows)
    ]
    return pl.DataFrame(recs, schema={**SUBMISSIONS, "unit": pl.String}, strict=False)


EVENTS_ROWS = [
    # one event commissioning two units: two commissions
    {"date": date(2018, 4, 10), "unit_raw": "发改局、教育局", "title": "物流园区建设情况"},
    {"date": date(2018, 5, 20), "unit_raw": "梅城镇", "title": "古镇保护利用"},
    {"date": date(2018, 3, 15), "unit_raw": "发改局", "title": "一季度经济运行"},
    {"date": date(2018, 5, 31), "unit_raw": "发改局", "title": "关于全市营商环境的调研"},
    {"date": date(2018, 5, 31), "unit_raw": "教育局", "title": "招生", "status": "迟报"},
]
SUBS_ROWS = [
    # the last second of the due day in the office zone: on time
    (
        datetime(2018, 4, 10, 23, 59, 59, tzinfo=TZ),
        "发改局",
        "【发改局】答复约稿：物流园区建设情况",
    ),
    # 16:00:30 UTC on the due day is 00:00:30 the next day in Beijing: late (C7)
    (datetime(2018, 4, 10, 16, 0, 30, tzinfo=UTC).astimezone(TZ), "教育局", "约稿：物流园区"),
    # 梅城镇 sends something else in May: the logs cover May, so its commission is 未报
    (datetime(2018, 5, 2, 9, 0, tzinfo=TZ), "梅城镇", "梅城镇：春季农业生产"),
    # no 约稿 word, but the commission's title: the answer, on time
    (datetime(2018, 5, 25, 9, 0, tzinfo=TZ), "发改局", "【发改局】关于全市营商环境的调研"),
]


def test_commission_table_on_time_late_never_unknown():
    table = commission_table(_events(EVENTS_ROWS), _subs(SUBS_ROWS))
    got = {(r["unit"], r["date"].isoformat()): r for r in table.iter_rows(named=True)}
    status = {k: v["status"] for k, v in got.items()}
    assert status == {
        ("发改局", "2018-04-10"): "按时",
        ("教育局", "2018-04-10"): "逾期",
        ("梅城镇", "2018-05-20"): "未报",
        ("发改局", "2018-03-15"): "未知",  # no mail logs in March (C5)
        ("发改局", "2018-05-31"): "按时",
        ("教育局", "2018-05-31"): "逾期",  # recorded by hand (迟报)
    }
    assert got[("发改局", "2018-04-10")]["submission_id"] == "s0"
    assert got[("教育局", "2018-04-10")]["submission_id"] == "s1"
    assert got[("发改局", "2018-05-31")]["submission_id"] == "s3"
    assert got[("教育局", "2018-05-31")]["derived"] is False
    # the split commission keeps its source row and gets one event id per unit
    split = table.filter(pl.col("date") == date(2018, 4, 10)).sort("event_id")
    assert split["event_id"].to_list() == ["e0#1", "e0#2"]
    assert split["source_row"].to_list() == [2, 2]
    assert table["points"].null_count() == table.height


def test_engine_commission_status_uses_the_same_derivation():
    events = _events(EVENTS_ROWS).to_dicts()
    subs = _subs(SUBS_ROWS).to_dicts()
    out = {(r["unit"], r["date"]): r["status"] for r in E.commission_status(events, subs)}
    assert out[("教育局", date(2018, 4, 10))] == "逾期"
    assert out[("发改局", date(2018, 5, 31))] == "按时"


def test_unknown_recorded_status_names_the_row():
    ev = _events([{"date": date(2018, 4, 1), "unit_raw": "发改局", "status": "差不多"}])
    with pytest.raises(InputError, match="events/e.csv 第2行"):
        commission_table(ev, _subs([]))


def test_one_answer_serves_one_commission():
    # two commissions of one unit, one marked answer: the earlier commission takes it
    ev = _events(
        [
            {"date": date(2018, 4, 10), "unit_raw": "发改局"},
            {"date": date(2018, 4, 20), "unit_raw": "发改局"},
        ]
    )
    subs = _subs([(datetime(2018, 4, 9, 9, tzinfo=TZ), "发改局", "约稿信息")])
    table = commission_table(ev, subs).sort("date")
    assert table["status"].to_list() == ["按时", "未报"]


# ------------------------------------------------------------------ quotas (ScoreResult.quotas)


def test_quota_met_and_missed_by_one_yinchuan():
    # 银川 Y3: 自治区垂管机构 quota 10 per quarter, met -> +10. 甲 sends 10, 乙 sends 9
    # (missed by one: 0). Every month of Q2 holds logs, so the quarter is judged.
    units = roster(("甲垂管局", VERTICAL), ("乙垂管局", VERTICAL))
    subs = [mail(f"2018-04-{d:02d}", "甲垂管局") for d in range(1, 11)]
    subs += [mail(f"2018-{m:02d}-{d:02d}", "乙垂管局") for m in (5, 6) for d in (1, 2, 3, 4, 5)][:9]
    inputs = make_inputs(units, submissions=subs)
    q2 = Period.parse("2018Q2")
    result = YINCHUAN.score(inputs, q2)
    overview = E.quota_overview(E.prepare(inputs), q2, (YINCHUAN_QUOTA,))
    assert overview.select("unit", "period", "required", "count", "points").rows() == [
        ("乙垂管局", "2018Q2", 10.0, 9, 0.0),
        ("甲垂管局", "2018Q2", 10.0, 10, 10.0),
    ]
    # the same points as the scheme's ledger (a missed quota is a 0-point row there)
    quota_points = result.ledger.filter(pl.col("source") == "quota")
    assert quota_points.select("unit", "points").rows() == [("乙垂管局", 0.0), ("甲垂管局", 10.0)]


def test_quota_table_per_missing_and_c5():
    # a quarterly quota of 3 with -2 per missing submission; A sends 3 (met), B sends 2
    # (missed by one: -2). Q1 holds no mail logs at all: not judged (C5), no rows.
    rule = E.Rule("T-1", "一", "季度报送任务")
    quota = E.Quota(rule, {"A": 3, "B": 3}, window="quarter", per_missing=-2)
    units = roster(("甲局", "A"), ("乙局", "B"))
    subs = [mail("2018-04-02", "甲局"), mail("2018-05-02", "甲局"), mail("2018-06-02", "甲局")]
    subs += [mail("2018-04-03", "乙局"), mail("2018-06-30 23:59", "乙局")]
    prep = E.prepare(make_inputs(units, submissions=subs))
    rows = E.quota_table(prep, Period.parse("2018Q2"), quota)
    assert [(r["unit"], r["count"], r["points"]) for r in rows] == [
        ("甲局", 3, 0.0),
        ("乙局", 2, -2.0),
    ]
    assert E.quota_table(prep, Period.parse("2018Q1"), quota) == []
    ledger, _ = E.quota_rows(prep, Period.parse("2018Q2"), quota)
    assert [(r["unit"], r["points"]) for r in ledger] == [("乙局", -2.0)]


def test_silent_months_jiande():
    # J6: a month without a submission costs 10, only months holding logs (C5).
    # 新安江街道 sends in April and June, 更楼街道 in May: each misses two months = -20.
    units = roster(("新安江街道", "乡镇（街道）"), ("更楼街道", "乡镇（街道）"))
    subs = [mail("2018-04-03", "新安江街道"), mail("2018-06-03", "新安江街道")]
    subs += [mail("2018-05-03", "更楼街道")]
    result = JIANDE.score(make_inputs(units, submissions=subs), Period.parse("2018Q2"))
    q = result.quotas
    assert q.height == 6  # 3 months x 2 units
    mine = q.filter(pl.col("unit") == "新安江街道").sort("period")
    assert mine.select("period", "count", "points").rows() == [
        ("2018-04", 1, 0.0),
        ("2018-05", 0, -10.0),
        ("2018-06", 1, 0.0),
    ]
    assert q.group_by("unit").agg(pl.col("points").sum()).sort("unit").rows() == [
        ("新安江街道", -10.0),
        ("更楼街道", -20.0),
    ]

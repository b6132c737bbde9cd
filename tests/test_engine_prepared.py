"""Engine `Prepared`: submissions kept as a polars frame (counts per unit in polars, dicts
only where a rule needs them) give what counting the submission dicts one by one gives.
Each test compares the frame path with the plain-row reading it replaced."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
from scoring_frames import event, mail, make_inputs, roster

from schemes import engine as E
from schemes.contract import Rule
from transforms.periods import Period

UNITS = roster(("甲局", "A"), ("乙局", "A"), ("丙镇", "B"), ("丁办", "C"))
RULE = Rule("T-1", "一", "报送任务")
TZ = ZoneInfo("Asia/Shanghai")

KINDS = (None, "", "  ", "调研", "调研类信息", " 问题类 ", "动态", "约稿", "类", "信息")
SUBJECTS = (None, "", "【调研】背街小巷", "问题不大", "约稿：文明城市", "【问题", "x约稿", "动态")


def _subs(n: int = 400) -> list[dict]:
    """Submissions spread over 2018 (and the edges of the year), every kind × subject."""
    units = ("甲局", "乙局", "丙镇", None, "戊局")
    start = datetime(2017, 12, 31, 20, 0)
    out = []
    for i in range(n):
        t = start + timedelta(hours=23 * i + (i % 7))
        out.append(
            mail(
                t.strftime("%Y-%m-%d %H:%M"),
                units[i % len(units)],
                subject=SUBJECTS[i % len(SUBJECTS)],
                kind=KINDS[(i // 3) % len(KINDS)],
            )
        )
    return out


def _prep(subs=None, events=()) -> E.Prepared:
    return E.prepare(make_inputs(UNITS, (), events, _subs() if subs is None else subs))


def _counted(rows, start: date, end: date, test=lambda s: True) -> dict[str, int]:
    n: dict[str, int] = defaultdict(int)
    for s in rows:
        if s["unit"] is not None and start <= s["date"] <= end and test(s):
            n[s["unit"]] += 1
    return dict(n)


def test_log_is_the_dicts_in_time_order_with_local_dates():
    subs = _subs()
    prep = _prep(list(reversed(subs)))
    rows = prep.submissions
    assert len(rows) == len(subs)
    assert [s["time"] for s in rows] == sorted(s["time"] for s in subs)
    assert all(s["date"] == s["time"].astimezone(TZ).date() for s in rows)
    assert prep.log_months == {(s["date"].year, s["date"].month) for s in rows}
    may = Period.parse("2018-05")
    assert list(prep.submissions_in([may])) == [s for s in rows if may.contains(s["date"])]


def test_counts_per_window_equal_counting_the_dicts():
    prep = _prep()
    rows = prep.submissions
    for label in ("2018", "2018Q1", "2018Q4", "2018-02", "2018-12", "2017-12"):
        p = Period.parse(label)
        assert prep.count_submissions(p.start, p.end) == _counted(rows, p.start, p.end)
        assert E.submitted_counts(prep, p) == _counted(rows, p.start, p.end)


def test_quota_words_filter_equals_quota_counts():
    prep = _prep()
    rows = prep.submissions
    for words in (("约稿",), ("调研", "问题"), ("",), ()):
        q = E.Quota(RULE, {"A": 3, "B": 1}, "month", words=words)
        where = q.where(prep.log.columns)
        for m in Period.parse("2018").months():
            got = prep.count_submissions(m.start, m.end, where)
            assert got == _counted(rows, m.start, m.end, q.counts), (words, m)


def test_quota_with_a_predicate_reads_the_dicts():
    prep = _prep()
    q = E.Quota(
        RULE,
        {"A": 2, "B": 2, "C": 1},
        "bimonth",
        per_missing=-1,
        match=lambda s: "约稿" in (s["subject"] or ""),
    )
    for qw in E.quota_windows(prep, Period.parse("2018"), q):
        w = qw.window
        n = _counted(prep.submissions, w.start, w.end, q.counts)
        assert [(u, got) for u, _, got, _ in qw.judged] == [
            (u, n.get(u, 0)) for u, g in prep.units.items() if g in q.thresholds
        ]


def test_count_target_filter_equals_count_target_counts():
    prep = _prep()
    rows = prep.submissions
    year = Period.parse("2018")
    for kinds in (("调研", "问题"), ("调研类",), ("约稿",), ()):
        t = E.CountTarget("报送", "submission", {"A": 1}, kinds=kinds)
        got = prep.count_submissions(year.start, year.end, t.where(prep.log))
        assert got == _counted(rows, year.start, year.end, t.counts), kinds


def test_count_target_without_kind_column():
    log = pl.DataFrame(
        {"time": [datetime(2018, 3, 1, 9, tzinfo=TZ)] * 2, "unit": ["甲局"] * 2,
         "subject": ["【调研】x", "y"]},
    )  # fmt: skip
    prep = E.Prepared({"甲局": "A"}, [], [], *E.prepare_submissions(log))
    t = E.CountTarget("报送", "submission", {"A": 1}, kinds=("调研",))
    year = Period.parse("2018")
    assert prep.count_submissions(year.start, year.end, t.where(prep.log)) == {"甲局": 1}


def test_silent_months_and_their_table():
    subs = [s for s in _subs() if s["time"].month not in (3, 4)]
    prep = _prep(subs)
    year = Period.parse("2018")
    rows, notes = E.silent_month_rows(prep, year, RULE, -10)
    expected = []
    for m in year.months():
        if not prep.has_logs(m):
            continue
        active = {s["unit"] for s in prep.submissions_in([m])}
        expected += [(u, m.end) for u in prep.units if u not in active]
    assert [(r["unit"], r["date"]) for r in rows] == expected
    assert "2018年3月、2018年4月" in notes[0]
    table = E.silent_month_table(prep, year, RULE, -10)
    assert len(table) == 10 * len(prep.units)
    for r in table:
        m = Period.parse(r["period"])
        assert r["count"] == _counted(prep.submissions, m.start, m.end).get(r["unit"], 0)


def test_without_groups_drops_their_submissions_and_keeps_the_months():
    prep = _prep()
    rest = prep.without_groups(("A",))
    assert set(rest.units) == {"丙镇", "丁办"}
    assert rest.submissions == [s for s in prep.submissions if s["unit"] not in ("甲局", "乙局")]
    assert rest.log_months == prep.log_months


def test_commission_status_from_prepared_equals_from_the_dicts():
    # recorded and derived statuses (answers by title, by the 约稿 mark, late, missing); a
    # due month without logs (未知); December 2018 holds only 丙镇's submissions: once its
    # group is dropped, 丁办's December commission is 未知 (no logs left), before that 未报
    events = [
        event("2017-12-31", "约稿", "乙局", title="无关"),
        event("2018-02-10", "约稿", "甲局", title="文明城市"),
        event("2018-03-20", "约稿", "乙局", title="营商环境", status="按时"),
        event("2018-05-31", "约稿", "丙镇", title="背街小巷"),
        event("2018-06-30", "约稿", "甲局", title="其他"),
        event("2018-12-20", "约稿", "丁办", title="年终"),
        event("2019-07-20", "约稿", "甲局", title="明年"),
    ]
    subs = [s for s in _subs() if s["time"].month != 12 or s["unit"] == "丙镇"]
    prep = _prep(subs, events)
    statuses, december = set(), []
    for p in (prep, prep.without_groups(("B",))):
        got = E.commission_status(p.events, p)
        assert got == E.commission_status(p.events, p.submissions)
        statuses |= {c["status"] for c in got}
        december.append({c["unit"]: c["status"] for c in got if c["date"] == date(2018, 12, 20)})
    assert statuses == {"按时", "逾期", "未报", "未知"}
    assert december == [{"丁办": "未报"}, {"丁办": "未知"}]


def test_adoptions_joined_to_their_units():
    ads = pl.DataFrame(
        {
            "adoption_id": ["a1", "a2", "a2", "a3", "a4"],
            "publication": ["P"] * 5,
            "date": [date(2018, 3, 1), date(2018, 2, 1), date(2018, 2, 2), date(2018, 2, 1),
                     date(2018, 2, 1)],
            "title": ["一", "二", "二改", "三", "四"],
            "source_row": [5, None, 7, 3, 0],
            "article_id": ["art", "", None, "art", None],
        }
    )  # fmt: skip
    au = pl.DataFrame(
        {
            "adoption_id": ["a1", "a1", "a2", "a3", "a4", "a9", "a3"],
            "unit": ["乙局", "甲局", "甲局", "丙镇", "无名", "甲局", "甲局"],
            "position": [1, 0, None, 0, 0, 0, 1],
            "n_units": [2, 2, 0, 2, 1, 1, None],
        }
    )
    units = {"甲局": "A", "乙局": "A", "丙镇": "B"}
    # the plain-row reading
    by_id = {r["adoption_id"]: r for r in ads.iter_rows(named=True)}
    expected = []
    for a_u in au.iter_rows(named=True):
        a = by_id.get(a_u["adoption_id"])
        if a is None or a_u["unit"] not in units:
            continue
        r = dict(a)
        r["article_id"] = r["article_id"] or r["adoption_id"]
        r.update(unit=a_u["unit"], position=a_u["position"] or 0, n_units=a_u["n_units"] or 1)
        expected.append(r)
    expected.sort(key=lambda r: (r["date"], r.get("source_row") or 0, r["unit"]))
    got = E.prepare_adoptions(ads, au, units)
    assert got == expected
    assert [list(r) for r in got] == [list(r) for r in expected]  # same keys, same order
    assert E.prepare_adoptions(ads, au.drop("position", "n_units"), units)[0]["n_units"] == 1

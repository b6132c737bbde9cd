"""银政办发〔2018〕94号 (yinchuan-2018): every scoring clause, numbers worked out by hand."""

from __future__ import annotations

import polars as pl
import pytest
from scoring_frames import adoption, event, mail, make_inputs, roster

from schemes import get_scheme
from schemes.contract import Scheme
from transforms.errors import InputError
from transforms.periods import Period
from transforms.schema import LEDGER, NOTICES, QUARTERS, SCORES

SCHEME = get_scheme("yinchuan-2018")

YC, TOPIC, UP = "银川政务信息", "银川专题信息", "上报自治区"
GB, KB, CB = "国报信息", "宁夏政务快报", "宁夏政务晨报"
COUNTY, DEPT, LIAISON = "县（市）区", "市政府部门", "驻外办事处"
Q1, Q2, Q3, Q4 = (Period.parse(f"2018Q{q}") for q in (1, 2, 3, 4))
YEAR = Period.parse("2018")

#: a small roster: two departments (quota 40), one district (quota 90)
SMALL = roster(("市教育局", DEPT), ("市公安局", DEPT), ("兴庆区", COUNTY))


def run(period, adoptions=(), events=(), submissions=(), units=SMALL):
    return SCHEME.score(make_inputs(units, adoptions, events, submissions), period)


def points(result) -> dict[str, float]:
    return dict(result.scores.select("unit", "points").iter_rows())


def score_row(result, unit) -> dict:
    return result.scores.filter(pl.col("unit") == unit).row(0, named=True)


def ledger_of(result, unit) -> list[tuple[str, float]]:
    led = result.ledger.filter(pl.col("unit") == unit)
    return [
        (r.removeprefix("yinchuan-2018/"), p)
        for r, p in led.select("rule_id", "points").iter_rows()
    ]


def mails(unit: str, n: int, month: int, day: int = 3) -> list[dict]:
    """`n` submissions of `unit` on one day of `month` (2018), a minute apart."""
    return [mail(f"2018-{month:02d}-{day:02d} 09:{i % 60:02d}", unit) for i in range(n)]


def logs(*months: int) -> list[dict]:
    """One submission from an unrelated sender in each month: the month holds mail logs."""
    return [mail(f"2018-{m:02d}-28", None, "其他来信") for m in months]


# ---- the scheme and its roster ---------------------------------------------------------


def test_scheme_satisfies_the_contract():
    assert get_scheme("yinchuan-2018") is SCHEME
    for name in Scheme.__annotations__:
        assert hasattr(SCHEME, name), name
    assert SCHEME.doc_number == "银政办发〔2018〕94号"
    assert SCHEME.office == "银川市人民政府办公厅"
    assert [g.name for g in SCHEME.groups] == [
        "县（市）区",
        "市政府部门",
        "直属机构",
        "事业单位",
        "开发区",
        "自治区垂管机构",
        "驻外办事处",
    ]
    assert [g.note for g in SCHEME.groups][:2] == ["每季度报送信息不少于90条", "每季度报送信息不少于40条"]  # fmt: skip
    assert {p.name: p.level for p in SCHEME.publications} == {
        YC: "本级",
        TOPIC: "本级",
        UP: "上报",
        KB: "自治区",
        CB: "自治区",
        GB: "国家",
    }
    assert SCHEME.place_prefixes == ("宁夏回族自治区银川市", "银川市", "银川", "市")
    assert SCHEME.assessment_label == "绩效扣分"
    assert SCHEME.event_types == {"领导批示", "优秀信息", "约稿", "通报批评"}
    assert len({r.id for r in SCHEME.rules}) == len(SCHEME.rules)


def test_roster_holds_the_public_facts_only():
    r = SCHEME.roster()
    counts = dict(r.group_by("group").len().iter_rows())
    assert counts == {COUNTY: 6, "开发区": 3, LIAISON: 3}
    assert r["unit"].to_list()[:6] == ["兴庆区", "金凤区", "西夏区", "永宁县", "贺兰县", "灵武市"]
    aliases = dict(r.select("unit", "aliases").iter_rows())
    assert "银川市人民政府驻北京联络处" in aliases["驻京办"]
    assert {"银川综合保税区", "银川经济技术开发区", "银川滨河新区"} <= set(r["unit"])


# ---- 第九条（二）（三） 采用: 就高 ------------------------------------------------------------


def test_each_periodical_alone():
    # one article per periodical: 银川政务信息 3, its 简讯 1, 银川专题信息 5, 上报自治区 1,
    # 国报信息 5, 宁夏政务快报 3, its 简讯 1, 宁夏政务晨报 1 = 3+1+5+1+5+3+1+1 = 20
    r = run(
        Q2,
        [
            adoption(YC, "2018-04-02", "一", "市教育局", issue="12"),
            adoption(YC, "2018-04-03", "二", "市教育局", kind="简讯"),
            adoption(TOPIC, "2018-04-04", "三", "市教育局"),
            adoption(UP, "2018-04-05", "四", "市教育局"),
            adoption(GB, "2018-04-06", "五", "市教育局"),
            adoption(KB, "2018-04-07", "六", "市教育局"),
            adoption(KB, "2018-04-08", "七", "市教育局", kind="简讯"),
            adoption(CB, "2018-04-09", "八", "市教育局", kind="动态"),
        ],
    )
    assert ledger_of(r, "市教育局") == [
        ("Y-9.2.1", 3),
        ("Y-9.2.1", 1),
        ("Y-9.2.2", 5),
        ("Y-9.2.3", 1),
        ("Y-9.3.1", 5),
        ("Y-9.3.2", 3),
        ("Y-9.3.2", 1),
        ("Y-9.3.3", 1),
    ]
    assert points(r)["市教育局"] == 20
    assert r.ledger["note"][0] == "《银川政务信息》第12期「一」：3 分"


def test_an_article_scores_its_highest_publication_only():
    # Y1: 甲 in 银川政务信息 (3), reported up (1) and 国报信息 (5) -> 5 only;
    # 乙 in 银川政务信息 as 简讯 (1) and 宁夏政务晨报 (1) -> 1. Total 6; 2 articles.
    r = run(
        Q2,
        [
            adoption(YC, "2018-04-02", "甲", "市教育局"),
            adoption(UP, "2018-04-03", "甲", "市教育局"),
            adoption(GB, "2018-05-02", "甲（国报）", "市教育局", article="甲"),
            adoption(YC, "2018-05-03", "乙", "市教育局", kind="简讯"),
            adoption(CB, "2018-05-04", "乙", "市教育局"),
        ],
    )
    assert sorted(ledger_of(r, "市教育局")) == [("Y-9.2.1", 1), ("Y-9.3.1", 5)]
    assert points(r)["市教育局"] == 6
    assert score_row(r, "市教育局")["adopted"] == 2
    gb = r.ledger.filter(pl.col("publication") == GB)["note"][0]
    assert "同一信息另有2项，按最高分计，不重复累计" in gb


def test_highest_across_quarters_adds_the_difference():
    # 甲 in 银川政务信息 in Q1 (3), in 国报信息 in Q2 (5): Q1 3, Q2 adds 5 - 3 = 2; the
    # year 5. A lower adoption later (宁夏政务晨报 1 in Q3) adds nothing.
    ads = [
        adoption(YC, "2018-03-20", "甲", "市教育局"),
        adoption(GB, "2018-04-10", "甲", "市教育局"),
        adoption(CB, "2018-07-10", "甲", "市教育局"),
    ]
    assert points(run(Q1, ads))["市教育局"] == 3
    q2 = run(Q2, ads)
    assert points(q2)["市教育局"] == 2
    assert "此前已按3分计，本期补计差额2分" in q2.ledger["note"][0]
    assert points(run(Q3, ads))["市教育局"] == 0
    assert points(run(YEAR, ads))["市教育局"] == 5


def test_joint_article_gives_each_unit_full_points():
    # C2 full: 银川专题信息 5 to each of the two units
    r = run(Q2, [adoption(TOPIC, "2018-04-02", "合写", ["市教育局", "兴庆区"])])
    assert points(r) == {"市教育局": 5, "市公安局": 0, "兴庆区": 5}


# ---- 第九条（三） 批示、优秀信息、约稿 ------------------------------------------------------


def test_instructions_add_per_level():
    # Y2: 甲: 自治区 +5 and 银川市 +3 -> +8; 乙: 国务院 10 + 自治区 5 + 银川市 3 = 18;
    # a second 自治区 leader on 乙 adds nothing (each level once per article).
    # Plus 银川政务信息 3 for each article: 3 + 8 + 3 + 18 = 32.
    r = run(
        Q2,
        [
            adoption(YC, "2018-04-01", "甲", "市公安局"),
            adoption(YC, "2018-04-01", "乙", "市公安局"),
        ],
        [
            event("2018-04-02", "领导批示", "市公安局", "甲", "自治区", article="甲"),
            event("2018-04-03", "领导批示", "市公安局", "甲", "银川市", article="甲"),
            event("2018-05-02", "领导批示", "市公安局", "乙", "国务院", article="乙"),
            event("2018-05-03", "领导批示", "市公安局", "乙", "宁夏", article="乙"),
            event("2018-05-04", "领导批示", "市公安局", "乙", "自治区主要领导", article="乙"),
            event("2018-05-05", "领导批示", "市公安局", "乙", "市", article="乙"),
        ],
    )
    rules = sorted(x for x in ledger_of(r, "市公安局") if not x[0].startswith("Y-9.2"))
    assert rules == [
        ("Y-9.3.4", 10),
        ("Y-9.3.5", 5),
        ("Y-9.3.5", 5),
        ("Y-9.3.6", 3),
        ("Y-9.3.6", 3),
    ]
    assert points(r)["市公安局"] == 32
    # a level already given in Q2 adds nothing in Q3; a new level does: 银川市 again 0,
    # 国务院 on 甲 +10
    later = [
        event("2018-04-02", "领导批示", "市公安局", "甲", "自治区", article="甲"),
        event("2018-07-02", "领导批示", "市公安局", "甲", "自治区", article="甲"),
        event("2018-07-03", "领导批示", "市公安局", "甲", "国务院", article="甲"),
    ]
    assert ledger_of(run(Q3, events=later), "市公安局") == [("Y-9.3.4", 10)]


def test_instruction_with_unknown_level_is_an_input_error():
    with pytest.raises(InputError, match="级别「省里」无法识别"):
        run(Q2, events=[event("2018-04-02", "领导批示", "市公安局", "甲", "省里")])


def test_excellent_information_and_commissions():
    # 优秀信息 +2 each (two -> 4); 约稿 未报 -3 and 逾期 -3 (each time), 按时 0:
    # 市教育局 4 - 3 = 1; 兴庆区 -3; 市公安局 0.
    r = run(
        Q2,
        events=[
            event("2018-04-10", "优秀信息", "市教育局", "甲"),
            event("2018-05-10", "优秀信息", "市教育局", "乙"),
            event("2018-05-15", "约稿", "市教育局", "稿一", status="未报"),
            event("2018-05-15", "约稿", "兴庆区", "稿一", status="迟报"),
            event("2018-05-15", "约稿", "市公安局", "稿一", status="按时"),
        ],
    )
    assert ledger_of(r, "市教育局") == [("Y-9.3.7", 2), ("Y-9.3.7", 2), ("Y-9.3.8", -3)]
    assert points(r) == {"市教育局": 1, "市公安局": 0, "兴庆区": -3}
    assert r.commissions.select("unit", "status", "points").rows() == [
        ("市教育局", "未报", -3.0),
        ("兴庆区", "逾期", -3.0),
        ("市公安局", "按时", 0.0),
    ]
    note = r.ledger.filter(pl.col("unit") == "兴庆区")["note"][0]
    assert note == "约稿「稿一」：逾期，-3 分"
    assert "约稿「稿一」逾期，扣3分" in score_row(r, "兴庆区")["remark"]


def test_commission_status_from_the_mail_logs():
    # due 05-10: 市教育局's 约稿 mail 05-10 -> 按时 (0); 市公安局 sent none and May holds
    # logs -> 未报 (-3); 兴庆区 due 08-10, no August logs -> 未知, not scored, noted
    subs = [mail("2018-05-10 17:00", "市教育局", "约稿：稿")]
    ev = [
        event("2018-05-10", "约稿", "市教育局", "稿"),
        event("2018-05-10", "约稿", "市公安局", "稿"),
        event("2018-08-10", "约稿", "兴庆区", "稿"),
    ]
    r = run(Q2, events=ev, submissions=subs)
    assert r.commissions.select("unit", "status", "points").rows() == [
        ("市教育局", "按时", 0.0),
        ("市公安局", "未报", -3.0),
    ]
    q3 = run(Q3, events=ev, submissions=subs)
    assert q3.commissions.select("status", "points").rows() == [("未知", None)]
    assert any("兴庆区的约稿「稿」（2018年8月10日到期）没有报送记录" in n for n in q3.notes)


# ---- 第九条（一） 季度报送数量 ----------------------------------------------------------------


def test_quarterly_quota_gives_ten_base_points():
    # Y3, Q2 fully logged: 市教育局 40 submissions (quota 40) -> +10; 市公安局 39 -> 0
    # (a 0-point row says why); 兴庆区 90 (quota 90) -> +10.
    subs = mails("市教育局", 40, 4) + mails("市公安局", 39, 5) + mails("兴庆区", 90, 6)
    subs += logs(4, 5, 6)
    r = run(Q2, submissions=subs)
    assert points(r) == {"市教育局": 10, "市公安局": 0, "兴庆区": 10}
    assert ledger_of(r, "市公安局") == [("Y-9.1.1", 0)]
    assert r.ledger.filter(pl.col("unit") == "市公安局")["note"][0] == (
        "2018年第二季度报送 39 条，少于 40 条（差 1 条）：0 分"
    )
    row = score_row(r, "市公安局")
    assert (row["target_met"], row["submitted"], row["target"]) == (False, 39, None)
    assert row["remark"] == "未完成季度报送数量（报送39条，应不少于40条）"
    assert score_row(r, "市教育局")["target_met"] is True


@pytest.mark.parametrize(
    "group, quota", [("直属机构", 20), ("事业单位", 20), ("开发区", 20), ("自治区垂管机构", 10), (LIAISON, 30)]
)  # fmt: skip
def test_quota_of_each_group(group, quota):
    # exactly the quota -> 10; one less -> 0
    units = roster(("甲", group), ("乙", group))
    subs = mails("甲", quota, 7) + mails("乙", quota - 1, 8) + logs(7, 8, 9)
    assert points(run(Q3, submissions=subs, units=units)) == {"甲": 10, "乙": 0}


def test_partly_logged_quarter_is_not_judged():
    # C5: April and May hold logs, June none -> Q2 not judged: no base points, no 0-rows,
    # target_met null, and the notes say so. Month periods never judge the quota.
    subs = mails("市教育局", 45, 4) + logs(4, 5)
    r = run(Q2, submissions=subs)
    assert points(r) == {"市教育局": 0, "市公安局": 0, "兴庆区": 0}
    assert r.ledger.height == 0
    assert r.scores["target_met"].null_count() == 3
    assert r.notes[0].startswith("2018年6月没有报送记录（邮件日志），2018年第二季度未执行")
    m = run(Period.parse("2018-04"), submissions=subs)
    assert m.ledger.height == 0 and m.scores["target_met"].null_count() == 3


def quota_rows(result, unit) -> list[tuple[str, float, int, float]]:
    """The unit's ScoreResult.quotas rows: (quarter, required, count, points)."""
    q = result.quotas.filter(pl.col("unit") == unit)
    return q.select("period", "required", "count", "points").rows()


def test_quotas_table_shows_only_what_the_ledger_gave():
    # Logs January–August: Q1 and Q2 judged; Q3 lacks September -> not judged (C5), so no
    # row even where the count would meet the quota. 市公安局 (quota 40): Q1 39 -> 0,
    # Q2 41 -> +10, Q3 50 -> no row. 市教育局: Q1 40 -> +10, Q2 0 -> 0. 兴庆区 (quota 90):
    # nothing -> 0, 0.
    subs = logs(*range(1, 9)) + mails("市公安局", 39, 2) + mails("市公安局", 41, 5)
    subs += mails("市公安局", 50, 7) + mails("市教育局", 40, 2)
    year = run(YEAR, submissions=subs)
    assert quota_rows(year, "市公安局") == [("2018Q1", 40.0, 39, 0.0), ("2018Q2", 40.0, 41, 10.0)]
    assert quota_rows(year, "市教育局") == [("2018Q1", 40.0, 40, 10.0), ("2018Q2", 40.0, 0, 0.0)]
    assert quota_rows(year, "兴庆区") == [("2018Q1", 90.0, 0, 0.0), ("2018Q2", 90.0, 0, 0.0)]
    assert set(year.quotas["rule"]) == {"季度报送数量"}
    assert set(year.quotas["clause"]) == {"第九条（一）"}
    # a quarter shows its own quota only; Q3 (partly logged) and a month show none
    assert quota_rows(run(Q2, submissions=subs), "市公安局") == [("2018Q2", 40.0, 41, 10.0)]
    assert run(Q3, submissions=subs).quotas.height == 0
    assert run(Period.parse("2018-05"), submissions=subs).quotas.height == 0
    # for every unit and period: the table's points = the ledger's quota rows (Y-9.1.1)
    for r in (year, run(Q1, submissions=subs), run(Q2, submissions=subs), run(Q3, submissions=subs)):  # fmt: skip
        led = r.ledger.filter(pl.col("rule_id") == "yinchuan-2018/Y-9.1.1")
        for unit in r.scores["unit"]:
            shown = r.quotas.filter(pl.col("unit") == unit)["points"].sum()
            assert shown == led.filter(pl.col("unit") == unit)["points"].sum(), (r.period, unit)
        # and window by window (a quota row of the ledger is dated the quarter's last day)
        shown = {(u, Period.parse(w).end): p for u, w, p in r.quotas.select("unit", "period", "points").iter_rows()}  # fmt: skip
        assert shown == {(u, d): p for u, d, p in led.select("unit", "date", "points").iter_rows()}


def test_two_quarters_missed_in_a_row_bring_a_criticism():
    # Q1..Q3 logged. 市公安局: Q1 39, Q2 10 -> missed twice -> 通报批评 at Q2 (0 points,
    # assessment 0.1 in Q2); Q3 41 met -> +10. 市教育局: Q1 missed, Q2 met, Q3 missed -> no
    # 通报批评. 兴庆区 (quota 90) sends nothing: Q1, Q2 missed -> one 通报批评 at Q2; Q3
    # missed alone starts a new run -> still one.
    subs = logs(*range(1, 10))
    subs += mails("市公安局", 39, 2) + mails("市公安局", 10, 5) + mails("市公安局", 41, 8)
    subs += mails("市教育局", 5, 1) + mails("市教育局", 40, 4) + mails("市教育局", 5, 7)
    q2 = run(Q2, submissions=subs)
    assert ledger_of(q2, "市公安局") == [("Y-9.1.1", 0), ("Y-9.1.2", 0)]
    crit = q2.ledger.filter(pl.col("rule_id") == "yinchuan-2018/Y-9.1.2")
    assert crit["unit"].to_list() == ["兴庆区", "市公安局"]
    assert crit["note"][0] == (
        "第一季度、第二季度连续未完成报送数量：通报批评，年终绩效考核扣0.1分，不计入信息得分"
    )
    assert dict(q2.scores.select("unit", "assessment").iter_rows()) == {
        "市教育局": 0.0,
        "市公安局": 0.1,
        "兴庆区": 0.1,
    }
    q1 = run(Q1, submissions=subs)
    assert q1.scores["assessment"].to_list() == [0, 0, 0]
    year = run(YEAR, submissions=subs)
    # the year: 市公安局 10 points (Q3), one 通报批评 -> 0.1; 市教育局 10 (Q2) -> 0;
    # both have no adoption all year -> +0.2 each: 0.3, 0.2; 兴庆区 0.1 + 0.2 = 0.3
    row = score_row(year, "市公安局")
    assert (row["points"], row["assessment"], row["target_met"]) == (10, 0.3, False)
    assert "全年通报批评1次，年终绩效考核扣0.1分" in row["remark"]
    assert "全年信息零采用，年终绩效考核扣0.2分" in row["remark"]
    assert row["remark"].startswith("第一、第二季度未完成报送数量")
    assert dict(year.scores.select("unit", "assessment").iter_rows()) == {
        "市教育局": 0.2,
        "市公安局": 0.3,
        "兴庆区": 0.3,
    }
    # Q4 unlogged: not judged, so it cannot continue the run of 兴庆区's Q3 miss
    assert year.quarters.filter(pl.col("period") == "2018Q4")["target_met"].null_count() == 3


def test_four_quarters_missed_bring_two_criticisms_and_recorded_ones_count_too():
    # 兴庆区 misses all four quarters -> 通报批评 at Q2 and Q4: 2 × 0.1; an office-recorded
    # 通报批评 event adds a third: 0.3; an adoption (银川政务信息 3) spares the 0.2.
    subs = logs(*range(1, 13)) + mails("市教育局", 40, 1) + mails("市教育局", 40, 4)
    subs += mails("市教育局", 40, 7) + mails("市教育局", 40, 10)
    ev = [event("2018-11-05", "通报批评", "兴庆区", "信息报送迟缓")]
    ads = [adoption(YC, "2018-09-01", "甲", "兴庆区")]
    year = run(YEAR, ads, ev, subs)
    row = score_row(year, "兴庆区")
    # points: 银川政务信息 3; base points 0 in every quarter
    assert (row["points"], row["assessment"]) == (3, 0.3)
    assert "全年通报批评3次，年终绩效考核扣0.3分" in row["remark"]
    led = ledger_of(year, "兴庆区")
    assert led.count(("Y-9.1.2", 0)) == 2 and led.count(("Y-9.4.1", 0)) == 1
    # 市教育局 met every quarter: 4 × 10 = 40, no criticism, but no adoption: 0.2
    assert score_row(year, "市教育局")["points"] == 40
    assert score_row(year, "市教育局")["assessment"] == 0.2
    assert score_row(year, "市教育局")["target_met"] is True


def notices_of(result) -> list[tuple[str, str, str, str, str]]:
    return [tuple(r) for r in result.notices.iter_rows()]


def test_criticisms_are_notices_of_the_quarter_and_the_year():
    # Q1, Q2 logged; 兴庆区 (quota 90) sends nothing: Q1 missed, Q2 missed -> one 通报批评
    # at Q2 (第九条（一）). 市教育局, 市公安局 send 40 each quarter: met, no notice.
    subs = logs(1, 2, 3, 4, 5, 6)
    for u in ("市教育局", "市公安局"):
        subs += mails(u, 40, 2) + mails(u, 40, 5)
    consecutive = (
        "兴庆区",
        "2018Q2",
        "yinchuan-2018/Y-9.1.2",
        "第九条（一）",
        "2018年第一季度、第二季度连续2个季度未完成报送数量",
    )
    assert run(Q1, submissions=subs).notices.height == 0
    assert notices_of(run(Q2, submissions=subs)) == [consecutive]
    # the year lists every notice of the year, each with its quarter
    assert notices_of(run(YEAR, submissions=subs)) == [consecutive]
    assert run(YEAR, submissions=subs).notices.schema == pl.Schema(NOTICES)


def test_recorded_criticism_is_a_notice_of_its_period():
    # an office-recorded 通报批评 on 2018-05-10: a notice of May, of Q2 and of the year
    # (第九条（四）); none in Q1 or April. No mail logs: no quota run, no other notice.
    ev = [event("2018-05-10", "通报批评", "市公安局", "信息报送迟缓")]
    recorded = (
        "市公安局",
        "2018Q2",
        "yinchuan-2018/Y-9.4.1",
        "第九条（四）",
        "因“信息报送迟缓”被通报批评（2018年5月10日）",
    )
    assert notices_of(run(Q2, events=ev)) == [recorded]
    assert notices_of(run(YEAR, events=ev)) == [recorded]
    may = notices_of(run(Period.parse("2018-05"), events=ev))
    assert may == [("市公安局", "2018-05", *recorded[2:])]
    assert run(Q1, events=ev).notices.height == 0
    assert run(Period.parse("2018-04"), events=ev).notices.height == 0
    # the notice is not a ledger column: the ledger keeps its contract
    assert run(Q2, events=ev).ledger.columns == list(LEDGER)


# ---- 第九条（四） 年度 -------------------------------------------------------------------


def test_year_sums_the_quarters_and_ranks_within_groups():
    # Q1..Q4 logged. 市教育局: quota met in Q1, Q2 (20) + 银川专题信息 5 + 自治区 批示 5 = 30.
    # 市公安局: met Q1..Q3 (30) + 国报信息 5 = 35 -> rank 1 of 市政府部门; 市教育局 rank 2.
    # 兴庆区 alone in its group: rank 1 with 银川政务信息 3.
    subs = logs(*range(1, 13))
    for m in (1, 4):
        subs += mails("市教育局", 40, m)
    for m in (1, 4, 7):
        subs += mails("市公安局", 40, m)
    ads = [
        adoption(TOPIC, "2018-05-02", "甲", "市教育局"),
        adoption(GB, "2018-08-02", "乙", "市公安局"),
        adoption(YC, "2018-11-02", "丙", "兴庆区"),
    ]
    ev = [event("2018-05-03", "领导批示", "市教育局", "甲", "自治区", article="甲")]
    year = run(YEAR, ads, ev, subs)
    assert year.scores.select("unit", "points", "rank").rows() == [
        ("市教育局", 30.0, 2),
        ("市公安局", 35.0, 1),
        ("兴庆区", 3.0, 1),
    ]
    # the quarters of 市教育局: Q1 base 10; Q2 base 10 + 专题 5 + 批示 5 = 20; Q3, Q4 0
    edu = year.quarters.filter(pl.col("unit") == "市教育局")
    assert edu.select("period", "points").rows() == [
        ("2018Q1", 10.0),
        ("2018Q2", 20.0),
        ("2018Q3", 0.0),
        ("2018Q4", 0.0),
    ]
    assert year.quarters.schema == pl.Schema(QUARTERS)
    assert year.ledger["period"].unique().to_list() == ["2018"]
    assert any("不计入信息得分" in n for n in year.notes)


def test_month_period():
    # 2018-05: items of May only, no base points, assessment and target_met null
    r = run(
        Period.parse("2018-05"),
        [
            adoption(YC, "2018-04-30", "四月", "市教育局"),
            adoption(TOPIC, "2018-05-02", "五月", "市教育局"),
            adoption(YC, "2018-05-31", "五月末", "市公安局", kind="简讯"),
        ],
        submissions=mails("市教育局", 50, 5) + logs(5),
    )
    assert r.ledger["title"].to_list() == ["五月末", "五月"]
    assert r.scores.select("unit", "points", "rank").rows() == [
        ("市教育局", 5.0, 1),
        ("市公安局", 1.0, 2),
        ("兴庆区", 0.0, 1),
    ]
    assert r.scores["assessment"].null_count() == 3
    assert r.scores["target_met"].null_count() == 3
    assert r.quarters is None


def test_quarter_lists_the_year_to_date_and_frames_conform():
    r = run(Q2, [adoption(TOPIC, "2018-02-02", "一", "市教育局")])
    assert r.quarters.schema == pl.Schema(QUARTERS)
    edu = r.quarters.filter(pl.col("unit") == "市教育局")
    assert edu.select("period", "points").rows() == [("2018Q1", 5.0), ("2018Q2", 0.0)]
    assert r.scores.schema == pl.Schema(SCORES)
    assert r.ledger.schema == pl.Schema(LEDGER)


def test_ledger_sums_to_points_over_the_regulation_roster():
    units = SCHEME.roster()
    subs = logs(*range(1, 13)) + mails("兴庆区", 90, 4) + mails("驻京办", 30, 5)
    ads = [
        adoption(YC, "2018-04-02", "甲", ["兴庆区", "银川滨河新区"]),
        adoption(KB, "2018-05-02", "甲", "兴庆区", kind="简讯"),
        adoption(GB, "2018-06-02", "乙", "驻京办"),
    ]
    ev = [
        event("2018-05-01", "约稿", "灵武市", "丙", status="未报"),
        event("2018-06-03", "领导批示", "驻京办", "乙", "银川市", article="乙"),
        event("2018-06-04", "优秀信息", "兴庆区", "甲", article="甲"),
    ]
    for period in ("2018-05", "2018Q2", "2018"):
        r = run(Period.parse(period), ads, ev, subs, units=units)
        assert r.scores.height == 12
        sums = dict(r.ledger.group_by("unit").agg(pl.col("points").sum()).iter_rows())
        for unit, pts in r.scores.select("unit", "points").iter_rows():
            assert pts == pytest.approx(sums.get(unit, 0.0)), (period, unit)
    # Q2: 兴庆区 3 (甲, 就高 over 快报 简讯 1) + 10 base + 2 优秀 = 15;
    # 驻京办 5 + 3 + 10 = 18; 银川滨河新区 3; 灵武市 -3
    q2 = points(run(Q2, ads, ev, subs, units=units))
    assert (q2["兴庆区"], q2["驻京办"], q2["银川滨河新区"], q2["灵武市"]) == (15, 18, 3, -3)

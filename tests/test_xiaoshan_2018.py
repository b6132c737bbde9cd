"""萧跑改办〔2018〕3号 (xiaoshan-2018): every scoring clause, numbers worked out by hand."""

from __future__ import annotations

import polars as pl
import pytest
from scoring_frames import adoption, event, mail, make_inputs, roster

from schemes import get_scheme
from schemes.contract import Scheme
from transforms.errors import InputError
from transforms.periods import Period
from transforms.schema import LEDGER, QUARTERS, SCORES

SCHEME = get_scheme("xiaoshan-2018")
submission_kind = SCHEME.submissions.class_of

QPG, XS_DAILY, XS_SPECIAL = "区跑改简报", "萧山信息·每日动态", "萧山信息·专报"
HZ_TODAY, HZ_SPECIAL, ZJ_DAILY, ZB = (
    "杭州信息·今日要情",
    "杭州信息·专报",
    "浙江信息·每日汇报",
    "中办",
)
Q1, Q2 = Period.parse("2018Q1"), Period.parse("2018Q2")
MAY, JUNE = Period.parse("2018-05"), Period.parse("2018-06")
YEAR = Period.parse("2018")

#: one unit of each scored group and one unit that is listed but not scored
SMALL = roster(("区发改局", "A"), ("区教育局", "B"), ("瓜沥镇", "C"), ("中国移动", "不列入考核"))


def run(period, adoptions=(), events=(), submissions=(), units=SMALL):
    return SCHEME.score(make_inputs(units, adoptions, events, submissions), period)


def points(result) -> dict[str, float]:
    return dict(result.scores.select("unit", "points").iter_rows())


def score_row(result, unit) -> dict:
    return result.scores.filter(pl.col("unit") == unit).row(0, named=True)


def ledger_of(result, unit) -> list[tuple[str, float]]:
    led = result.ledger.filter(pl.col("unit") == unit)
    return [
        (r.removeprefix("xiaoshan-2018/"), p)
        for r, p in led.select("rule_id", "points").iter_rows()
    ]


# ---- the scheme and its roster ---------------------------------------------------------


def test_scheme_satisfies_the_contract():
    assert get_scheme("xiaoshan-2018") is SCHEME
    for name in Scheme.__annotations__:
        assert hasattr(SCHEME, name), name
    assert SCHEME.doc_number == "萧跑改办〔2018〕3号"
    assert [g.name for g in SCHEME.groups] == ["A", "B", "C", "不列入考核"]
    assert [g.target for g in SCHEME.groups] == [90, 60, 30, None]
    assert SCHEME.unscored_groups == ("不列入考核",)
    levels = {p.name: p.level for p in SCHEME.publications}
    assert list(levels.values()) == ["区"] * 4 + ["市"] * 4 + ["省"] * 5 + ["国家"]
    assert levels[ZB] == "国家" and levels["浙江信息·上报中办专件"] == "省"
    assert SCHEME.place_prefixes == ("杭州市萧山区", "萧山区", "萧山", "区")
    assert len({r.id for r in SCHEME.rules}) == len(SCHEME.rules)


def test_roster_as_printed():
    r = SCHEME.roster()
    counts = dict(r.group_by("group").len().iter_rows())
    assert counts == {"A": 11, "B": 16, "C": 34, "不列入考核": 19}
    assert r["unit"].n_unique() == 80
    assert r["unit"].to_list()[:3] == ["区市场监管局", "区发改局", "国土萧山分局"]
    assert {"区住建局（规划分局）", "公积金萧山分中心", "红山农场", "新奥燃气"} <= set(r["unit"])


def test_unscored_units_get_no_score_row():
    # X3: 中国移动 is listed (its adoption is matched) but never scored nor ranked
    r = run(Q2, [adoption(ZJ_DAILY, "2018-04-02", "移动助力跑改", "中国移动")])
    assert set(r.scores["unit"]) == {"区发改局", "区教育局", "瓜沥镇"}
    assert r.ledger.height == 0
    assert "中国移动" not in set(r.quarters["unit"])


# ---- 四 录用：就高 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pub, expected",
    [
        ("区跑改简报", 5),
        ("萧山信息·每日动态", 5),
        ("萧山信息·专报", 10),
        ("萧山信息·情况交流", 10),
        ("市跑改简报", 10),
        ("杭州信息·今日要情", 10),
        ("杭州信息·专报", 20),
        ("杭州信息·情况交流", 20),
        ("省跑改简报", 15),
        ("浙江信息·每日汇报", 30),
        ("浙江信息·工作情况交流", 30),
        ("浙江信息·专报", 30),
        ("浙江信息·上报中办专件", 30),
        ("中办", 60),
    ],
)
def test_points_per_periodical(pub, expected):
    r = run(Q2, [adoption(pub, "2018-04-02", "一", "区发改局", issue="3")])
    assert points(r)["区发改局"] == expected


def test_one_article_scores_its_highest_publication_only():
    # X1: 《萧山信息·每日动态》 5 and 《杭州信息·专报》 20 -> 20, not 25; a second article in
    # 区跑改简报 5 and 《杭州信息·今日要情》 10 -> 10. Total 30.
    r = run(
        Q2,
        [
            adoption(XS_DAILY, "2018-04-02", "甲", "区发改局"),
            adoption(HZ_SPECIAL, "2018-04-20", "甲（改）", "区发改局", article="甲"),
            adoption(QPG, "2018-05-02", "乙", "区发改局"),
            adoption(HZ_TODAY, "2018-05-09", "乙", "区发改局"),
        ],
    )
    assert sorted(ledger_of(r, "区发改局")) == [("X-4.2.2", 10), ("X-4.2.3", 20)]
    assert points(r)["区发改局"] == 30
    assert score_row(r, "区发改局")["adopted"] == 2


def test_highest_publication_across_quarters_adds_the_difference():
    # Q1 《萧山信息·每日动态》 5; Q2 the same article in 中办 60 -> Q2 adds 60 - 5 = 55;
    # the year scores 60 once.
    ads = [
        adoption(XS_DAILY, "2018-03-02", "甲", "区发改局"),
        adoption(ZB, "2018-05-02", "甲", "区发改局"),
    ]
    assert points(run(Q1, ads))["区发改局"] == 5
    q2 = run(Q2, ads)
    assert ledger_of(q2, "区发改局") == [("X-4.4.1", 55)]
    assert "此前已按5分计，本期补计差额55分" in q2.ledger["note"][0]
    year = run(YEAR, ads)
    assert [(r, p) for r, p in ledger_of(year, "区发改局") if r.startswith("X-4.4")] == [
        ("X-4.4.1", 60)
    ]


def test_joint_article_gives_each_unit_full_points():
    # C2 full: 《杭州信息·专报》 20 to both units
    r = run(Q2, [adoption(HZ_SPECIAL, "2018-04-02", "合写", ["区发改局", "瓜沥镇"])])
    assert points(r) == {"区发改局": 20, "区教育局": 0, "瓜沥镇": 20}


# ---- 四 领导批示、媒体报道：就高 --------------------------------------------------------------


def test_instructions_highest_once_per_article():
    # X2: article 甲: 区 +10 and 杭州市主要领导 +40 -> 40. Article 乙: 杭州市 other +30.
    # Article 丙: 浙江省主要领导 +60 and 浙江省 other +40 -> 60. Article 丁: 国家 +80.
    # Article 戊: 浙江省 other +40. Total 40 + 30 + 60 + 80 + 40 = 250.
    ev = [
        event("2018-04-02", "领导批示", "区发改局", "甲", "萧山区", article="甲"),
        event("2018-04-09", "领导批示", "区发改局", "甲", "杭州市主要领导", article="甲"),
        event("2018-04-10", "领导批示", "区发改局", "乙", "杭州市", article="乙"),
        event("2018-05-02", "领导批示", "区发改局", "丙", "浙江省主要领导", article="丙"),
        event("2018-05-03", "领导批示", "区发改局", "丙", "浙江省", article="丙"),
        event("2018-05-04", "领导批示", "区发改局", "丁", "国家", article="丁"),
        event("2018-05-05", "领导批示", "区发改局", "戊", "省委领导", article="戊"),
    ]
    r = run(Q2, events=ev)
    assert sorted(ledger_of(r, "区发改局")) == [
        ("X-4.2.4", 40),
        ("X-4.2.5", 30),
        ("X-4.3.3", 60),
        ("X-4.3.4", 40),
        ("X-4.4.2", 80),
    ]
    assert points(r)["区发改局"] == 250
    notes = r.ledger["note"].to_list()
    assert "杭州市主要领导批示「甲」：加 40 分；同一信息另有1项，按最高分计，不重复累计" in notes


def test_district_instruction_alone_adds_10():
    r = run(Q2, events=[event("2018-06-02", "领导批示", "瓜沥镇", "甲", "区", article="甲")])
    assert ledger_of(r, "瓜沥镇") == [("X-4.1.4", 10)]


def test_instruction_with_unknown_level_is_an_input_error():
    with pytest.raises(InputError, match="级别「镇里」无法识别"):
        run(Q2, events=[event("2018-04-02", "领导批示", "区发改局", "甲", "镇里")])


def test_media_coverage_highest_once_per_content():
    # 杭州市 10 and 浙江省 15 on the same content -> 15; 国家 20 on another; a 萧山区 medium
    # is not in the regulation -> nothing. Total 35.
    ev = [
        event("2018-04-02", "媒体报道", "区教育局", "甲", "杭州市", article="甲"),
        event("2018-04-03", "媒体报道", "区教育局", "甲", "浙江省", article="甲"),
        event("2018-04-04", "媒体报道", "区教育局", "乙", "国家", article="乙"),
        event("2018-04-05", "媒体报道", "区教育局", "丙", "萧山区", article="丙"),
    ]
    r = run(Q2, events=ev)
    assert sorted(ledger_of(r, "区教育局")) == [("X-4.3.5", 15), ("X-4.4.3", 20)]
    assert points(r)["区教育局"] == 35
    assert any(n.startswith("浙江省媒体报道「甲」：加 15 分") for n in r.ledger["note"])


def test_publication_instruction_and_media_add_up():
    # X1: the article scores 20 (就高 of 5 and 20) + 40 (instruction) + 10 (media) = 70
    r = run(
        Q2,
        [
            adoption(XS_DAILY, "2018-04-02", "甲", "区发改局"),
            adoption(HZ_SPECIAL, "2018-04-12", "甲", "区发改局"),
        ],
        [
            event("2018-04-20", "领导批示", "区发改局", "甲", "杭州市主要领导", article="甲"),
            event("2018-04-21", "媒体报道", "区发改局", "甲", "杭州市", article="甲"),
        ],
    )
    assert points(r)["区发改局"] == 70


# ---- 一 基本任务 (C5) ---------------------------------------------------------------------


def test_submission_kind_from_kind_or_subject():
    assert submission_kind({"kind": "专报", "subject": "x"}) == "专报"
    assert submission_kind({"kind": None, "subject": "5月工作总结及6月工作计划"}) == "总结计划"
    assert submission_kind({"kind": None, "subject": "【专报】关于审批提速的调研"}) == "专报"
    assert submission_kind({"kind": None, "subject": "约稿：企业开办"}) == "约稿"
    assert submission_kind({"kind": None, "subject": "区发改局推进投资项目审批"}) == "动态"


def test_basic_tasks_in_a_month():
    # May (logs exist; not a quarter end, no bimonth ends in May):
    # A 区发改局: 1 动态 of 2 due -> -5; 专报 1 of 1; 总结计划 1 of 1 -> -5.
    # B 区教育局: 2 动态, 总结计划 none -> -5 (its 专报 is due every two months: not in May).
    # C 瓜沥镇: nothing sent -> only the monthly 总结计划 -5 (动态 every two months).
    subs = [
        mail("2018-05-03", "区发改局", "区发改局推进投资项目审批“最多跑一次”"),
        mail("2018-05-08", "区发改局", "关于审批提速的调研", kind="专报"),
        mail("2018-05-20", "区发改局", "5月工作总结及6月工作计划"),
        mail("2018-05-04", "区教育局", "动态一", kind="动态"),
        mail("2018-05-05", "区教育局", "动态二", kind="动态"),
    ]
    r = run(MAY, submissions=subs)
    assert ledger_of(r, "区发改局") == [("X-1.1", -5)]
    assert ledger_of(r, "区教育局") == [("X-1.3", -5)]
    assert ledger_of(r, "瓜沥镇") == [("X-1.3", -5)]
    note = r.ledger.filter(pl.col("unit") == "区发改局")["note"][0]
    assert note == "2018年5月报送动态信息 1 条，少于 2 条（差 1 条）：-5 分"


def test_basic_tasks_at_a_quarter_end_month():
    # June ends Q2 and the bimonth 5–6月. 瓜沥镇 (C) sent one 动态 in May and a monthly
    # 总结计划 in June; due: 动态 1 per 5–6月 (met), 专报 1 per quarter (-5), 总结计划 1 in
    # June (met), the quarter's 总结计划 (-5). 区教育局 (B): 专报 1 per 5–6月 (-5), 动态 2 in
    # June (-10), 总结计划 (-5), quarterly 总结计划 sent in June as
    # "二季度工作总结及下季度计划", which also counts as June's monthly one -> met.
    subs = [
        mail("2018-05-03", "瓜沥镇", "瓜沥镇“一窗受理”"),
        mail("2018-06-20", "瓜沥镇", "6月工作总结及7月计划"),
        mail("2018-06-20", "区教育局", "二季度工作总结及下季度计划"),
    ]
    r = run(JUNE, submissions=subs)
    assert sorted(ledger_of(r, "瓜沥镇")) == [("X-1.2", -5), ("X-1.4", -5)]
    assert sorted(ledger_of(r, "区教育局")) == [("X-1.1", -10), ("X-1.2", -5)]
    # the quarter judges April too: no logs in April -> not judged; the notes say so
    q2 = run(Q2, submissions=subs)
    assert any("2018年4月没有报送记录" in n for n in q2.notes)
    # 瓜沥镇 in Q2: the same as June (April unjudged, May: no C task in May except 总结计划
    # -5): -5 -5 -5 = -15
    assert points(q2)["瓜沥镇"] == -15


def test_basic_tasks_skip_months_without_logs():
    # no mail logs at all: no basic-task rows, and the note names the months
    r = run(Q2)
    assert r.ledger.height == 0
    assert r.notes[0].startswith("2018年4月、2018年5月、2018年6月没有报送记录")


def test_bimonthly_dynamic_for_c():
    # C: 动态 every two months. 1–2月: one 动态 in January -> met; 3–4月: none -> -5 (row
    # dated April 30, in Q2; March and April have logs from another unit).
    subs = [
        mail("2018-01-05", "瓜沥镇", "瓜沥镇动态"),
        mail("2018-02-05", "区发改局", "x"),
        mail("2018-03-05", "区发改局", "x"),
        mail("2018-04-05", "区发改局", "x"),
    ]
    r = run(Period.parse("2018-04"), submissions=subs)
    assert ("X-1.1", -5) in ledger_of(r, "瓜沥镇")
    assert ("X-1.1", -5) not in ledger_of(run(Period.parse("2018-02"), submissions=subs), "瓜沥镇")


def quota_rows(result, unit) -> dict[tuple[str, str], tuple[float, int, float]]:
    """(window, rule) -> (required, count, points) of the unit's ScoreResult.quotas rows."""
    q = result.quotas.filter(pl.col("unit") == unit)
    return {(w, r): (n, c, p) for w, r, n, c, p in q.select("period", "rule", "required", "count", "points").iter_rows()}  # fmt: skip


def window_end(label: str):
    """The last day of a quotas window label: 2018-05, 2018-05~06, 2018Q2, 2018."""
    if "~" in label:
        label = label[:5] + label.split("~")[1]
    return Period.parse(label).end


def assert_quotas_agree_with_the_ledger(result):
    """For every unit and window: the quotas' points = the ledger's basic-task rows (a
    ledger row is dated its window's last day); every ledger row has its quotas row."""
    led = result.ledger.filter(pl.col("rule_id").str.contains("/X-1."))
    by_window: dict = {}
    for u, rule, day, pts in led.select("unit", "rule", "date", "points").iter_rows():
        by_window[(u, rule, day)] = by_window.get((u, rule, day), 0.0) + pts
    shown: dict = {}
    for u, w, rule, pts in result.quotas.select("unit", "period", "rule", "points").iter_rows():
        key = (u, rule, window_end(w))
        shown[key] = shown.get(key, 0.0) + pts
    assert {k: v for k, v in shown.items() if v} == by_window
    assert set(by_window) <= set(shown)
    for unit in result.scores["unit"]:
        mine = result.quotas.filter(pl.col("unit") == unit)["points"].sum()
        assert mine == led.filter(pl.col("unit") == unit)["points"].sum(), unit


def test_quotas_table_in_a_month():
    # The May of test_basic_tasks_in_a_month, as the statement shows it (window, rule):
    # A 区发改局: 动态 1 of 2 -> -5; 专报 1 of 1 -> 0; 总结计划 1 of 1 -> 0.
    # B 区教育局: 动态 2 of 2 -> 0; 总结计划 0 of 1 -> -5 (专报 is due per 3–4月, 5–6月).
    # C 瓜沥镇: 总结计划 0 of 1 -> -5 (its 动态 per two months, 专报 per quarter).
    # 中国移动 (不列入考核) has no rows.
    subs = [
        mail("2018-05-03", "区发改局", "区发改局推进投资项目审批“最多跑一次”"),
        mail("2018-05-08", "区发改局", "关于审批提速的调研", kind="专报"),
        mail("2018-05-20", "区发改局", "5月工作总结及6月工作计划"),
        mail("2018-05-04", "区教育局", "动态一", kind="动态"),
        mail("2018-05-05", "区教育局", "动态二", kind="动态"),
    ]
    r = run(MAY, submissions=subs)
    assert quota_rows(r, "区发改局") == {
        ("2018-05", "基本任务·动态信息"): (2.0, 1, -5.0),
        ("2018-05", "基本任务·专报信息"): (1.0, 1, 0.0),
        ("2018-05", "基本任务·月度总结计划"): (1.0, 1, 0.0),
    }
    assert quota_rows(r, "区教育局") == {
        ("2018-05", "基本任务·动态信息"): (2.0, 2, 0.0),
        ("2018-05", "基本任务·月度总结计划"): (1.0, 0, -5.0),
    }
    assert quota_rows(r, "瓜沥镇") == {("2018-05", "基本任务·月度总结计划"): (1.0, 0, -5.0)}
    assert quota_rows(r, "中国移动") == {}
    assert r.quotas["clause"].unique().to_list() == ["一"]
    assert_quotas_agree_with_the_ledger(r)


def test_quotas_table_over_a_quarter_and_the_year():
    # 瓜沥镇 (C) in Q2 (April holds no logs: not judged, C5): 动态 per 5–6月 1 of 1 -> 0
    # (3–4月 has no logs: no row); 专报 per Q2 0 of 1 -> -5; 总结计划 May 0 of 1 -> -5,
    # June 1 of 1 -> 0; 季度总结计划 Q2 0 of 1 -> -5. Sum -15 = its points.
    subs = [
        mail("2018-05-03", "瓜沥镇", "瓜沥镇“一窗受理”"),
        mail("2018-06-20", "瓜沥镇", "6月工作总结及7月计划"),
        mail("2018-06-20", "区教育局", "二季度工作总结及下季度计划"),
    ]
    q2 = run(Q2, submissions=subs)
    assert quota_rows(q2, "瓜沥镇") == {
        ("2018-05~06", "基本任务·动态信息"): (1.0, 1, 0.0),
        ("2018Q2", "基本任务·专报信息"): (1.0, 0, -5.0),
        ("2018-05", "基本任务·月度总结计划"): (1.0, 0, -5.0),
        ("2018-06", "基本任务·月度总结计划"): (1.0, 1, 0.0),
        ("2018Q2", "基本任务·季度总结计划"): (1.0, 0, -5.0),
    }
    assert points(q2)["瓜沥镇"] == -15
    # 区教育局 (B) in June: 动态 0 of 2 -> -10 (two pieces missing, -5 each)
    june = run(JUNE, submissions=subs)
    assert quota_rows(june, "区教育局")[("2018-06", "基本任务·动态信息")] == (2.0, 0, -10.0)
    for r in (q2, june, run(MAY, submissions=subs), run(YEAR, submissions=subs)):
        assert_quotas_agree_with_the_ledger(r)
    # no mail logs at all: an empty table (nothing judged, C5)
    assert run(Q2).quotas.height == 0


# ---- 四 扣分项目 ---------------------------------------------------------------------------


def test_summary_late_costs_5_each():
    ev = [
        event("2018-05-22", "总结计划迟报", "区教育局"),
        event("2018-06-23", "总结计划迟报", "区教育局"),
    ]
    r = run(Q2, events=ev)
    assert ledger_of(r, "区教育局") == [("X-4.5.1", -5), ("X-4.5.1", -5)]
    assert points(r)["区教育局"] == -10


def test_late_or_missing_commission_costs_10():
    # 约稿 recorded 逾期 -10, 未报 -10, 按时 0; from the mail logs: due 05-10, mail 05-12 ->
    # 逾期 -10. 区发改局 -10 -10 = -20 (its May logs: it sent no 动态 etc. -> basic tasks;
    # here checked on the commission rows only).
    ev = [
        event("2018-04-10", "约稿", "区发改局", "稿一", status="逾期"),
        event("2018-04-20", "约稿", "区发改局", "稿二", status="按时"),
        event("2018-06-10", "约稿", "区发改局", "稿三", status="未报"),
        event("2018-05-10", "约稿", "区教育局", "稿四"),
    ]
    r = run(Q2, events=ev, submissions=[mail("2018-05-12", "区教育局", "约稿：稿四")])
    com = [x for x in ledger_of(r, "区发改局") if x[0] == "X-4.5.2"]
    assert com == [("X-4.5.2", -10), ("X-4.5.2", -10)]
    assert ("X-4.5.2", -10) in ledger_of(r, "区教育局")
    assert r.commissions.select("unit", "status", "points").rows() == [
        ("区发改局", "逾期", -10.0),
        ("区发改局", "按时", 0.0),
        ("区教育局", "逾期", -10.0),
        ("区发改局", "未报", -10.0),
    ]


def test_major_information_missed_by_the_events_value():
    # C6: value 20 -> -20; value written -15 is read as the size 15 -> -15. Total -35.
    ev = [
        event("2018-04-02", "重大信息漏报", "瓜沥镇", "火情", value=20),
        event("2018-05-02", "重大信息迟报", "瓜沥镇", "汛情", value=-15),
    ]
    r = run(Q2, events=ev)
    assert ledger_of(r, "瓜沥镇") == [("X-4.5.3", -20), ("X-4.5.3", -15)]
    assert r.ledger["note"][0] == "重大信息漏报「火情」：视情况扣分 -20 分"


def test_no_instruction_in_the_year_costs_30_at_year_end_only():
    # X4: 区发改局 has a 区 instruction (+10); the other two have none -> -30 each in the
    # year; the quarter has no such row.
    ev = [event("2018-05-02", "领导批示", "区发改局", "甲", "萧山区", article="甲")]
    assert points(run(Q2, events=ev)) == {"区发改局": 10, "区教育局": 0, "瓜沥镇": 0}
    year = run(YEAR, events=ev)
    assert points(year) == {"区发改局": 10, "区教育局": -30, "瓜沥镇": -30}
    assert ledger_of(year, "瓜沥镇") == [("X-4.5.4", -30)]
    assert "全年未取得区级及以上领导批示，扣30分" in score_row(year, "瓜沥镇")["remark"]


# ---- 二 年度目标 ---------------------------------------------------------------------------


def test_year_target_met_or_not():
    # X3. 区发改局 (A, 90): 中办 60 + 浙江信息 30 = 90, 区 instruction +10 -> 100 >= 90 met.
    # 区教育局 (B, 60): 浙江信息 30 + 区 instruction 10 = 40 < 60, short 20.
    # 瓜沥镇 (C, 30): 杭州信息·专报 20 + 萧山信息·专报 10 = 30, no instruction -30 -> 0 < 30.
    ads = [
        adoption(ZB, "2018-03-02", "一", "区发改局"),
        adoption(ZJ_DAILY, "2018-07-02", "二", "区发改局"),
        adoption(ZJ_DAILY, "2018-08-02", "三", "区教育局"),
        adoption(HZ_SPECIAL, "2018-09-02", "四", "瓜沥镇"),
        adoption(XS_SPECIAL, "2018-10-02", "五", "瓜沥镇"),
    ]
    ev = [
        event("2018-03-10", "领导批示", "区发改局", "一", "萧山区", article="一"),
        event("2018-08-10", "领导批示", "区教育局", "三", "萧山区", article="三"),
    ]
    r = run(YEAR, ads, ev)
    s = r.scores
    assert s.select("unit", "points", "target", "target_met", "rank").rows() == [
        ("区发改局", 100.0, 90.0, True, 1),
        ("区教育局", 40.0, 60.0, False, 1),
        ("瓜沥镇", 0.0, 30.0, False, 1),
    ]
    assert s["assessment"].null_count() == 3
    assert "完成年度目标（90分）" in score_row(r, "区发改局")["remark"]
    assert "未完成年度目标（60分），差20分" in score_row(r, "区教育局")["remark"]
    # the year to date: four quarters per unit; 区发改局 Q1 60 + 10 = 70, Q3 30
    fgj = r.quarters.filter(pl.col("unit") == "区发改局")
    assert fgj.select("period", "points").rows() == [
        ("2018Q1", 70.0),
        ("2018Q2", 0.0),
        ("2018Q3", 30.0),
        ("2018Q4", 0.0),
    ]


def test_quarter_and_month_show_progress_against_the_pro_rata_target():
    # A quarter's target is a quarter of the annual one (A 22.5, B 15, C 7.5), a month's
    # a twelfth (A 7.5). 区发改局 Q1 《杭州信息·专报》 20 < 22.5; Q2 浙江信息 30 >= 22.5.
    # Q2's remark: year to date 20 + 30 = 50 of 90 -> 56% (50/90 = 0.5556).
    ads = [
        adoption(HZ_SPECIAL, "2018-02-02", "一", "区发改局"),
        adoption(ZJ_DAILY, "2018-05-02", "二", "区发改局"),
    ]
    r = run(Q2, ads)
    row = score_row(r, "区发改局")
    assert (row["points"], row["target"], row["target_met"]) == (30, 22.5, True)
    assert row["remark"] == "年度目标90分，已完成56%"
    assert r.scores["target"].to_list() == [22.5, 15, 7.5]
    q = r.quarters.filter(pl.col("unit") == "区发改局")
    assert q.select("period", "points", "target_met").rows() == [
        ("2018Q1", 20.0, False),
        ("2018Q2", 30.0, True),
    ]
    m = run(MAY, ads)
    assert score_row(m, "区发改局")["target"] == 7.5
    assert m.quarters is None


def test_frames_conform():
    r = run(Q2, [adoption(HZ_SPECIAL, "2018-04-02", "一", "区发改局")])
    assert r.scores.schema == pl.Schema(SCORES)
    assert r.ledger.schema == pl.Schema(LEDGER)
    assert r.quarters.schema == pl.Schema(QUARTERS)
    assert r.ledger["rule_id"][0] == "xiaoshan-2018/X-4.2.3"


def test_ledger_sums_to_points_for_the_full_roster():
    subs = [
        mail("2018-04-03", "区发改局", "动态"),
        mail("2018-05-03", "区教育局", "约稿：营商"),
        mail("2018-06-20", "瓜沥镇", "二季度总结计划"),
        mail("2018-06-21", "中国移动", "动态"),
    ]
    ads = [
        adoption(XS_DAILY, "2018-04-02", "甲", ["区发改局", "瓜沥镇", "中国移动"]),
        adoption(HZ_SPECIAL, "2018-05-02", "甲", "区发改局"),
        adoption(ZB, "2018-11-02", "甲", "区发改局"),
    ]
    ev = [
        event("2018-05-01", "约稿", "区教育局", "营商"),
        event("2018-06-02", "重大信息漏报", "区公安分局", value=10),
        event("2018-06-03", "领导批示", "区发改局", "甲", "杭州市主要领导", article="甲"),
        event("2018-06-04", "媒体报道", "区发改局", "甲", "国家", article="甲"),
        event("2018-06-05", "总结计划迟报", "瓜沥镇"),
    ]
    units = SCHEME.roster()
    for period in ("2018-06", "2018Q2", "2018"):
        r = run(Period.parse(period), ads, ev, subs, units=units)
        assert r.scores.height == 61  # 11 + 16 + 34; the 19 不列入考核 units are absent
        sums = dict(r.ledger.group_by("unit").agg(pl.col("points").sum()).iter_rows())
        for unit, pts in r.scores.select("unit", "points").iter_rows():
            assert pts == pytest.approx(sums.get(unit, 0.0)), (period, unit)
    # the year equals the sum of its quarters plus the year-end −30 rows
    year = run(YEAR, ads, ev, subs, units=units)
    by_q = dict(year.quarters.group_by("unit").agg(pl.col("points").sum()).iter_rows())
    for unit, pts in year.scores.select("unit", "points").iter_rows():
        extra = -30 if ("X-4.5.4", -30) in ledger_of(year, unit) else 0
        assert pts == pytest.approx(by_q[unit] + extra), unit

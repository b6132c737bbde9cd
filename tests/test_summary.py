"""Figures and tables of the bulletin, checked without rendering (transforms.figures,
verdicts, statement_rows, wording, csvsafe).

The data (`sample()`) is a small hand-made quarter, 2018Q2, of a 建德-like scheme; the
numbers in the comments are worked out by hand from it. tests/test_render.py reuses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl

from schemes.contract import Group, Publication, Rule, ScoreResult
from schemes.engine import QUOTAS
from transforms import csvsafe as cs
from transforms import figures as fg
from transforms import statement_rows as sr
from transforms import verdicts as vd
from transforms import wording as wd
from transforms.periods import Period
from transforms.schema import (
    ADOPTION_UNITS,
    ADOPTIONS,
    EVENTS,
    LEDGER,
    NOTICES,
    REVIEW,
    SCORES,
    SUBMISSIONS,
    UNITS,
)

Q2 = Period(2018, "quarter", 2)
TZ = ZoneInfo("Asia/Shanghai")
SCRIPT = "<script>alert(1)</script>"
FORMULA = "=cmd|' /C calc'!A0"
IMG = "<img src=http://example.invalid/x.png>"


@dataclass
class SchemeData:
    """Test data carrying the attributes of a scheme that rendering reads."""

    id: str = "test-2018"
    title: str = "2018年全市政务信息工作考核办法"
    doc_number: str = "建政办函〔2018〕22号"
    office: str = "建德市人民政府办公室"
    groups: tuple = (Group("乡镇（街道）", 30), Group("A", 30))
    publications: tuple = (
        Publication("建德政务·动态", "本级"),
        Publication("建德政务·情况专报", "本级"),
        Publication("杭州政务", "市"),
        Publication("浙江政务信息", "省"),
    )
    event_types: frozenset = frozenset({"领导批示", "约稿"})
    place_prefixes: tuple = ("建德市", "市")
    rules: tuple = field(default_factory=lambda: (Rule("J-1", "三（一）1", "本级采用"),))
    assessment_label: str = "排名得分"
    unscored_groups: tuple = ()


def _frame(rows: list[dict], schema: dict) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def sample() -> dict:
    """Frames of one quarter. Towns 新安江街道 40, 洋溪街道 4, 寿昌镇 4 (shared article);
    A: 市发改局 18, 市公安局 16, 市/区联络办 0."""
    units = _frame(
        [
            {"unit": u, "group": g, "aliases": [], "emails": []}
            for u, g in [
                ("新安江街道", "乡镇（街道）"),
                ("洋溪街道", "乡镇（街道）"),
                ("寿昌镇", "乡镇（街道）"),
                ("市发改局", "A"),
                ("市公安局", "A"),
                ("市/区联络办", "A"),
            ]
        ],
        UNITS,
    )
    ad_rows = [
        # id, publication, issue, date, title, units_raw, article
        (
            "a1",
            "建德政务·动态",
            "12",
            date(2018, 4, 10),
            "新安江街道推进垃圾分类",
            "新安江街道",
            "art1",
        ),
        (
            "a2",
            "杭州政务",
            "30",
            date(2018, 4, 20),
            "建德新安江垃圾分类见实效",
            "新安江街道",
            "art1",
        ),
        (
            "a3",
            "建德政务·动态",
            "13",
            date(2018, 5, 8),
            SCRIPT + "联合开展防汛演练",
            "洋溪街道、寿昌镇",
            "art3",
        ),
        ("a4", "建德政务·情况专报", "5", date(2018, 6, 1), FORMULA, "市发改局", "art4"),
        ("a5", "浙江政务信息", "7", date(2018, 6, 15), IMG + "智慧警务", "市公安局", "art5"),
        ("a6", "建德政务·动态", "3", date(2018, 2, 1), "一季度旧稿", "新安江街道", "art6"),
    ]
    adoptions = _frame(
        [
            {
                "adoption_id": a,
                "publication": p,
                "issue": i,
                "date": d,
                "title": t,
                "units_raw": u,
                "kind": None,
                "source_file": "adoptions/2018.csv",
                "source_row": n + 2,
                "article_id": art,
            }
            for n, (a, p, i, d, t, u, art) in enumerate(ad_rows)
        ],
        {**ADOPTIONS, "article_id": pl.String},
    )
    au = [
        ("a1", "新安江街道", 0, 1),
        ("a2", "新安江街道", 0, 1),
        ("a3", "洋溪街道", 0, 2),
        ("a3", "寿昌镇", 1, 2),
        ("a4", "市发改局", 0, 1),
        ("a5", "市公安局", 0, 1),
        ("a6", "新安江街道", 0, 1),
    ]
    adoption_units = _frame(
        [
            {
                "adoption_id": a,
                "unit": u,
                "position": p,
                "n_units": n,
                "method": "exact",
                "score": 1.0,
            }
            for a, u, p, n in au
        ],
        ADOPTION_UNITS,
    )
    subs = [
        ("新安江街道", datetime(2018, 4, 2, 9)),
        ("新安江街道", datetime(2018, 6, 5, 9)),
        ("洋溪街道", datetime(2018, 4, 3, 9)),
        ("寿昌镇", datetime(2018, 5, 10, 9)),
        ("市发改局", datetime(2018, 4, 15, 9)),
        ("市发改局", datetime(2018, 5, 15, 9)),
        ("市发改局", datetime(2018, 6, 15, 9)),
        ("市公安局", datetime(2018, 6, 20, 9)),
        (None, datetime(2018, 6, 21, 9)),  # unknown sender
        ("洋溪街道", datetime(2018, 3, 30, 9)),  # Q1: not counted
    ]
    submissions = _frame(
        [
            {
                "submission_id": f"s{n}",
                "time": t.replace(tzinfo=TZ),
                "sender": f"user{n}@example.invalid",
                "subject": "信息报送",
                "unit_raw": None,
                "kind": None,
                "source_file": "submissions/log.csv",
                "source_row": n + 2,
                "unit": u,
            }
            for n, (u, t) in enumerate(subs)
        ],
        {**SUBMISSIONS, "unit": pl.String},
    )

    def led(
        unit,
        d,
        rule_id,
        clause,
        rule,
        pts,
        note,
        source,
        ref,
        art=None,
        title=None,
        pub=None,
        issue=None,
        shared=False,
    ):
        return {
            "unit": unit,
            "period": "2018Q2",
            "date": d,
            "rule_id": rule_id,
            "clause": clause,
            "rule": rule,
            "points": pts,
            "note": note,
            "source": source,
            "ref": ref,
            "article_id": art,
            "title": title,
            "publication": pub,
            "issue": issue,
            "shared": shared,
        }

    ledger = _frame(
        [
            # 新安江街道: 4 + 16 + 30 - 10 = 40
            led(
                "新安江街道",
                date(2018, 4, 10),
                "t/J-1",
                "三（一）1",
                "本级采用",
                4.0,
                "《建德政务·动态》采用",
                "adoption",
                "a1",
                "art1",
                "新安江街道推进垃圾分类",
                "建德政务·动态",
                "12",
            ),
            led(
                "新安江街道",
                date(2018, 4, 20),
                "t/J-2",
                "三（一）2",
                "杭州采用",
                16.0,
                "要情，直报点16分",
                "adoption",
                "a2",
                "art1",
                "建德新安江垃圾分类见实效",
                "杭州政务",
                "30",
            ),
            led(
                "新安江街道",
                date(2018, 4, 25),
                "t/J-3",
                "三（二）",
                "领导批示",
                30.0,
                "杭州市领导批示",
                "event",
                "ev1",
                "art1",
                "建德新安江垃圾分类见实效",
            ),
            led(
                "新安江街道",
                date(2018, 5, 31),
                "t/J-6",
                "四（二）",
                "月度无报送",
                -10.0,
                "5月无报送",
                "submission",
                "2018-05",
            ),
            # 洋溪街道, 寿昌镇: 4 each for the joint article
            led(
                "洋溪街道",
                date(2018, 5, 8),
                "t/J-1",
                "三（一）1",
                "本级采用",
                4.0,
                "联合供稿，各计全分",
                "adoption",
                "a3",
                "art3",
                SCRIPT + "联合开展防汛演练",
                "建德政务·动态",
                "13",
                True,
            ),
            led(
                "寿昌镇",
                date(2018, 5, 8),
                "t/J-1",
                "三（一）1",
                "本级采用",
                4.0,
                "联合供稿，各计全分",
                "adoption",
                "a3",
                "art3",
                SCRIPT + "联合开展防汛演练",
                "建德政务·动态",
                "13",
                True,
            ),
            # 市发改局: 10 + 8 = 18
            led(
                "市发改局",
                date(2018, 6, 1),
                "t/J-1b",
                "三（一）1",
                "本级专报",
                10.0,
                FORMULA,
                "adoption",
                "a4",
                "art4",
                FORMULA,
                "建德政务·情况专报",
                "5",
            ),
            led(
                "市发改局",
                date(2018, 6, 10),
                "t/J-4",
                "三（三）",
                "约稿",
                8.0,
                "按时完成，质量分8",
                "event",
                "ev2",
            ),
            # 市公安局: 16
            led(
                "市公安局",
                date(2018, 6, 15),
                "t/J-2b",
                "三（一）2",
                "省级采用",
                16.0,
                "要情16分",
                "adoption",
                "a5",
                "art5",
                IMG + "智慧警务",
                "浙江政务信息",
                "7",
            ),
        ],
        LEDGER,
    )
    score_rows = [
        # unit, group, points, rank, target, met, assessment, submitted, adopted, remark
        ("新安江街道", "乡镇（街道）", 40.0, 1, 30.0, True, 15.0, 2, 1, None),
        ("洋溪街道", "乡镇（街道）", 4.0, 2, 30.0, False, 0.0, 1, 1, None),
        ("寿昌镇", "乡镇（街道）", 4.0, 2, 30.0, False, 0.0, 1, 1, None),
        ("市发改局", "A", 18.0, 1, 30.0, False, 0.0, 3, 1, None),
        ("市公安局", "A", 16.0, 2, 30.0, False, 0.0, 1, 1, None),
        ("市/区联络办", "A", 0.0, 3, 30.0, False, 0.0, 0, 0, None),
    ]
    scores = _frame([dict(zip(SCORES, r, strict=True)) for r in score_rows], SCORES)
    commissions = pl.DataFrame(
        {
            "unit": ["市发改局", "市公安局"],
            "date": [date(2018, 6, 10), date(2018, 6, 12)],
            "title": ["关于优化营商环境的调研", "关于夜间经济的思考"],
            "status": ["按时", "未报"],
            "points": [8.0, 0.0],
        }
    )
    quarters = pl.DataFrame(
        {
            "unit": ["新安江街道", "洋溪街道", "新安江街道", "洋溪街道", "寿昌镇"],
            "period": ["2018Q1", "2018Q1", "2018Q2", "2018Q2", "2018Q2"],
            "points": [12.0, 6.0, 40.0, 4.0, 4.0],
            "rank": [1, 2, 1, 2, 2],
            "assessment": [15.0, 0.0, 15.0, 0.0, 0.0],
            "target_met": [False, False, True, False, False],
        }
    )
    result = ScoreResult(
        period=Q2,
        ledger=ledger,
        scores=scores,
        notes=["月度无报送扣分仅适用于已导入报送邮件记录的月份（4月、5月、6月）。"],
        commissions=commissions,
        quarters=quarters,
    )
    review = _frame(
        [
            {
                "type": "unit",
                "key": "某单位",
                "file": "adoptions/2018.csv",
                "row": 9,
                "text": "@SUM(A1:A2)",
                "candidates": "市发改局;市公安局",
                "reason": "单位名称无法识别",
                "answer": None,
            }
        ],
        REVIEW,
    )
    # the leader instruction behind ledger row ev1; one of Q1, not counted in Q2
    events = _frame(
        [
            {
                "event_id": ev,
                "date": d,
                "type": "领导批示",
                "unit_raw": u,
                "title": t,
                "level": lv,
                "value": None,
                "status": None,
                "note": None,
                "source_file": "events/2018.csv",
                "source_row": n + 2,
                "unit": u,
            }
            for n, (ev, d, u, t, lv) in enumerate(
                [
                    ("ev1", date(2018, 4, 25), "新安江街道", "建德新安江垃圾分类见实效", "杭州市"),
                    ("ev0", date(2018, 3, 2), "市发改局", "一季度旧稿", "建德市"),
                ]
            )
        ],
        {**EVENTS, "unit": pl.String},
    )
    # adoption → submission links (transforms.linking): a1 ← s0 (新安江街道, 4-02),
    # a3 ← s2 (洋溪街道, 4-03), a4 ← s5 (市发改局, 5-15)
    links = pl.DataFrame(
        {"adoption_id": ["a1", "a3", "a4"], "submission_id": ["s0", "s2", "s5"]},
        schema={"adoption_id": pl.String, "submission_id": pl.String},
    ).with_columns(score=pl.lit(1.0))
    return {
        "events": events,
        "links": links,
        "scheme": SchemeData(),
        "units": units,
        "adoptions": adoptions,
        "adoption_units": adoption_units,
        "submissions": submissions,
        "review": review,
        "result": result,
    }


def test_wording():
    assert wd.area_word("建德市人民政府办公室") == "市"
    assert wd.area_word("杭州市萧山区全面深化“最多跑一次”改革领导小组办公室") == "区"
    assert (
        wd.bulletin_title(Q2, "建德市人民政府办公室")
        == "关于2018年第二季度全市政务信息报送采用情况的通报"
    )
    assert (
        wd.bulletin_title(Q2, "青山区人民政府办公室")
        == "关于2018年第二季度全区政务信息报送采用情况的通报"
    )
    assert (
        wd.recipients("建德市人民政府办公室") == "各乡镇人民政府、街道办事处，市政府各部门、单位："
    )
    assert wd.cn_date(date(2018, 7, 5)) == "二〇一八年七月五日"
    assert wd.cn_date(date(2020, 10, 31)) == "二〇二〇年十月三十一日"
    assert wd.cn_date(date(2019, 12, 20)) == "二〇一九年十二月二十日"
    assert wd.fmt_points(38.0) == "38"
    assert wd.fmt_points(12.5) == "12.5"
    assert wd.fmt_points(-10.0) == "-10"
    assert wd.fmt_points(None) == "—"


def test_overview_counts():
    d = sample()
    s, r = d["scheme"], d["result"]
    ov = fg.overview(
        scheme_groups=s.groups,
        publications=s.publications,
        period=Q2,
        units=d["units"],
        scores=r.scores,
        adoptions=d["adoptions"],
        submissions=d["submissions"],
        events=d["events"],
    )
    # Q2 submissions: towns 2+1+1 = 4, A 3+1 = 4; the March one is Q1. The unknown
    # sender is not counted (the bulletin's figures are the roster's, as its tables).
    assert ov.has_submissions
    assert ov.submissions_total == 8
    assert ov.submissions_by_group == [("乡镇（街道）", 4), ("A", 4)]
    # Q2 adoptions a1..a5 (a6 is February); a1 and a2 are one article → 4 articles.
    assert ov.adoptions_total == 5
    assert ov.articles_total == 4
    # own periodicals a1, a3, a4; above: a2 (杭州), a5 (浙江); nothing named 上报….
    assert ov.by_category == {"本级": 3, "上报": 0, "上级": 2}
    assert ov.by_publication == [
        ("建德政务·动态", 2),
        ("建德政务·情况专报", 1),
        ("杭州政务", 1),
        ("浙江政务信息", 1),
    ]
    # one 领导批示 event in Q2 (ev1; ev0 is March)
    assert ov.instructions == 1
    # own issues: 动态 12, 动态 13, 情况专报 5
    assert ov.issues == 3


def test_overview_without_mail_logs_and_upward_periodical():
    d = sample()
    pubs = (Publication("银川政务信息", "市"), Publication("上报自治区", "自治区"))
    ad = pl.DataFrame(
        {
            "adoption_id": ["x1", "x2", "x3"],
            "publication": ["银川政务信息", "上报自治区", "银川政务信息"],
            "issue": ["1", None, "1"],
            "date": [date(2018, 4, 1), date(2018, 4, 2), date(2018, 4, 3)],
            "title": ["甲", "乙", "丙"],
        }
    )
    ov = fg.overview(
        scheme_groups=(Group("县（市）区"),),
        publications=pubs,
        period=Q2,
        units=d["units"],
        scores=d["result"].scores,
        adoptions=ad,
        submissions=d["submissions"].clear(),
    )
    assert not ov.has_submissions and ov.submissions_total == 0
    # 银川政务信息 is the first (own) level; 上报自治区 is reported up.
    assert ov.by_category == {"本级": 2, "上报": 1, "上级": 0}
    assert ov.issues == 1  # both own adoptions are in issue 1
    assert ov.instructions == 0
    assert vd.zero_submission_units(d["result"].scores, d["submissions"].clear(), Q2) is None


def test_score_tables():
    d = sample()
    s, r = d["scheme"], d["result"]
    tables = fg.score_tables(
        scheme_groups=s.groups,
        publications=s.publications,
        period=Q2,
        scores=r.scores,
        adoptions=d["adoptions"],
        adoption_units=d["adoption_units"],
        submissions=d["submissions"],
        quarters=r.quarters,
    )
    assert [t.group for t in tables] == ["乡镇（街道）", "A"]
    towns, depts = tables
    assert towns.levels == ["本级", "市", "省"]
    assert towns.show_ytd and towns.show_assessment and not towns.show_remark
    first = towns.rows[0]
    assert first["unit"] == "新安江街道" and first["rank"] == 1
    # a1 本级, a2 杭州 (市); the February a6 is outside the quarter
    assert first["by_level"] == {"本级": 1, "市": 1, "省": 0}
    assert first["ytd"] == 52.0  # Q1 12 + Q2 40
    assert [row["rank"] for row in towns.rows] == [1, 2, 2]
    assert depts.rows[1]["by_level"] == {"本级": 0, "市": 0, "省": 1}  # 市公安局: a5
    assert depts.rows[2]["ytd"] == 0.0  # 市/区联络办: no quarter row


def test_named_units():
    d = sample()
    s, r = d["scheme"], d["result"]
    # praise names only units that met their target (30): 寿昌镇 and 洋溪街道 rank 2 on
    # 4 points and missed it; nobody of A met it
    assert [
        (p["group"], p["judged"], [(u["unit"], u["points"], u["tied"]) for u in p["units"]])
        for p in vd.praise(s.groups, r.scores)
    ] == [("乡镇（街道）", True, [("新安江街道", 40.0, False)]), ("A", True, [])]
    assert vd.zero_submission_units(r.scores, d["submissions"], Q2) == ["市/区联络办"]
    assert vd.zero_adoption_units(r.scores, d["adoptions"], d["adoption_units"], Q2) == [
        "市/区联络办"
    ]
    groups = [g.name for g in s.groups]
    below = [b["unit"] for b in vd.below_target_units(r.scores, groups)]
    assert below == ["寿昌镇", "洋溪街道", "市发改局", "市公安局", "市/区联络办"]
    by_group = vd.below_target_by_group(r.scores, groups)
    assert [(g["group"], g["target"], len(g["units"])) for g in by_group] == [
        ("乡镇（街道）", 30.0, 2),
        ("A", 30.0, 3),
    ]
    done, not_done, unknown = vd.commissions_split(r.commissions)
    assert [c["unit"] for c in done] == ["市发改局"]
    assert [(c["unit"], c["status"]) for c in not_done] == [("市公安局", "未报")]
    assert unknown == []
    extra = r.commissions.vstack(
        pl.DataFrame(
            {
                "unit": ["寿昌镇"],
                "date": [date(2018, 6, 30)],
                "title": ["甲"],
                "status": ["未知"],
                "points": [0.0],
            }
        )
    )
    assert [c["unit"] for c in vd.commissions_split(extra)[2]] == ["寿昌镇"]


def test_adopted_articles():
    d = sample()
    arts = fg.adopted_articles(d["adoptions"], d["adoption_units"], Q2)
    assert [a["issue"] for a in arts] == ["12", "30", "13", "5", "7"]
    assert arts[2]["units"] == "洋溪街道、寿昌镇"  # printed order


def test_statements_total_equals_points():
    d = sample()
    r = d["result"]
    sts = sr.statements(r.scores, r.ledger)
    assert len(sts) == 6
    by_unit = {s.unit: s for s in sts}
    assert by_unit["新安江街道"].total == 40.0  # 4 + 16 + 30 - 10
    assert len(by_unit["新安江街道"].rows) == 4
    assert by_unit["洋溪街道"].rows[0]["shared"]
    assert by_unit["市/区联络办"].rows == [] and by_unit["市/区联络办"].total == 0.0
    assert all(s.consistent for s in sts)
    assert by_unit["寿昌镇"].group_size == 3


def test_csv_values():
    assert cs.csv_value(FORMULA) == "'" + FORMULA
    assert cs.csv_value("+1") == "'+1"
    assert cs.csv_value("@SUM(A1)") == "'@SUM(A1)"
    assert cs.csv_value("\tx") == "'\tx"
    assert cs.csv_value(-10.0) == "-10"  # numbers stay numbers
    assert cs.csv_value(3) == "3"
    assert cs.csv_value(True) == "true"
    assert cs.csv_value(None) == ""
    assert cs.csv_value(date(2018, 4, 1)) == "2018-04-01"


# --------------------------------------------------------------------------- 采用率, targets, quotas


def _tables(d: dict, **kw) -> list[fg.ScoreTable]:
    s, r = d["scheme"], d["result"]
    args = dict(
        scheme_groups=s.groups,
        publications=s.publications,
        period=Q2,
        scores=r.scores,
        adoptions=d["adoptions"],
        adoption_units=d["adoption_units"],
        submissions=d["submissions"],
        quarters=r.quarters,
        links=d["links"],
    )
    args.update(kw)
    return fg.score_tables(**args)


def test_adoption_rate_in_score_tables():
    d = sample()
    towns, depts = _tables(d)
    rate = {row["unit"]: row["rate"] for t in (towns, depts) for row in t.rows}
    # articles adopted in Q2 ÷ Q2 submissions: 新安江街道 art1 (a1 + a2 are one) ÷ 2 mails;
    # 洋溪街道 and 寿昌镇 art3 (joint) ÷ 1 each; 市发改局 art4 ÷ 3; 市公安局 art5 ÷ 1;
    # 市/区联络办 sent nothing: no rate
    assert rate == {
        "新安江街道": 0.5,
        "洋溪街道": 1.0,
        "寿昌镇": 1.0,
        "市发改局": 1 / 3,
        "市公安局": 1.0,
        "市/区联络办": None,
    }
    assert [wd.fmt_rate(rate[u]) for u in ("新安江街道", "市发改局", "市/区联络办")] == [
        "50.0%",
        "33.3%",
        "—",
    ]
    assert wd.fmt_rate(0.35) == "35.0%" and wd.fmt_rate(2.0) == "200.0%"
    # the links count the submissions that were adopted: s0 (新安江街道), s5 (市发改局)
    rates = fg.unit_rates(d["submissions"], d["adoptions"], d["adoption_units"], Q2, d["links"])
    assert (rates["新安江街道"]["linked"], rates["市发改局"]["linked"]) == (1, 1)
    assert rates["市公安局"]["linked"] == 0
    # without mail logs nobody has a rate
    towns, depts = _tables(d, submissions=d["submissions"].clear())
    assert {row["rate"] for t in (towns, depts) for row in t.rows} == {None}


def test_long_remarks_are_shortened_in_tables():
    long = "全年未取得区级及以上领导批示，扣30分；完成年度目标（90分）"  # 33 characters
    assert (
        wd.short_text(long) == "全年未取得区级及以上领导批示，扣30分；完成年度目标…"
    )  # not inside （…）
    assert len(wd.short_text("甲" * 40)) == wd.REMARK_CHARS
    assert wd.short_text("完成年度目标（90分）") == "完成年度目标（90分）"
    assert wd.short_text(None) == ""
    d = sample()
    scores = d["result"].scores.with_columns(
        pl.when(pl.col("unit") == "市发改局").then(pl.lit(long)).alias("remark")
    )
    towns, depts = _tables(d, scores=scores)
    assert not towns.show_remark and depts.show_remark and depts.remarks_cut
    row = depts.rows[0]
    assert row["remark"] == long and row["remark_short"].endswith("…")


def _quotas(rows: list[tuple[str, str, str, float, int, float]]) -> pl.DataFrame:
    """ScoreResult.quotas rows: unit, window, rule, required, count, points."""
    return pl.DataFrame(
        [(u, w, rule, "一", req, n, pts) for u, w, rule, req, n, pts in rows],
        schema=QUOTAS,
        orient="row",
    )


def test_quota_shortfalls_one_line_per_unit():
    """萧山's year: every missed basic task is a row of ScoreResult.quotas; the bulletin
    gets one line per unit, in group then rank order (市发改局 is A's first, 寿昌镇 a town).
    The misses are read from the counts, never from the ledger's wording."""
    d = sample()
    quotas = _quotas(
        [
            ("市发改局", "2018-01~02", "基本任务·动态信息", 1.0, 0, -5.0),
            ("市发改局", "2018Q1", "基本任务·专报信息", 1.0, 0, -5.0),
            ("市发改局", "2018-06", "基本任务·月度总结计划", 1.0, 0, -5.0),
            ("市发改局", "2018Q2", "基本任务·季度总结计划", 1.0, 0, -5.0),
            ("寿昌镇", "2018-03~04", "基本任务·动态信息", 2.0, 1, -5.0),
            ("寿昌镇", "2018-05~06", "基本任务·动态信息", 2.0, 2, 0.0),
        ]
    )
    year = Period(2018, "year")
    # a ledger whose notes say nothing of shortfalls: only the quotas count
    ledger = d["result"].ledger
    result = ScoreResult(period=year, ledger=ledger, scores=d["result"].scores, quotas=quotas)
    rows = vd.below_quota(result, [g.name for g in d["scheme"].groups])
    # 市发改局 missed 4 (−5 each = −20), more than SHORTFALLS_NAMED (3): every unit gets
    # counts; 寿昌镇 1 (the window that reached 2 is no miss)
    assert [(r["unit"], r["missed"], r["points"], r["note"]) for r in rows] == [
        ("寿昌镇", 1, -5.0, "未完成基本任务1项，扣5分"),
        ("市发改局", 4, -20.0, "未完成基本任务4项，扣20分"),
    ]
    assert rows[1]["details"] == [
        "2018年1—2月动态信息0/1条（扣5分）",
        "2018年6月月度总结计划0/1条（扣5分）",
        "2018年第一季度专报信息0/1条（扣5分）",
        "2018年第二季度季度总结计划0/1条（扣5分）",
    ]
    assert rows[1]["summarised"]
    assert rows[0]["label"] == "基本任务"  # the section: 未完成基本任务单位
    # every unit missed once (银川's quarter): the miss itself is the line
    one = ScoreResult(
        period=year,
        ledger=ledger,
        scores=d["result"].scores,
        quotas=quotas.filter(pl.col("unit") == "寿昌镇"),
    )
    assert [r["note"] for r in vd.below_quota(one)] == ["2018年3—4月动态信息1/2条（扣5分）"]
    # a scheme without submission rules (quotas None) names nobody, whatever its ledger says
    none = ScoreResult(period=year, ledger=ledger, scores=d["result"].scores)
    assert vd.below_quota(none) == []


def test_quota_shortfalls_from_the_quota_table():
    """ScoreResult.quotas (建德's months without a submission): only windows whose count is
    below `required` are misses; met windows (count ≥ required) are not named."""
    d = sample()
    quotas = pl.DataFrame(
        {
            "unit": ["新安江街道", "新安江街道", "新安江街道", "洋溪街道"],
            "period": ["2018-04", "2018-05", "2018-06", "2018-04"],
            "rule": ["当月未报送信息"] * 4,
            "clause": ["三（六）2"] * 4,
            "required": [1.0, 1.0, 1.0, 1.0],
            "count": [1, 0, 1, 3],
            "points": [0.0, -10.0, 0.0, 0.0],
        }
    )
    result = ScoreResult(
        period=Q2, ledger=d["result"].ledger, scores=d["result"].scores, quotas=quotas
    )
    assert vd.below_quota(result) == [
        {
            "unit": "新安江街道",
            "missed": 1,
            "points": -10.0,
            "details": ["2018年5月当月未报送信息0/1条（扣10分）"],
            "summarised": False,
            "label": "报送任务",
            "note": "2018年5月当月未报送信息0/1条（扣10分）",
        }
    ]
    # every window met: nobody is named
    met = ScoreResult(
        period=Q2,
        ledger=d["result"].ledger,
        scores=d["result"].scores,
        quotas=quotas.filter(pl.col("count") >= 1),
    )
    assert vd.below_quota(met) == []
    # 青山's year: yearly targets judged in the year's own window (no window named); the
    # 报送 target costs −2 per missing submission, the 综合类 target costs nothing here
    year = Period(2020, "year")
    qingshan = pl.DataFrame(
        {
            "unit": ["寿昌镇", "寿昌镇", "市发改局"],
            "period": ["2020", "2020", "2020"],
            "rule": ["全年目标任务·报送", "全年目标任务·综合类报送", "全年目标任务·报送"],
            "clause": ["四（三）1", "三（一）", "四（三）1"],
            "required": [150.0, 6.0, 120.0],
            "count": [149, 3, 130],
            "points": [-2.0, None, 0.0],
        }
    )
    result = ScoreResult(
        period=year, ledger=d["result"].ledger, scores=d["result"].scores, quotas=qingshan
    )
    assert [(r["unit"], r["note"]) for r in vd.below_quota(result)] == [
        ("寿昌镇", "报送149/150条（扣2分）；综合类报送3/6条")
    ]
    # in a quarter the year's window is still open: progress, nobody missed anything yet
    progress = ScoreResult(
        period=Period(2020, "quarter", 2),
        ledger=d["result"].ledger,
        scores=d["result"].scores,
        quotas=qingshan,
    )
    assert vd.below_quota(progress) == []


def test_target_section():
    d = sample()
    scores = d["result"].scores
    groups = [g.name for g in d["scheme"].groups]
    # points targets (建德's quarter): the units below 30 points, per group
    sec = vd.target_section(scores, groups)
    assert sec["points"] and [len(g["units"]) for g in sec["groups"]] == [2, 3]
    # nobody's target judged (青山's quarters, 建德's months): nothing to say
    assert vd.target_section(scores.with_columns(target_met=pl.lit(None, pl.Boolean))) is None
    # no points target (银川: target_met is the submission quota; 青山's year): the units
    # the quota section names are left out, the others have their remark, as the scheme
    # wrote it, as the reason
    quota_like = scores.with_columns(
        target=pl.lit(None, pl.Float64),
        remark=pl.when(pl.col("unit") == "市发改局")
        .then(pl.lit("未完成全年目标任务：综合类报送5/6条"))
        .when(pl.col("unit") == "寿昌镇")
        .then(pl.lit("未完成季度报送数量（报送29条，应不少于30条）")),
    )
    sec = vd.target_section(quota_like, groups, named_for_quota=["寿昌镇", "市公安局"])
    assert not sec["points"]
    # left: 洋溪街道 (no remark), 市发改局, 市/区联络办 (no remark)
    assert [
        (g["group"], [(u["unit"], u["reason"]) for u in g["units"]]) for g in sec["groups"]
    ] == [
        ("乡镇（街道）", [("洋溪街道", "未完成目标任务")]),
        (
            "A",
            [
                ("市发改局", "未完成全年目标任务：综合类报送5/6条"),
                ("市/区联络办", "未完成目标任务"),
            ],
        ),
    ]
    # every unit below target already named for its quota (银川 2018Q3): nothing left
    named = quota_like.filter(pl.col("target_met") == False)["unit"].to_list()  # noqa: E712
    assert vd.target_section(quota_like, groups, named)["groups"] == []


def test_instruction_digest():
    few = [
        {"date": date(2018, 1, i + 1), "unit": "甲", "title": "t", "level": "萧山区"}
        for i in range(3)
    ]
    dig = fg.instruction_digest(few)
    assert dig["complete"] and dig["total"] == 3 and len(dig["shown"]) == 3
    # 12 instructions, 9 at the district's own level: the 3 above it are named
    many = few * 3 + [
        {"date": date(2018, 5, 1), "unit": "乙", "title": "u", "level": "杭州市"},
        {"date": date(2018, 6, 1), "unit": "丙", "title": "v", "level": "杭州市"},
        {"date": date(2018, 7, 1), "unit": "丁", "title": "w", "level": "国家"},
    ]
    dig = fg.instruction_digest(many)
    assert not dig["complete"] and dig["total"] == 12
    assert dig["by_level"] == [("萧山区", 9), ("杭州市", 2), ("国家", 1)]
    assert [x["unit"] for x in dig["shown"]] == ["乙", "丙", "丁"]


def test_notice_list_names_each_unit_with_reasons_and_clauses():
    # 兴庆区: two notices (Q2 consecutive misses, a recorded one in Q3) -> one entry, reasons
    # in order joined by ；; 市公安局 one. No notices (None or empty) -> nothing to say.
    notices = pl.DataFrame(
        [
            ("兴庆区", "2018Q2", "y/Y-9.1.2", "第九条（一）", "第一季度、第二季度连续未完成"),
            ("市公安局", "2018Q2", "y/Y-9.4.1", "第九条（四）", "因“迟报”被通报批评"),
            ("兴庆区", "2018Q3", "y/Y-9.4.1", "第九条（四）", "因“漏报”被通报批评"),
        ],
        schema=NOTICES,
        orient="row",
    )
    assert vd.notice_list(notices) == [
        {
            "unit": "兴庆区",
            "reasons": ["第一季度、第二季度连续未完成（第九条（一））", "因“漏报”被通报批评（第九条（四））"],
            "text": "第一季度、第二季度连续未完成（第九条（一））；因“漏报”被通报批评（第九条（四））",
        },
        {
            "unit": "市公安局",
            "reasons": ["因“迟报”被通报批评（第九条（四））"],
            "text": "因“迟报”被通报批评（第九条（四））",
        },
    ]  # fmt: skip
    assert vd.notice_list(None) == [] and vd.notice_list(notices.clear()) == []
    mine = sr.unit_notices(notices, "兴庆区")
    assert [(n["period_title"], n["reason"]) for n in mine] == [
        ("2018年第二季度", "第一季度、第二季度连续未完成"),
        ("2018年第三季度", "因“漏报”被通报批评"),
    ]
    assert sr.unit_notices(notices, "市教育局") == [] and sr.unit_notices(None, "兴庆区") == []


def test_praise_without_targets_names_the_first_three_and_their_ties():
    """No target judged in the period (建德's months, 青山's quarters): the first three
    with points, a shared rank marked as such; 0 points is no praise."""
    d = sample()
    s = d["scheme"]
    scores = d["result"].scores.with_columns(target_met=pl.lit(None, pl.Boolean))
    praise = vd.praise(s.groups, scores)
    assert [(p["group"], p["judged"]) for p in praise] == [("乡镇（街道）", False), ("A", False)]
    assert [(u["unit"], u["rank"], u["tied"]) for u in praise[0]["units"]] == [
        ("新安江街道", 1, False),
        ("寿昌镇", 2, True),
        ("洋溪街道", 2, True),
    ]
    assert [u["unit"] for u in praise[1]["units"]] == ["市发改局", "市公安局"]
    assert wd.period_word(Q2) == "本季度"


def test_left_out_lists_unresolved_names_for_the_office_only():
    """An adoption whose printed unit is unresolved (市文广局) and a joint one with one
    unresolved name (人社局): not in the article list, not in the figures; `left_out`
    names them with their file and row for the office's note."""
    d = _with_unresolved(sample())
    arts = fg.adopted_articles(d["adoptions"], d["adoption_units"], Q2)
    assert "市文广局" not in str(arts) and "人社局" not in str(arts)
    assert [a["units"] for a in arts if a["title"] == "联合推进就业"] == ["市发改局"]
    assert "文化惠民工程" not in [a["title"] for a in arts]
    s, r = d["scheme"], d["result"]
    ov = fg.overview(
        scheme_groups=s.groups,
        publications=s.publications,
        period=Q2,
        units=d["units"],
        scores=r.scores,
        adoptions=d["adoptions"],
        submissions=d["submissions"],
        adoption_units=d["adoption_units"],
    )
    # a1..a5 and the joint u2 (it names 市发改局); u1 names nobody of the roster
    assert ov.adoptions_total == 6 and ov.by_category == {"本级": 4, "上报": 0, "上级": 2}
    assert ov.issues == 4  # 动态 12, 13, 14 (u1's issue: printed all the same), 情况专报 5
    lo = fg.left_out(d["adoptions"], d["adoption_units"], d["submissions"], Q2)
    assert [(a["source_row"], a["title"], a["units_raw"]) for a in lo["adoptions"]] == [
        (20, "文化惠民工程", "市文广局")
    ]
    assert [(a["title"], a["resolved"]) for a in lo["partial"]] == [("联合推进就业", "市发改局")]
    assert lo["submissions"] == [{"source_file": "submissions/log.csv", "count": 1}]


def _with_unresolved(d: dict) -> dict:
    """sample() plus u1 (《建德政务·动态》14, printed 市文广局: unresolved) and u2 (joint,
    市发改局、人社局: the second name unresolved)."""
    extra = pl.DataFrame(
        [
            {
                "adoption_id": "u1",
                "publication": "建德政务·动态",
                "issue": "14",
                "date": date(2018, 6, 20),
                "title": "文化惠民工程",
                "units_raw": "市文广局",
                "kind": None,
                "source_file": "adoptions/2018.csv",
                "source_row": 20,
                "article_id": "art-u1",
            },
            {
                "adoption_id": "u2",
                "publication": "建德政务·动态",
                "issue": "13",
                "date": date(2018, 5, 8),
                "title": "联合推进就业",
                "units_raw": "市发改局、人社局",
                "kind": None,
                "source_file": "adoptions/2018.csv",
                "source_row": 21,
                "article_id": "art-u2",
            },
        ],
        schema={**ADOPTIONS, "article_id": pl.String},
    )
    au = pl.DataFrame(
        [
            ("u1", None, 0, 1, None, None),
            ("u2", "市发改局", 0, 2, "exact", 1.0),
            ("u2", None, 1, 2, None, None),
        ],
        schema=ADOPTION_UNITS,
        orient="row",
    )
    return {
        **d,
        "adoptions": pl.concat([d["adoptions"], extra]),
        "adoption_units": pl.concat([d["adoption_units"], au]),
    }


def test_year_to_date_leaders_keep_a_tie_for_the_third_place():
    """Four units, the third and fourth on 4 points: both are listed (前三名（含并列）),
    never three of four equals picked by name."""
    scores = pl.DataFrame(
        {"unit": ["甲镇", "乙镇", "丙镇", "丁镇"], "group": ["乡镇"] * 4},
        schema={"unit": pl.String, "group": pl.String},
    )
    quarters = pl.DataFrame(
        {
            "unit": ["甲镇", "乙镇", "丙镇", "丁镇"],
            "period": ["2018Q1"] * 4,
            "points": [9.0, 6.0, 4.0, 4.0],
        }
    )
    ytd = fg.year_to_date(quarters, scores, ["乡镇"], 2018)
    assert ytd.leaders == [("乡镇", [("甲镇", 9.0), ("乙镇", 6.0), ("丁镇", 4.0), ("丙镇", 4.0)])]
    assert ytd.tied
    ytd = fg.year_to_date(quarters.head(3), scores, ["乡镇"], 2018)
    assert len(ytd.leaders[0][1]) == 3 and not ytd.tied

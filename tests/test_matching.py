"""Unit-name matching: printed names as 建德's periodicals print them → roster units."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms import schema
from transforms.errors import InputError
from transforms.matching import (
    UnitIndex,
    _extract_emails,
    _subject_unit,
    _subject_units,
    assign_submission_units,
    extract_email,
    match_adoption_units,
    normalize_name,
    resolve_event_units,
    resolve_names,
    split_units,
)

PREFIXES = ("杭州市建德市", "建德市", "建德", "市")

# A handful of names from the appendix of 建政办函〔2018〕22号 (2018年全市政务信息考核分类名单).
ROSTER = [
    ("市农办", "A", [], ["nb@jiande.gov.cn"]),
    ("发改局", "A", ["建德市发展和改革局"], ["fgj@jiande.gov.cn"]),
    ("经信局", "A", [], []),
    ("财政（地税）局", "A", [], []),
    ("市场监管局", "A", [], []),
    ("民政局", "A", [], []),
    ("审管办", "A", [], []),
    ("开发区（航空小镇）", "A", [], []),
    ("民宗局", "C", [], []),
    ("机关事务管理局", "C", [], []),
    ("公积金建德分中心", "C", [], []),
    ("城投公司", "B", ["城建"], []),
    ("交投公司", "B", ["城建"], []),
    ("梅城镇", "乡镇（街道）", [], ["mc@jiande.gov.cn"]),
    ("寿昌镇", "乡镇（街道）", [], []),
    ("新安江街道", "乡镇（街道）", [], []),
]


@pytest.fixture
def units() -> pl.DataFrame:
    return pl.DataFrame(
        [dict(zip(("unit", "group", "aliases", "emails"), r, strict=True)) for r in ROSTER],
        schema=schema.UNITS,
    )


def no_decisions() -> pl.DataFrame:
    return schema.empty(schema.DECISIONS)


def decisions(*rows: tuple[str, str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [dict(zip(("type", "key", "answer"), r, strict=True)) for r in rows],
        schema=schema.DECISIONS,
    )


def adoptions(rows: list[tuple[str, str]]) -> pl.DataFrame:
    """rows of (adoption_id, units_raw); the rest filled with a plausible issue."""
    return pl.DataFrame(
        [
            {
                "adoption_id": aid,
                "publication": "建德政务·动态",
                "issue": "2018年第12期",
                "date": date(2018, 5, 3),
                "title": f"标题{aid}",
                "units_raw": raw,
                "kind": None,
                "source_file": "adoptions/2018q2.csv",
                "source_row": i + 2,
            }
            for i, (aid, raw) in enumerate(rows)
        ],
        schema=schema.ADOPTIONS,
    )


# --- normalize_name / split_units --------------------------------------------------------------


@pytest.mark.parametrize(
    "printed, key",
    [
        ("建德市发改局", "发改局"),
        ("市发改局", "发改局"),
        ("发改局（张三）", "发改局"),
        ("发改局（张三、李四）", "发改局"),
        ("市发改局 李四", "发改局"),
        ("（建德市发改局供稿）", "发改局"),
        ("发改局（李四供稿）", "发改局"),
        ("发改局供稿", "发改局"),
        ("杭州市建德市梅城镇", "梅城镇"),
        ("【发改局】", "发改局"),
        ("发 改 局", "发改局"),
        # full width letters and digits become half width (NFKC)
        ("ＡＢＣ公司１２", "ABC公司12"),
        # brackets that are part of the name stay, unified to ( )
        ("财政（地税）局", "财政(地税)局"),
        ("开发区（航空小镇）", "开发区(航空小镇)"),
        ("开发区【航空小镇】", "开发区(航空小镇)"),
        # 市场 is a word, not the prefix 市 + 场监管局
        ("建德市市场监管局", "市场监管局"),
        ("市场监管局", "市场监管局"),
        # the key drops 市; the index still finds 市农办 itself (see test_prefix_kept)
        ("市农办", "农办"),
    ],
)
def test_normalize_name(printed, key):
    assert normalize_name(printed, PREFIXES) == key


def test_normalize_name_without_prefixes_keeps_place():
    assert normalize_name("建德市发改局") == "建德市发改局"
    # nothing meaningful would remain: the prefix stays
    assert normalize_name("市局", PREFIXES) == "市局"


@pytest.mark.parametrize(
    "field, parts",
    [
        ("发改局、经信局", ["发改局", "经信局"]),
        ("发改局；市场监管局", ["发改局", "市场监管局"]),
        ("发改局;经信局,民政局，审管办/民宗局", ["发改局", "经信局", "民政局", "审管办", "民宗局"]),
        ("发改局 经信局", ["发改局", "经信局"]),
        ("梅城　寿昌", ["梅城", "寿昌"]),  # full-width space between two town names
        # a writer after a space, or writers in brackets, are not units
        ("市发改局 李四", ["市发改局 李四"]),
        ("发改局（张三、李四）、经信局", ["发改局（张三、李四）", "经信局"]),
        ("发 改 局", ["发 改 局"]),
        (" 、发改局、、 ", ["发改局"]),
        # 和/与 are never separators
        ("发展和改革局", ["发展和改革局"]),
        ("", []),
    ],
)
def test_split_units(field, parts):
    assert split_units(field) == parts


# --- resolve_names -------------------------------------------------------------------------------


def test_resolve_variants(units):
    names = [
        "发改局",
        "建德市发改局",
        "市发改局",
        "发改局（张三）",
        "（建德市发改局供稿）",
        "建德市发展和改革局",
        "财政局",
        "地税局",
        "梅城",
        "航空小镇",
        "开发区",
        "新安江",
        "寿昌镇人民政府",
        "区发改局",
    ]
    res = resolve_names(names, units, no_decisions(), PREFIXES)
    assert res.columns == ["name", "key", "unit", "method", "score", "candidates"]
    got = dict(zip(res["name"], zip(res["unit"], res["method"], strict=True), strict=True))
    assert got == {
        "发改局": ("发改局", "exact"),
        "建德市发改局": ("发改局", "normalized"),
        "市发改局": ("发改局", "normalized"),
        "发改局（张三）": ("发改局", "normalized"),
        "（建德市发改局供稿）": ("发改局", "normalized"),
        "建德市发展和改革局": ("发改局", "alias"),  # roster alias
        "财政局": ("财政（地税）局", "alias"),
        "地税局": ("财政（地税）局", "alias"),
        "梅城": ("梅城镇", "alias"),
        "航空小镇": ("开发区（航空小镇）", "alias"),
        "开发区": ("开发区（航空小镇）", "alias"),
        "新安江": ("新安江街道", "alias"),
        "寿昌镇人民政府": ("寿昌镇", "alias"),
        "区发改局": ("发改局", "normalized"),  # generic 区 prefix dropped
    }
    assert res["score"].to_list() == [100.0] * len(names)


def test_prefix_kept(units):
    """市农办 is a roster name: printed 市农办, 建德市农办 and 农办 all find it."""
    res = resolve_names(["市农办", "建德市农办", "农办"], units, no_decisions(), PREFIXES)
    assert res["unit"].to_list() == ["市农办"] * 3
    assert res["method"].to_list() == ["exact", "normalized", "normalized"]


def test_type_word_is_not_dropped(units):
    """发改委 is not 发改局: a different type word is not an abbreviation.
    WRatio(发改委, 发改局) = ratio = 2·2/6 = 66.7 < 75: no candidate good enough."""
    res = resolve_names(["发改委"], units, no_decisions(), PREFIXES).row(0, named=True)
    assert res["unit"] is None and res["method"] == "none"
    assert res["score"] == pytest.approx(66.67, abs=0.01)
    assert res["candidates"].startswith("发改局(67)")


def test_unknown_name_goes_to_review_with_candidates(units):
    res = resolve_names(["市老干部局"], units, no_decisions(), PREFIXES).row(0, named=True)
    assert res["key"] == "老干部局"
    assert res["unit"] is None and res["method"] == "none"
    # three candidates, 「单位(分数)」 joined by 「；」
    assert len(res["candidates"].split("；")) == 3
    assert all("(" in c for c in res["candidates"].split("；"))


def test_fuzzy_accepted(units):
    """公积金建德市分中心 vs 公积金建德分中心: 8 common characters, lengths 9 and 8,
    ratio = 2·8/17 = 94.1 ≥ 90, and the next unit is far behind."""
    res = resolve_names(["公积金建德市分中心"], units, no_decisions(), PREFIXES).row(0, named=True)
    assert (res["unit"], res["method"]) == ("公积金建德分中心", "fuzzy")
    assert res["score"] == pytest.approx(94.12, abs=0.01)


def test_fuzzy_doubtful(units):
    """市场监督管理局 vs 市场监管局: 5 common characters, lengths 7 and 5,
    ratio = 2·5/12 = 83.3: above doubt (75) but below accept (90) → review."""
    res = resolve_names(["市场监督管理局"], units, no_decisions(), PREFIXES).row(0, named=True)
    assert res["unit"] is None and res["method"] == "none"
    assert res["score"] == pytest.approx(83.33, abs=0.01)
    assert res["candidates"].startswith("市场监管局(83)")
    # with a lower bar the same name is accepted
    low = resolve_names(["市场监督管理局"], units, no_decisions(), PREFIXES, accept=80)
    assert low["unit"].to_list() == ["市场监管局"]


def test_ambiguous_alias_not_used(units):
    """城建 is an alias of both 城投公司 and 交投公司: never matched automatically."""
    res = resolve_names(["城建"], units, no_decisions(), PREFIXES).row(0, named=True)
    assert res["unit"] is None and res["method"] == "none"
    assert "城投公司(100)" in res["candidates"] and "交投公司(100)" in res["candidates"]


def test_decisions(units):
    d = decisions(
        ("unit", "老干部局", "民政局"), ("unit", "城建", "忽略"), ("same_article", "x", "是")
    )
    res = resolve_names(["市老干部局", "城建", "发改局"], units, d, PREFIXES)
    assert res["unit"].to_list() == ["民政局", None, "发改局"]
    assert res["method"].to_list() == ["decision", "ignored", "exact"]


def test_decision_beats_exact(units):
    d = decisions(("unit", "发改局", "经信局"))
    res = resolve_names(["市发改局"], units, d, PREFIXES)
    assert res["unit"].to_list() == ["经信局"]


def test_decision_naming_unknown_unit_is_an_error(units):
    d = decisions(("unit", "老干部局", "老干部局"))
    with pytest.raises(InputError, match="decisions.csv"):
        resolve_names(["市老干部局"], units, d, PREFIXES)


# --- adoptions -----------------------------------------------------------------------------------


def test_match_adoption_units(units):
    a = adoptions(
        [
            ("a1", "发改局、经信局"),
            ("a2", "发改局；市场监管局"),
            ("a3", "（建德市发改局供稿）"),
            ("a4", "市老干部局"),
            ("a5", "财政局、市老干部局"),
            ("a6", "市老干部局"),
            ("a7", "梅城 寿昌"),
            ("a8", "发改局、市发改局（张三）"),
        ]
    )
    au, review = match_adoption_units(a, units, no_decisions(), PREFIXES)
    assert au.schema == pl.Schema(schema.ADOPTION_UNITS)
    rows = au.select("adoption_id", "unit", "position", "n_units").rows()
    assert rows == [
        ("a1", "发改局", 0, 2),
        ("a1", "经信局", 1, 2),
        ("a2", "发改局", 0, 2),
        ("a2", "市场监管局", 1, 2),
        ("a3", "发改局", 0, 1),
        # a4 and a6: no unit matched, not scored; a5: the unmatched name still counts
        ("a5", "财政（地税）局", 0, 2),
        ("a7", "梅城镇", 0, 2),
        ("a7", "寿昌镇", 1, 2),
        # the same unit printed twice counts once
        ("a8", "发改局", 0, 1),
    ]
    # one review row for 老干部局 (three occurrences), first file/row kept
    assert review.schema == pl.Schema(schema.REVIEW)
    r = review.row(0, named=True)
    assert review.height == 1
    assert (r["type"], r["key"], r["file"], r["row"]) == (
        "unit",
        "老干部局",
        "adoptions/2018q2.csv",
        5,
    )
    assert r["text"] == "《建德政务·动态》2018年第12期 标题a4：市老干部局"
    assert "decisions.csv" in r["reason"] and "共3处" in r["reason"]
    assert r["candidates"] and r["answer"] == ""


def test_match_adoption_units_decision_on_next_run(units):
    a = adoptions([("a4", "市老干部局"), ("a5", "财政局、城建")])
    _, review = match_adoption_units(a, units, no_decisions(), PREFIXES)
    assert sorted(review["key"]) == ["城建", "老干部局"]
    # the user answers both; the rerun applies them
    # keys as retyped by the user are normalised the same way (市老干部局 → 老干部局)
    d = decisions(("unit", "市老干部局", "民政局"), ("unit", "城建", "忽略"))
    au, review = match_adoption_units(a, units, d, PREFIXES)
    assert review.height == 0
    assert au.select("adoption_id", "unit", "position", "n_units", "method").rows() == [
        ("a4", "民政局", 0, 1, "decision"),
        # 城建 ignored: it does not count in n_units
        ("a5", "财政（地税）局", 0, 1, "alias"),
    ]


def test_doubtful_name_review_reason(units):
    _, review = match_adoption_units(
        adoptions([("a1", "市场监督管理局")]), units, no_decisions(), PREFIXES
    )
    assert review["reason"].to_list()[0].startswith("相似度不足")
    assert review["candidates"].to_list()[0].startswith("市场监管局(83)")


def test_match_is_fast(units):
    """Thousands of adoptions: names are resolved once each, not per row."""
    fields = [
        "发改局、经信局",
        "市老干部局",
        "梅城",
        "建德市发展和改革局；财政局",
        "发改局（张三）",
    ]
    a = adoptions([(f"a{i}", fields[i % len(fields)]) for i in range(5000)])
    au, review = match_adoption_units(a, units, no_decisions(), PREFIXES)
    assert au.height == 5000 // 5 * 6 and review.height == 1


# --- submissions ---------------------------------------------------------------------------------


def test_assign_submission_units(units):
    tz = "Asia/Shanghai"
    subs = pl.DataFrame(
        {
            "submission_id": ["s1", "s2", "s3", "s4", "s5", "s6", "s7"],
            "time": [datetime(2018, 5, d) for d in range(1, 8)],
            "sender": [
                "someone@qq.com",
                "张三 <FGJ@Jiande.gov.cn>",
                "x@163.com",
                "y@163.com",
                "z@163.com",
                "z@163.com",
                "w@163.com",
            ],
            "subject": [
                "动态",
                "动态",
                "【区发改局】项目推进",
                "梅城：古城保护",
                "无题",
                "无题2",
                "[民政局]养老",
            ],
            "unit_raw": ["经信局", None, None, None, None, None, ""],
            "kind": [None] * 7,
            "source_file": ["submissions/log.csv"] * 7,
            "source_row": list(range(2, 9)),
        },
        schema_overrides={"time": pl.Datetime("us", tz)},
    )
    out, review = assign_submission_units(subs, units, no_decisions(), PREFIXES)
    # s1 unit column beats sender; s2 by e-mail (case-insensitive); s3, s4, s7 by subject
    assert out["unit"].to_list() == ["经信局", "发改局", "发改局", "梅城镇", None, None, "民政局"]
    assert review.select("type", "key", "row").rows() == [("submission", "z@163.com", 6)]
    assert "共2处" in review["reason"][0]
    # the user says which unit z@163.com is
    out, review = assign_submission_units(
        subs, units, decisions(("submission", "z@163.com", "审管办")), PREFIXES
    )
    assert out["unit"].to_list()[4:6] == ["审管办", "审管办"] and review.height == 0


def test_extract_email():
    assert extract_email("张三 <A.b@Jiande.gov.cn>") == "a.b@jiande.gov.cn"
    assert extract_email("fgj@jiande.gov.cn") == "fgj@jiande.gov.cn"
    assert extract_email("张三") is None and extract_email(None) is None


# --- events --------------------------------------------------------------------------------------


def test_resolve_event_units(units):
    ev = pl.DataFrame(
        {
            "event_id": ["e1", "e2", "e3"],
            "unit_raw": ["市发改局", "市老干部局", "梅城"],
            "source_file": ["events/2018.csv"] * 3,
            "source_row": [2, 3, 4],
        }
    )
    out, bad = resolve_event_units(ev, units, no_decisions(), PREFIXES)
    assert out["unit"].to_list() == ["发改局", None, "梅城镇"]
    assert bad.columns == ["file", "row", "name", "candidates"]
    assert bad.select("file", "row", "name").rows() == [("events/2018.csv", 3, "市老干部局")]
    assert bad["candidates"][0]
    out, bad = resolve_event_units(ev, units, decisions(("unit", "老干部局", "民政局")), PREFIXES)
    assert out["unit"].to_list() == ["发改局", "民政局", "梅城镇"] and bad.height == 0


def test_index_built_from_roster(units):
    idx = UnitIndex.build(units, PREFIXES)
    assert idx.lookup("市发改局") == ("发改局", "normalized")
    assert idx.lookup("城建") == (None, "none")
    assert idx.email_unit("MC@jiande.gov.cn") == "梅城镇"


def test_guarded_prefixes_still_match_when_the_roster_says_so():
    # 市民政局 = 市 + 民政局 (no unit is called 市民政局); 市场监管局 stays itself;
    # 市委宣传部 is a party organ outside the roster: its key keeps 市委.
    units = pl.DataFrame(
        {
            "unit": ["民政局", "市场监管局"],
            "group": ["A", "A"],
            "aliases": [[], []],
            "emails": [[], []],
        },
        schema=schema.UNITS,
    )
    decisions = pl.DataFrame(schema=schema.DECISIONS)
    got = resolve_names(
        ["市民政局", "市场监管局", "市委宣传部"], units, decisions, ("建德市", "市")
    )
    assert got["unit"].to_list() == ["民政局", "市场监管局", None]
    assert got["key"].to_list()[2] == "市委宣传部"


# --- bulk paths agree with the functions they replace (hypothesis) -------------------------------

SENDER_PIECES = (
    "张三 ", "<", ">", "fgj", "FGJ", "@", "jiande", ".", "gov", "cn", "+", "-", "_", " ", ";",
    "é", "ｆｇｊ", "\t", "1", "qq.com", "a@b",
)  # fmt: skip
SUBJECT_PIECES = (
    "【", "】", "[", "]", "(", ")", "（", "）", "〔", "〕", ":", "：", " ", "\u3000", "\t", "\u00a0",
    "\u2028", "发改局", "区发改局", "市农办", "梅城", "民政局", "ＦＧＪ", "约稿", "动态", "①", "〸",
    "\u302b", "\u302a", "项目推进", "关于",
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.lists(st.sampled_from(SENDER_PIECES)).map("".join))))
def test_extract_emails_equal_extract_email(senders):
    got = _extract_emails(pl.Series(senders, dtype=pl.String)).to_list()
    assert got == [extract_email(s) for s in senders]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.lists(st.sampled_from(SUBJECT_PIECES)).map("".join))))
def test_subject_units_equal_subject_unit(subjects):
    idx = UnitIndex.build(
        pl.DataFrame(
            [dict(zip(("unit", "group", "aliases", "emails"), r, strict=True)) for r in ROSTER],
            schema=schema.UNITS,
        ),
        PREFIXES,
    )
    got = _subject_units(idx, pl.Series(subjects, dtype=pl.String)).to_list()
    assert got == [_subject_unit(idx, s) for s in subjects]


def test_unit_index_follows_the_roster(units):
    """The index shared by calls over one roster is rebuilt when the roster changes."""
    subs = pl.DataFrame({"submission_id": ["s1"], "sender": ["x@163.com"], "subject": ["动态"]})
    out, review = assign_submission_units(subs, units, no_decisions(), PREFIXES)
    assert out["unit"].to_list() == [None] and review.height == 1
    more = pl.concat(
        [
            units,
            pl.DataFrame(
                [{"unit": "新单位", "group": "A", "aliases": [], "emails": ["x@163.com"]}],
                schema=schema.UNITS,
            ),
        ]
    )
    out, review = assign_submission_units(subs, more, no_decisions(), PREFIXES)
    assert out["unit"].to_list() == ["新单位"] and review.height == 0


def test_submission_review_rows_in_log_order(units):
    """Review rows of both kinds in the log's order, one per key, counting repeats."""
    subs = pl.DataFrame(
        {
            "submission_id": ["s1", "s2", "s3", "s4", "s5"],
            "sender": ["a@x.cn", None, "a@x.cn", None, None],
            "subject": ["无题", "无题", "无题", None, "无题"],
            "unit_raw": [None, "未知单位", None, None, "未知单位"],
            "source_file": ["submissions/log.csv"] * 5,
            "source_row": [2, 3, 4, 5, 6],
        }
    )
    out, review = assign_submission_units(subs, units, no_decisions(), PREFIXES)
    assert out["unit"].to_list() == [None] * 5
    assert review.select("type", "key", "row").rows() == [
        ("submission", "a@x.cn", 2),
        ("unit", "未知单位", 3),
        ("submission", "s4", 5),
    ]
    assert review["text"].to_list()[1:] == ["无题：未知单位", "发件人：；主题："]
    assert [r.endswith("（共2处）") for r in review["reason"]] == [True, True, False]

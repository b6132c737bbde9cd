"""Article grouping (C1): adoptions of one article by several periodicals share an article_id."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms import schema
from transforms.grouping import (
    _NUMERALS,
    _number_key,
    _prepare,
    _similarities,
    _similarity,
    group_articles,
    link_events_to_articles,
    normalize_title,
    places_differ,
    prepared_titles,
    scored_pairs,
    title_places,
    title_similarity,
)

DT = "建德政务·动态"
HZ = "杭州政务"
ZJ = "浙江政务信息"


def make(rows: list[tuple]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """rows of (adoption_id, publication, issue, date, title, [units]) →
    (ADOPTIONS, ADOPTION_UNITS)."""
    adoptions = pl.DataFrame(
        [
            {
                "adoption_id": aid,
                "publication": pub,
                "issue": issue,
                "date": d,
                "title": title,
                "units_raw": "、".join(units),
                "kind": None,
                "source_file": "adoptions/2018.csv",
                "source_row": i + 2,
            }
            for i, (aid, pub, issue, d, title, units) in enumerate(rows)
        ],
        schema=schema.ADOPTIONS,
    )
    au = pl.DataFrame(
        [
            {
                "adoption_id": aid,
                "unit": u,
                "position": p,
                "n_units": len(units),
                "method": "exact",
                "score": 100.0,
            }
            for aid, *_, units in rows
            for p, u in enumerate(units)
        ],
        schema=schema.ADOPTION_UNITS,
    )
    return adoptions, au


def decisions(*rows: tuple[str, str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [dict(zip(("type", "key", "answer"), r, strict=True)) for r in rows],
        schema=schema.DECISIONS,
    )


NONE = schema.empty(schema.DECISIONS)


def article_of(articles: pl.DataFrame) -> dict[str, str]:
    return dict(articles.iter_rows())


# --- titles --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, norm",
    [
        (
            "关于建德市三举措推进农村生活垃圾分类的情况（市农办）",
            "三举措推进农村生活垃圾分类的情况",
        ),
        ("建德：三举措推进农村垃圾分类", "三举措推进农村垃圾分类"),
        ("我市“最多跑一次”改革取得新成效", "最多跑一次改革取得新成效"),
        ("建德市寿昌镇小城镇环境综合整治 成效明显", "寿昌镇小城镇环境综合整治成效明显"),
        ("２０１８年一季度经济运行情况【统计局供稿】", "2018年一季度经济运行情况"),
        # a bracket that is not a source stays (only its punctuation goes)
        ("建德市推进“四个一批”项目建设（一）", "推进四个一批项目建设一"),
    ],
)
def test_normalize_title(title, norm):
    assert normalize_title(title) == norm


def test_title_similarity_realistic_pairs():
    # Same article, retitled by Hangzhou: stock phrase 推进 and the place dropped,
    # 生活 cut: 三举措农村生活垃圾分类 (11) vs 三举措农村垃圾分类 (9), ratio = 2·9/20 = 90.
    assert (
        title_similarity("建德市三举措推进农村生活垃圾分类", "建德：三举措推进农村垃圾分类") == 90
    )
    # Same article, shortened: 寿昌镇小城镇环境综合整治 is contained whole → partial_ratio 100.
    assert (
        title_similarity("寿昌镇推进小城镇环境综合整治", "建德市寿昌镇小城镇环境综合整治成效明显")
        == 100
    )
    # Same topic, likely not the same article: cores 最多跑一次改革 (7, too short for
    # partial_ratio) vs 最多跑一次改革群众办事更便捷 (14): ratio = 2·7/21 = 66.7 → review band.
    s = title_similarity(
        "我市“最多跑一次”改革取得新成效", "建德市深化“最多跑一次”改革 群众办事更便捷"
    )
    assert s == pytest.approx(66.67, abs=0.01)
    # Different articles sharing the stock phrase 多措并举做好…工作: 防汛 vs 森林防火,
    # ratio = 2·1/6 = 33.3.
    s = title_similarity("建德市多措并举做好防汛工作", "建德市多措并举做好森林防火工作")
    assert s == pytest.approx(33.33, abs=0.01)
    # Quarterly reports: 一季度经济运行 vs 二季度经济运行, ratio = 2·6/14 = 85.7, numbers
    # differ → × 0.75 = 64.3, below the review band.
    s = title_similarity("建德市一季度经济运行情况", "建德市二季度经济运行情况")
    assert s == pytest.approx(64.29, abs=0.01)
    assert title_similarity("", "建德市一季度经济运行情况") == 0


# --- grouping ------------------------------------------------------------------------------------


def test_same_article_in_two_periodicals():
    a, au = make(
        [
            ("a1", DT, "第12期", date(2018, 5, 3), "建德市三举措推进农村生活垃圾分类", ["市农办"]),
            ("a2", HZ, "第88期", date(2018, 5, 20), "建德：三举措推进农村垃圾分类", ["市农办"]),
            ("a3", ZJ, "第40期", date(2018, 6, 1), "建德三举措推进农村生活垃圾分类", ["市农办"]),
        ]
    )
    articles, review = group_articles(a, au, NONE)
    assert articles.schema == pl.Schema(schema.ARTICLES)
    # the earliest adoption names the article
    assert article_of(articles) == {"a1": "a1", "a2": "a1", "a3": "a1"}
    assert review.height == 0 and review.schema == pl.Schema(schema.REVIEW)


def test_different_articles_of_one_unit():
    a, au = make(
        [
            ("a1", DT, "第12期", date(2018, 5, 3), "建德市多措并举做好防汛工作", ["林业局"]),
            ("a2", HZ, "第88期", date(2018, 5, 20), "建德市多措并举做好森林防火工作", ["林业局"]),
        ]
    )
    articles, review = group_articles(a, au, NONE)
    assert article_of(articles) == {"a1": "a1", "a2": "a2"}
    assert review.height == 0


def test_same_title_outside_window():
    # 2018-01-10 → 2018-05-20 is 130 days > 120
    assert (date(2018, 5, 20) - date(2018, 1, 10)).days == 130
    a, au = make(
        [
            ("a1", DT, "第2期", date(2018, 1, 10), "建德市全力打好治水攻坚战", ["水利水产局"]),
            ("a2", HZ, "第88期", date(2018, 5, 20), "建德市全力打好治水攻坚战", ["水利水产局"]),
        ]
    )
    articles, _ = group_articles(a, au, NONE)
    assert article_of(articles) == {"a1": "a1", "a2": "a2"}
    # with a longer window they are one
    articles, _ = group_articles(a, au, NONE, window_days=130)
    assert article_of(articles) == {"a1": "a1", "a2": "a1"}


def test_different_units_are_never_grouped():
    a, au = make(
        [
            ("a1", DT, "第12期", date(2018, 5, 3), "建德市全力打好治水攻坚战", ["水利水产局"]),
            ("a2", HZ, "第88期", date(2018, 5, 20), "建德市全力打好治水攻坚战", ["环保局"]),
        ]
    )
    articles, _ = group_articles(a, au, NONE)
    assert article_of(articles) == {"a1": "a1", "a2": "a2"}


def test_joint_article():
    """发改局、经信局 jointly in 动态; Hangzhou prints it under 经信局 only: one article."""
    a, au = make(
        [
            (
                "a1",
                DT,
                "第12期",
                date(2018, 5, 3),
                "建德市扎实推进“四个一批”项目建设",
                ["发改局", "经信局"],
            ),
            ("a2", HZ, "第88期", date(2018, 5, 20), "建德“四个一批”项目建设成效明显", ["经信局"]),
            ("a3", HZ, "第90期", date(2018, 5, 25), "建德市多举措推进“两山”转化", ["发改局"]),
        ]
    )
    articles, _ = group_articles(a, au, NONE)
    assert article_of(articles) == {"a1": "a1", "a2": "a1", "a3": "a3"}


def test_same_issue_is_never_one_article():
    """a1 and a3 are in the same issue of 动态: even through a2 they stay apart."""
    a, au = make(
        [
            ("a1", DT, "第12期", date(2018, 5, 3), "建德市全力打好治水攻坚战", ["水利水产局"]),
            ("a3", DT, "第12期", date(2018, 5, 3), "建德全力打好治水攻坚战", ["水利水产局"]),
            ("a2", HZ, "第88期", date(2018, 5, 20), "建德市全力打好治水攻坚战", ["水利水产局"]),
        ]
    )
    articles, review = group_articles(a, au, NONE)
    got = article_of(articles)
    assert got["a1"] != got["a3"]
    assert got["a2"] in (got["a1"], got["a3"])
    assert review.height == 0


def test_doubtful_pair_review_and_decisions():
    a, au = make(
        [
            ("b2", DT, "第12期", date(2018, 5, 3), "我市“最多跑一次”改革取得新成效", ["审管办"]),
            (
                "b1",
                HZ,
                "第88期",
                date(2018, 5, 20),
                "建德市深化“最多跑一次”改革 群众办事更便捷",
                ["审管办"],
            ),
        ]
    )
    articles, review = group_articles(a, au, NONE)
    assert article_of(articles) == {"b2": "b2", "b1": "b1"}
    r = review.row(0, named=True)
    assert review.height == 1
    assert (r["type"], r["key"], r["answer"]) == ("same_article", "b1|b2", "")
    # the earlier adoption's file and row; both titles and publications shown
    assert (r["file"], r["row"]) == ("adoptions/2018.csv", 2)
    assert "《建德政务·动态》第12期" in r["text"] and "《杭州政务》第88期" in r["text"]
    assert "群众办事更便捷" in r["text"] and "是" in r["reason"]
    # the score shown is title_similarity's (66.7, see test_title_similarity_realistic_pairs)
    assert r["candidates"] == "标题相似度67"
    # 是 merges (the earlier, b2, names the article) …
    articles, review = group_articles(a, au, decisions(("same_article", "b2|b1", "是")))
    assert article_of(articles) == {"b2": "b2", "b1": "b2"} and review.height == 0
    # … 否 keeps them apart and the question is settled
    articles, review = group_articles(a, au, decisions(("same_article", "b1|b2", "否")))
    assert article_of(articles) == {"b2": "b2", "b1": "b1"} and review.height == 0


def test_no_overrides_automatic_merge():
    a, au = make(
        [
            ("a1", DT, "第12期", date(2018, 5, 3), "建德市三举措推进农村生活垃圾分类", ["市农办"]),
            ("a2", HZ, "第88期", date(2018, 5, 20), "建德：三举措推进农村垃圾分类", ["市农办"]),
            ("a3", ZJ, "第40期", date(2018, 6, 1), "建德三举措推进农村生活垃圾分类", ["市农办"]),
        ]
    )
    d = decisions(("same_article", "a1|a3", "否"), ("same_article", "a2|a3", "否"))
    articles, _ = group_articles(a, au, d)
    assert article_of(articles) == {"a1": "a1", "a2": "a1", "a3": "a3"}


def test_adoption_without_units_is_its_own_article():
    a, au = make(
        [
            ("a1", DT, "第12期", date(2018, 5, 3), "建德市全力打好治水攻坚战", ["水利水产局"]),
            ("a2", HZ, "第88期", date(2018, 5, 20), "建德市全力打好治水攻坚战", []),
        ]
    )
    articles, _ = group_articles(a, au, NONE)
    assert article_of(articles) == {"a1": "a1", "a2": "a2"}
    articles, _ = group_articles(a, au.clear(), NONE)
    assert article_of(articles) == {"a1": "a1", "a2": "a2"}


def test_earliest_member_then_id():
    a, au = make(
        [
            ("z9", HZ, "第88期", date(2018, 5, 3), "建德市全力打好治水攻坚战", ["水利水产局"]),
            ("b1", DT, "第12期", date(2018, 5, 3), "建德全力打好治水攻坚战", ["水利水产局"]),
            ("a0", ZJ, "第40期", date(2018, 6, 3), "建德市全力打好治水攻坚战", ["水利水产局"]),
        ]
    )
    articles, _ = group_articles(a, au, NONE)
    # z9 and b1 share the earliest date; b1 < z9
    assert article_of(articles) == {"z9": "b1", "b1": "b1", "a0": "b1"}


def test_grouping_is_fast():
    """3,000 adoptions of 30 units over a year: well under a second."""
    rows = []
    start = date(2018, 1, 1)
    for i in range(3000):
        unit = f"单位{i % 30}"
        rows.append(
            (
                f"id{i:05d}",
                (DT, HZ, ZJ)[i % 3],
                f"第{i}期",
                start + timedelta(days=i % 365),
                f"{unit}第{i}项工作推进情况报告编号{i * 7919 % 10007}",
                [unit],
            )
        )
    a, au = make(rows)
    articles, _ = group_articles(a, au, NONE)  # speed: `make bench`, not a timed test
    assert articles.height == 3000


# --- events --------------------------------------------------------------------------------------


def test_link_events_to_articles():
    a, au = make(
        [
            ("a1", DT, "第12期", date(2018, 5, 3), "建德市三举措推进农村生活垃圾分类", ["市农办"]),
            ("a2", HZ, "第88期", date(2018, 5, 20), "建德：三举措推进农村垃圾分类", ["市农办"]),
            ("a3", DT, "第13期", date(2018, 5, 10), "建德市全力打好治水攻坚战", ["水利水产局"]),
        ]
    )
    articles, _ = group_articles(a, au, NONE)
    events = pl.DataFrame(
        {
            "event_id": ["e1", "e2", "e3", "e4", "e5", "e6"],
            "date": [
                date(2018, 6, 10),  # instruction after the Hangzhou adoption
                date(2018, 4, 20),  # commission before the adoption
                date(2018, 6, 10),  # no title
                date(2018, 6, 10),  # other unit
                date(2018, 12, 1),  # 195 days after a2
                date(2018, 6, 10),  # unit unknown
            ],
            "type": ["领导批示", "约稿", "领导批示", "领导批示", "领导批示", "领导批示"],
            "unit": ["市农办", "水利水产局", "市农办", "经信局", "市农办", None],
            "title": [
                "三举措推进农村垃圾分类",
                "治水攻坚战",
                None,
                "三举措推进农村垃圾分类",
                "三举措推进农村垃圾分类",
                "三举措推进农村垃圾分类",
            ],
        }
    )
    out = link_events_to_articles(events, a, au, articles)
    assert out.columns == [*events.columns, "article_id"]
    assert out["article_id"].to_list() == ["a1", "a3", None, None, None, None]


# --- bulk paths agree with the functions they replace (hypothesis) -------------------------------

#: Pieces of titles that take every branch of normalize_title: places, self words, sources,
#: labels, stock phrases, numbers, NFKC-changing and non-SAFE_TEXT characters.
TITLE_PIECES = (
    "关于", "我市", "全市", "我区", "建德市", "建德", "杭州市建德市", "萧山区", "晋阜县", "市", "全",
    "（区发改局）", "(建德市农办供稿)", "【梅城镇】", "〔发改局〕", "（一）", "建德：", "梅城镇：", ":",
    "：", " ", "\u3000", "\t", "\n", "\x1c", "\u200b", "ａｂｃ", "１２", "一季度", "二季度", "2018",
    "多措并举", "扎实推进", "的", "工作", "成效明显", "推进", "垃圾分类", "三举措", "治水", "·", "—",
    "“", "”", "…", "〸", "〇", "々", "\u302a", "\u302b", "ﬁ", "①", "e\u0301", "局", "供稿", "市场",
    "\U00020000", "\uf900", "⺀",
)  # fmt: skip
PLACES = (("杭州市建德市", "建德市", "建德", "市"), (), ("", "建德"))
title_texts = st.lists(st.sampled_from(TITLE_PIECES), max_size=10).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), title_texts), max_size=30), st.sampled_from(PLACES))
def test_prepared_titles_equal_the_python_functions(titles, places):
    got = prepared_titles(pl.Series(titles, dtype=pl.String), places)
    assert got == [_prepare(normalize_title(t, places)) for t in titles]


def _core_pairs(alphabet: str, max_len: int):
    text = st.text(alphabet=alphabet, max_size=max_len)
    return st.lists(st.tuples(text, text), max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(_core_pairs("甲乙丙丁", 12), _core_pairs("甲乙丙丁戊己庚辛壬癸一二", 90)),
    st.sampled_from([65, 80, 50, 0, 99.5]),
)
def test_scored_pairs_equal_the_pairwise_similarity(pairs, cutoff):
    """Bulk scoring (LCS bound, then ratio and partial_ratio with a cutoff) keeps exactly
    the pairs `_similarity` puts at or above the cutoff, with the same scores; titles above
    64 characters take rapidfuzz's other partial_ratio path."""
    cores = [c for pair in pairs for c in pair]
    nums = [frozenset(_NUMERALS.findall(c)) for c in cores]
    a = np.arange(0, len(cores), 2, dtype=np.int64)
    x, y, scores = scored_pairs(a, a + 1, cores, nums, cutoff)
    got = list(zip(x.tolist(), y.tolist(), scores.tolist(), strict=True))
    keyed = scored_pairs(a, a + 1, cores, [_number_key(n) for n in nums], cutoff)
    assert [v.tolist() for v in keyed] == [x.tolist(), y.tolist(), scores.tolist()]
    want = []
    for i in a.tolist():
        s = _similarity((cores[i], nums[i]), (cores[i + 1], nums[i + 1]))
        if cores[i] and s >= cutoff:
            want.append((i, i + 1, s))
    assert got == want


@settings(max_examples=200, deadline=None)
@given(_core_pairs("甲乙丙丁一二三", 30))
def test_similarities_equal_the_pairwise_similarity(pairs):
    left = [(a, frozenset(_NUMERALS.findall(a))) for a, _ in pairs]
    right = [(b, frozenset(_NUMERALS.findall(b))) for _, b in pairs]
    got = _similarities(left, right)
    assert got == [_similarity(x, y) for x, y in zip(left, right, strict=True)]


def test_repeated_ids_missing_dates_and_issues():
    """A repeated adoption_id counts once (its last row); adoptions without a date pair among
    themselves; an empty issue falls back to the date for the one-issue rule."""
    a, au = make(
        [
            ("a1", DT, "第1期", date(2018, 5, 3), "三举措推进农村垃圾分类", ["市农办"]),
            ("a1", DT, "", date(2018, 5, 4), "三举措推进农村垃圾分类工作", ["市农办"]),
            ("a2", HZ, "", date(2018, 5, 4), "三举措推进农村垃圾分类", ["市农办"]),
            ("a3", DT, "", date(2018, 5, 4), "三举措推进农村垃圾分类", ["市农办"]),
            ("a4", DT, None, None, "全力打好治水攻坚战", ["市农办"]),
            ("a5", HZ, None, None, "全力打好治水攻坚战", ["市农办"]),
        ]
    )
    articles, review = group_articles(a, au, NONE)
    assert articles["adoption_id"].to_list() == ["a1", "a2", "a3", "a4", "a5"]
    got = article_of(articles)
    # a1 (as its last row: DT, no issue, 5-04) and a3 share DT's 5-04 issue: never one article
    assert got["a1"] != got["a3"] and got["a2"] in (got["a1"], got["a3"])
    assert got["a4"] == got["a5"] == "a4"
    assert review.height == 0


# --- what a title is about (C1) ------------------------------------------------------------------


def test_title_places_read_from_the_titles():
    titles = [
        "三举措推进碧坝村垃圾分类",
        "三举措推进白寨村垃圾分类",
        "新安街道深化乡村振兴",  # 乡村 names no place
        "电商进农村见成效",  # nor 农村
        "聚焦社区矫正",  # 聚焦 stands before other words too: a verb, not a name
        "聚焦垃圾分类",
        "聚焦河长制",
        "聚焦民生实事",
        "聚焦营商环境",
        "梅城镇推进小城镇环境综合整治",
        "规范农贸市场",  # 市: a county-level suffix, weak
    ]
    cores = [_prepare(normalize_title(t))[0] for t in titles]
    strong, weak = title_places(cores)
    assert strong == [
        {"村": {"碧坝"}},
        {"村": {"白寨"}},
        {"街道": {"新安"}},
        None,
        None,
        None,
        None,
        None,
        None,
        {"镇": {"梅城", "小城"}},
        None,
    ]
    assert weak[-1] == {"市": {"农贸"}} and weak[:-1] == [None] * 10
    assert places_differ(strong[0], strong[1])
    assert not places_differ(strong[0], strong[0]) and not places_differ(strong[0], None)
    # names in common of one kind: not different (a title naming the town and the village)
    assert not places_differ({"镇": {"梅城", "小城"}}, {"镇": {"小城"}})
    assert not places_differ({"村": {"碧坝"}}, {"镇": {"梅城"}})


def test_different_places_stay_apart_while_a_retitle_merges():
    """The two wrong merges of issue 16 on a tiny fixture: one unit's articles on the same
    topic about two villages (「碧坝村」/「白寨村」), and an adoption whose title names no
    place linked to another submission than the adoption it is alike; an editor's retitle
    still merges."""
    unit = ["梅城镇"]
    a, au = make(
        [
            ("a1", DT, "第12期", date(2018, 5, 3), "梅城镇三举措推进碧坝村垃圾分类", unit),
            # the editor's retitle of a1: another periodical, the source in brackets
            ("a2", HZ, "第88期", date(2018, 5, 20), "三举措推进碧坝村垃圾分类（梅城镇）", unit),
            # the next article: same verb and topic, another village
            ("a3", DT, "第15期", date(2018, 5, 24), "梅城镇三举措推进白寨村垃圾分类", unit),
            # a3 again, the village left out; linked to a3's submission
            ("a4", ZJ, "第40期", date(2018, 6, 1), "梅城镇三举措推进垃圾分类", unit),
        ]
    )
    articles, review = group_articles(a, au, NONE)
    # titles alone: a1/a2 one article, a3 another; a4 could be either: asked, not merged
    assert article_of(articles) == {"a1": "a1", "a2": "a1", "a3": "a3", "a4": "a4"}
    assert sorted(review["key"]) == ["a1|a4", "a2|a4", "a3|a4"]
    assert set(review["type"]) == {"same_article"}
    # with the links: a4 came from a3's submission, never merged with a1's
    links = pl.DataFrame(
        {"adoption_id": ["a1", "a2", "a3", "a4"], "submission_id": ["s1", "s1", "s2", "s2"]}
    )
    articles, review = group_articles(a, au, NONE, links=links)
    assert article_of(articles) == {"a1": "a1", "a2": "a1", "a3": "a3", "a4": "a3"}
    assert review.height == 0
    # a4 linked to a1's submission instead: it joins a1, never a3
    links = links.with_columns(submission_id=pl.Series(["s1", "s1", "s2", "s1"]))
    articles, review = group_articles(a, au, NONE, links=links)
    assert article_of(articles) == {"a1": "a1", "a2": "a1", "a3": "a3", "a4": "a1"}
    assert review.height == 0
    # 是 still merges what the user says is one article
    d = decisions(("same_article", "a1|a3", "是"))
    articles, _ = group_articles(a, au, d)
    assert article_of(articles)["a3"] == "a1"


def test_a_place_that_is_an_author_is_not_what_the_title_is_about():
    # A joint article printed under each author's name (each town sent it): one article.
    a, au = make(
        [
            ("a1", DT, "第12期", date(2018, 7, 22), "梅城镇自助服务终端进村的做法", ["梅城镇", "寿昌镇"]),
            ("a2", HZ, "第30期", date(2018, 7, 30), "寿昌镇自助服务终端进村的做法", ["寿昌镇"]),
        ]
    )  # fmt: skip
    articles, review = group_articles(a, au, NONE)
    assert article_of(articles) == {"a1": "a1", "a2": "a1"} and review.height == 0
    # by a county department, the two towns are what the titles are about: two articles
    au = au.with_columns(unit=pl.lit("农业局"))
    articles, review = group_articles(a, au, NONE)
    assert article_of(articles) == {"a1": "a1", "a2": "a2"} and review.height == 0


def test_county_level_places_are_only_doubtful():
    a, au = make(
        [
            ("a1", DT, "第12期", date(2018, 5, 3), "农业局在梅和县推广稻鱼共生模式", ["农业局"]),
            ("a2", HZ, "第88期", date(2018, 5, 20), "农业局在安平县推广稻鱼共生模式", ["农业局"]),
        ]
    )
    articles, review = group_articles(a, au, NONE)
    assert article_of(articles) == {"a1": "a1", "a2": "a2"}
    assert review["key"].to_list() == ["a1|a2"]

"""Linking adoptions to the submissions they came from; links in C1 grouping, 采用率 and the
review list."""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from rapidfuzz import fuzz

from transforms.figures import adoption_rate
from transforms.grouping import (
    _prepare,
    _similarity,
    group_articles,
    normalize_title,
    places_differ,
    title_places,
)
from transforms.linking import link_adoptions_to_submissions, no_submission_review
from transforms.periods import Period
from transforms.schema import ADOPTION_UNITS, ADOPTIONS, SUBMISSIONS
from transforms.submissions import submission_titles

TZ = ZoneInfo("Asia/Shanghai")


def _adoptions(rows):
    """rows: (id, publication, issue, date, title, units)."""
    ad = pl.DataFrame(
        [
            dict(
                adoption_id=i, publication=p, issue=iss, date=d, title=t, units_raw="、".join(u),
                kind=None, source_file="adoptions/a.csv", source_row=n + 2,
            )
            for n, (i, p, iss, d, t, u) in enumerate(rows)
        ],
        schema=ADOPTIONS,
    )  # fmt: skip
    au = pl.DataFrame(
        [
            dict(adoption_id=i, unit=unit, position=k, n_units=len(u), method="exact", score=100.0)
            for i, _p, _iss, _d, _t, u in rows
            for k, unit in enumerate(u)
        ],
        schema=ADOPTION_UNITS,
    )
    return ad, au


def _subs(rows):
    """rows: (id, datetime, unit, subject, attachments)."""
    return pl.DataFrame(
        [
            dict(submission_id=i, time=t, unit=u, subject=s, attachments=a, sender=None)
            for i, t, u, s, a in rows
        ],
        schema={**SUBMISSIONS, "unit": pl.String},
        strict=False,
    )


def t(day: str, hm: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day} {hm}").replace(tzinfo=TZ)


ADOPTIONS_ROWS = [
    # the editor shortens the title; a second periodical retitles it more
    ("a1", "建德政务·动态", "12", date(2018, 4, 20), "发改局推进物流园区建设", ["发改局"]),
    ("a2", "杭州政务", "30", date(2018, 5, 8), "建德打造物流园区 助力产业升级", ["发改局"]),
    # sent after the issue date: no link
    ("a3", "建德政务·动态", "13", date(2018, 4, 25), "教育局推进集团化办学", ["教育局"]),
    # joint article: the second unit's submission
    ("a4", "建德政务·动态", "14", date(2018, 5, 3), "梅城镇古镇保护利用见成效", ["农业局", "梅城镇"]),
    # a unit with logs that month but no plausible submission -> review
    ("a5", "建德政务·动态", "15", date(2018, 5, 10), "农业局春耕备耕有序", ["农业局"]),
]  # fmt: skip
SUBS_ROWS = [
    ("s1", t("2018-04-16"), "发改局", "【发改局】关于物流园区建设情况", "建德打造物流园区助力产业升级.doc"),
    ("s2", t("2018-04-26"), "教育局", "【教育局】推进集团化办学", None),
    ("s3", t("2018-04-28"), "梅城镇", "梅城镇：古镇保护利用见成效", None),
    ("s4", t("2018-05-02"), "农业局", "【农业局】林下经济发展情况", None),
    # the same topic sent by another unit: never linked across units
    ("s5", t("2018-04-18"), "教育局", "【教育局】物流园区建设情况", None),
]  # fmt: skip


def test_links_same_unit_before_issue_most_similar():
    ad, au = _adoptions(ADOPTIONS_ROWS)
    links = link_adoptions_to_submissions(ad, au, _subs(SUBS_ROWS))
    got = dict(zip(links["adoption_id"], links["submission_id"], strict=True))
    # a1: subject (物流园区建设) and attachment both of 发改局; a2: via the attachment name;
    # a3: 教育局's only similar mail came the day after the issue; a4: 梅城镇's mail;
    # a5: 农业局's only mail is about something else
    assert got == {"a1": "s1", "a2": "s1", "a4": "s3"}
    assert links["score"].min() >= 70


def test_window_of_120_days():
    ad, au = _adoptions(
        [("a", "建德政务·动态", "1", date(2018, 9, 1), "物流园区建设情况", ["发改局"])]
    )
    # 2018-05-04 is 120 days before 2018-09-01, 2018-05-03 is 121 days before
    early = _subs([("s", t("2018-05-03"), "发改局", "物流园区建设情况", None)])
    edge = _subs([("s", t("2018-05-04"), "发改局", "物流园区建设情况", None)])
    assert link_adoptions_to_submissions(ad, au, early).height == 0
    assert link_adoptions_to_submissions(ad, au, edge).height == 1


def test_links_group_articles_and_review():
    ad, au = _adoptions(ADOPTIONS_ROWS)
    subs = _subs(SUBS_ROWS)
    links = link_adoptions_to_submissions(ad, au, subs)
    # without links a1 and a2 are two articles (titles too different)...
    plain, _ = group_articles(ad, au, None)
    assert plain.filter(pl.col("adoption_id").is_in(["a1", "a2"]))["article_id"].n_unique() == 2
    # ...with links they came from one submission: one article (C1)
    linked, _ = group_articles(ad, au, None, links=links)
    art = dict(zip(linked["adoption_id"], linked["article_id"], strict=True))
    assert art["a1"] == art["a2"] == "a1"
    # a 否 answer still keeps them apart
    no = pl.DataFrame({"type": ["same_article"], "key": ["a1|a2"], "answer": ["否"]})
    apart, _ = group_articles(ad, au, no, links=links)
    assert apart["article_id"].n_unique() == 5

    review = no_submission_review(ad, au, subs, links)
    # a3 (教育局 has April mail) and a5 (农业局 has May mail); a2/a1/a4 are linked
    assert review.select("type", "key", "row").rows() == [
        ("no_submission", "a3", 4),
        ("no_submission", "a5", 6),
    ]
    answered = pl.DataFrame({"type": ["no_submission"], "key": ["a5"], "answer": ["忽略"]})
    assert no_submission_review(ad, au, subs, links, answered)["key"].to_list() == ["a3"]


def test_adoption_rate():
    ad, au = _adoptions(ADOPTIONS_ROWS)
    subs = _subs(SUBS_ROWS)
    links = link_adoptions_to_submissions(ad, au, subs)
    articles, _ = group_articles(ad, au, None, links=links)
    ad = ad.join(articles, on="adoption_id")
    rate = adoption_rate(subs, ad, au, Period.parse("2018Q2"), links)
    rows = {r["unit"]: r for r in rate.iter_rows(named=True)}
    # 发改局: 1 mail, 1 article (a1+a2 are one) -> 100%; 教育局: 2 mails, 1 article -> 50%;
    # 农业局: 1 mail, 2 articles (a4 joint, a5) -> 200%; 梅城镇: 1 mail, 1 article (a4)
    assert {u: (r["submitted"], r["adopted"], r["linked"], r["rate"]) for u, r in rows.items()} == {
        "发改局": (1, 1, 1, 1.0),
        "教育局": (2, 1, 0, 0.5),
        "农业局": (1, 2, 0, 2.0),
        "梅城镇": (1, 1, 1, 1.0),
    }


def test_linking_is_near_linear():
    """5,000 adoptions and 20,000 submissions over 40 units, a year."""
    units = [f"单位{i}" for i in range(40)]
    rows, subs = [], []
    start = date(2018, 1, 1)
    for k in range(20000):
        u = units[k % 40]
        d = start + timedelta(days=(k * 7) % 360)
        subs.append((f"s{k}", t(d.isoformat()), u, f"【{u}】第{k}号工作信息推进情况", None))
    for k in range(5000):
        d = start + timedelta(days=(k * 7) % 360 + 3)
        rows.append(
            (f"a{k}", "建德政务·动态", str(k), d, f"第{k}号工作信息推进情况", [units[k % 40]])
        )
    ad, au = _adoptions(rows)
    began = time.perf_counter()
    links = link_adoptions_to_submissions(ad, au, _subs(subs))
    # Speed is measured by `make bench` (docs/benchmarks.md), not asserted here.
    print(f"linked {links.height} of 5000 adoptions in {time.perf_counter() - began:.2f} s")
    assert links.height >= 4900


# ---------------------------------------------------------------- against a plain reference

_PHRASES = [
    "物流园区建设", "集团化办学", "古镇保护利用", "春耕备耕", "垃圾分类", "防汛防台",
    "农房整治", "企业减负", "校园安全", "森林防火", "小城镇环境综合整治", "最多跑一次改革",
    "见成效", "开局良好", "三举措", "第二批", "2018年", "一季度", "二季度", "新一轮",
]  # fmt: skip


def _random_title(rng: random.Random) -> str:
    title = "".join(rng.sample(_PHRASES, rng.randint(1, 4)))
    roll = rng.random()
    if roll < 0.05:
        return title * 30  # longer than the bound's counters (255 characters)
    if roll < 0.10:
        return title + "🙂"  # outside SAFE_TEXT: the Python path
    if roll < 0.15:
        return "关于" + title + "（区发改局）"
    return title


def _edited(rng: random.Random, title: str) -> str:
    """An editor's version of a title: the same, shortened, with words added or swapped."""
    roll = rng.random()
    if roll < 0.3:
        return title
    if roll < 0.5:
        return title[: max(2, len(title) * 2 // 3)]
    if roll < 0.7:
        return "我市" + title + rng.choice(_PHRASES)
    if roll < 0.8:
        return title.replace("一季度", "二季度").replace("2018", "2019")
    return _random_title(rng)


def _reference_links(ad, au, subs, accept=70.0, window=120):
    """Every candidate scored with grouping._similarity, those naming other places than
    the adoption (grouping.places_differ, the places read from the titles of the
    candidates) left out, the best (score, whole-title ratio, day, submission_id) kept
    unless the best scores name different places: what link_adoptions_to_submissions must
    return."""
    units_of: dict = {}
    for aid, unit in au.select("adoption_id", "unit").iter_rows():
        units_of.setdefault(aid, set()).add(unit)
    prepared = [
        (r["submission_id"], r["unit"], r["time"].date(), _prepare(normalize_title(title)))
        for r in subs.iter_rows(named=True)
        for title in submission_titles(r["subject"], r["attachments"])
    ]
    found = {}
    for aid, title, d in ad.select("adoption_id", "title", "date").iter_rows():
        mine = _prepare(normalize_title(title))
        for t_no, (sid, unit, day, theirs) in enumerate(prepared):
            if unit not in units_of.get(aid, ()) or not (d - timedelta(days=window) <= day <= d):
                continue
            score = _similarity(mine, theirs)
            if score >= accept:
                key = (score, fuzz.ratio(mine[0], theirs[0]), day, sid)
                found.setdefault((aid, mine[0]), []).append((key, t_no))
    # Places, as read from the titles of the candidates.
    used_t = sorted({t_no for cands in found.values() for _, t_no in cands})
    cores = [core for _, core in found] + [prepared[k][3][0] for k in used_t]
    strong, _ = title_places(cores)
    place_a = dict(zip(found, strong[: len(found)], strict=True))
    place_t = dict(zip(used_t, strong[len(found) :], strict=True))
    out = {}
    for (aid, core), cands in found.items():
        cands = [
            (key, k) for key, k in cands if not places_differ(place_a[(aid, core)], place_t[k])
        ]
        if not cands:
            continue
        best = max(key for key, _ in cands)
        named = [place_t[k] for key, k in cands if key[0] == best[0] and place_t[k]]
        if any(places_differ(p, q) for p in named for q in named):
            continue
        out[aid] = (best[3], best[0])
    return out


@pytest.mark.parametrize("seed", range(12))
def test_links_equal_scoring_every_pair(seed):
    """The bulk bound only skips pairs that cannot reach the cutoff: the links are those
    of scoring every candidate pair (ties to the later submission, then the greater id)."""
    rng = random.Random(seed)
    units = [f"单位{k}" for k in range(4)]
    subs, rows = [], []
    start = date(2018, 1, 1)
    for k in range(150):
        d = start + timedelta(days=rng.randint(0, 200))
        title = _random_title(rng)
        att = f"{_edited(rng, title)}.docx" if rng.random() < 0.2 else None
        unit = rng.choice(units)
        subject = rng.choice([f"【{unit}】{title}", f"{unit}：{title}", title, f"回复：{title}"])
        subs.append(
            (f"s{k:03d}", t(d.isoformat(), rng.choice(["08:00", "23:30"])), unit, subject, att)
        )
        if rng.random() < 0.6:
            issue = d + timedelta(days=rng.randint(0, 150))
            owners = [unit] if rng.random() < 0.8 else rng.sample(units, 2)
            rows.append((f"a{k:03d}", "建德政务·动态", str(k), issue, _edited(rng, title), owners))
    ad, au = _adoptions(rows)
    sub_frame = _subs(subs)
    links = link_adoptions_to_submissions(ad, au, sub_frame)
    got = {aid: (sid, score) for aid, sid, score in links.iter_rows()}
    assert got == _reference_links(ad, au, sub_frame)
    assert len(got) > 20  # the data links: the comparison is not empty


def test_ties_go_to_the_same_title_then_the_later_submission_then_the_greater_id():
    ad, au = _adoptions(
        [
            ("a1", "建德政务·动态", "1", date(2018, 5, 10), "古镇保护利用见成效", ["梅城镇"]),
            ("a2", "建德政务·动态", "2", date(2018, 5, 10), "森林防火开局良好", ["林业局", "梅城镇"]),
            ("a3", "建德政务·动态", "3", date(2018, 6, 1), "建德：新安江街道低收入农户帮扶取得阶段性成效", ["新安江街道"]),
        ]
    )  # fmt: skip
    subs = _subs(
        [
            # the same title twice in one unit: the later one, nearest the issue
            ("s1", t("2018-05-01"), "梅城镇", "古镇保护利用见成效", None),
            ("s2", t("2018-05-03"), "梅城镇", "古镇保护利用见成效", None),
            # a joint article sent by both units the same day: the greater submission_id
            ("s3", t("2018-05-02"), "林业局", "森林防火开局良好", None),
            ("s4", t("2018-05-02"), "梅城镇", "森林防火开局良好", None),
            # both score 100 (the later one's core lies inside the adoption's): the same
            # title wins over the later one (the 建德 example)
            ("s5", t("2018-05-25"), "新安江街道", "【新安江街道】新安江街道低收入农户帮扶取得阶段性成效", None),
            ("s6", t("2018-05-30"), "新安江街道", "【新安江街道】新安江街道多举措推进低收入农户帮扶", None),
        ]
    )  # fmt: skip
    links = link_adoptions_to_submissions(ad, au, subs)
    assert dict(links.select("adoption_id", "submission_id").iter_rows()) == {
        "a1": "s2",
        "a2": "s4",
        "a3": "s5",
    }
    assert links.filter(pl.col("adoption_id") == "a3")["score"].item() == 100.0


def test_a_submission_about_another_place_is_not_the_source():
    ad, au = _adoptions(
        [
            # the village names the submission: s2's title is more alike (84.6 against
            # 82.4), but about 白寨村
            ("a1", "建德政务·动态", "12", date(2018, 5, 20), "梅城镇三举措推进碧坝村垃圾分类", ["梅城镇"]),
            # no village: s2 and s3 are equally alike, about two villages: a guess, no link
            ("a2", "杭州政务", "30", date(2018, 5, 22), "我市三举措推进垃圾分类", ["梅城镇"]),
        ]
    )  # fmt: skip
    subs = _subs(
        [
            ("s1", t("2018-05-02"), "梅城镇", "碧坝村推进垃圾分类三举措", None),
            ("s2", t("2018-05-10"), "梅城镇", "梅城镇三举措推进白寨村垃圾分类", None),
            ("s3", t("2018-05-12"), "梅城镇", "梅城镇三举措推进黄林村垃圾分类", None),
        ]
    )
    links = link_adoptions_to_submissions(ad, au, subs)
    assert links.select("adoption_id", "submission_id").rows() == [("a1", "s1")]
    # the unlinked one is asked about
    assert no_submission_review(ad, au, subs, links)["key"].to_list() == ["a2"]
    # with one of them only, a2 is linked to it; a1 never to another village's (84.6)
    links = link_adoptions_to_submissions(ad, au, subs.filter(pl.col("submission_id") == "s3"))
    assert links.select("adoption_id", "submission_id").rows() == [("a2", "s3")]

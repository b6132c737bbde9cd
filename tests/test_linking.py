"""Linking adoptions to the submissions they came from; links in C1 grouping, 采用率 and the
review list."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from transforms.grouping import group_articles
from transforms.linking import link_adoptions_to_submissions, no_submission_review
from transforms.periods import Period
from transforms.schema import ADOPTION_UNITS, ADOPTIONS, SUBMISSIONS
from transforms.summary import adoption_rate

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
    elapsed = time.perf_counter() - began
    print(f"linked {links.height} of 5000 adoptions in {elapsed:.2f} s")
    assert links.height >= 4900
    assert elapsed < 20

"""Invariants of matching and scoring, as properties (hypothesis; few examples, kept fast).

- the order of input rows and files changes nothing;
- importing the same issue twice changes nothing;
- a unit's points equal the sum of its ledger rows;
- 就高 (萧山 X1, 银川 Y1) never scores an article above its best single adoption;
- a correction touching one unit changes no other unit's points (建德: rank points may
  move, `points` may not).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows import steps
from flows.workspace import Workspace, init_workspace
from transforms.periods import Period

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HEADER = "刊物,期号,日期,标题,单位,类别\n"

# 建德: towns and departments of its roster, periodicals with their classes.
# Printed as periodicals print them: 市发改局 is the roster's 发改局, 市财政局 its 财政（地税）局.
JIANDE_UNITS = ("乾潭镇", "大同镇", "寿昌镇", "市发改局", "市财政局", "农业局")
JIANDE_PUBS = (
    ("建德政务·动态", "动态"),
    ("建德政务·动态", "简讯"),
    ("建德政务·情况专报", ""),
    ("杭州政务", "要情"),
    ("杭州政务", "专报"),
    ("浙江政务信息", "要情"),
)
TOPICS = ("农房整治", "垃圾分类", "河长制落实", "防汛防台", "营商环境", "乡村振兴", "民生实事")

# 银川 Y1: points per periodical (default class), 就高 per article.
YINCHUAN_POINTS = {
    "银川政务信息": 3,
    "银川专题信息": 5,
    "上报自治区": 1,
    "国报信息": 5,
    "宁夏政务快报": 3,
    "宁夏政务晨报": 1,
}
YINCHUAN_UNITS = ("兴庆区", "金凤区", "西夏区", "永宁县", "贺兰县")


def _row(pub: str, issue: int, day: int, title: str, unit: str, kind: str) -> str:
    return (
        f"{pub},第{issue}期,2018-{(day // 28) + 1:02d}-{day % 28 + 1:02d},{title},{unit},{kind}\n"
    )


adoption_rows = st.lists(
    st.tuples(
        st.sampled_from(JIANDE_PUBS),
        st.integers(1, 60),  # issue
        st.integers(0, 83),  # day of Q1 (28-day months are enough)
        st.sampled_from(TOPICS),
        st.sampled_from(JIANDE_UNITS),
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda r: (r[0][0], r[1], r[3], r[4]),
).map(
    lambda rows: [
        _row(p, issue, day, f"{unit}推进{topic}工作", unit, kind)
        for (p, kind), issue, day, topic, unit in rows
    ]
)


def _workspace(scheme: str, files: dict[str, str]) -> Path:
    root = Path(tempfile.mkdtemp(prefix="kaohe-inv-")) / "ws"
    init_workspace(root, scheme)
    for name, text in files.items():
        (root / "adoptions" / name).write_text(text, encoding="utf-8")
    return root


def _score(root: Path, period: str):
    ws = Workspace.load(root)
    matched = steps.match_and_group(steps.ingest(ws), ws.scheme)
    return steps.score(matched, ws.scheme, Period.parse(period))


def _ledger(result) -> pl.DataFrame:
    cols = ["unit", "rule_id", "points", "ref", "article_id", "date"]
    return result.ledger.select(cols).sort(cols)


def _points(result) -> dict[str, float]:
    return dict(result.scores.select("unit", "points").iter_rows())


@SETTINGS
@given(rows=adoption_rows, data=st.data())
def test_order_of_rows_and_files_changes_nothing(rows, data):
    base = _score(_workspace("jiande-2018", {"a.csv": HEADER + "".join(rows)}), "2018Q1")
    shuffled = data.draw(st.permutations(rows))
    cut = data.draw(st.integers(0, len(rows)))
    files = {"z.csv": HEADER + "".join(shuffled[:cut]), "b.csv": HEADER + "".join(shuffled[cut:])}
    other = _score(_workspace("jiande-2018", files), "2018Q1")
    assert _points(other) == _points(base)
    assert _ledger(other).equals(_ledger(base))


@SETTINGS
@given(rows=adoption_rows)
def test_importing_twice_changes_nothing(rows):
    once = _score(_workspace("jiande-2018", {"a.csv": HEADER + "".join(rows)}), "2018Q1")
    text = HEADER + "".join(rows)
    twice = _score(_workspace("jiande-2018", {"a.csv": text, "a-copy.csv": text}), "2018Q1")
    assert _points(twice) == _points(once)
    assert _ledger(twice).equals(_ledger(once))


@SETTINGS
@given(rows=adoption_rows, scheme=st.sampled_from(["jiande-2018"]))
def test_points_are_the_sum_of_the_ledger(rows, scheme):
    for period in ("2018Q1", "2018"):
        result = _score(_workspace(scheme, {"a.csv": HEADER + "".join(rows)}), period)
        sums = result.ledger.group_by("unit").agg(pl.col("points").sum())
        by_ledger = dict(sums.iter_rows())
        for unit, points in _points(result).items():
            assert abs(points - by_ledger.get(unit, 0.0)) < 1e-9


yinchuan_articles = st.lists(
    st.tuples(
        st.sampled_from(YINCHUAN_UNITS),
        st.sampled_from(TOPICS),
        st.lists(st.sampled_from(sorted(YINCHUAN_POINTS)), min_size=1, max_size=4, unique=True),
        st.integers(0, 200),  # first day of the year
    ),
    min_size=1,
    max_size=5,
    unique_by=lambda a: (a[0], a[1]),
)


@SETTINGS
@given(articles=yinchuan_articles)
def test_jiugao_never_scores_an_article_above_its_best_single_adoption(articles):
    # Y1: each article is adopted by several periodicals within 30 days under one title;
    # over the year its adoption rows add up to the best periodical's points, never more.
    rows = []
    for unit, topic, pubs, day in articles:
        for k, pub in enumerate(pubs):
            d = min(day + 10 * k, 330)
            # a weekly periodical: its issues are numbered in date order
            rows.append(
                f"{pub},第{d // 7 + 1}期,2018-{d // 28 + 1:02d}-{d % 28 + 1:02d},"
                f"{unit}{topic}工作取得新进展,{unit},\n"
            )
    result = _score(_workspace("yinchuan-2018", {"a.csv": HEADER + "".join(rows)}), "2018")
    adopted = result.ledger.filter(source="adoption")
    per_article = adopted.group_by("unit", "article_id").agg(pl.col("points").sum())
    best = {(u, t): max(YINCHUAN_POINTS[p] for p in pubs) for u, t, pubs, _ in articles}
    assert per_article.height == len(articles)
    for unit, _article, points in per_article.iter_rows():
        topic_best = [b for (u, _t), b in best.items() if u == unit]
        assert points <= max(topic_best)
    assert sorted(per_article["points"].to_list()) == sorted(best.values())


@SETTINGS
@given(rows=adoption_rows, extra=st.tuples(st.sampled_from(JIANDE_UNITS), st.integers(0, 83)))
def test_a_correction_of_one_unit_changes_no_other_units_points(rows, extra):
    unit, day = extra
    before = _score(_workspace("jiande-2018", {"a.csv": HEADER + "".join(rows)}), "2018Q1")
    fix = _row("建德政务·参阅", 99, day, f"{unit}补录一篇参阅信息", unit, "")
    after = _score(
        _workspace("jiande-2018", {"a.csv": HEADER + "".join(rows), "fix.csv": HEADER + fix}),
        "2018Q1",
    )
    p0, p1 = _points(before), _points(after)
    changed = {u: p1[u] - p0[u] for u in p0 if p1[u] != p0[u]}
    # Only the corrected unit moves: 《建德政务·参阅》 6 points (J-3.1.3).
    assert list(changed.values()) == [6]

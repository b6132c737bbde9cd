"""What a rerun changed, in words (transforms.changes): the decisions and the adoption rows
kept in a version's manifest, compared with the next version's (issue 12: the 更正说明
gave 「修改数据文件：decisions.csv」 as its only reason and listed 30 units in its body)."""

from __future__ import annotations

from datetime import date

import polars as pl

from transforms import changes as ch
from transforms.periods import Period
from transforms.schema import ADOPTIONS

Q2 = Period(2018, "quarter", 2)


def _adoptions(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "adoption_id": f"id{n}",
                "publication": pub,
                "issue": issue,
                "date": d,
                "title": title,
                "units_raw": units,
                "kind": None,
                "source_file": file,
                "source_row": row,
            }
            for n, (file, row, pub, issue, d, title, units) in enumerate(rows)
        ],
        schema=ADOPTIONS,
    )


Q2_FILE = [
    (
        "adoptions/2018q2.csv",
        2,
        "建德政务·动态",
        "12",
        date(2018, 4, 2),
        "三都镇森林消防",
        "三都镇",
    ),
    # typed 2017.6.19: a year no other row of the file has
    ("adoptions/2018q2.csv", 3, "建德政务·动态", "20", date(2017, 6, 19), "防汛演练", "市发改局"),
]
Q1_FILE = [("adoptions/2018q1.csv", 2, "杭州政务", "3", date(2018, 2, 1), "一季度稿", "寿昌镇")]


def test_records_keep_the_period_files_whole():
    """The 2017 row of the Q2 sheet is kept (its date may be corrected into the quarter);
    the Q1 sheet is not, unless the previous version kept it."""
    recs = ch.adoption_records(_adoptions(Q2_FILE + Q1_FILE), Q2)
    assert [(r["file"], r["row"], r["date"]) for r in recs] == [
        ("adoptions/2018q2.csv", 2, "2018-04-02"),
        ("adoptions/2018q2.csv", 3, "2017-06-19"),
    ]
    again = ch.adoption_records(_adoptions(Q2_FILE + Q1_FILE), Q2, ["adoptions/2018q1.csv"])
    assert len(again) == 3


def test_a_corrected_date_an_added_and_a_removed_row_in_words():
    before = ch.adoption_records(_adoptions(Q2_FILE + Q1_FILE), Q2)
    fixed = [
        Q2_FILE[0][:4] + (date(2018, 4, 2), "三都镇森林消防", "三都镇"),
        Q2_FILE[1][:4] + (date(2018, 6, 19), "防汛演练", "市发改局"),
        ("adoptions/2018q2.csv", 4, "浙江政务信息", "7", date(2018, 6, 1), "智慧警务", "公安局"),
    ]
    after = ch.adoption_records(_adoptions(fixed), Q2, [r["file"] for r in before])
    diff = ch.diff_adoption_rows(before, after, Q2)
    assert [ch.describe_row(r, "dates") for r in diff["dates"]] == [
        "adoptions/2018q2.csv 第3行《防汛演练》（《建德政务·动态》第20期）"
        "的日期由2017-06-19改为2018-06-19"
    ]
    assert [ch.describe_row(r, "added") for r in diff["added"]] == [
        "新增录用《智慧警务》（《浙江政务信息》第7期，2018-06-01）"
    ]
    assert diff["removed"] == [] and diff["units"] == []
    # the other way round: the row left the quarter
    back = ch.diff_adoption_rows(after, before, Q2)
    assert [r["before"] for r in back["dates"]] == ["2018-06-19"]
    assert [r["title"] for r in back["removed"]] == ["智慧警务"]
    # a Q1 row that changed is not this quarter's business
    q1 = ch.adoption_records(
        _adoptions([Q1_FILE[0][:4] + (date(2018, 3, 1), "一季度稿", "寿昌镇")]), Q2
    )
    assert ch.diff_adoption_rows(ch.adoption_records(_adoptions(Q1_FILE), Q2), q1, Q2) == {
        "dates": [],
        "units": [],
        "added": [],
        "removed": [],
    }
    # a version made before the manifest kept rows: nothing to compare, nothing invented
    assert not any(ch.diff_adoption_rows(None, after, Q2).values())


def test_decisions_in_words():
    before = [{"type": "unit", "key": "旅游局", "answer": "旅游商务局"}]
    decisions = pl.DataFrame(
        {
            "type": ["unit", "unit", "same_article", "no_submission", "unit"],
            "key": [
                "市文广局",
                "旅游局",
                "aaaaaaaaaaaaaaaa|bbbbbbbbbbbbbbbb",
                "cccccccccccccccc",
                "x",
            ],
            "answer": ["市文化广电新闻出版局", "忽略", "是", "已核实", None],
        }
    )
    after = ch.decision_records(decisions)
    assert len(after) == 4  # the row without an answer is not in force
    diff = ch.diff_decisions(before, after)
    assert [d["key"] for d in diff["added"]] == [
        "cccccccccccccccc",
        "aaaaaaaaaaaaaaaa|bbbbbbbbbbbbbbbb",
        "市文广局",
    ]
    assert diff["changed"] == [
        {"type": "unit", "key": "旅游局", "before": "旅游商务局", "answer": "忽略"}
    ]
    titles = {"aaaaaaaaaaaaaaaa": "垃圾分类", "bbbbbbbbbbbbbbbb": "垃圾分类见实效"}
    words = [ch.describe_decision(d, titles) for d in diff["added"] + diff["changed"]]
    assert words == [
        "对采用信息的报送记录的核实事项答复为“已核实”",  # a bare id is not printed
        "认定《垃圾分类》与《垃圾分类见实效》为同一篇信息",
        "将“市文广局”认定为市文化广电新闻出版局",
        "将“旅游局”的认定由旅游商务局改为忽略",
    ]
    assert ch.diff_decisions(None, after) is None  # an older version: not comparable


def test_correction_one_paragraph_and_an_attachment():
    """30 units changed: 2 of them points, 28 rank only. The paragraph names the answer;
    decisions.csv, explained by it, is not named; the attachment holds the 2 units."""
    units = [
        {"unit": "旅游商务局", "before": 150, "after": 180, "rank_before": 2, "rank_after": 1},
        {"unit": "环保局", "before": 110, "after": 104, "rank_before": 1, "rank_after": 2},
    ] + [
        {"unit": f"单位{i}", "before": 10, "after": 10, "rank_before": i, "rank_after": i + 1}
        for i in range(28)
    ]
    c = ch.correction(
        {
            "previous": 1,
            "inputs": {"added": [], "changed": ["decisions.csv"], "removed": []},
            "decisions": {
                "added": [{"type": "unit", "key": "旅游局", "answer": "旅游商务局"}],
                "changed": [],
                "removed": [],
            },
            "units": units,
            "ledger": {
                "added": [
                    {"unit": "旅游商务局", "title": "全域旅游", "points": 30.0, "note": None}
                ],
                "removed": [{"unit": "环保局", "title": None, "points": 6.0, "note": "约稿"}],
            },
        },
        groups={"旅游商务局": "A", "环保局": "A"},
    )
    assert c.reasons == ["将“旅游局”认定为旅游商务局"]
    assert [(u["unit"], u["group"], u["detail"]) for u in c.units] == [
        ("旅游商务局", "A", "＋《全域旅游》30分"),
        ("环保局", "A", "－约稿6分"),
    ]
    assert c.rank_only == 28
    # a previous version that kept no decisions: only the file can be named
    c = ch.correction({"previous": 1, "inputs": {"changed": ["decisions.csv"]}, "units": []})
    assert c.reasons == ["修改数据文件decisions.csv"]
    # an adoption file whose rows of the period did not change is named; one whose rows
    # are described is not
    row = {"file": "adoptions/q2.csv", "row": 2, "publication": "建德政务·动态", "issue": "1"}
    c = ch.correction(
        {
            "previous": 1,
            "inputs": {"changed": ["adoptions/q2.csv", "adoptions/q3.csv"]},
            "decisions": {"added": [], "changed": [], "removed": []},
            "rows": {"added": [{**row, "date": "2018-05-01", "title": "甲"}]},
            "units": [],
        }
    )
    assert c.reasons == [
        "新增录用《甲》（《建德政务·动态》第1期，2018-05-01）",
        "修改数据文件adoptions/q3.csv",
    ]

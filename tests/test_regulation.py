"""Regulation files (schemes/regulation.py) and the period driver (schemes/scoring.py):
a file read into dataclasses, scored with no Python of its own, remarks as records."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from scoring_frames import adoption, event, make_inputs, roster

from schemes import get_scheme
from schemes.kinds import KINDS
from schemes.regulation import Regulation, loads
from schemes.scoring import REMARKS, ordered_rules
from transforms.errors import InputError
from transforms.periods import Period

ROOT = Path(__file__).resolve().parent.parent
JIANDE = get_scheme("jiande-2018")
Q1, Q2, YEAR = Period.parse("2018Q1"), Period.parse("2018Q2"), Period.parse("2018")

#: a one-page regulation of its own: two groups, one periodical, one event
SMALL = """
id = "test-2024"
title = "测试办法"
doc_number = "测〔2024〕1号"
office = "测试县人民政府办公室"
event_words = ["缺席会议"]

[scoring]
order = ["T-2", "T-1"]

[[groups]]
name = "部门"
units = ["甲局", "乙局"]
aliases = [{ unit = "甲局", names = ["甲"] }]

[[groups]]
name = "乡镇"
units = ["丙镇"]

[[publications]]
name = "测试信息"
level = "本级"
default_kind = "动态"

[[rules]]
id = "T-1"
clause = "二（一）"
name = "《测试信息》录用"
text = "每条5分（简讯2分）"
kind = "adoption"
table = [
    { publication = "测试信息", points = 5 },
    { publication = "测试信息", kind = "简讯", points = 2 },
]

[[rules]]
id = "T-2"
clause = "二（二）"
name = "缺席会议"
text = "每次扣3分"
kind = "event"
events = ["缺席会议"]
points = -3
"""


def test_a_regulation_file_scores_with_no_python_of_its_own():
    reg = loads(SMALL, "测试.toml")
    assert isinstance(reg, Regulation)
    assert reg.roster()["unit"].to_list() == ["甲局", "乙局", "丙镇"]
    assert reg.roster()["aliases"].to_list() == [["甲"], [], []]
    assert reg.event_types == {"缺席会议"}
    units = roster(("甲局", "部门"), ("乙局", "部门"), ("丙镇", "乡镇"))
    ads = [
        adoption("测试信息", "2024-04-02", "甲文", "甲局"),
        adoption("测试信息", "2024-04-02", "乙文", "甲局", kind="简讯"),
    ]
    ev = [event("2024-04-02", "缺席会议", "甲局")]
    r = reg.score(make_inputs(units, ads, ev), Period.parse("2024Q2"))
    assert dict(r.scores.select("unit", "points").iter_rows()) == {"甲局": 4, "乙局": 0, "丙镇": 0}
    # one day's rows in `scoring.order`: the event (T-2) before the adoptions (T-1)
    assert r.ledger["rule_id"].to_list() == ["test-2024/T-2", "test-2024/T-1", "test-2024/T-1"]
    assert r.ledger["points"].to_list() == [-3, 5, 2]


@pytest.mark.parametrize(
    "change, words",
    [
        ('title = "测试办法"', ["title", "缺少"]),
        ('office = "测试县人民政府办公室"', ["office", "缺少"]),
        ("points = -3", ["pionts", "未知"]),
        ('name = "缺席会议"', ["rules", "name", "文字"]),
    ],
)
def test_a_bad_file_is_a_chinese_error_naming_the_key(change, words):
    bad = {
        'title = "测试办法"': "",
        'office = "测试县人民政府办公室"': "",
        "points = -3": "pionts = -3",
        'name = "缺席会议"': "name = 3",
    }[change]
    text = SMALL.replace(change, bad, 1)
    with pytest.raises(InputError) as e:
        loads(text, "测试.toml")
    assert "测试.toml" in str(e.value)
    for w in words:
        assert w in str(e.value)


def test_not_toml_is_an_input_error():
    with pytest.raises(InputError, match="不是有效的 TOML"):
        loads("id = ", "坏.toml")


def test_the_reference_of_every_key_is_up_to_date():
    # docs/regulations.md's key and kind tables are what scripts/regulation_docs.py writes
    import runpy

    doc = runpy.run_path(str(ROOT / "scripts" / "regulation_docs.py"), run_name="docs")
    text = (ROOT / "docs" / "regulations.md").read_text(encoding="utf-8")
    assert doc["render"](text) == text, "run python scripts/regulation_docs.py"
    for kind in KINDS:
        assert f"| `{kind}` |" in text


def test_a_table_kind_runs_once_at_its_first_rule():
    ids = [r.id for r in ordered_rules(JIANDE)]
    # all adoption rules are one points table, all instruction rules one instruction table
    assert ids[:3] == ["J-3.1.1", "J-3.3.2", "J-3.4.1"]
    assert "J-3.1.2" not in ids and "J-3.4.3" not in ids
    assert len(ids) == len(set(ids))


def test_remarks_are_records_with_a_kind_and_the_year_keeps_their_quarter():
    units = roster(("发改局", "A"), ("教育局", "A"), ("新安江街道", "乡镇（街道）"))
    ads = [adoption("建德政务·动态", "2018-04-02", "甲", "发改局")]
    ev = [
        event("2018-06-01", "约稿", "发改局", "稿", status="逾期"),
        event("2018-08-01", "信息失实", "教育局", "某信息"),
    ]
    inputs = make_inputs(units, ads, ev)
    q2 = JIANDE.score(inputs, Q2)
    assert q2.remarks.schema == pl.Schema(REMARKS)
    mine = q2.remarks.filter(pl.col("unit") == "发改局")
    assert mine.select("period", "kind", "rule_id").rows() == [
        ("2018Q2", "commission", "J-3.3.3"),
        ("2018Q2", "target_missed", None),
    ]
    row = q2.scores.filter(pl.col("unit") == "发改局").row(0, named=True)
    assert row["remark"] == "；".join(mine["text"])

    year = JIANDE.score(inputs, YEAR)
    kinds = {(r["unit"], r["kind"]): r for r in year.remarks.iter_rows(named=True)}
    # a quarter's commission remark keeps its quarter; its target remark is not carried
    assert kinds[("发改局", "commission")]["period"] == "2018Q2"
    assert ("发改局", "target_missed") not in kinds
    assert kinds[("教育局", "event")]["text"] == "信息失实「某信息」：年度信息考核不得分"
    assert kinds[("教育局", "zeroed")]["rule_id"] == "J-4.2.1"
    assert kinds[("新安江街道", "top_share")]["period"] == "2018"
    remark = year.scores.filter(pl.col("unit") == "发改局")["remark"].item()
    assert remark.startswith("第二季度约稿「稿」逾期，当季信息考核不得分")


def test_period_short_titles():
    assert [Period.parse(p).short_title for p in ("2018Q2", "2018-05", "2018")] == [
        "第二季度",
        "5月",
        "年度",
    ]
    assert Period.parse("2018Q4").title == "2018年" + Period.parse("2018Q4").short_title


def test_target_remarks_and_a_status_in_the_note_are_words_of_the_file():
    text = (
        SMALL.replace('order = ["T-2", "T-1"]', 'order = ["T-2", "T-1"]\ntarget_period = "quarter"\n'
                      'target_met = "完成{period}目标（{target}分）"\n'
                      'target_missed = "未完成{period}目标（{target}分），差{gap}分"')
        .replace('name = "部门"\n', 'name = "部门"\ntarget = 4\n')
        .replace('name = "乡镇"\n', 'name = "乡镇"\ntarget = 1\n')
        .replace('event_words = ["缺席会议"]', 'event_words = ["缺席会议", "约稿"]')
        + """
[[rules]]
id = "T-3"
clause = "二（三）"
name = "约稿未完成"
text = "每次扣3分"
kind = "event"
commissions = ["逾期", "未报"]
points = -3
label = "{status}，"
remark = "扣3分"
"""
    )  # fmt: skip
    reg = loads(text, "测试.toml")
    units = roster(("甲局", "部门"), ("乙局", "部门"), ("丙镇", "乡镇"))
    ads = [adoption("测试信息", "2024-04-02", "甲文", "甲局")]
    ev = [
        event("2024-05-02", "约稿", "乙局", "稿一", status="逾期"),
        event("2024-06-02", "约稿", "乙局", "稿二", status="未报"),
    ]
    r = reg.score(make_inputs(units, ads, ev), Period.parse("2024Q2"))
    remark = dict(r.scores.select("unit", "remark").iter_rows())
    assert remark["甲局"] == "完成季度目标（4分）"
    assert (
        remark["乙局"]
        == "约稿「稿一」逾期，扣3分；约稿「稿二」未报，扣3分；未完成季度目标（4分），差10分"
    )
    assert remark["丙镇"] == "未完成季度目标（1分），差1分"
    notes = r.ledger.filter(pl.col("unit") == "乙局")["note"].to_list()
    assert notes == ["约稿「稿一」：逾期，-3 分", "约稿「稿二」：未报，-3 分"]
    assert dict(r.commissions.select("title", "points").iter_rows()) == {"稿一": -3, "稿二": -3}


def test_a_yearly_target_pro_rata_and_a_year_scored_whole():
    text = SMALL.replace(
        'order = ["T-2", "T-1"]',
        'order = ["T-2", "T-1"]\ntarget_period = "year"\npro_rata = true\nyear = "whole"',
    ).replace('name = "部门"\n', 'name = "部门"\ntarget = 12\n')
    reg = loads(text, "测试.toml")
    units = roster(("甲局", "部门"), ("乙局", "部门"))
    ads = [
        adoption("测试信息", "2024-02-02", "一", "甲局"),
        adoption("测试信息", "2024-05-02", "二", "甲局"),
    ]
    inputs = make_inputs(units, ads)
    month = reg.score(inputs, Period.parse("2024-05"))
    assert month.scores.select("unit", "target", "target_met").rows() == [
        ("甲局", 1.0, True),  # 12 / 12
        ("乙局", 1.0, False),
    ]
    q2 = reg.score(inputs, Period.parse("2024Q2"))
    assert q2.scores["target"].to_list() == [3.0, 3.0]  # 12 / 4
    assert q2.scores["remark"].to_list() == [None, None]  # the year's target: no remark yet
    year = reg.score(inputs, Period.parse("2024"))
    row = year.scores.row(0, named=True)
    assert (row["points"], row["target"], row["target_met"]) == (10, 12, False)
    assert row["remark"] == "未完成年度目标（12分）"
    # the quarters beside the year: each from its own items
    assert year.quarters.filter(pl.col("unit") == "甲局")["points"].to_list() == [5, 5, 0, 0]


def test_a_points_line_may_name_a_level_instead_of_a_periodical():
    text = SMALL.replace(
        '{ publication = "测试信息", kind = "简讯", points = 2 },',
        '{ publication = "测试信息", kind = "简讯", points = 2 },\n'
        '    { level = "市", points = 7 },\n    { level = "市", kind = "调研", points = 9 },',
    ).replace(
        '[[rules]]\nid = "T-1"',
        '[[publications]]\nname = "市信息"\nlevel = "市"\n\n'
        '[[publications]]\nname = "市专报"\nlevel = "市"\n\n[[rules]]\nid = "T-1"',
    )
    reg = loads(text, "测试.toml")
    units = roster(("甲局", "部门"))
    ads = [
        adoption("市信息", "2024-04-02", "一", "甲局"),
        adoption("市专报", "2024-04-03", "二", "甲局", kind="调研"),
        adoption("测试信息", "2024-04-04", "三", "甲局", kind="调研"),
    ]
    r = reg.score(make_inputs(units, ads), Period.parse("2024Q2"))
    assert r.ledger["points"].to_list() == [7, 9, 5]

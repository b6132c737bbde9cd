"""The roster changes within a year (机构改革, issue 14 point 6): units.csv says from when a
unit exists, its last day and its successor; transforms.roster_changes scores each period
with its own roster.

The 2019-like case, on 建德's regulation: 文广新局 and 体育局 (group B) merge into
文化和广电旅游体育局 (group A) from 2019-03-01; 国土资源局 is renamed 自然资源和规划局 from
2019-07-01; 城投公司 (group B) is split on 2019-10-01 into 城建集团 (which takes its record)
and 水务集团 (new).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from examples_e2e import read_csv, run
from scoring_frames import adoption, d, event, mail, make_inputs

from flows import readers, steps
from schemes import get_scheme
from schemes.regulation import RosterChanges, loads
from transforms import matching, roster_changes
from transforms.errors import InputError, InputErrors, Problems
from transforms.periods import Period
from transforms.schema import UNIT_CHANGES, UNITS, conform

ROOT = Path(__file__).resolve().parent.parent
SCHEME = get_scheme("jiande-2018")
DYNAMIC = "建德政务·动态"
HANGZHOU = "杭州政务"

WENGUANG, TIYU, MERGED = "文广新局", "体育局", "文化和广电旅游体育局"
GUOTU, ZIRAN = "国土资源局", "自然资源和规划局"
CHENGTOU, CHENGJIAN, SHUIWU = "城投公司", "城建集团", "水务集团"

#: (unit, group, from, until, successor)
ROSTER = [
    ("新安江街道", "乡镇（街道）", None, None, None),
    ("更楼街道", "乡镇（街道）", None, None, None),
    ("发改局", "A", None, None, None),
    ("教育局", "A", None, None, None),
    (GUOTU, "A", None, "2019-06-30", ZIRAN),
    (ZIRAN, "A", "2019-07-01", None, None),
    (MERGED, "A", "2019-03-01", None, None),
    (WENGUANG, "B", None, "2019-02-28", MERGED),
    (TIYU, "B", None, "2019-02-28", MERGED),
    ("科技局", "B", None, None, None),
    ("司法局", "B", None, None, None),
    (CHENGTOU, "B", None, "2019-09-30", CHENGJIAN),
    (CHENGJIAN, "B", "2019-10-01", None, None),
    (SHUIWU, "B", "2019-10-01", None, None),
]


def roster(rows=ROSTER) -> pl.DataFrame:
    return conform(
        pl.DataFrame(
            {
                "unit": [r[0] for r in rows],
                "group": [r[1] for r in rows],
                "aliases": [[] for _ in rows],
                "emails": [[] for _ in rows],
                "from": [d(r[2]) if r[2] else None for r in rows],
                "until": [d(r[3]) if r[3] else None for r in rows],
                "successor": [r[4] for r in rows],
            },
            schema={**UNITS, **UNIT_CHANGES},
        ),
        {**UNITS, **UNIT_CHANGES},
    )


def inputs(**kw):
    adoptions = [
        adoption(DYNAMIC, "2019-01-10", "文广新局举办迎春送福活动", WENGUANG),
        adoption(DYNAMIC, "2019-02-12", "文广新局推进文化礼堂建设", WENGUANG),
        adoption(DYNAMIC, "2019-02-20", "体育局开展全民健身月活动", TIYU),
        adoption(DYNAMIC, "2019-01-15", "科技局开展科技下乡", "科技局"),
        adoption(DYNAMIC, "2019-02-15", "科技局举办创新大赛", "科技局"),
        adoption(DYNAMIC, "2019-02-25", "司法局开展法治宣传", "司法局"),
        # the old name printed after the merge: counts for the successor
        adoption(DYNAMIC, "2019-03-20", "文广新局完成机构改革交接", WENGUANG),
        adoption(DYNAMIC, "2019-05-10", "文旅体局推进全域旅游", MERGED),
        adoption(DYNAMIC, "2019-01-20", "发改局谋划重大项目", "发改局"),
        adoption(DYNAMIC, "2019-05-20", "发改局推进项目建设", "发改局"),
        adoption(DYNAMIC, "2019-04-10", "国土资源局开展土地整治", GUOTU),
        adoption(DYNAMIC, "2019-08-10", "自然资源和规划局编制国土空间规划", ZIRAN),
        adoption(DYNAMIC, "2019-08-12", "城投公司推进城中村改造", CHENGTOU),
        adoption(DYNAMIC, "2019-11-12", "水务集团保障供水", SHUIWU),
        adoption(DYNAMIC, "2019-01-22", "新安江街道开展环境整治", "新安江街道"),
    ]
    # make_inputs keeps UNITS' columns only: the roster with its dates goes in afterwards
    return replace(make_inputs(roster(), adoptions=adoptions, **kw), units=roster())


def scored(inp, label: str, successor: str = "sum"):
    period = Period.parse(label)
    rp = roster_changes.for_period(inp, period, successor)
    return roster_changes.annotate(SCHEME.score(rp.inputs, period), rp.handover)


def points(result) -> dict[str, float]:
    return dict(zip(result.scores["unit"], result.scores["points"], strict=True))


def row(result, unit: str) -> dict:
    return result.scores.filter(pl.col("unit") == unit).row(0, named=True)


# --------------------------------------------------------------------------- periods


def test_quarter_of_the_merge_names_the_old_units_with_their_own_records():
    q1 = scored(inputs(), "2019Q1")
    pts = points(q1)
    # the old units are listed with what they did before the merge …
    assert pts[WENGUANG] == pts["科技局"] == 2 * pts["司法局"] > 0
    assert pts[TIYU] == pts["司法局"] > 0
    # … the new unit, existing from 1 March, with what it did since
    assert MERGED in pts
    assert row(q1, MERGED)["group"] == "A"
    # the old name printed after the merge counts for the successor, saying so
    merged_rows = q1.ledger.filter(pl.col("unit") == MERGED, pl.col("source") == "adoption")
    assert merged_rows["title"].to_list() == ["文广新局完成机构改革交接"]
    assert merged_rows["note"][0].endswith("（原文广新局）")
    assert q1.notes[-1] == (
        "机构改革：2019年2月28日以后仍以原文广新局名义刊发、报送的记录计入文化和广电旅游体育局。"
    )
    # units that do not exist in the quarter are not scored
    assert not {ZIRAN, CHENGJIAN, SHUIWU} & set(pts)
    assert GUOTU in pts and CHENGTOU in pts


def test_quarters_after_the_merge_follow_the_successor():
    q2 = scored(inputs(), "2019Q2")
    assert not {WENGUANG, TIYU} & set(q2.scores["unit"])
    assert MERGED in set(q2.scores["unit"])
    # the quarters of the year to date show the predecessors' first quarter as the successor's
    q1_merged = q2.quarters.filter(pl.col("period") == "2019Q1", pl.col("unit") == MERGED)
    q1_alone = scored(inputs(), "2019Q1")
    before = points(q1_alone)
    assert q1_merged["points"].item() == before[WENGUANG] + before[TIYU] + before[MERGED]
    assert "原文广新局" in (row(q2, MERGED)["remark"] or "")


def test_the_year_ranks_the_successor_with_the_predecessors_points():
    year = scored(inputs(), "2019")
    units = set(year.scores["unit"])
    assert not {WENGUANG, TIYU, GUOTU, CHENGTOU} & units
    assert {MERGED, ZIRAN, CHENGJIAN, SHUIWU} <= units
    led = year.ledger.filter(pl.col("source") == "adoption")
    by_unit = dict(led.group_by("unit").agg(pl.col("points").sum()).iter_rows())
    own = {
        WENGUANG: [
            "文广新局举办迎春送福活动",
            "文广新局推进文化礼堂建设",
            "文广新局完成机构改革交接",
        ],
        TIYU: ["体育局开展全民健身月活动"],
    }
    titles = set(led.filter(pl.col("unit") == MERGED)["title"])
    assert {t for ts in own.values() for t in ts} | {"文旅体局推进全域旅游"} == titles
    assert by_unit[MERGED] == 5 * by_unit["发改局"] / 2  # five adoptions against two
    # each point taken over names where it came from
    notes = dict(zip(led["title"], led["note"], strict=True))
    assert notes["体育局开展全民健身月活动"].endswith("（原体育局）")
    assert notes["文广新局推进文化礼堂建设"].endswith("（原文广新局）")
    assert "（原" not in notes["文旅体局推进全域旅游"]  # its own
    # the rename and the split: the successor takes the year's record
    assert "国土资源局开展土地整治" in set(led.filter(pl.col("unit") == ZIRAN)["title"])
    assert "城投公司推进城中村改造" in set(led.filter(pl.col("unit") == CHENGJIAN)["title"])
    assert set(led.filter(pl.col("unit") == SHUIWU)["title"]) == {"水务集团保障供水"}
    # the successor is ranked in its own group (A), with its group's rules
    merged = row(year, MERGED)
    assert merged["group"] == "A" and merged["rank"] == 1
    assert "含原文广新局、原体育局的记录" in merged["remark"]
    assert any(
        n == "机构改革：原文广新局、原体育局（2019年2月28日止）的工作由文化和广电旅游体育局承继，"
        "其2019年的记录计入文化和广电旅游体育局。"
        for n in year.notes
    )


def test_a_joint_article_of_two_predecessors_counts_for_the_successor_as_for_each():
    joint = adoption(DYNAMIC, "2019-01-10", "文广新局体育局联合举办冬季运动会", [WENGUANG, TIYU])
    inp = replace(make_inputs(roster(), adoptions=[joint]), units=roster())
    q1 = points(scored(inp, "2019Q1"))
    year = scored(inp, "2019")
    rows = year.ledger.filter(pl.col("unit") == MERGED, pl.col("source") == "adoption")
    assert [n[n.rindex("（") :] for n in rows["note"]] == ["（原文广新局）", "（原体育局）"]
    assert rows["points"].sum() == q1[WENGUANG] + q1[TIYU] > 0
    assert row(year, MERGED)["adopted"] == 1  # one article


def test_targets_are_the_successors_group_with_the_predecessors_points():
    q2 = scored(inputs(), "2019Q2")
    a_target = SCHEME.group("A").target
    assert row(q2, MERGED)["target"] == a_target
    assert row(q2, "科技局")["target"] == SCHEME.group("B").target
    # the quarter of the merge: each old unit against its own group's target
    q1 = scored(inputs(), "2019Q1")
    assert row(q1, WENGUANG)["target"] == SCHEME.group("B").target


def test_without_takeover_each_unit_keeps_its_own_and_the_year_lists_the_gone():
    year = scored(inputs(), "2019", successor="none")
    pts = points(year)
    assert {WENGUANG, TIYU, MERGED, GUOTU, ZIRAN, CHENGTOU, CHENGJIAN, SHUIWU} <= set(pts)
    led = year.ledger.filter(pl.col("source") == "adoption")
    assert set(led.filter(pl.col("unit") == WENGUANG)["title"]) == {
        "文广新局举办迎春送福活动",
        "文广新局推进文化礼堂建设",
    }
    # a record dated after its unit's last day still goes to the unit then in existence
    assert "文广新局完成机构改革交接" in set(led.filter(pl.col("unit") == MERGED)["title"])
    q2 = scored(inputs(), "2019Q2", successor="none")
    q1_of_merged = q2.quarters.filter(pl.col("period") == "2019Q1", pl.col("unit") == MERGED)
    assert q1_of_merged["points"].item() == points(scored(inputs(), "2019Q1"))[MERGED]


def test_events_and_submissions_follow_the_successor():
    inp = inputs(
        events=[
            event(
                "2019-02-10", "领导批示", WENGUANG, title="文广新局推进文化礼堂建设", level="杭州市"
            )
        ],
        submissions=[
            mail("2019-01-08", WENGUANG),
            mail("2019-02-08", TIYU),
            mail("2019-04-08", MERGED),
        ],
    )
    year = roster_changes.for_period(inp, Period.parse("2019"), "sum")
    assert year.inputs.events["unit"].to_list() == [MERGED]
    assert year.inputs.submissions["unit"].to_list() == [MERGED] * 3
    assert year.handover.taken[MERGED] == [WENGUANG, TIYU]
    q1 = roster_changes.for_period(inp, Period.parse("2019Q1"), "sum")
    assert q1.inputs.events["unit"].to_list() == [WENGUANG]
    assert q1.inputs.submissions["unit"].to_list() == [WENGUANG, TIYU, MERGED]
    assert q1.handover.taken == {MERGED: [WENGUANG]}  # its adoption printed in March


def test_months_without_submissions_are_judged_only_while_a_unit_exists():
    # 科技局 sends every month, so each month holds mail logs (C5); nobody else sends
    logs = [mail(f"2019-{m:02d}-05", "科技局") for m in (1, 2, 3, 4)]
    q1 = scored(inputs(submissions=logs), "2019Q1")
    silent = q1.ledger.filter(pl.col("rule") == SCHEME.rule("J-3.6.2").name)
    months = {u: sorted(g["date"].to_list()) for (u,), g in silent.group_by("unit")}
    # 文广新局 is gone after February, 文化和广电旅游体育局 exists from March
    assert months[WENGUANG] == [d("2019-01-31"), d("2019-02-28")]
    assert months[MERGED] == [d("2019-03-31")]
    assert len(months["司法局"]) == 3
    # the statements' table of months says the same
    table = q1.quotas.filter(pl.col("unit").is_in([WENGUANG, MERGED]))
    assert sorted(table.select("unit", "period").rows()) == [
        (MERGED, "2019-03"),
        (WENGUANG, "2019-01"),
        (WENGUANG, "2019-02"),
    ]


def test_a_month_before_a_unit_exists_does_not_list_it():
    m = roster_changes.for_period(inputs(), Period.parse("2019-02"), "sum")
    units = m.inputs.units["unit"].to_list()
    assert MERGED not in units and WENGUANG in units and ZIRAN not in units
    m = roster_changes.for_period(inputs(), Period.parse("2019-03"), "sum")
    units = m.inputs.units["unit"].to_list()
    assert MERGED in units and WENGUANG not in units


def test_a_chain_of_changes_within_a_year_ends_at_the_last_successor():
    life = {
        "甲": roster_changes.Life(None, d("2019-03-31"), "乙"),
        "乙": roster_changes.Life(d("2019-04-01"), d("2019-06-30"), "丙"),
        "丙": roster_changes.Life(d("2019-07-01"), None, None),
        "丁": roster_changes.Life(None, d("2019-05-31"), None),  # closed, no successor
    }
    year = Period.parse("2019")
    assert roster_changes.listed_units(life, year, "sum") == ["丙", "丁"]
    assert roster_changes.listed_units(life, year, "none") == ["甲", "乙", "丙", "丁"]
    listed = set(roster_changes.listed_units(life, year, "sum"))
    assert roster_changes.owner(life, listed, "甲", d("2019-01-10"), "sum") == "丙"
    assert roster_changes.owner(life, listed, "丁", d("2019-01-10"), "sum") == "丁"
    q2 = set(roster_changes.listed_units(life, Period.parse("2019Q2"), "sum"))
    assert q2 == {"乙", "丁"}
    assert roster_changes.owner(life, q2, "甲", d("2019-01-10"), "sum") == "乙"
    assert roster_changes.owner(life, q2, "甲", d("2019-01-10"), "none") == "甲"
    assert roster_changes.owner(life, q2, "甲", d("2019-05-10"), "none") == "乙"  # old name


def test_a_roster_without_changes_scores_exactly_as_before():
    undated = roster([r[:2] + (None, None, None) for r in ROSTER])
    for units in (undated, conform(undated, UNITS)):  # empty columns, or none at all
        plain = replace(
            make_inputs(
                units, adoptions=[adoption(DYNAMIC, "2019-01-10", "发改局谋划重大项目", "发改局")]
            ),
            units=units,
        )
        rp = roster_changes.for_period(plain, Period.parse("2019"), "sum")
        assert rp.inputs is plain and rp.handover.taken == {}
        result = SCHEME.score(plain, Period.parse("2019"))
        assert roster_changes.annotate(result, rp.handover) is result


def test_the_regulation_file_says_whether_the_successor_takes_over():
    matched = steps.Matched(inputs=inputs(), review=pl.DataFrame())
    assert steps.successor_mode(SCHEME) == "sum"  # the default of a regulation file
    year = steps.score(matched, SCHEME, Period.parse("2019"))
    assert WENGUANG not in set(year.scores["unit"])
    mine = year.remarks.filter(pl.col("kind") == "successor", pl.col("unit") == MERGED)
    assert mine["text"].to_list() == ["含原文广新局、原体育局的记录"]
    own = replace(SCHEME, roster_changes=RosterChanges(successor="none"))
    assert steps.successor_mode(own) == "none"
    year = steps.score(matched, own, Period.parse("2019"))
    assert WENGUANG in set(year.scores["unit"])
    text = (ROOT / "schemes" / "regulations" / "jiande-2018.toml").read_text(encoding="utf-8")
    assert loads(text + '\n[roster_changes]\nsuccessor = "none"\n').roster_changes == (
        RosterChanges("none")
    )
    # the file's reader (transforms.tomldata) reports the value's problem at its line
    with pytest.raises(InputError, match="successor 应为"):
        loads(text + '\n[roster_changes]\nsuccessor = "max"\n')


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError):
        roster_changes.for_period(inputs(), Period.parse("2019"), "max")


# --------------------------------------------------------------------------- matching


def test_a_printed_name_matches_its_own_unit_whatever_the_date():
    units = roster()
    adoptions = inputs().adoptions
    found, review = matching.match_adoption_units(
        adoptions,
        units,
        pl.DataFrame(schema={"type": pl.String, "key": pl.String, "answer": pl.String}),
        SCHEME.place_prefixes,
    )
    named = dict(
        found.join(adoptions.select("adoption_id", "title"), on="adoption_id")
        .select("title", "unit")
        .iter_rows()
    )
    assert named["文广新局完成机构改革交接"] == WENGUANG  # dated after its last day
    assert named["自然资源和规划局编制国土空间规划"] == ZIRAN


def test_a_name_between_an_old_and_a_new_unit_is_asked():
    units = roster()
    frame = inputs().adoptions.head(1).with_columns(units_raw=pl.lit("文化广电局"))
    empty = pl.DataFrame(schema={"type": pl.String, "key": pl.String, "answer": pl.String})
    found, review = matching.match_adoption_units(frame, units, empty, SCHEME.place_prefixes)
    assert found.height == 0
    assert review["type"].to_list() == ["unit"]
    candidates = [c.split("(")[0] for c in review["candidates"][0].split("；")]
    assert candidates[:2] == [MERGED, WENGUANG]  # the new unit and the old one, both offered


def test_a_mailbox_handed_on_to_the_successor_is_the_unit_of_the_day():
    units = roster().with_columns(
        emails=pl.when(pl.col("unit").is_in([WENGUANG, MERGED]))
        .then(pl.lit(["wgx@jiande.gov.cn"]))
        .otherwise(pl.col("emails"))
    )
    sent = make_inputs(
        units, submissions=[mail("2019-02-27", None), mail("2019-03-01", None)]
    ).submissions.with_columns(sender=pl.lit("文广 <wgx@jiande.gov.cn>"))
    found, review = matching.assign_submission_units(sent, units, None, SCHEME.place_prefixes)
    assert found["unit"].to_list() == [WENGUANG, MERGED]
    assert review.height == 0
    # without the dates the address fits two units: asked, as before
    found, review = matching.assign_submission_units(
        sent, conform(units, UNITS), None, SCHEME.place_prefixes
    )
    assert found["unit"].to_list() == [None, None]
    assert review["type"].to_list() == ["submission"]  # one question for the address


# --------------------------------------------------------------------------- units.csv


HEADER = "单位,类别,起始日期,截止日期,继任单位\n"


def read(tmp_path: Path, body: str, header: str = HEADER) -> pl.DataFrame:
    (tmp_path / "units.csv").write_text(header + body, encoding="utf-8")
    return readers.read_units(tmp_path / "units.csv", tmp_path, [g.name for g in SCHEME.groups])


def problems(tmp_path: Path, body: str) -> list[str]:
    found = Problems()
    (tmp_path / "units.csv").write_text(HEADER + body, encoding="utf-8")
    readers.read_units(tmp_path / "units.csv", tmp_path, [g.name for g in SCHEME.groups], found)
    return [str(p) for p in found.items]


def test_units_csv_reads_dates_and_successors(tmp_path):
    units = read(
        tmp_path,
        "文广新局,B,,2019/2/28,文化和广电旅游体育局\n文化和广电旅游体育局,A,2019年3月1日,,\n",
    )
    assert units.row(0, named=True)["until"] == date(2019, 2, 28)
    assert units.row(0, named=True)["successor"] == MERGED
    assert units.row(1, named=True)["from"] == date(2019, 3, 1)
    english = read(
        tmp_path,
        "文广新局,B,,2019-02-28,文化和广电旅游体育局\n文化和广电旅游体育局,A,2019-03-01,,\n",
        header="unit,group,from,until,successor\n",
    )
    assert english.select("from", "until", "successor").equals(
        units.select("from", "until", "successor")
    )


@pytest.mark.parametrize(
    "body, line, words",
    [
        (
            "文广新局,B,,2019-02-30,文化和广电旅游体育局\n文化和广电旅游体育局,A,2019-03-01,,\n",
            2,
            "截止日期（until 列）「2019-02-30」无法识别",
        ),
        ("文化和广电旅游体育局,A,上周,,\n", 2, "起始日期（from 列）「上周」"),
        (
            "文化和广电旅游体育局,A,2019-03-01,2019-02-01,\n",
            2,
            "截止日期 2019-02-01 早于起始日期 2019-03-01",
        ),
        ("科技局,B,,,\n文广新局,B,,2019-02-28,文旅局\n", 3, "继任单位「文旅局」不在名单中"),
        ("文广新局,B,,2019-02-28,文广新局\n", 2, "继任单位是它自己"),
        (
            "文广新局,B,,,文化和广电旅游体育局\n文化和广电旅游体育局,A,2019-03-01,,\n",
            2,
            "没有截止日期",
        ),
        (
            "文广新局,B,,2019-02-28,文化和广电旅游体育局\n文化和广电旅游体育局,A,2019-04-01,,\n",
            2,
            "在次日 2019-03-01 却不存在（它起始于 2019-04-01）",
        ),
        (
            "文广新局,B,,2019-02-28,文化和广电旅游体育局\n文化和广电旅游体育局,A,,2019-02-28,\n",
            2,
            "在次日 2019-03-01 却不存在（它截止于 2019-02-28）：请改正「文化和广电旅游体育局」的截止日期",
        ),
        (
            "文广新局,B,,2019-02-28,文化和广电旅游体育局\n文化和广电旅游体育局,A,,2019-01-31,文广新局\n",
            3,
            "继任关系成环",
        ),
    ],
)
def test_units_csv_errors_name_file_and_row(tmp_path, body, line, words):
    found = problems(tmp_path, body)
    assert any(words in p and "units.csv" in p and f"第{line}行" in p for p in found), found


def test_every_roster_problem_is_reported_at_once(tmp_path):
    (tmp_path / "units.csv").write_text(
        HEADER + "文广新局,B,,2019-02-28,文旅局\n体育局,B,,2019-13-01,\n", encoding="utf-8"
    )
    with pytest.raises(InputErrors) as err:
        readers.read_units(tmp_path / "units.csv", tmp_path, [g.name for g in SCHEME.groups])
    assert len(err.value.problems) == 2


# --------------------------------------------------------------------------- end to end


UNITS_CSV = """单位,类别,别名,起始日期,截止日期,继任单位
新安江街道,乡镇（街道）,,,,
发改局,A,,,,
文化和广电旅游体育局,A,文旅体局,2019-03-01,,
文广新局,B,文广局,,2019-02-28,文化和广电旅游体育局
体育局,B,,,2019-02-28,文化和广电旅游体育局
科技局,B,,,,
"""

ADOPTIONS_CSV = """刊物,期号,日期,标题,单位,类别
建德政务·动态,1,2019-01-10,文广新局举办迎春送福活动,文广新局,
建德政务·动态,2,2019-02-12,文广新局推进文化礼堂建设,文广局,
建德政务·动态,3,2019-02-20,体育局开展全民健身月活动,体育局,
建德政务·动态,3,2019-02-20,科技局开展科技下乡,科技局,
建德政务·动态,5,2019-05-10,文旅体局推进全域旅游,文化和广电旅游体育局,
建德政务·动态,5,2019-05-10,发改局推进项目建设,发改局,
"""


def kaohe(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_kaohe_score_follows_the_roster_of_each_period(tmp_path):
    ws = tmp_path / "ws"
    assert kaohe("init", str(ws), "--scheme", "jiande-2018").returncode == 0
    (ws / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    (ws / "adoptions" / "2019.csv").write_text(ADOPTIONS_CSV, encoding="utf-8")

    def score(period: str) -> dict[str, dict]:
        proc = kaohe("score", str(ws), "--period", period, "--format", "json")
        assert proc.returncode == 0, proc.stderr
        return {r["unit"]: r for r in json.loads(proc.stdout)}

    q1 = score("2019Q1")
    assert {WENGUANG, TIYU, MERGED, "科技局"} <= set(q1)
    assert q1[WENGUANG]["points"] == 2 * q1["科技局"]["points"] > 0
    assert q1[MERGED]["points"] == 0
    year = score("2019")
    assert {WENGUANG, TIYU} & set(year) == set()
    assert year[MERGED]["points"] == 4 * year["发改局"]["points"] > 0
    assert year[MERGED]["group"] == "A" and year[MERGED]["rank"] == 1
    assert "含原文广新局、原体育局的记录" in year[MERGED]["remark"]


def test_kaohe_score_reports_a_bad_roster_by_file_and_row(tmp_path):
    ws = tmp_path / "ws"
    assert kaohe("init", str(ws), "--scheme", "jiande-2018").returncode == 0
    (ws / "units.csv").write_text(UNITS_CSV.replace("2019-03-01", "2019-04-01"), encoding="utf-8")
    proc = kaohe("score", str(ws), "--period", "2019", "--format", "json")
    assert proc.returncode == 2
    assert "units.csv" in proc.stderr and "第5行" in proc.stderr and "第6行" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_kaohe_run_writes_each_period_with_its_own_roster(tmp_path, prefect_server):
    ws = tmp_path / "ws"
    assert kaohe("init", str(ws), "--scheme", "jiande-2018").returncode == 0
    (ws / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    (ws / "adoptions" / "2019.csv").write_text(ADOPTIONS_CSV, encoding="utf-8")

    result = run(ws, "2019Q1", "--date", "2019-04-05")
    assert result.exit_code == 0, result.output
    q1 = ws / "out" / "2019Q1" / "v1"
    units = [r["unit"] for r in read_csv(q1 / "scores.csv")]
    assert {WENGUANG, TIYU, MERGED} <= set(units)
    assert (q1 / "statements" / f"{WENGUANG}.pdf").exists()

    result = run(ws, "2019", "--date", "2020-01-10")
    assert result.exit_code == 0, result.output
    year = ws / "out" / "2019" / "v1"
    scores = {r["unit"]: r for r in read_csv(year / "scores.csv")}
    assert not {WENGUANG, TIYU} & set(scores)
    assert "含原文广新局、原体育局的记录" in scores[MERGED]["remark"]
    assert {p.stem for p in (year / "statements").glob("*.pdf")} == set(scores)
    notes = [r["note"] for r in read_csv(year / "ledger.csv") if r["unit"] == MERGED]
    assert sum(n.endswith("（原文广新局）") for n in notes) == 2
    html = (year / "bulletin.html").read_text(encoding="utf-8")
    assert "原文广新局、原体育局（2019年2月28日止）的工作由文化和广电旅游体育局承继" in html
    # the quarter's version is as it was written: the old names
    assert [r["unit"] for r in read_csv(q1 / "scores.csv")] == units

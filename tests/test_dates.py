"""Doubtful and year-less dates (issue 12, point 2): nothing moves or disappears in silence.

A date typed with the wrong year (`2017.6.19` in the 2018Q2 sheet) or out of its
periodical's issue order is a `date` question and the row scores nowhere until answered;
a late adoption filed in the next quarter's sheet with its true date is not doubtful; a
year-less date (`4月17日`) takes the year its file or issue makes evident, or is asked.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from flows import readers, steps
from flows.workspace import Workspace
from transforms import dates
from transforms.errors import InputError
from transforms.periods import Period
from transforms.schema import ADOPTIONS, DECISIONS, EVENTS

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "jiande-2018"
DYN = "建德政务·动态"


def _row(text: str, file: str = "adoptions/2018q2.csv", issue: str | None = None, **kw) -> dict:
    """One ADOPTIONS + DATE_PARTS row as the reader gives it for a typed date `text`."""
    parsed = readers.parse_date(text)
    partial = None if parsed else dates.parse_partial_date(text)
    assert parsed or partial, text
    row = {
        "adoption_id": f"{file}:{text}:{issue}:{kw.get('title', '')}",
        "publication": kw.get("publication", DYN),
        "issue": issue,
        "date": parsed,
        "title": kw.get("title", f"标题{text}{issue}"),
        "units_raw": kw.get("units_raw", "三都镇"),
        "kind": None,
        "source_file": file,
        "source_row": kw.get("source_row", 2),
        "date_text": text,
        "date_month": partial.month if partial else None,
        "date_day": partial.day if partial else None,
    }
    return row


def _frame(*rows: dict) -> pl.DataFrame:
    numbered = [{**r, "source_row": r["source_row"] + i} for i, r in enumerate(rows)]
    return pl.DataFrame(numbered, schema={**ADOPTIONS, **dates.DATE_PARTS})


def _decisions(*rows: tuple[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"type": "date", "key": k, "answer": a} for k, a in rows], schema=DECISIONS
    )


def _q2_sheet(*extra: str) -> pl.DataFrame:
    """A 2018Q2 sheet: issues 12–25 of 建德政务·动态, April to June 2018, plus `extra`."""
    days = ["2018-04-02", "2018-04-20", "2018-05-07", "2018-05-28", "2018-06-13", "2018-06-27"]
    rows = [_row(d, issue=str(12 + 2 * i)) for i, d in enumerate(days)]
    return _frame(*rows, *(_row(t) for t in extra))


# --- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "month_day"),
    [("4月17日", (4, 17)), ("4.17", (4, 17)), ("4/17", (4, 17)), ("04-17", (4, 17)),
     ("２月29日", (2, 29)), ("12月3号", (12, 3))],
)  # fmt: skip
def test_a_year_less_date_is_read_as_month_and_day(text, month_day):
    partial = dates.parse_partial_date(text)
    assert (partial.month, partial.day) == month_day


@pytest.mark.parametrize("text", ["2月30日", "13.1", "4月", "明天", "2018"])
def test_text_that_is_no_month_day_is_not_a_partial_date(text):
    assert dates.parse_partial_date(text) is None


def test_the_reader_keeps_a_year_less_date_and_still_stops_on_an_impossible_one(tmp_path):
    head = "刊物,期号,日期,标题,单位\n"
    (tmp_path / "a.csv").write_text(head + f"{DYN},第12期,4月17日,甲,三都镇\n", encoding="utf-8")
    df = readers.read_adoptions([tmp_path / "a.csv"], tmp_path, {DYN: DYN})
    row = df.row(0, named=True)
    assert row["date"] is None
    assert (row["date_text"], row["date_month"], row["date_day"]) == ("4月17日", 4, 17)
    for bad in ("2018-02-30", "2月30日", "上周"):
        (tmp_path / "a.csv").write_text(head + f"{DYN},第12期,{bad},甲,三都镇\n", encoding="utf-8")
        with pytest.raises(InputError) as info:
            readers.read_adoptions([tmp_path / "a.csv"], tmp_path, {DYN: DYN})
        assert (info.value.file, info.value.row) == ("a.csv", 2)
        assert bad in info.value.message


# --- a year no other row of the file has ----------------------------------------------------


def test_a_lone_wrong_year_is_a_question_and_the_row_is_held_back():
    sheet = _q2_sheet("2017.6.19")
    check = dates.check_adoption_dates(sheet, None)
    assert check.frame.height == sheet.height - 1
    assert sheet["adoption_id"][-1] not in check.frame["adoption_id"].to_list()
    [q] = check.review.to_dicts()
    assert q["type"] == "date"
    assert (q["file"], q["row"]) == ("adoptions/2018q2.csv", 8)
    assert q["candidates"] == "2018-06-19"
    assert "2017.6.19" in q["text"] and DYN in q["text"] and "三都镇" in q["text"]
    assert "2018年" in q["reason"] and "确认" in q["reason"]


def test_a_late_adoption_filed_in_the_next_quarters_sheet_is_not_doubtful():
    # a Q1 adoption in the Q2 sheet, and a December 2017 one in the 2018Q1 sheet
    assert dates.check_adoption_dates(_q2_sheet("2018-03-28"), None).review.is_empty()
    q1 = _frame(*(_row(d, file="q1.csv") for d in ("2018-01-05", "2018-02-11", "2018-03-20")),
                _row("2017-12-28", file="q1.csv"))  # fmt: skip
    check = dates.check_adoption_dates(q1, None)
    assert check.review.is_empty()
    assert check.frame["date"].to_list()[-1] == date(2017, 12, 28)


def test_an_answered_date_settles_the_row_and_the_question_is_not_asked_again():
    sheet = _q2_sheet("2017.6.19")
    [q] = dates.check_adoption_dates(sheet, None).review.to_dicts()
    fixed = dates.check_adoption_dates(sheet, _decisions((q["key"], "2018-06-19")))
    assert fixed.review.is_empty()
    assert fixed.frame.height == sheet.height
    last = fixed.frame.row(-1, named=True)
    assert (last["date"], last["date_changed"]) == (date(2018, 6, 19), True)
    confirmed = dates.check_adoption_dates(sheet, _decisions((q["key"], "确认")))
    last = confirmed.frame.row(-1, named=True)
    assert (last["date"], last["date_changed"]) == (date(2017, 6, 19), False)
    assert confirmed.review.is_empty()


def test_an_answer_that_is_no_date_names_decisions_csv():
    sheet = _q2_sheet("2017.6.19")
    [q] = dates.check_adoption_dates(sheet, None).review.to_dicts()
    with pytest.raises(InputError) as info:
        dates.check_adoption_dates(sheet, _decisions((q["key"], "2018-06-31")))
    assert info.value.file == "decisions.csv" and "确认" in info.value.message


# --- issue order ----------------------------------------------------------------------------


def test_a_date_a_quarter_off_its_issue_order_is_a_question_and_its_neighbours_are_not():
    rows = [
        _row("2018-04-01", issue="第11期"),
        _row("2018-09-10", issue="第12期"),  # between 第11期 and 第13期: typed September
        _row("2018-04-15", issue="第13期"),
        _row("2018-04-20", issue="14"),
        _row("2018-04-27", issue="第15期"),
        _row("2018-08-01", issue="第30期", file="adoptions/q3.csv"),
    ]
    check = dates.check_adoption_dates(_frame(*rows), None)
    [q] = check.review.to_dicts()
    assert q["row"] == 3 and "第12期" in q["text"] and "2018-09-10" in q["text"]
    assert "第11期为 2018-04-01" in q["reason"] and "第13期为 2018-04-15" in q["reason"]
    assert q["candidates"] == "2018-04-01 至 2018-04-27 之间"
    assert check.frame.height == 5


def test_issue_numbers_restart_each_year():
    # 第2期 of 2019 after 第50期 of 2018, in one file: both years have many rows
    rows = [_row(f"2018-12-{d:02d}", issue=str(44 + d // 5)) for d in (3, 10, 17, 24)]
    rows += [_row(f"2019-01-{d:02d}", issue=str(1 + d // 7)) for d in (4, 11, 18, 25)]
    assert dates.check_adoption_dates(_frame(*rows), None).review.is_empty()


# --- year-less dates ------------------------------------------------------------------------


def test_a_year_less_date_takes_the_year_of_its_file():
    check = dates.check_adoption_dates(_q2_sheet("4月17日"), None)
    assert check.review.is_empty()
    last = check.frame.row(-1, named=True)
    assert (last["date"], last["date_changed"]) == (date(2018, 4, 17), True)


def test_a_year_less_date_in_a_file_spanning_two_years_only_when_one_fits():
    span = [_row(d, file="f.csv") for d in ("2017-12-05", "2017-12-20", "2018-01-08", "2018-01-22")]
    check = dates.check_adoption_dates(_frame(*span, _row("12月28日", file="f.csv")), None)
    assert check.review.is_empty() and check.frame["date"][-1] == date(2017, 12, 28)
    check = dates.check_adoption_dates(_frame(*span, _row("1月3日", file="f.csv")), None)
    assert check.review.is_empty() and check.frame["date"][-1] == date(2018, 1, 3)
    # a file from March 2017 to May 2018: April fits both years
    wide = [_row(d, file="w.csv") for d in ("2017-03-06", "2017-09-11", "2018-02-05", "2018-05-14")]
    check = dates.check_adoption_dates(_frame(*wide, _row("4月17日", file="w.csv")), None)
    [q] = check.review.to_dicts()
    assert "4月17日" in q["text"] and "年份" in q["reason"]
    assert check.frame.height == 4
    # answered with a full date it counts; 确认 cannot supply a year
    key = q["key"]
    rows = _frame(*wide, _row("4月17日", file="w.csv"))
    settled = dates.check_adoption_dates(rows, _decisions((key, "2018-04-17")))
    assert settled.frame["date"][-1] == date(2018, 4, 17)
    with pytest.raises(InputError):
        dates.check_adoption_dates(rows, _decisions((key, "确认")))


def test_a_year_less_date_takes_its_issues_masthead_date_or_the_file_names_year():
    masthead = _row("2018-04-16", issue="第12期", file="adoptions/第12期.docx")
    masthead["date_text"] = None  # an issue document's row
    typed = _row("4月17日", issue="12", file="adoptions/手录.csv")
    check = dates.check_adoption_dates(_frame(masthead, typed), None)
    assert check.review.is_empty() and check.frame["date"][-1] == date(2018, 4, 17)
    named = _row("4/17", file="adoptions/2018年二季度录用登记.xlsx")
    check = dates.check_adoption_dates(_frame(named), None)
    assert check.review.is_empty() and check.frame["date"][0] == date(2018, 4, 17)
    nothing = _row("4.17", file="adoptions/录用登记.xlsx")
    assert dates.check_adoption_dates(_frame(nothing), None).review.height == 1


# --- events ---------------------------------------------------------------------------------


def _event(text: str, title: str) -> dict:
    parsed = readers.parse_date(text)
    partial = None if parsed else dates.parse_partial_date(text)
    return {
        "event_id": title,
        "date": parsed,
        "type": "领导批示",
        "unit_raw": "三都镇",
        "title": title,
        "level": "市",
        "value": None,
        "status": None,
        "note": None,
        "source_file": "events/events.csv",
        "source_row": 2,
        "date_text": text,
        "date_month": partial.month if partial else None,
        "date_day": partial.day if partial else None,
    }


def test_event_dates_year_less_and_lone_year():
    rows = [_event(d, f"批示{i}") for i, d in enumerate(["2018-03-02", "2018-05-11", "2018-08-30"])]
    rows += [_event("6月5日", "批示三"), _event("2017-10-09", "批示四")]
    frame = pl.DataFrame(rows, schema={**EVENTS, **dates.DATE_PARTS})
    check = dates.check_event_dates(frame, None)
    assert check.frame.filter(title="批示三")["date"].to_list() == [date(2018, 6, 5)]
    [q] = check.review.to_dicts()
    assert (
        q["key"].startswith("事项|领导批示|三都镇|2017-10-09") and q["candidates"] == "2018-10-09"
    )


# --- the issue's situation in the jiande-2018 example ---------------------------------------

LATE_ROW = [DYN, "24", "2017.6.19", "三都镇推进美丽乡村精品线建设", "三都镇", "动态"]


def _workspace(tmp_path: Path, typed: str | None = "2017.6.19", answer: str | None = None) -> Path:
    root = tmp_path / "jiande"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("out", "*.db", ".kaohe*"))
    if typed is not None:
        with (root / "adoptions" / "2018q2.csv").open("a", encoding="utf-8", newline="") as f:
            csv.writer(f).writerow([*LATE_ROW[:2], typed, *LATE_ROW[3:]])
    if answer is not None:
        key = "|".join([DYN, "第24期", "2017-06-19", LATE_ROW[3]])
        with (root / "decisions.csv").open("a", encoding="utf-8", newline="") as f:
            csv.writer(f).writerow(["date", key, answer])
    return root


def _run(root: Path) -> tuple[steps.Matched, dict[str, float]]:
    ws = Workspace.load(root)
    matched = steps.match_and_group(steps.ingest(ws), ws.scheme)
    points = {}
    for label in ("2018Q2", "2017"):
        result = steps.score(matched, ws.scheme, Period.parse(label))
        got = result.scores.filter(unit="三都镇")["points"]
        points[label] = got[0] if got.len() else 0.0
    return matched, points


def test_the_2017_row_in_the_2018q2_sheet_is_asked_and_scores_nowhere_until_answered(tmp_path):
    _, before = _run(_workspace(tmp_path / "a", typed=None))
    matched, held = _run(_workspace(tmp_path / "b"))
    assert held == before  # neither Q2 nor 2017 moved
    [q] = matched.review.filter(type="date").to_dicts()
    assert (q["file"], q["row"]) == ("adoptions/2018q2.csv", 314)
    assert q["candidates"] == "2018-06-19" and "三都镇" in q["text"]

    answered, moved = _run(_workspace(tmp_path / "c", answer="2018-06-19"))
    _, typed_right = _run(_workspace(tmp_path / "d", typed="2018-06-19"))
    assert answered.review.filter(type="date").is_empty()
    assert moved == typed_right and moved["2018Q2"] > before["2018Q2"]
    assert moved["2017"] == before["2017"]

    confirmed, kept = _run(_workspace(tmp_path / "e", answer="确认"))
    assert confirmed.review.filter(type="date").is_empty()
    assert kept["2018Q2"] == before["2018Q2"] and kept["2017"] > before["2017"]


def test_two_rows_of_one_issue_dated_apart_the_issue_order_says_which_is_doubtful():
    rows = [
        _row("2018-03-28", issue="第11期"),
        _row("2018-04-02", issue="第12期", title="甲"),
        _row("2018-09-02", issue="第12期", title="乙"),  # the same issue, five months on
        _row("2018-04-09", issue="第13期"),
    ]
    [q] = dates.check_adoption_dates(_frame(*rows), None).review.to_dicts()
    assert "乙" in q["text"] and q["candidates"] == "2018-03-28 至 2018-04-09 之间"
    # with more rows of the issue on one date, they pin it even without neighbours
    pinned = [_row("2018-04-02", issue="第12期", title=t) for t in "甲乙丙"]
    pinned.append(_row("2018-09-02", issue="第12期", title="丁"))
    [q] = dates.check_adoption_dates(_frame(*pinned), None).review.to_dicts()
    assert "丁" in q["text"] and q["candidates"] == "2018-04-02"
    assert "同一期（第12期）的其他文章日期为 2018-04-02" in q["reason"]


def test_a_year_less_row_and_the_issue_document_of_its_article_count_once(tmp_path):
    sheet = tmp_path / "adoptions" / "手录.csv"
    sheet.parent.mkdir()
    head = "刊物,期号,日期,标题,单位\n"
    document = pl.DataFrame(
        [
            {
                "adoption_id": "doc",
                "publication": DYN,
                "issue": "第12期",
                "date": date(2018, 4, 17),
                "title": "三都镇推进美丽乡村建设",
                "units_raw": "三都镇",
                "kind": None,
                "source_file": "adoptions/第12期.docx",
                "source_row": 1,
            }
        ],
        schema=ADOPTIONS,
    )
    sheet.write_text(head + f"{DYN},第12期,4月17日,三都镇推进美丽乡村建设,三都镇\n", "utf-8")
    read = readers.read_adoptions([sheet], tmp_path, {DYN: DYN}, documents=document)
    assert read.height == 2  # the reader cannot know the year yet
    settled = readers.restamp_adoptions(dates.check_adoption_dates(read, None).frame)
    assert settled.height == 1 and settled["source_file"][0] == "adoptions/手录.csv"
    assert "date_changed" not in settled.columns
    sheet.write_text(head + f"{DYN},第12期,2018-04-17,三都镇推进美丽乡村建设,三都镇\n", "utf-8")
    typed = readers.read_adoptions([sheet], tmp_path, {DYN: DYN}, documents=document)
    # the id a file typed with the full date gives: decisions keyed by it still apply
    assert settled["adoption_id"].to_list() == typed["adoption_id"].to_list()


def test_a_year_less_event_takes_its_files_year_and_the_id_of_the_full_date(tmp_path):
    path = tmp_path / "events" / "events.csv"
    path.parent.mkdir()
    head = "日期,类型,单位,标题\n"
    rows = "2018-03-02,领导批示,三都镇,甲\n2018-08-30,领导批示,三都镇,乙\n"
    path.write_text(head + rows + "6月5日,领导批示,三都镇,丙\n", "utf-8")
    read = readers.read_events([path], tmp_path, ["领导批示"])
    settled = readers.restamp_events(dates.check_event_dates(read, None).frame)
    path.write_text(head + rows + "2018-06-05,领导批示,三都镇,丙\n", "utf-8")
    typed = readers.read_events([path], tmp_path, ["领导批示"]).drop(*dates.DATE_PARTS)
    assert settled.equals(typed)


def test_a_year_less_day_its_evident_year_does_not_have_stops_the_run():
    with pytest.raises(InputError) as info:
        dates.check_adoption_dates(_q2_sheet("2月29日"), None)
    assert (info.value.file, info.value.row) == ("adoptions/2018q2.csv", 8)
    assert "2018年" in info.value.message


def test_4月17日_in_the_2018q2_sheet_counts_as_2018_04_17_instead_of_stopping_the_run(tmp_path):
    matched, yearless = _run(_workspace(tmp_path / "a", typed="4月17日"))
    _, typed = _run(_workspace(tmp_path / "b", typed="2018-04-17"))
    assert matched.review.filter(type="date").is_empty()
    assert yearless == typed
    row = matched.inputs.adoptions.filter(title=LATE_ROW[3])
    assert row["date"].to_list() == [date(2018, 4, 17)]


def test_a_year_less_date_whose_evident_year_breaks_its_issue_order_is_asked():
    rows = [_row(f"2018-{m:02d}-10", issue=f"第{m * 4}期") for m in (3, 4, 5, 6, 7)]
    check = dates.check_adoption_dates(_frame(*rows, _row("11月2日", issue="第17期")), None)
    [q] = check.review.to_dicts()
    assert "11月2日" in q["text"] and "第16期为 2018-04-10" in q["reason"]


def test_a_year_less_date_in_a_file_of_one_year():
    year = [_row(f"2018-{m:02d}-15", file="y.csv") for m in (1, 4, 8, 12)]
    q1 = [_row(f"2018-{m:02d}-15", file="q1.csv") for m in (1, 2, 3)]
    for rows, typed, expected in [
        (year, "1月1日", date(2018, 1, 1)),  # the file's year, though 2019-01-01 is near too
        (q1, "12月28日", date(2017, 12, 28)),  # a late row of the quarter before
        (q1, "7月1日", date(2018, 7, 1)),  # far from the rows: still the file's year
    ]:
        file = rows[0]["source_file"]
        check = dates.check_adoption_dates(_frame(*rows, _row(typed, file=file)), None)
        assert check.review.is_empty(), typed
        assert check.frame["date"][-1] == expected, typed


def test_an_answer_that_is_no_date_is_reported_with_the_other_problems(tmp_path):
    root = _workspace(tmp_path, answer="2018-06-31")
    with (root / "adoptions" / "2018q2.csv").open("a", encoding="utf-8") as f:
        f.write(f"{DYN},25,上周,三都镇又一篇,三都镇,动态\n")
    with pytest.raises(InputError) as info:
        steps.check(Workspace.load(root))
    where = {(p.file, p.row) for p in info.value.problems}
    assert ("adoptions/2018q2.csv", 315) in where
    assert any(p.file == "decisions.csv" and "2018-06-31" in p.message for p in info.value.problems)

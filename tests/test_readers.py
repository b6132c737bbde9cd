"""Input readers (flows/readers.py): CSV/XLSX files into the frames of transforms.schema."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from flows.readers import (
    normalize_publication,
    parse_date,
    parse_datetime,
    read_adoptions,
    read_decisions,
    read_events,
    read_submissions,
    read_table,
    read_units,
)
from transforms.dates import DATE_PARTS
from transforms.errors import InputError
from transforms.schema import ADOPTIONS, DECISIONS, EVENTS, SUBMISSIONS, UNITS

FIXTURES = Path(__file__).parent / "fixtures" / "readers"

PUBLICATIONS = ["建德政务·动态", "杭州政务"]
NAMES = {normalize_publication(n): n for n in PUBLICATIONS}
EVENT_TYPES = frozenset({"领导批示", "约稿", "挂职"})

ADOPTIONS_CN = (
    "刊物,期号,日期,标题,单位,类别\n"
    "《建德政务・动态》,第12期,2018-05-03,我市推进“最多跑一次”改革,市农业局,\n"
    '杭州政务,2018年第12期,2018/5/3,"农村电商，助农增收",市林业局、市水利局,要情\n'
)
ADOPTIONS_EN = (
    "publication,issue,date,title,units,kind\n"
    "建德政务·动态,第12期,2018.5.3,我市推进“最多跑一次”改革,市农业局,\n"
    '杭州政务,2018年第12期,20180503,"农村电商，助农增收",市林业局、市水利局,要情\n'
)


def write(workspace: Path, rel: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = workspace / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode(encoding)
    path.write_bytes(content)
    return path


def write_xlsx(workspace: Path, rel: str, rows: list[list[object]]) -> Path:
    path = workspace / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def error_of(fn, *args, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        fn(*args, **kwargs)
    return str(info.value)


# --------------------------------------------------------------------------- read_table


def test_read_table_csv_utf8_bom_quotes_and_empty_rows(tmp_path):
    # line 1 header, line 2 data, line 3 blank (skipped), line 4 data with a quoted comma,
    # line 5 a field spanning lines 5–6, line 7 padding spaces only (empty, skipped).
    text = 'a,b\n x , \n\n"1,2",y\n"two\nlines",z\n , \n'
    path = write(tmp_path, "t.csv", text, "utf-8-sig")
    df, rows = read_table(path, tmp_path)
    assert df.columns == ["a", "b"]
    assert all(dtype == pl.String for dtype in df.dtypes)
    assert df.rows() == [("x", None), ("1,2", "y"), ("two\nlines", "z")]
    assert rows == [2, 4, 5]


def test_read_table_csv_gbk(tmp_path):
    path = write(tmp_path, "t.csv", "单位,类别\n市农业局,A\n", "gb18030")
    df, rows = read_table(path, tmp_path)
    assert df.rows() == [("市农业局", "A")]
    assert rows == [2]


def test_read_table_xlsx_title_row_dates_and_numbers(tmp_path):
    path = tmp_path / "adoptions" / "q2.xlsx"
    path.parent.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "2018年第二季度信息录用情况"
    ws.merge_cells("A1:F1")
    ws.append(["刊物", "期号", "日期", "标题", "单位", "类别"])
    ws.append(["杭州政务", 12.0, datetime(2018, 5, 3), " 标题一 ", "市农业局", None])
    ws.append([None] * 6)
    ws.append(["杭州政务", 13, datetime(2018, 5, 4, 9, 30), "标题二", "市林业局", 2.5])
    wb.save(path)
    from flows.readers import ADOPTION_HEADERS

    df, rows = read_table(path, tmp_path, ADOPTION_HEADERS, required=("publication", "date"))
    assert rows == [3, 5]  # sheet rows: title 1, header 2, data 3, blank 4, data 5
    assert df["issue"].to_list() == ["12", "13"]
    assert df["date"].to_list() == ["2018-05-03", "2018-05-04 09:30:00"]
    assert df["title"].to_list() == ["标题一", "标题二"]
    assert df["kind"].to_list() == [None, "2.5"]


def test_read_table_old_xls_is_an_error(tmp_path):
    path = write(tmp_path, "adoptions/old.xls", b"\xd0\xcf\x11\xe0")
    assert error_of(read_table, path, tmp_path).startswith("adoptions/old.xls：不支持旧版 .xls")


def test_read_table_not_an_xlsx(tmp_path):
    path = write(tmp_path, "adoptions/fake.xlsx", "刊物,日期\n")
    assert error_of(read_table, path, tmp_path).startswith(
        "adoptions/fake.xlsx：不是有效的 xlsx 文件"
    )


# --------------------------------------------------------------------------- publications


@pytest.mark.parametrize(
    "written",
    [
        "建德政务·动态",
        "《建德政务・动态》",
        "《建德政务•动态》",
        "建德政务‧动态",
        "建德政务．动态",
        "“建德政务·动态”",
        "〈建德政务･动态〉",
        " 建德政务 · 动态 ",
        "《建德政务　・　动态》",  # ideographic spaces
        "＂建德政务·动态＂",  # full-width quotes
        "＜建德政务·动态＞",
    ],
)
def test_normalize_publication_variants(written):
    assert normalize_publication(written) == "建德政务·动态"


def test_normalize_publication_full_width_letters_and_brackets():
    # NFKC: full-width Latin letters and brackets become half width on both sides.
    assert normalize_publication("《ＡＢＣ政务（专刊）》") == normalize_publication("ABC政务(专刊)")


# --------------------------------------------------------------------------- adoptions


def test_adoptions_chinese_and_english_headers_give_equal_frames(tmp_path):
    cn = read_adoptions([write(tmp_path, "adoptions/cn.csv", ADOPTIONS_CN)], tmp_path, NAMES)
    en = read_adoptions([write(tmp_path, "adoptions/en.csv", ADOPTIONS_EN)], tmp_path, NAMES)
    assert cn.schema == pl.Schema({**ADOPTIONS, **DATE_PARTS})
    assert cn.drop("source_file", "date_text").equals(en.drop("source_file", "date_text"))
    assert cn["publication"].to_list() == ["建德政务·动态", "杭州政务"]
    assert cn["date"].to_list() == [date(2018, 5, 3)] * 2
    assert cn["issue"].to_list() == ["第12期", "2018年第12期"]
    assert cn["title"].to_list() == ["我市推进“最多跑一次”改革", "农村电商，助农增收"]
    assert cn["units_raw"].to_list() == ["市农业局", "市林业局、市水利局"]
    assert cn["kind"].to_list() == [None, "要情"]
    assert cn["source_file"].to_list() == ["adoptions/cn.csv"] * 2
    assert cn["source_row"].to_list() == [2, 3]
    assert all(len(i) == 16 for i in cn["adoption_id"])


def test_adoptions_xlsx_equals_csv(tmp_path):
    csv_frame = read_adoptions([write(tmp_path, "a/q2.csv", ADOPTIONS_CN)], tmp_path, NAMES)
    xlsx = write_xlsx(
        tmp_path,
        "b/q2.xlsx",
        [
            ["2018年第二季度信息录用情况"],
            ["刊物名称", "期号", "录用日期", "信息标题", "供稿单位", "类别"],
            [
                "建德政务·动态",
                "第12期",
                datetime(2018, 5, 3),
                "我市推进“最多跑一次”改革",
                "市农业局",
            ],
            [
                "杭州政务",
                "2018年第12期",
                datetime(2018, 5, 3),
                "农村电商，助农增收",
                "市林业局、市水利局",
                "要情",
            ],
        ],
    )
    xlsx_frame = read_adoptions([xlsx], tmp_path, NAMES)
    assert xlsx_frame["source_row"].to_list() == [3, 4]
    # the same rows; only the date as typed (`date_text`) differs
    assert csv_frame.drop("source_file", "source_row", "date_text").equals(
        xlsx_frame.drop("source_file", "source_row", "date_text")
    )


def test_adoptions_same_issue_in_two_files_counts_once(tmp_path):
    # b.csv holds the first row of a.csv again, with spacing and punctuation changed in the
    # title (same normalised title) and the publication written with 《》: 2 + 1 - 1 = 2 rows.
    a = write(tmp_path, "adoptions/a.csv", ADOPTIONS_CN)
    b = write(
        tmp_path,
        "adoptions/b.csv",
        "刊物,期号,日期,标题,单位\n《建德政务·动态》,第12期,2018年5月3日,我市推进 最多跑一次 改革！,市农业局\n",
    )
    df = read_adoptions([b, a], tmp_path, NAMES)  # read in sorted order: a.csv first
    assert df.height == 2
    assert df["source_file"].to_list() == ["adoptions/a.csv", "adoptions/a.csv"]
    assert df["adoption_id"].n_unique() == 2


def test_adoptions_unknown_publication(tmp_path):
    path = write(
        tmp_path, "adoptions/q2.csv", ADOPTIONS_CN + "浙江日报,1,2018-05-06,标题,市农业局,\n"
    )
    msg = error_of(read_adoptions, [path], tmp_path, NAMES)
    assert msg.startswith("adoptions/q2.csv 第4行：")
    assert "浙江日报" in msg and "建德政务·动态" in msg and "杭州政务" in msg


@pytest.mark.parametrize("bad", ["2018-02-30", "2018-13-01", "五月三日", "2018/5"])
def test_adoptions_bad_date(tmp_path, bad):
    path = write(tmp_path, "adoptions/q2.csv", ADOPTIONS_CN + f"杭州政务,1,{bad},标题,市农业局,\n")
    msg = error_of(read_adoptions, [path], tmp_path, NAMES)
    assert msg.startswith("adoptions/q2.csv 第4行：") and bad in msg


@pytest.mark.parametrize(
    ("row", "word"),
    [
        ("杭州政务,1,2018-05-06,,市农业局,", "标题"),
        ("杭州政务,1,2018-05-06,标题,,", "单位"),
        ("杭州政务,1,,标题,市农业局,", "日期"),
        (",1,2018-05-06,标题,市农业局,", "刊物"),
    ],
)
def test_adoptions_required_cell_empty(tmp_path, row, word):
    path = write(tmp_path, "adoptions/q2.csv", ADOPTIONS_CN + row + "\n")
    msg = error_of(read_adoptions, [path], tmp_path, NAMES)
    assert msg.startswith("adoptions/q2.csv 第4行：") and word in msg


def test_adoptions_missing_column(tmp_path):
    path = write(tmp_path, "adoptions/q2.csv", "刊物,期号,标题,单位\n杭州政务,1,标题,市农业局\n")
    msg = error_of(read_adoptions, [path], tmp_path, NAMES)
    assert msg == "adoptions/q2.csv：缺少必需的列「日期」(date)"


def test_adoptions_header_variants(tmp_path):
    # full-width letters, spaces inside the name, capitals and a required-mark all match.
    text = "ＰＵＢＬＩＣＡＴＩＯＮ,Date,标 题,单位*,备注\n杭州政务,2018-05-03,标题,市农业局,x\n"
    df = read_adoptions([write(tmp_path, "adoptions/q2.csv", text)], tmp_path, NAMES)
    assert df.select("publication", "title", "units_raw", "issue").rows() == [
        ("杭州政务", "标题", "市农业局", None)
    ]


def test_adoptions_empty_files_and_non_tables(tmp_path):
    zero = write(tmp_path, "adoptions/zero.csv", b"")
    header = write(tmp_path, "adoptions/header.csv", "刊物,期号,日期,标题,单位,类别\n", "utf-8-sig")
    notes = write(tmp_path, "adoptions/readme.txt", "not read")
    df = read_adoptions([zero, header, notes], tmp_path, NAMES)
    assert df.height == 0 and df.schema == pl.Schema({**ADOPTIONS, **DATE_PARTS})


def test_adoptions_text_without_header_is_an_error(tmp_path):
    path = write(tmp_path, "adoptions/memo.csv", "今天收到市农业局的信息。\n请登记。\n")
    msg = error_of(read_adoptions, [path], tmp_path, NAMES)
    assert msg.startswith("adoptions/memo.csv：找不到表头")


def test_adoptions_fixture_file(tmp_path):
    shutil.copy(FIXTURES / "adoptions_gbk.csv", tmp_path / "q2.csv")
    df = read_adoptions([tmp_path / "q2.csv"], tmp_path, NAMES)
    # the fixture holds 3 rows, the third repeating the first: 2 adoptions.
    assert df.height == 2
    assert df["source_row"].to_list() == [3, 4]


# --------------------------------------------------------------------------- dates


def test_parse_date_forms():
    d = date(2018, 5, 3)
    for text in ["2018-05-03", "2018/5/3", "2018.5.3", "2018年5月3日", "20180503", "43223"]:
        assert parse_date(text) == d, text
    assert parse_date("2018-05-03 00:00:00") == d
    for text in ["2018-02-29", "2018-5", "abc", "", "12345678"]:
        assert parse_date(text) is None, text


def test_parse_datetime_forms():
    expect = "2018-05-03T09:12:00+08:00"
    for text in [
        "2018-05-03 09:12",
        "2018-05-03 09:12:00",
        "2018/5/3 9:12",
        "2018-05-03T09:12:00+08:00",
        "2018-05-03T01:12:00Z",  # 01:12 UTC is 09:12 in Shanghai
        "2018-05-03 10:12:00+09:00",
        "2018年5月3日 9时12分",
    ]:
        assert parse_datetime(text).isoformat() == expect, text
    assert parse_datetime("2018-05-03 25:00") is None
    assert parse_datetime("noon") is None


# --------------------------------------------------------------------------- submissions


def test_submissions(tmp_path):
    log = write(
        tmp_path,
        "submissions/2018-05.csv",
        "时间,发件人,主题,单位\n"
        "2018-05-03 09:12,张三 <nyj@jiande.gov.cn>,农业局信息一则,\n"
        "2018-05-31T17:30:00Z,,关于某某,市林业局\n"  # 17:30 UTC = 2018-06-01 01:30 local
        "2018-05-03 09:12,张三 <nyj@jiande.gov.cn>,农业局信息一则,\n",  # duplicate
        "gb18030",
    )
    mail = write(tmp_path, "submissions/a.eml", "From: x\n\nbody")
    df = read_submissions([mail, log], tmp_path)
    assert df.schema == pl.Schema(SUBMISSIONS)
    assert df.height == 2
    assert [t.isoformat() for t in df["time"].to_list()] == [
        "2018-05-03T09:12:00+08:00",
        "2018-06-01T01:30:00+08:00",
    ]
    assert df["unit_raw"].to_list() == [None, "市林业局"]
    assert df["source_row"].to_list() == [2, 3]
    assert df["source_file"].to_list() == ["submissions/2018-05.csv"] * 2


def test_submissions_english_headers_equal_chinese(tmp_path):
    cn = write(tmp_path, "s/cn.csv", "时间,发件人,主题\n2018/5/3 9:12,a@b.cn,信息\n")
    en = write(tmp_path, "s/en.csv", "time,sender,subject\n2018-05-03 09:12:00,a@b.cn,信息\n")
    a, b = read_submissions([cn], tmp_path), read_submissions([en], tmp_path)
    assert a.drop("source_file").equals(b.drop("source_file"))


def test_submissions_errors(tmp_path):
    no_who = write(
        tmp_path, "submissions/q.csv", "时间,发件人,主题,单位\n2018-05-03 09:12,,主题,\n"
    )
    assert error_of(read_submissions, [no_who], tmp_path).startswith("submissions/q.csv 第2行：")
    bad_time = write(tmp_path, "submissions/t.csv", "时间,发件人\n2018-05-03 09:12,a\n昨天,b\n")
    msg = error_of(read_submissions, [bad_time], tmp_path)
    assert msg.startswith("submissions/t.csv 第3行：") and "昨天" in msg
    no_cols = write(tmp_path, "submissions/c.csv", "时间,主题\n2018-05-03 09:12,主题\n")
    msg = error_of(read_submissions, [no_cols], tmp_path)
    assert msg.startswith("submissions/c.csv：缺少必需的列") and "发件人" in msg


def test_submissions_empty(tmp_path):
    df = read_submissions([write(tmp_path, "submissions/e.csv", b"")], tmp_path)
    assert df.height == 0 and df.schema == pl.Schema(SUBMISSIONS)


# --------------------------------------------------------------------------- events

EVENTS_CN = (
    "日期,类型,单位,标题,级别,分值,状态,备注\n"
    "2018-05-10,领导批示,市农业局,农村电商助农增收,杭州市主要领导,,,\n"
    "2018/5/12,约稿,市林业局,,,8.5,按时,\n"
)


def test_events(tmp_path):
    path = write(tmp_path, "events/q2.csv", EVENTS_CN + EVENTS_CN.splitlines()[1] + "\n")
    df = read_events([path], tmp_path, EVENT_TYPES)
    assert df.schema == pl.Schema({**EVENTS, **DATE_PARTS})
    assert df.height == 2  # the repeated first row is kept once
    assert df["type"].to_list() == ["领导批示", "约稿"]
    assert df["value"].to_list() == [None, 8.5]
    assert df["level"].to_list() == ["杭州市主要领导", None]
    assert df["date"].to_list() == [date(2018, 5, 10), date(2018, 5, 12)]
    assert df["source_row"].to_list() == [2, 3]


def test_events_english_headers_equal_chinese(tmp_path):
    en_text = "date,type,unit,title,level,value,status,note\n" + "".join(
        line + "\n" for line in EVENTS_CN.splitlines()[1:]
    )
    cn = read_events([write(tmp_path, "e/cn.csv", EVENTS_CN)], tmp_path, EVENT_TYPES)
    en = read_events([write(tmp_path, "e/en.csv", en_text)], tmp_path, EVENT_TYPES)
    assert cn.drop("source_file", "date_text").equals(en.drop("source_file", "date_text"))


def test_events_unknown_type(tmp_path):
    path = write(tmp_path, "events/q2.csv", EVENTS_CN + "2018-05-20,表扬,市农业局,,,,,\n")
    msg = error_of(read_events, [path], tmp_path, EVENT_TYPES)
    assert msg.startswith("events/q2.csv 第4行：") and "表扬" in msg
    assert all(word in msg for word in EVENT_TYPES)


def test_events_value_not_a_number(tmp_path):
    path = write(tmp_path, "events/q2.csv", EVENTS_CN + "2018-05-20,挂职,市农业局,,,abc,,\n")
    msg = error_of(read_events, [path], tmp_path, EVENT_TYPES)
    assert msg == "events/q2.csv 第4行：分值「abc」不是数字"


def test_events_missing_unit_cell_and_column(tmp_path):
    path = write(tmp_path, "events/q2.csv", EVENTS_CN + "2018-05-20,挂职,,,,1,,\n")
    assert error_of(read_events, [path], tmp_path, EVENT_TYPES).startswith("events/q2.csv 第4行：")
    path = write(tmp_path, "events/q3.csv", "日期,类型\n2018-07-01,挂职\n")
    msg = error_of(read_events, [path], tmp_path, EVENT_TYPES)
    assert msg == "events/q3.csv：缺少必需的列「单位」(unit)"


# --------------------------------------------------------------------------- units, decisions


def test_units(tmp_path):
    path = write(
        tmp_path,
        "units.csv",
        "单位,分组,别名,邮箱\n"
        "市农业局,B,农业局；市农林局;,nyj@jiande.gov.cn; nyj2@163.com\n"
        "新安江街道,乡镇（街道）,,\n",
    )
    df = read_units(path, tmp_path)
    assert df.schema == pl.Schema(UNITS)
    assert df.rows() == [
        ("市农业局", "B", ["农业局", "市农林局"], ["nyj@jiande.gov.cn", "nyj2@163.com"]),
        ("新安江街道", "乡镇（街道）", [], []),
    ]
    en = write(tmp_path, "en.csv", "unit,group\n市农业局,B\n")
    assert read_units(en, tmp_path).rows() == [("市农业局", "B", [], [])]
    assert read_units(tmp_path / "none.csv", tmp_path).height == 0


def test_units_duplicate(tmp_path):
    path = write(tmp_path, "units.csv", "unit,group\n市农业局,B\n市林业局,B\n市农业局,C\n")
    msg = error_of(read_units, path, tmp_path)
    assert msg.startswith("units.csv 第4行：") and "第2行" in msg


def test_decisions(tmp_path):
    assert read_decisions(tmp_path / "decisions.csv", tmp_path).schema == pl.Schema(DECISIONS)
    path = write(
        tmp_path,
        "decisions.csv",
        "type,key,file,row,text,candidates,reason,answer\n"
        "unit,农业局,adoptions/q2.csv,3,农业局,市农业局,相似,市农业局\n"
        "unit,林业,adoptions/q2.csv,4,林业,,无匹配,\n"  # not answered: skipped
        "same_article,a|b,,,,,,是\n",
    )
    df = read_decisions(path, tmp_path)
    assert df.rows() == [("unit", "农业局", "市农业局"), ("same_article", "a|b", "是")]
    cn = write(tmp_path, "cn.csv", "类型,键,答复\nunit,农业局,市农业局\n")
    assert read_decisions(cn, tmp_path).rows() == [("unit", "农业局", "市农业局")]


def test_adoptions_issue_typed_two_ways_counts_once(tmp_path):
    # 第12期, 12 and 2018年第12期 are the same issue number: 1 row, not 3.
    rows = "".join(
        f"建德政务·动态,{issue},2018-05-03,我市推进“最多跑一次”改革,市农业局\n"
        for issue in ("第12期", "12", "2018年第12期")
    )
    a = write(tmp_path, "adoptions/a.csv", "刊物,期号,日期,标题,单位\n" + rows)
    assert read_adoptions([a], tmp_path, NAMES).height == 1


def test_units_group_outside_the_scheme_names_the_row(tmp_path):
    path = write(tmp_path, "units.csv", "unit,group\n\n发改局,A\n民政局,D类\n")
    msg = error_of(read_units, path, tmp_path, ["乡镇（街道）", "A", "B", "C"])
    assert "units.csv 第4行" in msg and "D类" in msg and "民政局" in msg


# --------------------------------------------------------------------------- the xlsx cache

ROOT = Path(__file__).resolve().parents[1]
Q3 = ROOT / "examples" / "jiande-2018" / "adoptions" / "2018q3.xlsx"


def _q3_workspace(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "adoptions").mkdir()
    path = tmp_path / "adoptions" / Q3.name
    shutil.copy(Q3, path)
    return tmp_path, path


def _jiande_names() -> dict[str, str]:
    from flows.steps import publication_names
    from flows.workspace import Workspace

    return publication_names(Workspace.load(ROOT / "examples" / "jiande-2018").scheme)


def test_xlsx_rows_are_kept_and_read_again_without_opening_the_file(tmp_path, monkeypatch):
    """The raw rows of an .xlsx are kept by the sha256 of its bytes inside the workspace;
    the next read takes them from there, rows and frames identical."""
    import hashlib

    from flows import readers

    root, path = _q3_workspace(tmp_path)
    names = _jiande_names()
    plain_rows = readers._xlsx_rows(path, "adoptions/2018q3.xlsx")
    plain = read_adoptions([path], root, names)
    first = read_adoptions([path], root, names, cache=True)
    folder = readers.table_cache(root)
    assert folder == root / ".kaohe-cache" / "tables"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert [p.name for p in folder.iterdir()] == [f"{digest}.json"]

    def unopened(path, file):
        raise AssertionError(f"{file} opened again")

    monkeypatch.setattr(readers, "_read_xlsx", unopened)
    again = read_adoptions([path], root, names, cache=True)
    assert readers._xlsx_rows(path, "adoptions/2018q3.xlsx", folder) == plain_rows
    assert len(plain_rows) > 10
    assert first.equals(plain) and again.equals(plain) and not plain.is_empty()


def test_a_warm_read_does_not_import_openpyxl(tmp_path):
    import json
    import subprocess
    import sys

    from flows import readers

    root, path = _q3_workspace(tmp_path)
    expected = readers._xlsx_rows(path, "q3")
    readers._xlsx_rows(path, "q3", readers.table_cache(root))  # the entry
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from flows import readers\n"
        f"root, path = Path({str(root)!r}), Path({str(path)!r})\n"
        "rows = readers._xlsx_rows(path, 'q3', readers.table_cache(root))\n"
        "print(json.dumps({'openpyxl': 'openpyxl' in sys.modules, 'rows': rows}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    out = json.loads(proc.stdout)
    assert out["openpyxl"] is False
    assert out["rows"] == json.loads(json.dumps(expected))


@pytest.mark.parametrize(
    "damage",
    ["truncated", "not json", "a cell altered", "another kaohe", "another file", "bad row"],
)
def test_a_damaged_table_entry_is_not_trusted_and_is_rewritten(tmp_path, damage):
    import json

    from flows import cache, readers

    root, path = _q3_workspace(tmp_path)
    expected = readers._xlsx_rows(path, "q3")
    folder = readers.table_cache(root)
    assert readers._xlsx_rows(path, "q3", folder) == expected
    (entry,) = folder.iterdir()
    good = entry.read_text(encoding="utf-8")
    data = json.loads(good)
    if damage == "truncated":
        entry.write_text(good[: len(good) // 2], encoding="utf-8")
    elif damage == "not json":
        entry.write_bytes(b"\x00\xff garbage")
    else:
        if damage == "a cell altered":  # valid JSON, but not what was read
            data["rows"][2][1][0] = "伪造的刊物"
        elif damage == "another kaohe":  # another version, code or openpyxl: read again
            data["extractor"] = "0" * 64
            data["rows"][2][1][0] = "伪造的刊物"
            data["digest"] = cache.digest(data["rows"])
        elif damage == "bad row":  # its digest holds, but a cell is no text
            data["rows"][2][1][0] = 12
            data["digest"] = cache.digest(data["rows"])
        else:  # an entry copied under another file's name
            data["document"] = "0" * 64
        entry.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert readers._xlsx_rows(path, "q3", folder) == expected
    assert json.loads(entry.read_text(encoding="utf-8")) == json.loads(good)  # rewritten


def test_limits_are_checked_for_cached_tables(tmp_path):
    """[limits] hold whatever the cache: the file's size (and unpacked size) on the file,
    the rows and the columns on the rows kept, with the errors of a cold read."""
    from flows import readers
    from flows.settings import LimitsSettings

    root, path = _q3_workspace(tmp_path)
    wide = write_xlsx(root, "adoptions/wide.xlsx", [["a", "b", "c", "d"], [1, 2, 3, 4]])
    folder = readers.table_cache(root)
    rows = readers._xlsx_rows(path, "q3", folder)
    readers._xlsx_rows(wide, "wide", folder)
    assert len(list(folder.iterdir())) == 2
    tight = [
        (LimitsSettings(max_rows=len(rows) - 1), path, "max_rows"),
        (LimitsSettings(max_columns=3), wide, "max_columns"),
        (LimitsSettings(max_file_mb=0), path, "max_file_mb"),
    ]
    for bounds, file, key in tight:
        with readers.bounded(bounds):
            cold = error_of(readers._xlsx_rows, file, "f")
            warm = error_of(readers._xlsx_rows, file, "f", folder)
        assert warm == cold and key in warm


def test_a_bad_xlsx_gives_the_same_error_with_the_cache(tmp_path):
    from flows import readers

    path = write(tmp_path, "adoptions/fake.xlsx", "刊物,日期\n")
    folder = readers.table_cache(tmp_path)
    for _ in range(2):
        assert error_of(read_table, path, tmp_path, cache=folder).startswith(
            "adoptions/fake.xlsx：不是有效的 xlsx 文件"
        )
    assert not folder.exists()


def test_an_edited_table_gets_a_new_entry_and_the_old_one_goes(tmp_path):
    from flows import readers

    root, path = _q3_workspace(tmp_path)
    other = write_xlsx(
        root, "events/e.xlsx", [["日期", "类型", "单位"], ["2018-05-03", "约稿", "x"]]
    )
    names = _jiande_names()
    read_adoptions([path], root, names, cache=True)
    read_events([other], root, EVENT_TYPES, cache=True)
    folder = readers.table_cache(root)
    before = {p.name for p in folder.iterdir()}
    assert len(before) == 2
    readers.prune_table_cache(root, [path, other])
    assert {p.name for p in folder.iterdir()} == before
    write_xlsx(root, "adoptions/2018q3.xlsx", [["刊物", "日期", "标题", "单位"]])
    assert read_adoptions([path], root, names, cache=True).is_empty()
    readers.prune_table_cache(root, [path, other])
    after = {p.name for p in folder.iterdir()}
    assert len(after) == 2 and len(after - before) == 1 and len(before - after) == 1
    other.unlink()
    readers.prune_table_cache(root, [path])
    assert len(list(folder.iterdir())) == 1

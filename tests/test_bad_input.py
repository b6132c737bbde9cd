"""Input that is wrong, hostile or huge (issue 8): each case gets a clear Chinese message
naming the file and row (a structural error stops the run: nothing half-written), or a
review entry / a note (a doubtful row: the rest of the file still counts).

The workspace is jiande-2018 with its own roster; 乾潭镇 is a town (乡镇（街道）):
《建德政务·动态》 动态 4 points, 简讯 2 points (J1).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import zipfile
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest

from flows import mail, outputs, render, steps
from flows.workspace import Workspace, init_workspace, not_data
from transforms.errors import InputError, InputErrors
from transforms.periods import Period

HEADER = "刊物,期号,日期,标题,单位,类别\n"
GOOD = "建德政务·动态,第1期,2018-01-05,乾潭镇以挂图作战助推农房整治,乾潭镇,动态\n"
GOOD2 = "建德政务·动态,第1期,2018-01-05,大同镇召开无违建创建推进会,大同镇,简讯\n"


@pytest.fixture
def ws(tmp_path) -> Path:
    return init_workspace(tmp_path / "ws", "jiande-2018")


def _put(root: Path, rel: str, data: str | bytes, encoding: str = "utf-8") -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return p


def _matched(root: Path) -> steps.Matched:
    w = Workspace.load(root)
    return steps.match_and_group(steps.ingest(w), w.scheme)


def _score(root: Path, period: str):
    w = Workspace.load(root)
    return steps.score(_matched(root), w.scheme, Period.parse(period))


def _points(result, unit: str) -> float:
    return result.scores.filter(unit=unit)["points"][0]


def _error(root: Path) -> InputError:
    with pytest.raises(InputError) as info:
        _matched(root)
    return info.value


# --- encodings --------------------------------------------------------------------------


def test_gbk_and_bom_files_read_as_the_same_rows(ws):
    _put(ws, "adoptions/gbk.csv", HEADER + GOOD, encoding="gbk")
    _put(ws, "adoptions/bom.csv", HEADER + GOOD2, encoding="utf-8-sig")
    ad = _matched(ws).inputs.adoptions.sort("source_file")
    assert ad["title"].to_list() == ["大同镇召开无违建创建推进会", "乾潭镇以挂图作战助推农房整治"]
    assert ad["source_file"].to_list() == ["adoptions/bom.csv", "adoptions/gbk.csv"]


# --- broken tables ----------------------------------------------------------------------


def test_a_quote_inside_a_cell_is_kept_as_text(ws):
    # 标题"一 : csv reads a quote inside an unquoted cell literally; both rows count.
    _put(ws, "adoptions/q.csv", HEADER + GOOD.replace("农房整治", '农房"整治') + GOOD2)
    ad = _matched(ws).inputs.adoptions
    assert ad.height == 2
    assert '乾潭镇以挂图作战助推农房"整治' in ad["title"].to_list()


def test_a_stray_opening_quote_names_the_file_and_row(ws):
    # The quote before 乾潭镇 on line 2 opens a cell that swallows lines 3 and 4.
    bad = GOOD.replace(",乾潭镇以", ',"乾潭镇以')
    _put(ws, "adoptions/q.csv", HEADER + bad + GOOD2 + GOOD2.replace("01-05", "01-06"))
    err = _error(ws)
    assert (err.file, err.row) == ("adoptions/q.csv", 2)
    assert "引号不配对" in err.message and "第4行" in err.message


def test_xlsx_with_a_merged_title_merged_header_cells_and_empty_rows(ws):
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["2018年第一季度信息录用情况"])
    sh.merge_cells("A1:G1")
    sh.append(["刊物", "期号", "日期", "标题", None, "单位", "类别"])
    sh.merge_cells("D2:E2")  # 标题 spans two columns; the text is in D
    sh.append(
        [
            "建德政务·动态",
            "第1期",
            "2018-01-05",
            "乾潭镇以挂图作战助推农房整治",
            None,
            "乾潭镇",
            "动态",
        ]
    )
    sh.append([])
    sh.append([None] * 7)
    sh.append(
        [
            "建德政务·动态",
            "第1期",
            "2018-01-05",
            "大同镇召开无违建创建推进会",
            None,
            "大同镇",
            "简讯",
        ]
    )
    wb.save(ws / "adoptions" / "q1.xlsx")
    ad = _matched(ws).inputs.adoptions.sort("source_row")
    # Sheet rows 3 and 6: the empty rows 4 and 5 are skipped, the numbering is the sheet's.
    assert ad["source_row"].to_list() == [3, 6]
    assert ad["units_raw"].to_list() == ["乾潭镇", "大同镇"]


def test_an_empty_file_and_a_header_only_file_add_nothing_and_lose_nothing(ws):
    _put(ws, "adoptions/a-empty.csv", b"")
    _put(ws, "adoptions/b-header.csv", HEADER)
    _put(ws, "adoptions/c.csv", HEADER + GOOD)
    # 乾潭镇: one 动态 in Q1 = 4 points.
    assert _points(_score(ws, "2018Q1"), "乾潭镇") == 4


def test_a_png_named_csv_and_a_zip_named_xlsx_are_named(ws):
    png = _put(
        ws, "adoptions/photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    )
    err = _error(ws)
    assert err.file == "adoptions/photo.csv" and "编码" in err.message
    png.unlink()
    with zipfile.ZipFile(ws / "adoptions" / "book.xlsx", "w") as z:
        z.writestr("readme.txt", "not a workbook")
    err = _error(ws)
    assert err.file == "adoptions/book.xlsx" and "不是有效的 xlsx 文件" in err.message


# --- dates, names, classes, types ---------------------------------------------------------


def test_an_impossible_date_names_the_file_and_row(ws):
    _put(ws, "adoptions/a.csv", HEADER + GOOD + GOOD2.replace("2018-01-05", "2018-02-30"))
    err = _error(ws)
    assert (err.file, err.row) == ("adoptions/a.csv", 3)
    assert "2018-02-30" in err.message


def test_a_date_outside_the_period_counts_in_its_own_period(ws):
    # C3: the 2018-04-02 adoption is not in Q1 but in Q2; Q1 keeps the January one.
    _put(ws, "adoptions/a.csv", HEADER + GOOD + GOOD.replace("2018-01-05", "2018-04-02"))
    q1, q2 = _score(ws, "2018Q1"), _score(ws, "2018Q2")
    assert _points(q1, "乾潭镇") == 4
    assert _points(q2, "乾潭镇") == 4
    assert q1.ledger.filter(unit="乾潭镇")["date"].to_list() == [date(2018, 1, 5)]


def test_an_unknown_periodical_names_the_file_row_and_the_known_names(ws):
    _put(ws, "adoptions/a.csv", HEADER + GOOD + GOOD2.replace("建德政务·动态", "人民日报"))
    err = _error(ws)
    assert (err.file, err.row) == ("adoptions/a.csv", 3)
    assert "人民日报" in err.message and "建德政务·动态" in err.message


def test_an_unknown_class_scores_the_default_with_a_note(ws):
    # 快讯 is no class of 《建德政务·动态》: its default 动态 (4 points), noted in the ledger.
    _put(ws, "adoptions/a.csv", HEADER + GOOD.replace(",动态\n", ",快讯\n"))
    result = _score(ws, "2018Q1")
    assert _points(result, "乾潭镇") == 4
    assert "类别「快讯」未识别" in result.ledger.filter(unit="乾潭镇")["note"][0]


def test_an_unknown_event_type_names_the_file_and_row(ws):
    _put(
        ws,
        "events/e.csv",
        "日期,类型,单位,标题,级别,分值,状态,备注\n"
        "2018-01-22,领导批示,乾潭镇,乾潭镇以挂图作战助推农房整治,建德市,,,\n"
        "2018-01-23,表扬信,乾潭镇,,,,,\n",
    )
    err = _error(ws)
    assert (err.file, err.row) == ("events/e.csv", 3)
    assert "表扬信" in err.message and "领导批示" in err.message


def test_an_unknown_unit_in_an_adoption_goes_to_review_and_the_rest_counts(ws):
    _put(ws, "adoptions/a.csv", HEADER + GOOD + GOOD2.replace("大同镇,", "火星办事处,"))
    m = _matched(ws)
    unit_review = m.review.filter(type="unit")
    assert unit_review["file"].to_list() == ["adoptions/a.csv"]
    assert unit_review["row"].to_list() == [3]
    assert m.inputs.adoption_units["unit"].to_list() == ["乾潭镇"]


# --- duplicates -------------------------------------------------------------------------


def test_duplicate_rows_count_once(ws):
    _put(ws, "adoptions/a.csv", HEADER + GOOD + GOOD + GOOD2)
    _put(
        ws,
        "submissions/log.csv",
        "time,sender,subject,unit\n"
        "2018-01-03 09:00,a@b.cn,乾潭镇以挂图作战助推农房整治,乾潭镇\n"
        "2018-01-03 09:00,a@b.cn,乾潭镇以挂图作战助推农房整治,乾潭镇\n",
    )
    ev = "2018-01-22,领导批示,乾潭镇,乾潭镇以挂图作战助推农房整治,建德市,,,\n"
    _put(ws, "events/e.csv", "日期,类型,单位,标题,级别,分值,状态,备注\n" + ev + ev)
    m = _matched(ws)
    assert m.inputs.adoptions.height == 2
    assert m.inputs.submissions.height == 1
    assert m.inputs.events.height == 1


def test_the_same_issue_imported_twice_changes_nothing(ws):
    _put(ws, "adoptions/issue1.csv", HEADER + GOOD + GOOD2)
    once = _score(ws, "2018Q1")
    # The same issue again, typed differently (《》, 1 for 第1期, 2018/1/5).
    again = HEADER + "《建德政务·动态》,1,2018/1/5,乾潭镇以挂图作战助推农房整治,乾潭镇,动态\n"
    _put(ws, "adoptions/issue1-again.csv", again)
    twice = _score(ws, "2018Q1")
    assert twice.scores.equals(once.scores)
    # The same rows and points (the note may print the issue as the first file wrote it).
    cols = ["unit", "rule_id", "points", "ref", "article_id", "title"]
    assert twice.ledger.select(cols).equals(once.ledger.select(cols))


# --- mail -------------------------------------------------------------------------------


def _eml(subject: str, attachment: bytes | None = None) -> bytes:
    m = EmailMessage()
    m["From"] = "qt_xx@jiande.gov.cn"
    m["To"] = "xxk@jiande.gov.cn"
    m["Subject"] = subject
    m["Date"] = "Mon, 05 Mar 2018 09:00:00 +0800"
    m.set_content("见附件")
    if attachment is not None:
        m.add_attachment(
            attachment, maintype="application", subtype="msword", filename="关于农房整治的报告.doc"
        )
    return m.as_bytes()


def test_a_broken_message_is_reviewed_and_the_good_one_kept(ws):
    sub = ws / "submissions"
    _put(ws, "submissions/good.eml", _eml("【乾潭镇】乾潭镇以挂图作战助推农房整治"))
    # A multipart message whose boundary never closes and whose subject is a broken
    # RFC 2047 word: read as far as it goes.
    _put(
        ws,
        "submissions/broken.eml",
        b"From: qt_xx@jiande.gov.cn\r\nSubject: =?utf-8?b?5Lmx\r\n"
        b"Date: Mon, 05 Mar 2018 10:00:00 +0800\r\n"
        b'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n--XX\r\n'
        b"Content-Type: text/plain\r\n\r\nhi\r\n--YY--\r\n",
    )
    _put(ws, "submissions/garbage.eml", b"\x00\x01binary garbage\xff\xfe")
    read = mail.read_mail(mail.mail_sources(sub), ws)
    assert sorted(read.submissions["source_file"].to_list()) == [
        "submissions/broken.eml",
        "submissions/good.eml",
    ]
    assert read.review["file"].to_list() == ["submissions/garbage.eml"]
    assert "未计入报送记录" in read.review["reason"][0]


def test_a_50_mb_attachment_is_read_in_bounded_time_and_memory(tmp_path):
    # In a fresh process, so that its peak memory is this message's alone.
    eml = tmp_path / "big.eml"
    eml.write_bytes(_eml("【乾潭镇】关于农房整治的报告", attachment=b"\x00" * 50_000_000))
    code = textwrap.dedent(
        f"""
        import resource, time
        from pathlib import Path
        from flows import mail
        t = time.perf_counter()
        read = mail.read_mail([Path({str(eml)!r})], Path({str(tmp_path)!r}))
        took = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(read.submissions.height, read.submissions["attachments"][0], took, peak)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path.cwd()
    ).stdout.split()
    n, name, took, peak_mib = int(out[0]), out[1], float(out[2]), float(out[3])
    assert (n, name) == (1, "关于农房整治的报告.doc")
    # About 2 s and 0.8 GiB on the 2-core machine (a 67 MB message in base64): the
    # message is read whole, so memory is bounded, not time.
    print(f"50 MB attachment read in {took:.1f} s")
    assert peak_mib < 1536


# --- hostile titles ---------------------------------------------------------------------

HOSTILE = (
    "<script>alert(1)</script>乾潭镇农房整治",
    '=HYPERLINK("http://x.example/","点此")',
    "<b>大同镇</b>召开推进会&nbsp;",
)


def test_titles_holding_html_scripts_or_formulas_stay_text(ws, tmp_path):
    rows = "".join(
        f'建德政务·动态,第1期,2018-01-05,"{t.replace(chr(34), chr(34) * 2)}",{u},动态\n'
        for t, u in zip(HOSTILE, ("乾潭镇", "大同镇", "大同镇"), strict=True)
    )
    _put(ws, "adoptions/a.csv", HEADER + rows)
    w = Workspace.load(ws)
    m = _matched(ws)
    assert sorted(m.inputs.adoptions["title"].to_list()) == sorted(HOSTILE)
    result = steps.score(m, w.scheme, Period.parse("2018Q1"))
    # 乾潭镇 4; 大同镇 two 动态 = 8: the titles changed nothing in the scoring.
    assert (_points(result, "乾潭镇"), _points(result, "大同镇")) == (4, 8)
    ctx = render.ReportContext(
        scheme=w.scheme,
        office=w.office,
        period=Period.parse("2018Q1"),
        result=result,
        units=m.inputs.units,
        adoptions=m.inputs.adoptions,
        adoption_units=m.inputs.adoption_units,
        submissions=m.inputs.submissions,
        events=m.inputs.events,
        review=m.review,
        issued=date(2018, 4, 5),
        version=1,
    )
    out = tmp_path / "out"
    out.mkdir()
    render.write_exports(out, ctx)
    ledger = (out / "ledger.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in ledger  # a spreadsheet shows it as text, never runs it
    wb = openpyxl.load_workbook(out / "scores.xlsx")
    cells = [c for sh in wb.worksheets for row in sh.iter_rows() for c in row]
    formula = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert formula and all(c.data_type == "s" for c in formula)
    html = (
        render.environment()
        .get_template("bulletin.html.j2")
        .render(render.bulletin_context(ctx), inline_css=None)
    )
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


# --- not data, not read (issue 12) ------------------------------------------------------

NOT_DATA = (
    "adoptions/~$2018年二季度录用登记.xlsx",  # Excel's and WPS's lock file
    "adoptions/.~lock.2018q2.csv#",  # LibreOffice's
    "adoptions/2018q2.csv.tmp",
    "adoptions/.2018q2.csv.swp",
    "adoptions/2018q2.swp",
    "adoptions/Thumbs.db",
    "adoptions/desktop.ini",
    "submissions/.DS_Store",
    "submissions/~$报送.eml",
    "submissions/.git/log.csv",  # a hidden folder
    "events/.hidden/e.csv",
    "events/old.csv.TMP",
)


@pytest.mark.parametrize("rel", NOT_DATA)
def test_lock_temporary_and_hidden_files_are_not_data(rel):
    folder, name = rel.split("/", 1)
    assert not_data(name)
    assert not not_data("2018q2.csv") and not not_data("国庆.eml")


def test_lock_and_hidden_files_are_never_listed_hashed_or_read(ws):
    _put(ws, "adoptions/a.csv", HEADER + GOOD)
    _put(ws, "submissions/m.eml", _eml("【乾潭镇】乾潭镇以挂图作战助推农房整治"))
    before = Workspace.load(ws).input_hashes()
    for rel in NOT_DATA:  # garbage bytes: reading any of them would be an error
        _put(ws, rel, b"\x00\x01garbage\xff")
    w = Workspace.load(ws)
    assert w.input_hashes() == before
    assert [p.name for p in w.files("adoptions")] == ["a.csv"]
    assert mail.mail_sources(ws / "submissions") == [ws / "submissions" / "m.eml"]
    m = _matched(ws)
    assert m.inputs.adoptions["source_file"].to_list() == ["adoptions/a.csv"]
    assert m.inputs.submissions["source_file"].to_list() == ["submissions/m.eml"]


@pytest.mark.usefixtures("prefect_server")
def test_an_excel_lock_file_appearing_and_disappearing_makes_no_new_version(tmp_path):
    # Issue 12: after a run, Excel's lock file of the adoption sheet appears (while the
    # sheet is open) and disappears (Excel closed): neither is a change of the data.
    from click.testing import CliRunner

    from flows.cli import cli

    ws = init_workspace(tmp_path / "ws", "jiande-2018")
    (ws / "units.csv").write_text("unit,group,aliases,emails\n乾潭镇,乡镇（街道）,,\n", "utf-8")
    _put(
        ws, "adoptions/2018年二季度录用登记.csv", HEADER + GOOD.replace("2018-01-05", "2018-05-03")
    )

    def run() -> str:
        result = CliRunner().invoke(cli, ["run", str(ws), "--period", "2018Q2"])
        assert result.exit_code == 0, result.output
        return result.output

    assert "已生成 v1" in run()
    lock = _put(ws, "adoptions/~$2018年二季度录用登记.xlsx", b"\x00\x05Administrator\x00" * 9)
    assert "未生成新版本" in run()
    lock.unlink()
    assert "未生成新版本" in run()
    assert sorted(p.name for p in (ws / "out" / "2018Q2").iterdir()) == ["v1"]

    # v1 as an earlier kaohe wrote it, with the lock file hashed among its inputs: the
    # lock file having gone is still no change, and a real change lists only data.
    manifest_path = ws / "out" / "2018Q2" / "v1" / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["inputs"]["adoptions/~$2018年二季度录用登记.xlsx"] = "0" * 64
    manifest["inputs_hash"] = outputs.inputs_hash(manifest["inputs"], "jiande-2018", "2018Q2")
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    assert "未生成新版本" in run()
    _put(
        ws, "adoptions/2018年二季度录用登记.csv", HEADER + GOOD.replace("2018-01-05", "2018-05-04")
    )
    assert "已生成 v2" in run()
    v2 = json.loads((ws / "out" / "2018Q2" / "v2" / "manifest.json").read_text("utf-8"))
    assert v2["changes"]["inputs"]["removed"] == []
    assert v2["changes"]["inputs"]["changed"] == ["adoptions/2018年二季度录用登记.csv"]


# --- every error at once, fast (issue 12) -----------------------------------------------

EVENT_HEADER = "日期,类型,单位,标题,级别,分值,状态,备注\n"


def test_every_bad_row_of_every_file_is_reported_in_one_pass(ws):
    _put(
        ws,
        "adoptions/a.csv",
        HEADER
        + GOOD
        + GOOD2.replace("2018-01-05", "2018-02-30")  # row 3: impossible date
        + GOOD2.replace("建德政务·动态", "人民日报").replace("2018-01-05", "2018-1-32"),  # row 4
    )
    _put(ws, "adoptions/b.csv", HEADER + GOOD2 + GOOD.replace("乾潭镇以挂图作战助推农房整治", ""))
    with zipfile.ZipFile(ws / "adoptions" / "c.xlsx", "w") as z:
        z.writestr("readme.txt", "not a workbook")
    _put(
        ws,
        "submissions/log.csv",
        "time,sender,subject,unit\n2018-01-03 09:00,a@b.cn,标题,乾潭镇\n2018-13-03 09:00,a@b.cn,标题,\n",
    )
    _put(
        ws,
        "events/e.csv",
        EVENT_HEADER
        + "2018-01-23,领导批示,火星办事处,,建德市,,,\n"  # row 2: unknown unit, found last
        + "2018-01-22,表扬信,乾潭镇,,,,,\n"  # row 3: unknown type
        + "2018-01-22,约稿,乾潭镇,,,三分,,\n",  # row 4: value not a number
    )
    _put(ws, "events/f.csv", EVENT_HEADER + "2018-01-22,领导批示,火星办事处,,建德市,,,\n")
    with pytest.raises(InputErrors) as info:
        steps.check(Workspace.load(ws))
    err = info.value
    found = [(p.file, p.row) for p in err.problems]
    assert sorted(found, key=str) == sorted(
        [
            ("adoptions/a.csv", 3),
            ("adoptions/a.csv", 4),  # unknown periodical
            ("adoptions/a.csv", 4),  # and impossible date: both problems of the row
            ("adoptions/b.csv", 3),
            ("adoptions/c.xlsx", None),
            ("submissions/log.csv", 3),
            ("events/e.csv", 2),
            ("events/e.csv", 3),
            ("events/e.csv", 4),
            ("events/f.csv", 2),
        ],
        key=str,
    )
    lines = str(err).splitlines()
    assert lines[0].startswith("输入数据中有 10 处错误（6 个文件）")
    # One line per problem naming its file and row, grouped per file, rows in order.
    assert len(lines) == 11
    events = [ln.strip() for ln in lines if ln.strip().startswith("events/e.csv")]
    assert [ln.split("：")[0] for ln in events] == [
        "events/e.csv 第2行",
        "events/e.csv 第3行",
        "events/e.csv 第4行",
    ]
    assert "火星办事处" in events[0] and "表扬信" in events[1] and "三分" in events[2]
    assert any(ln.strip().startswith("adoptions/c.xlsx：不是有效的 xlsx 文件") for ln in lines)


def test_many_problems_in_one_file_are_capped_with_a_count(ws):
    bad = "".join(
        GOOD.replace("2018-01-05", f"2018-02-{day}").replace("农房整治", f"农房整治{day}")
        for day in range(30, 30 + 25)  # 2018-02-30 … 2018-02-54: 25 impossible dates
    )
    _put(ws, "adoptions/a.csv", HEADER + bad)
    _put(ws, "adoptions/b.csv", HEADER + GOOD.replace("2018-01-05", "2018-02-31"))
    with pytest.raises(InputErrors) as info:
        steps.check(Workspace.load(ws))
    lines = [ln.strip() for ln in str(info.value).splitlines()]
    assert lines[0].startswith("输入数据中有 26 处错误（2 个文件）")
    a_lines = [ln for ln in lines if ln.startswith("adoptions/a.csv")]
    assert len(a_lines) == 21
    assert a_lines[0].startswith("adoptions/a.csv 第2行：日期「2018-02-30」")
    assert a_lines[19].startswith("adoptions/a.csv 第21行：")
    assert a_lines[20] == "adoptions/a.csv：……另有 5 处"
    assert lines[-1].startswith("adoptions/b.csv 第2行：日期「2018-02-31」")


# Five typos in four files of the bundled 建德 example, as the issue's user made them.
TYPOS = (
    ("adoptions/2018q2.csv", 3, "2018-04-02", "2018-02-30"),  # impossible date
    ("adoptions/2018q2.csv", 5, "建德政务", "建德政务周刊"),  # unknown periodical
    ("adoptions/2018q1.csv", 3, "大同镇召开“无违建”创建推进会", ""),  # missing title
    ("events/events.csv", 3, "领导批示", "领导表扬"),  # unknown event type
    ("events/events.csv", 4, "市司法局", "市司法厅"),  # unknown unit in an event
)

# Runs the CLI and says on stderr, when the process ends, whether Prefect was imported.
PREFECT_PROBE = """
import atexit, sys
atexit.register(lambda: print("prefect imported:", "prefect" in sys.modules, file=sys.stderr))
sys.argv = ["kaohe", *sys.argv[1:]]
from flows.cli import main
main()
"""


def test_a_run_with_five_typos_reports_them_all_before_prefect_and_writes_nothing(tmp_path):
    from examples_e2e import copy_example

    root = copy_example(tmp_path, "jiande-2018")
    for rel, row, old, new in TYPOS:
        path = root / rel
        lines = path.read_text(encoding="utf-8").split("\n")
        assert old in lines[row - 1]
        lines[row - 1] = lines[row - 1].replace(old, new, 1)
        path.write_text("\n".join(lines), encoding="utf-8")
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    import resource

    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [sys.executable, "-c", PREFECT_PROBE, "run", str(root), "--period", "2018Q2"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    took = (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)
    assert proc.returncode == 2, proc.stderr
    reported = [ln.strip().split("：")[0] for ln in proc.stderr.splitlines() if "第" in ln]
    assert reported == [
        "adoptions/2018q1.csv 第3行",
        "adoptions/2018q2.csv 第3行",
        "adoptions/2018q2.csv 第5行",
        "events/events.csv 第3行",
        "events/events.csv 第4行",
    ]
    assert "输入数据中有 5 处错误（3 个文件）" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "prefect imported: False" in proc.stderr
    # nothing written but the cache of what was read (docs/workspace.md: kept, so that the
    # files read without error are not read again once the typos are fixed)
    after_run = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    assert [p for p in after_run if not p.startswith(".kaohe-cache")] == [
        p for p in before if not p.startswith(".kaohe-cache")
    ]
    assert all(
        re.fullmatch(r"\.kaohe-cache(/(issues|tables)(/[0-9a-f]{64}\.json)?)?", p)
        for p in after_run
        if p.startswith(".kaohe-cache")
    )
    # About 1 s of CPU on the 2-core machine (a Prefect server alone takes several).
    print(f"check of the 建德 example with five typos: {took:.2f} s CPU")
    assert took < 3

    # kaohe score reports the same problems the same way.
    score = subprocess.run(
        [sys.executable, "-c", PREFECT_PROBE, "score", str(root), "--period", "2018Q2"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert score.returncode == 2 and score.stdout == ""
    assert [ln for ln in score.stderr.splitlines() if "第" in ln] == [
        ln for ln in proc.stderr.splitlines() if "第" in ln
    ]


def test_a_report_of_several_problems_survives_pickling(ws):
    # A scheduled run raises it inside Prefect, which may pickle it to another process.
    import pickle

    _put(ws, "adoptions/a.csv", HEADER + GOOD.replace("2018-01-05", "2018-02-30") * 2)
    with pytest.raises(InputErrors) as info:
        steps.ingest(Workspace.load(ws))
    again = pickle.loads(pickle.dumps(info.value))
    assert str(again) == str(info.value)
    assert [(p.file, p.row) for p in again.problems] == [
        ("adoptions/a.csv", 2),
        ("adoptions/a.csv", 3),
    ]

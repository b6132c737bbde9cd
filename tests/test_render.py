"""Rendering the outputs of a run (flows.render): bulletin HTML/PDF, statements, exports.

Uses the hand-made quarter of tests/test_summary.py (towns 新安江街道 40, 洋溪街道 4,
寿昌镇 4; A: 市发改局 18, 市公安局 16, 市/区联络办 0). PDFs are read back with poppler's
pdftotext / pdffonts.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from test_summary import FORMULA, Q2, SCRIPT, sample

from flows.render import TEMPLATES, ReportContext, _fetcher, render_outputs, statement_filename
from schemes.engine import QUOTAS

OFFICE = "建德市人民政府办公室"
TITLE = "关于2018年第二季度全市政务信息报送采用情况的通报"


def make_context(**overrides) -> ReportContext:
    d = sample()
    kw = dict(
        scheme=d["scheme"],
        office=OFFICE,
        period=Q2,
        result=d["result"],
        units=d["units"],
        adoptions=d["adoptions"],
        adoption_units=d["adoption_units"],
        submissions=d["submissions"],
        events=d["events"],
        review=d["review"],
        issued=date(2018, 7, 5),
        version=1,
        doc_number="建政办〔2018〕15号",
        links=d["links"],
    )
    kw.update(overrides)
    return ReportContext(**kw)


def pdftext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def layout_rows(path: Path) -> list[list[str]]:
    """Table rows as the page shows them: each text line of `pdftotext -layout`, split."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return [line.split() for line in text.splitlines() if line.strip()]


def flat(text: str) -> str:
    """Text without whitespace, so that lines wrapped by the layout compare whole."""
    return re.sub(r"\s+", "", text)


#: the tests of the module's rendered quarter (`out`) run on one worker, so that it is
#: rendered once (make test runs --dist loadgroup)
rendered = pytest.mark.xdist_group("render-out")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> tuple[Path, list[Path], list[tuple[int, int, str]]]:
    out_dir = tmp_path_factory.mktemp("v1")
    calls: list[tuple[int, int, str]] = []
    paths = render_outputs(out_dir, make_context(), progress=lambda *a: calls.append(a))
    return out_dir, paths, calls


@rendered
def test_files_written_and_progress(out):
    out_dir, paths, calls = out
    names = {p.relative_to(out_dir).as_posix() for p in paths}
    for f in ["bulletin.html", "bulletin.pdf", "scores.csv", "scores.xlsx", "ledger.csv"]:
        assert f in names
    assert "review.csv" in names
    # 市/区联络办: the slash is replaced in the file name
    assert "statements/市_区联络办.pdf" in names
    assert "statements/新安江街道.html" in names
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    assert [c[:2] for c in calls] == [(i, 6) for i in range(1, 7)]
    assert calls[0][2] == "新安江街道"  # towns first (scheme order), rank 1 first
    assert statement_filename("a\\b/c") == "a_b_c"


@rendered
def test_bulletin_pdf_text(out):
    out_dir, _, _ = out
    text = pdftext(out_dir / "bulletin.pdf")
    f = flat(text)
    assert TITLE in f
    assert "建政办〔2018〕15号" in f
    assert "各乡镇人民政府、街道办事处，市政府各部门、单位：" in f
    # overall figures: 8 submissions of the roster's units (towns 4, A 4; the unknown
    # sender is left out, never printed as 未识别单位); 5 adoptions, 4 articles
    assert "据报送邮件记录，全市各单位共报送政务信息8条，其中乡镇（街道）4条、A类4条；" in f
    assert "未识别" not in f
    # nothing in the scheme is reported up (上报…): no 「上报0篇次」 beside the adoptions above
    assert "各级刊物共采用各单位信息5篇次（4篇），其中本级刊物采用3篇次、被上级刊物采用2篇次（" in f
    assert "上报" not in f
    assert "获领导批示1件" in f and "本级刊物编发3期" in f
    assert "依据《2018年全市政务信息工作考核办法》（建政办函〔2018〕22号）" in f
    # praise: only 新安江街道 met its target (30); nobody of A did
    assert "对完成本季度目标任务、在本类别得分排名前三（含并列）的单位予以通报表扬" in f
    assert "乡镇（街道）：新安江街道（40分）。" in f
    assert "A类：本季度无单位完成目标分值，暂不通报表扬。" in f
    assert "寿昌镇（4分" not in f.split("通报表扬")[2].split("工作亮点")[0]
    # problems
    assert "零报送单位" in f and "零采用单位" in f and "市/区联络办" in f
    assert "未达到本期目标分值的单位共5个" in f
    assert "乡镇（街道）2个（目标30分）：寿昌镇（4分）、洋溪街道（4分）。" in f
    assert "A类3个（目标30分）：市发改局（18分）、市公安局（16分）、市/区联络办（0分）。" in f
    # commissions
    assert "按时完成1篇：市发改局《关于优化营商环境的调研》" in f
    assert "市公安局《关于夜间经济的思考》（未报）" in f
    # notes, requirements, signature
    assert "月度无报送扣分仅适用于已导入报送邮件记录的月份" in f
    assert "下一步工作要求" in f
    assert "建德市人民政府办公室二〇一八年七月五日" in f
    # attachments: table headers, year-to-date 52 (12 + 40), the article list
    # the scheme's assessment column (a scheme without assessment_label: 排名得分)
    html = (out_dir / "bulletin.html").read_text(encoding="utf-8")
    assert '<th rowspan="2">排名<br>得分</th>' in html
    assert "全年累计" in f
    rows = layout_rows(out_dir / "bulletin.pdf")
    # rank, unit, submitted, 本级 市 省, 采用率, points, year to date, target, met, rank
    # points; 采用率 = articles adopted ÷ submissions: 新安江街道 1 ÷ 2, 洋溪街道 1 ÷ 1,
    # 市/区联络办 sent nothing (—)
    assert ["1", "新安江街道", "2", "1", "1", "0", "50.0%", "40", "52", "30", "是", "15"] in rows
    assert ["2", "洋溪街道", "1", "1", "0", "0", "100.0%", "4", "10", "30", "否", "0"] in rows
    assert ["3", "市/区联络办", "0", "0", "0", "0", "—", "0", "0", "30", "否", "0"] in rows
    # 市发改局: 1 article (a4, 本级) ÷ 3 submissions; no quarter row, so year to date 0
    assert ["1", "市发改局", "3", "1", "0", "0", "33.3%", "18", "0", "30", "否", "0"] in rows
    assert "采用率＝本期被采用信息篇数÷报送条数" in f
    assert "2018年第二季度政务信息采用目录" in f
    assert "一季度旧稿" not in f  # February: not in this quarter
    assert "—1—" in f  # page number at bottom centre
    assert "\ufffd" not in text


@rendered
def test_pdf_fonts_embedded_and_cjk(out):
    out_dir, _, _ = out
    for pdf in [out_dir / "bulletin.pdf", out_dir / "statements" / "洋溪街道.pdf"]:
        listing = subprocess.run(
            ["pdffonts", str(pdf)], capture_output=True, check=True, text=True
        ).stdout
        rows = listing.splitlines()[2:]
        assert rows, listing
        for row in rows:
            name = row.split()[0]
            # every font is a subset (ABCDEF+…) of Noto CJK, FandolFang (the bulletin's
            # 仿宋 body face) or LXGW WenKai (楷体, fallback), embedded ("yes yes yes")
            assert re.fullmatch(
                r"[A-Z]{6}\+(Noto-(Serif|Sans)-CJK-SC|LXGW-WenKai|FandolFang)(-Bold)?", name
            ), row
            assert re.search(r"\byes\s+yes\s+yes\b", row), row
        if pdf.name == "bulletin.pdf":  # the body is 仿宋 (scripts/setup.sh installs it)
            assert re.search(r"^[A-Z]{6}\+FandolFang ", listing, flags=re.M), listing
        assert "\ufffd" not in pdftext(pdf)
    info = subprocess.run(
        ["pdfinfo", str(out_dir / "bulletin.pdf")], capture_output=True, check=True, text=True
    ).stdout
    assert "595.276 x 841.89" in info  # A4


@rendered
def test_hostile_titles_stay_text(out):
    out_dir, _, _ = out
    html = (out_dir / "bulletin.html").read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=http://example.invalid/x.png&gt;" in html
    st = (out_dir / "statements" / "洋溪街道.html").read_text(encoding="utf-8")
    assert "<script" not in st and "&lt;script&gt;" in st
    # the PDF shows them as text
    f = flat(pdftext(out_dir / "bulletin.pdf"))
    # (a wrapped table cell may interleave with its neighbour in the text layer)
    assert flat(SCRIPT) in f and flat(FORMULA) in f
    assert "<imgsrc=http://" in f and "example.invalid/x.png>智慧警务" in f


def test_fetcher_refuses_network_and_outside_files(tmp_path):
    fetcher = _fetcher()
    for url in [
        "http://example.invalid/x.png",
        "https://example.invalid/x.css",
        "ftp://example.invalid/x",
        (tmp_path / "x.png").as_uri(),
        "file:///etc/passwd",
        (TEMPLATES / ".." / "pyproject.toml").as_uri(),
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch((TEMPLATES / "style.css").as_uri()).read().startswith(b"/*")
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())  # BOM, so Excel reads the Chinese
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@rendered
def test_csv_exports(out):
    out_dir, _, _ = out
    scores = read_csv(out_dir / "scores.csv")
    assert list(scores[0]) == [
        "unit",
        "group",
        "points",
        "rank",
        "target_met",
        "assessment",
        "target",
        "submitted",
        "adopted",
        "remark",
    ]
    first = scores[0]
    assert (first["unit"], first["points"], first["rank"], first["target_met"]) == (
        "新安江街道",
        "40",
        "1",
        "true",
    )
    assert first["assessment"] == "15"
    ledger = read_csv(out_dir / "ledger.csv")
    assert len(ledger) == 9
    row = next(r for r in ledger if r["ref"] == "a4")
    assert row["title"] == "'" + FORMULA and row["note"] == "'" + FORMULA
    assert row["points"] == "10"
    assert next(r for r in ledger if r["rule"] == "月度无报送")["points"] == "-10"  # a number
    review = read_csv(out_dir / "review.csv")
    # Chinese for its reader; decisions.csv's three columns first (type, key, answer)
    assert list(review[0]) == [
        "问题类型",
        "识别码",
        "答复",
        "可填答复",
        "影响得分",
        "单位",
        "标题",
        "日期",
        "刊物及期号",
        "文件",
        "行号",
        "内容",
        "候选",
        "说明",
    ]
    assert review[0]["内容"] == "'@SUM(A1:A2)"


@rendered
def test_xlsx_export(out):
    out_dir, _, _ = out
    wb = openpyxl.load_workbook(out_dir / "scores.xlsx")
    assert wb.sheetnames == ["乡镇（街道）得分", "A类得分", "计分明细"]
    towns = wb["乡镇（街道）得分"]
    assert towns.freeze_panes == "A2"
    header = [c.value for c in towns[1]]
    # the year to date beside the period's points, as in the bulletin's table (全年累计 52)
    assert header[:6] == ["排名", "单位", "报送", "采用", "得分", "本年累计"]
    assert [c.value for c in towns[2]][:6] == [1, "新安江街道", 2, 1, 40, 52]
    assert towns.cell(row=2, column=5).data_type == "n"
    assert towns.cell(row=2, column=6).data_type == "n"
    led = wb["计分明细"]
    cols = [c.value for c in led[1]]
    title_col = cols.index("标题") + 1
    points_col = cols.index("分值") + 1
    cells = [led.cell(row=r, column=title_col) for r in range(2, led.max_row + 1)]
    hostile = next(c for c in cells if c.value == FORMULA)
    assert hostile.data_type == "s"  # text, not a formula
    points = [led.cell(row=r, column=points_col) for r in range(2, led.max_row + 1)]
    assert all(c.data_type == "n" for c in points)
    assert -10 in [c.value for c in points]


@rendered
def test_statements_explain_the_points(out):
    out_dir, _, _ = out
    f = flat(pdftext(out_dir / "statements" / "新安江街道.pdf"))
    assert "新安江街道2018年第二季度政务信息得分说明" in f
    assert "得分40分" in f and "第1名（共3个单位）" in f and "目标分值30分" in f
    # the four ledger rows and their total: 4 + 16 + 30 - 10 = 40
    for piece in ["本级采用三（一）14", "杭州采用三（一）216", "领导批示三（二）30", "-10"]:
        assert piece in f, piece
    assert ["合计", "40", "等于本期得分"] in layout_rows(out_dir / "statements" / "新安江街道.pdf")
    assert "月度无报送扣分仅适用于" in f
    shared = flat(pdftext(out_dir / "statements" / "寿昌镇.pdf"))
    assert "联合供稿" in shared
    assert ["合计", "4", "等于本期得分"] in layout_rows(out_dir / "statements" / "寿昌镇.pdf")
    empty = out_dir / "statements" / "市_区联络办.pdf"
    assert "本期无计分记录" in flat(pdftext(empty))
    assert ["合计", "0", "等于本期得分"] in layout_rows(empty)


def test_without_mail_logs_and_with_corrections(tmp_path):
    """A rerun after the office answered a question and corrected a date: the 更正说明 is
    one paragraph saying which answer and which row changed, in words; the unit whose
    points changed is in an attachment, the rank-only changes are one sentence."""
    d = sample()
    ctx = make_context(
        submissions=d["submissions"].clear(),
        review=d["review"].clear(),  # the question answered: no longer a draft
        version=2,
        changes={
            "previous": 1,
            "units": [
                {"unit": "市发改局", "before": 10, "after": 18, "rank_before": 2, "rank_after": 1},
                {"unit": "市公安局", "before": 16, "after": 16, "rank_before": 1, "rank_after": 2},
                {"unit": "寿昌镇", "before": 4, "after": 4, "rank_before": 3, "rank_after": 2},
            ],
            "inputs": {
                "added": [],
                "removed": [],
                "changed": ["adoptions/2018.csv", "decisions.csv", "events/2018.csv"],
            },
            "decisions": {
                "added": [{"type": "unit", "key": "市文广局", "answer": "市文化广电新闻出版局"}],
                "changed": [],
                "removed": [],
            },
            "rows": {
                "dates": [
                    {
                        "file": "adoptions/2018.csv",
                        "row": 12,
                        "publication": "建德政务·动态",
                        "issue": "13",
                        "date": "2018-06-19",
                        "before": "2017-06-19",
                        "title": "防汛演练",
                        "units": "市发改局",
                    }
                ],
                "units": [],
                "added": [],
                "removed": [],
            },
            "ledger": {
                "added": [
                    {
                        "unit": "市发改局",
                        "rule_id": "t/J-4",
                        "ref": "ev2",
                        "points": 8.0,
                        "note": "约稿",
                    }
                ],
                "removed": [],
            },
        },
    )
    render_outputs(tmp_path, ctx)
    f = flat(pdftext(tmp_path / "bulletin.pdf"))
    assert "本期未导入报送邮件记录" in f
    assert "零报送单位" not in f  # nobody can be named without mail logs
    assert "零采用单位" in f
    note = f.split("更正说明：")[1].split("据报送邮件记录")[0].split("2018年第二季度，")[0]
    assert note == (
        "本通报为第2版，更正第1版通报。更正原因：将“市文广局”认定为市文化广电新闻出版局；"
        "adoptions/2018.csv第12行《防汛演练》（《建德政务·动态》第13期）的日期由2017-06-19"
        "改为2018-06-19；修改数据文件events/2018.csv。据此更正1个单位的得分（更正前后对照见"
        "附件4），另有2个单位得分不变、排名随之调整。其余内容以本版为准。"
    )
    # the answer explains decisions.csv, the row adoptions/2018.csv: no bare file names
    assert "decisions.csv" not in f and "修改数据文件adoptions" not in f
    assert "附件：" in f and "4．第2版更正前后得分对照" in f
    rows = layout_rows(tmp_path / "bulletin.pdf")
    assert ["市发改局", "10", "18", "2", "1", "＋约稿8分"] in rows
    assert not any(r[:1] in (["市公安局"], ["寿昌镇"]) and "16" in r[1:3] for r in rows[-6:])
    st = flat(pdftext(tmp_path / "statements" / "新安江街道.pdf"))
    assert "报送（条）未统计" in st and "按报送情况计分的条款未适用" in st
    # the unit's own statement says what changed since version 1
    st = flat(pdftext(tmp_path / "statements" / "市发改局.pdf"))
    assert "更正情况（与第1版相比）：得分由10分更正为18分，排名由第2名更正为第1名" in st
    assert "新增计分：" in st and "8分（约稿）" in st


def test_district_office_wording(tmp_path):
    ctx = make_context(office="青山区人民政府办公室", doc_number=None)
    render_outputs(tmp_path, ctx)
    f = flat(pdftext(tmp_path / "bulletin.pdf"))
    assert "关于2018年第二季度全区政务信息报送采用情况的通报" in f
    assert "区政府各部门" in f


# --------------------------------------------------------------------------- looked at


def _html_text(path: Path) -> str:
    """The visible text of an HTML output: no <style>, no tags, entities decoded."""
    import html as _html

    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<style>.*?</style>|<title>.*?</title>", "", raw, flags=re.S)
    return _html.unescape(re.sub(r"<[^>]+>", " ", raw))


def _font_file(family: str) -> tuple[str, int]:
    out = subprocess.run(
        ["fc-match", "-f", "%{file}|%{index}", family], capture_output=True, check=True, text=True
    ).stdout
    path, index = out.split("|")
    return path, int(index or 0)


@rendered
def test_every_character_has_a_glyph(out):
    """No tofu: every character of the bulletin's and a statement's text is in the cmap of
    the faces the CSS names (FandolFang, LXGW WenKai, Noto Serif CJK SC), and comes back out of
    the PDF's text layer."""
    from fontTools.ttLib import TTFont

    out_dir, _, _ = out
    cmaps = []
    for family in ["FandolFang", "LXGW WenKai", "Noto Serif CJK SC"]:
        path, index = _font_file(family)
        assert family.split()[0].lower() in path.lower(), path
        font = TTFont(path, fontNumber=index, lazy=True)
        cmaps.append(set(font.getBestCmap()))
    covered = set().union(*cmaps)
    for html, pdf in [
        (out_dir / "bulletin.html", out_dir / "bulletin.pdf"),
        (out_dir / "statements" / "洋溪街道.html", out_dir / "statements" / "洋溪街道.pdf"),
    ]:
        chars = {c for c in _html_text(html) if not c.isspace()}
        missing = sorted(c for c in chars if ord(c) not in covered)
        assert not missing, (html.name, missing)
        pdf_chars = set(flat(pdftext(pdf)))
        lost = sorted(chars - pdf_chars)
        assert not lost, (pdf.name, lost)


def test_bulletin_layout_grid(tmp_path):
    """GB/T 9704: 3号 body, 28 characters a line (the first line indented two), 22 lines a
    page; A4."""
    from flows.render import _pdf

    html = '<html><body class="bulletin"><p>' + "政务信息工作考核" * 90 + "</p></body></html>"
    pdf = tmp_path / "grid.pdf"
    _pdf(html, pdf)
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    lines = [ln.strip() for ln in text.splitlines() if re.search(r"[\u4e00-\u9fff]", ln)]
    assert len(lines[0]) == 26 and {len(x) for x in lines[1:]} == {28}, lines[:3]
    assert len(lines) == 22


@rendered
def test_html_is_valid(out):
    import html5lib

    out_dir, _, _ = out
    for path in [out_dir / "bulletin.html", out_dir / "statements" / "寿昌镇.html"]:
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(
            path.read_text(encoding="utf-8")
        )


@rendered
def test_bulletin_renders_in_headless_chromium(out, tmp_path):
    from PIL import Image

    out_dir, _, _ = out
    png = tmp_path / "shot.png"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=900,1200",
            f"--screenshot={png}",
            (out_dir / "bulletin.html").as_uri(),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    img = Image.open(png).convert("L")
    assert img.size == (900, 1200)
    dark = sum(img.histogram()[:128])
    # text and the red masthead: a blank page has none; a page of text a few percent
    assert dark > 0.005 * img.size[0] * img.size[1], dark


def test_statements_in_prestarted_worker_processes(tmp_path):
    """The pool path (used from POOL_MIN_UNITS units on) writes the same files. `kaohe run`
    starts the workers early (`prestart_workers`, while Prefect's server boots): the next
    write_statements renders on them and shuts them down. (One test, one pool of workers.)"""
    from flows import render

    prestarted = render._pool_workers() >= 2  # one core: rendered in the run's process
    if prestarted:
        assert not render.prestart_workers(render.POOL_MIN_UNITS - 1)  # too few to pay off
        assert render.prestart_workers(render.POOL_MIN_UNITS)
        pool = render._PRESTARTED[0]
    calls = []
    paths = render.write_statements(tmp_path, make_context(), lambda *a: calls.append(a), workers=2)
    if prestarted:
        assert render._PRESTARTED is None and pool._shutdown_thread  # used, then shut down
    assert len([p for p in paths if p.suffix == ".pdf"]) == 6
    assert sorted(p.name for p in paths if p.suffix == ".pdf") == sorted(
        f"{u}.pdf"
        for u in ["新安江街道", "洋溪街道", "寿昌镇", "市发改局", "市公安局", "市_区联络办"]
    )
    assert sorted(c[0] for c in calls) == list(range(1, 7))
    assert "得分40分" in flat(pdftext(tmp_path / "新安江街道.pdf"))


def test_a_worker_lays_out_the_bulletin_while_the_run_writes_the_rest(tmp_path, monkeypatch):
    """From POOL_MIN_UNITS units on, render_outputs hands bulletin.pdf to a worker before
    the statements and writes the .docx and the exports meanwhile: the same files in the
    same order, byte for byte, as rendered in this process one after the other."""
    from flows import render

    if render._pool_workers() < 2:
        pytest.skip("one core: everything is rendered in the run's process")
    (tmp_path / "here").mkdir()
    (tmp_path / "pool").mkdir()
    here = render_outputs(tmp_path / "here", make_context())
    monkeypatch.setattr(render, "POOL_MIN_UNITS", 2)  # the sample's 6 units take the pool
    calls = []
    pool = render_outputs(tmp_path / "pool", make_context(), lambda *a: calls.append(a))
    assert sorted(c[0] for c in calls) == list(range(1, 7))
    names = [p.relative_to(tmp_path / "here").as_posix() for p in here]
    assert [p.relative_to(tmp_path / "pool").as_posix() for p in pool] == names
    assert names[:2] == ["bulletin.html", "bulletin.pdf"] and "bulletin.docx" in names
    for name in names:
        if not name.endswith((".docx", ".xlsx")):  # these hold the time they were written
            assert (tmp_path / "pool" / name).read_bytes() == (
                tmp_path / "here" / name
            ).read_bytes(), name
    assert flat(pdftext(tmp_path / "pool" / "bulletin.pdf")) == flat(
        pdftext(tmp_path / "here" / "bulletin.pdf")
    )


def test_unchanged_statements_share_the_previous_versions_files(tmp_path):
    """A rerun links the statements whose HTML is unchanged (workers too) and writes only
    the others; the previous version's files are never written again."""
    from flows.render import shared_statements, write_statements

    v1 = tmp_path / "v1" / "statements"
    write_statements(v1, make_context())
    before = {p.name: p.read_bytes() for p in v1.iterdir()}
    # 新安江街道's points were corrected: its statement says so, the others do not change
    changes = {
        "previous": 1,
        "units": [
            {"unit": "新安江街道", "before": 30.0, "after": 40.0, "rank_before": 1, "rank_after": 1}
        ],
    }
    v2 = tmp_path / "v2" / "statements"
    ctx = make_context(version=2, changes=changes, reuse=tmp_path / "v1")
    write_statements(v2, ctx, workers=2)
    pdfs = sorted(p.name for p in v2.glob("*.pdf"))
    assert len(pdfs) == 6 and shared_statements(v2) == 5
    for name in pdfs:
        for suffix in (".pdf", ".html"):
            new = v2 / name.replace(".pdf", suffix)
            assert os.path.samefile(new, v1 / new.name) == (name != "新安江街道.pdf")
    assert "更正情况" in flat(pdftext(v2 / "新安江街道.pdf"))
    assert "更正情况" not in flat(pdftext(v1 / "新安江街道.pdf"))
    assert {p.name: p.read_bytes() for p in v1.iterdir()} == before
    # only the previous folder counts: what differs from it, or is gone, is rendered anew
    v3 = tmp_path / "v3" / "statements"
    write_statements(v3, make_context(reuse=tmp_path / "v2"))
    assert shared_statements(v3) == 5
    assert not os.path.samefile(v3 / "新安江街道.pdf", v1 / "新安江街道.pdf")
    assert (v3 / "新安江街道.pdf").stat().st_nlink == 1
    write_statements(tmp_path / "v4" / "statements", make_context(reuse=tmp_path / "gone"))
    assert shared_statements(tmp_path / "v4" / "statements") == 0


def test_chart_labels_are_escaped():
    from transforms.charts import quarter_bars, unit_bars

    svg = unit_bars([(SCRIPT, 10.0), ("市发改局", -2.0)], "图 A类各单位得分", target=30)[0]
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "目标 30 分" in svg
    # 41 units: two charts, the second titled 续
    many = unit_bars([(f"单位{i}", float(i)) for i in range(41)], "图")
    assert len(many) == 2 and "（续）" in many[1]
    q = quarter_bars(["一季度", "二季度"], [(FORMULA, [10.0, None])], "图")
    assert q is not None and "=cmd|" in q and "<text" in q
    assert quarter_bars(["一季度"], [("A", [None])], "图") is None


# --------------------------------------------------------------------------- wording


def _visible(html: str) -> str:
    import html as _html

    html = re.sub(r"<style>.*?</style>|<title>.*?</title>", "", html, flags=re.S)
    return flat(_html.unescape(re.sub(r"<[^>]+>", "", html)))


def bulletin_text(ctx: ReportContext) -> str:
    """The bulletin's text, from its HTML (no PDF: fast)."""
    from flows.render import bulletin_context, environment

    tpl = environment().get_template("bulletin.html.j2")
    return _visible(tpl.render(bulletin_context(ctx), inline_css=None))


def statement_text(ctx: ReportContext, unit: str) -> str:
    from flows.render import environment, statement_jobs

    data = next(data for _, data in statement_jobs(ctx) if data["s"].unit == unit)
    return _visible(environment().get_template("statement.html.j2").render(data, inline_css=None))


@rendered
def test_rate_in_statements(out):
    out_dir, _, _ = out
    # 新安江街道: art1 adopted ÷ 2 mails; a1 is linked to its mail s0
    f = flat(pdftext(out_dir / "statements" / "新安江街道.pdf"))
    assert "采用率50.0%（本期被采用信息1篇÷报送2条；报送中有1条对应到采用信息）" in f
    assert "采用率—（本期未报送信息）" in flat(pdftext(out_dir / "statements" / "市_区联络办.pdf"))
    d = sample()
    ctx = make_context(submissions=d["submissions"].clear())
    assert "采用率—（本期未导入报送邮件记录，未统计）" in statement_text(ctx, "新安江街道")


def _with(ctx_scores, ledger=None, quotas=None) -> ReportContext:
    d = sample()
    r = d["result"]
    from schemes.contract import ScoreResult

    result = ScoreResult(
        period=Q2,
        ledger=r.ledger if ledger is None else ledger,
        scores=ctx_scores,
        notes=r.notes,
        commissions=r.commissions,
        quarters=r.quarters,
        quotas=quotas,
    )
    return make_context(result=result)


def test_target_wording_follows_what_the_scheme_judges():
    import polars as pl

    d = sample()
    scores = d["result"].scores
    # 银川: no points target; target_met is the quarterly quota, which 寿昌镇 missed. The
    # quota section names it from ScoreResult.quotas; nothing is said about points targets.
    quota_row = pl.DataFrame(
        [
            {
                "unit": "寿昌镇",
                "period": "2018Q2",
                "rule": "季度报送数量",
                "clause": "第九条（一）",
                "required": 20.0,
                "count": 1,
                "points": 0.0,
            }
        ],
        schema=QUOTAS,
    )
    yinchuan = scores.with_columns(
        target=pl.lit(None, pl.Float64), target_met=pl.col("unit") != "寿昌镇"
    )
    f = bulletin_text(_with(yinchuan, quotas=quota_row))
    assert "未达到本期目标分值" not in f and "均已达到" not in f
    assert "未完成目标任务单位" not in f
    assert "未完成报送任务的单位共1个：寿昌镇：季度报送数量1/20条。" in f
    # 青山's quarters, 建德's months: no target judged, so nothing about targets at all
    f = bulletin_text(_with(scores.with_columns(target_met=pl.lit(None, pl.Boolean))))
    assert "目标" not in f.split("存在问题")[1].split("约稿完成情况")[0]
    assert "均已达到" not in f
    # points targets that everyone reached: said so
    f = bulletin_text(_with(scores.with_columns(target_met=pl.lit(True))))
    assert "本期各单位均已达到目标分值。" in f


def test_long_remarks_shortened_in_the_table_whole_in_the_statement():
    import polars as pl

    d = sample()
    long = "未完成全年目标任务：报送119/120条（扣2分），综合类报送5/6条，采用7/8条（次）"
    scores = d["result"].scores.with_columns(
        remark=pl.when(pl.col("unit") == "市发改局").then(pl.lit(long))
    )
    ctx = _with(scores)
    f = bulletin_text(ctx)
    assert "未完成全年目标任务：报送119/120条（扣2分），综合类…" in f and long not in f
    assert "较长的备注只列前30字，全文见各单位得分说明" in f
    assert long in statement_text(ctx, "市发改局")


@rendered
def test_inline_css_is_not_escaped(out):
    """The HTML bulletin names the same faces as the PDF: <style> holds style.css as it
    is (escaped quotes, &#34;LXGW WenKai&#34;, made browsers drop every font-family)."""
    out_dir, _, _ = out
    css = (TEMPLATES / "style.css").read_text(encoding="utf-8")
    for name in ["bulletin.html", "statements/寿昌镇.html"]:
        html = (out_dir / name).read_text(encoding="utf-8")
        style = re.search(r"<style>\n(.*?)\n</style>", html, flags=re.S).group(1)
        assert style == css
        assert 'font-family: "FandolFang", "LXGW WenKai", "Noto Serif CJK SC", serif;' in style


def test_notices_in_the_bulletin_and_the_statement():
    import polars as pl

    from schemes.contract import ScoreResult
    from transforms.schema import NOTICES

    d = sample()
    r = d["result"]
    notices = pl.DataFrame(
        [("寿昌镇", "2018Q2", "t/Y-9.1.2", "第九条（一）", "2018年第一季度、第二季度连续2个季度未完成报送数量")],
        schema=NOTICES,
        orient="row",
    )  # fmt: skip
    result = ScoreResult(
        period=Q2, ledger=r.ledger, scores=r.scores, notes=r.notes,
        commissions=r.commissions, quarters=r.quarters, notices=notices,
    )  # fmt: skip
    ctx = make_context(result=result)
    f = bulletin_text(ctx)
    problems = f.split("存在问题")[1].split("约稿完成情况")[0]
    assert "通报批评" in problems
    assert (
        "对以下1个单位予以通报批评：寿昌镇：2018年第一季度、第二季度连续2个季度未完成报送数量"
        "（第九条（一））。" in problems
    )
    st = statement_text(ctx, "寿昌镇")
    assert "通报批评：2018年第二季度，2018年第一季度、第二季度连续2个季度未完成报送数量（第九条（一））。" in st  # fmt: skip
    assert "通报批评" not in statement_text(ctx, "新安江街道")
    # no notices (the sample's result, or an empty frame): no paragraph
    assert "通报批评" not in bulletin_text(make_context()).split("存在问题")[1].split("约稿")[0]
    empty = make_context(result=ScoreResult(period=Q2, ledger=r.ledger, scores=r.scores, notices=notices.clear()))  # fmt: skip
    assert "予以通报批评" not in bulletin_text(empty)


# --------------------------------------------------------------------------- issue 12


def _example_context(tmp_path: Path, extra_rows: str, period: str = "2018Q2") -> ReportContext:
    """The bundled 建德 example (a copy) with `extra_rows` appended to its 2018Q2 adoption
    sheet, read, matched and scored by the real steps (no Prefect, no PDF)."""
    from examples_e2e import copy_example

    from flows import steps
    from flows.workspace import Workspace
    from transforms.periods import Period

    root = copy_example(tmp_path, "jiande-2018")
    with open(root / "adoptions" / "2018q2.csv", "a", encoding="utf-8") as f:
        f.write(extra_rows)
    ws = Workspace.load(root)
    per = Period.parse(period)
    matched = steps.match_and_group(steps.ingest(ws), ws.scheme)
    result = steps.score(matched, ws.scheme, per)
    return ReportContext(
        scheme=ws.scheme,
        office=ws.office,
        period=per,
        result=result,
        units=matched.inputs.units,
        adoptions=matched.inputs.adoptions,
        adoption_units=matched.inputs.adoption_units,
        submissions=matched.inputs.submissions,
        events=matched.inputs.events,
        links=matched.links,
        review=matched.review,
        issued=date(2018, 7, 5),
        version=1,
    )


UNKNOWN_ROWS = (
    "建德政务·动态,15,2018-05-10,文化惠民工程进农村,市文广局,动态\n"
    "杭州政务,70,2018-05-20,全域旅游新格局,旅游局,要情\n"
    "建德政务·动态,16,2018-05-21,档案数字化助力营商环境,市档案局、发改局,动态\n"
)


def test_bulletin_laid_out_in_parts_is_the_whole_document(tmp_path):
    """bulletin.pdf laid out part by part (long tables a few rows at a time, as 1,000 are at
    province scale) has the pages of the document laid out at once: the same text, page
    numbers (on the outer side), draft mark in every page's header, and the same pixels."""
    from flows.render import _pdf, bulletin_context, bulletin_pdf, environment

    ctx = _example_context(tmp_path, UNKNOWN_ROWS)
    data = bulletin_context(ctx)
    assert data["draft"] and len(data["articles"]) > 40
    html = environment().get_template("bulletin.html.j2").render(data, inline_css=None)
    whole, parts = tmp_path / "whole.pdf", tmp_path / "parts.pdf"
    _pdf(html, whole)
    pages = bulletin_pdf(html, parts, part_rows=7)
    texts = {}
    for name in ("whole", "parts"):
        for args in ([], ["-layout"]):
            out = subprocess.run(
                ["pdftotext", *args, str(tmp_path / f"{name}.pdf"), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            texts[name, tuple(args)] = out
    assert texts["whole", ()] == texts["parts", ()]
    assert texts["whole", ("-layout",)] == texts["parts", ("-layout",)]
    page_texts = texts["parts", ()].split("\f")[:-1]
    assert len(page_texts) == pages > 5
    for k, text in enumerate(page_texts, start=1):
        flat_text = text.replace(" ", "")
        assert f"—{k}—" in flat_text and flat_text.startswith("征求意见稿")
    images = {}
    for name in ("whole", "parts"):
        subprocess.run(
            ["pdftoppm", "-r", "20", "-gray", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
            check=True,
        )
        images[name] = [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.pgm"))]
    assert len(images["whole"]) == pages and images["whole"] == images["parts"]


def test_unresolved_names_stay_out_of_the_public_bulletin(tmp_path):
    """Issue 12: the bulletin printed 市文广局, 旅游局 … in 工作亮点 and 附件 and said
    「未识别单位2条」. Printed names that match no unit of the roster (the example's
    老干部局 and three more rows) appear nowhere in the bulletin or the statements; an
    article of 发改局 and an unknown unit is listed as 发改局's; the overall count of
    adoptions is the article list's; the office's note names every row left out."""
    from flows.render import bulletin_context, office_note

    ctx = _example_context(tmp_path, UNKNOWN_ROWS)
    f = bulletin_text(ctx)
    for raw in (
        "文广局",
        "旅游局",
        "档案局",
        "老干部局",
        "未识别",
        "文化惠民工程进农村",
        "全域旅游",
    ):
        assert raw not in f, raw
    assert "档案数字化助力营商环境发改局" in f  # the article list: title, then its unit
    data = bulletin_context(ctx)
    assert data["ov"].adoptions_total == len(data["articles"])
    assert f"各级刊物共采用各单位信息{len(data['articles'])}篇次" in f
    for s in statement_jobs_texts(ctx):
        assert "文广局" not in s and "旅游局" not in s and "档案局" not in s
    note = office_note(ctx)
    assert (
        "adoptions/2018q2.csv 第314行：《建德政务·动态》第15期 2018-05-10《文化惠民工程进农村》，署名「市文广局」"
        in note
    )
    assert "adoptions/2018q2.csv 第315行" in note and "署名「旅游局」" in note
    assert "署名「市老干部局」" in note
    assert "部分署名单位未能识别的联合供稿 1 条" in note and "已识别：发改局" in note
    assert "review.csv" in note


def test_outputs_from_the_periods_submissions_are_the_years(tmp_path):
    """Issue 16: a run renders from the period's submissions, four columns of them
    (flows.steps.report_submissions), not the year's log: the bulletin, every statement,
    the office's note and the CSV exports are the same, for a quarter and a month; the
    year's log the steps returned is emptied (`release_submissions`), its columns kept."""
    from dataclasses import replace

    from flows import steps
    from flows.render import _bulletin_html, environment, office_note, statement_jobs, write_exports
    from schemes.contract import ScoringInputs
    from transforms.periods import Period

    def outputs(ctx: ReportContext, folder: Path) -> tuple:
        folder.mkdir()
        html, _, _ = _bulletin_html(folder, ctx)
        tpl = environment().get_template("statement.html.j2")
        statements = [tpl.render(d, inline_css=None) for _, d in statement_jobs(ctx)]
        csvs = {p.name: p.read_bytes() for p in write_exports(folder, ctx) if p.suffix == ".csv"}
        return html, statements, office_note(ctx), csvs

    year = _example_context(tmp_path, UNKNOWN_ROWS)
    log = year.submissions
    assert log.filter(pl.col("unit").is_null()).height > 0  # unknown senders: the note
    for label in ("2018Q2", "2018-05"):
        per = Period.parse(label)
        ctx = replace(year, period=per)
        narrow = steps.report_submissions(log, per)
        assert narrow.columns == list(steps.REPORT_SUBMISSIONS)
        assert 0 < narrow.height < log.height
        full = outputs(ctx, tmp_path / f"{label}-year")
        assert full == outputs(replace(ctx, submissions=narrow), tmp_path / f"{label}-period")
        assert len(full[1]) == ctx.result.scores.height and full[2] is not None

    ws_inputs = steps.Inputs(
        units=year.units,
        adoptions=year.adoptions,
        submissions=log,
        events=year.events,
        decisions=pl.DataFrame(),
    )
    matched = steps.Matched(
        inputs=ScoringInputs(
            units=year.units,
            adoptions=year.adoptions,
            adoption_units=year.adoption_units,
            events=year.events,
            submissions=log,
        ),
        review=year.review,
    )
    steps.release_submissions(ws_inputs, matched)
    for frame in (ws_inputs.submissions, matched.inputs.submissions):
        assert frame.height == 0 and frame.columns == log.columns


def statement_jobs_texts(ctx: ReportContext) -> list[str]:
    from flows.render import environment, statement_jobs

    tpl = environment().get_template("statement.html.j2")
    return [_visible(tpl.render(data, inline_css=None)) for _, data in statement_jobs(ctx)]


def test_praise_when_nobody_met_the_target():
    """Issue 12: 「前三名」 praised four towns on 4 points that had missed their 30-point
    target. Nobody praised who missed the target; said so, per group or for all."""
    import polars as pl

    d = sample()
    scores = d["result"].scores
    f = bulletin_text(_with(scores.with_columns(target_met=pl.lit(False))))
    praise = f.split("一、通报表扬")[1].split("二、")[0]
    assert praise == "本季度各类别均无单位完成目标分值，暂不通报表扬。"
    # four towns tied on 4 points, targets not judged this period: 并列, never 「前三名」 alone
    towns = scores.filter(pl.col("group") == "乡镇（街道）")
    tied = pl.concat(
        [
            towns.with_columns(
                points=pl.lit(4.0), rank=pl.lit(1), target_met=pl.lit(None, pl.Boolean)
            ),
            towns.head(1).with_columns(
                unit=pl.lit("大同镇"),
                points=pl.lit(4.0),
                rank=pl.lit(1),
                target_met=pl.lit(None, pl.Boolean),
            ),
        ]
    )
    f = bulletin_text(_with(tied))
    assert "对在本类别得分排名前三（含并列）的单位予以通报表扬" in f
    assert (
        "乡镇（街道）：大同镇（4分，并列第1名）、寿昌镇（4分，并列第1名）、"
        "新安江街道（4分，并列第1名）、洋溪街道（4分，并列第1名）。"
    ) in f


# ------------------------------------------------------------------ wording an office signs


@rendered
def test_xlsx_reads_in_chinese_with_rule_names_and_year_to_date(out, tmp_path):
    """scores.xlsx as an office reads it: Chinese sheet names and headers, every rule id
    with its short Chinese name beside it, the ledger's source in words, and the year to
    date (本年累计) where the bulletin has it — and not where it has none."""
    from dataclasses import replace

    from flows.render import write_exports

    out_dir, _, _ = out
    wb = openpyxl.load_workbook(out_dir / "scores.xlsx")
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for ws in wb.worksheets:
        assert cjk.search(ws.title), ws.title
        for c in ws[1]:
            assert cjk.search(c.value), (ws.title, c.value)  # no English column ids
    led = wb["计分明细"]
    cols = [c.value for c in led[1]]
    assert cols[cols.index("规则编号") + 1] == "规则名称"
    rows = list(led.iter_rows(min_row=2, values_only=True))
    rule_id, rule, source = cols.index("规则编号"), cols.index("规则名称"), cols.index("来源")
    assert rows and all(r[rule_id] and r[rule] and cjk.search(r[rule]) for r in rows)
    assert {r[source] for r in rows} <= {"信息录用", "信息报送", "其他事项", "报送任务", "冲减调整"}
    assert "信息录用" in {r[source] for r in rows}
    # a result without quarters (a scheme that keeps no year to date): no such column
    ctx = make_context()
    ctx.result = replace(ctx.result, quarters=None)
    write_exports(tmp_path, ctx)
    towns = openpyxl.load_workbook(tmp_path / "scores.xlsx")["乡镇（街道）得分"]
    assert "本年累计" not in [c.value for c in towns[1]]


def _pages(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True)
    n = int(re.search(r"^Pages:\s+(\d+)", info.stdout, flags=re.M)[1])
    return [
        subprocess.run(
            ["pdftotext", "-f", str(k), "-l", str(k), "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        for k in range(1, n + 1)
    ]


def test_statement_signature_never_stands_alone_on_a_page(tmp_path):
    """A statement whose ledger just fills a page: the signature (office and date) goes to
    the next page together with the last ledger row and the total, never alone (before,
    26 and 27 rows left 「建德市人民政府办公室 二〇一八年七月五日」 alone on page 3)."""
    from dataclasses import replace

    from flows.render import render_statement, statement_jobs

    stem, data = next(j for j in statement_jobs(make_context()) if j[0] == "洋溪街道")
    row = data["s"].rows[0]
    rows_on_signature_page = []
    for n in range(21, 31):  # the page break falls somewhere in here
        rows = [dict(row, title=f"第{i + 1}篇信息标题", points=1.0) for i in range(n)]
        s = replace(data["s"], rows=rows, total=float(n), points=float(n))
        render_statement(tmp_path, f"n{n}", dict(data, s=s))
        pages = _pages(tmp_path / f"n{n}.pdf")
        signed = [p for p in pages if "二〇一八年七月五日" in p]
        assert len(signed) == 1, n
        page = flat(signed[0])
        # the last ledger row and the total are on the signature's page
        assert f"第{n}篇信息标题" in page and "合计" in page, (n, page)
        rows_on_signature_page.append(len(re.findall(r"第\d+篇信息标题", page)))
    # the range holds a statement whose signature had to move to a new page
    assert min(rows_on_signature_page) <= 2, rows_on_signature_page


@pytest.mark.parametrize(
    "typed, printed",
    [
        ("12", "第12期"),
        ("第12期", "第12期"),
        ("12期", "第12期"),
        ("No.12", "第12期"),
        ("NO. 12", "第12期"),
        ("Ｎｏ．１２", "第12期"),
        ("第 12 期", "第12期"),
        ("012", "第12期"),
        ("2018年第18期", "2018年第18期"),
        ("2018-10", "2018年第10期"),
        ("总第300期", "总第300期"),  # anything else as typed
        (None, ""),
    ],
)
def test_issue_numbers_print_one_way(typed, printed):
    from transforms.publication_text import issue_label, issue_number

    assert issue_number(typed) == printed
    assert issue_label("建德政务·动态", typed) == f"《建德政务·动态》{printed}"


@rendered
def test_issue_numbers_never_wrap(out, tmp_path):
    """第12期 stays on one line in a statement's narrow 刊物及期号 column, whatever the
    length of the periodical's name before it (without it, 4 of these 11 broke between
    第 and 12 or 12 and 期); the bulletin's catalogue prints 第12期 for an issue typed 12."""
    from dataclasses import replace

    import pdfplumber

    from flows.render import render_statement, statement_jobs
    from transforms.publication_text import issue_label

    stem, data = next(j for j in statement_jobs(make_context()) if j[0] == "洋溪街道")
    names = ["建德政务动态信息专刊汇编"[:k] for k in range(1, 12)]
    rows = [dict(data["s"].rows[0], source=issue_label(p, "12"), note="") for p in names]
    render_statement(tmp_path, "issues", dict(data, s=replace(data["s"], rows=rows)))
    seen = 0
    with pdfplumber.open(tmp_path / "issues.pdf") as pdf:
        for page in pdf.pages:
            chars = page.chars
            text = "".join(c["text"] for c in chars)
            for m in re.finditer("第12期", text):
                lines = {round(c["top"]) for c in chars[m.start() : m.end()]}
                assert len(lines) == 1, names[seen]
                seen += 1
    assert seen == len(names)
    out_dir, _, _ = out
    catalogue = layout_rows(out_dir / "bulletin.pdf")
    assert any(r[:4] == ["1", "2018-04-10", "建德政务·动态", "第12期"] for r in catalogue)
    html = (out_dir / "bulletin.html").read_text(encoding="utf-8")
    assert '<span class="issue">第12期</span>' in html


# --------------------------------------------------------------------------- issue 16


def test_fonts_subset_in_one_pass_are_weasyprints_bytes(tmp_path, monkeypatch):
    """flows.render subsets each font of a PDF in one HarfBuzz pass instead of WeasyPrint's
    two: every font of a bulletin (CFF and TrueType faces, regular and bold; Noto Sans CJK
    is one whose first pass adds glyphs after the last one used) and of a draft statement
    comes out byte for byte as WeasyPrint's own two passes write it, and each font file is
    read once per process, not once per PDF."""
    import weasyprint
    from weasyprint.pdf import fonts

    from flows import render

    render._weasy()
    if not weasyprint.__version__.startswith(render.ONE_PASS_CHECKED_ON):
        # a WeasyPrint this was not checked on keeps its own subsetting
        assert not getattr(fonts.Font, "_kaohe_one_pass", False)
        return
    assert fonts.Font._kaohe_one_pass
    one_pass = fonts.Font._harfbuzz_subset
    subsets: list[tuple[object, dict, bytes]] = []

    def spy(font, to_unicode, hinting):
        one_pass(font, to_unicode, hinting)
        subsets.append((font, dict(to_unicode), font.file_content))

    monkeypatch.setattr(fonts.Font, "_harfbuzz_subset", spy)
    ctx = make_context()  # a draft: its statements use two faces
    html = render.environment().get_template("bulletin.html.j2")
    render._pdf(html.render(render.bulletin_context(ctx), inline_css=None), tmp_path / "b.pdf")
    stem, data = render.statement_jobs(ctx)[0]
    assert data["draft"]
    render.render_statement(tmp_path, stem, data)
    render.render_statement(tmp_path, stem + "-again", data)
    families = {(f.family, f.weight) for f, _, _ in subsets}
    assert {"FandolFang", "LXGW WenKai", "Noto Sans CJK SC", "Noto Serif CJK SC"} <= {
        family for family, _ in families
    }
    assert ("Noto Serif CJK SC", 700) in families
    for font, to_unicode, ours in subsets:
        font.file_content = None
        fonts.Font._kaohe_two_passes(font, to_unicode, False)
        assert font.file_content == ours, (font.family, font.weight)
        assert len(ours) < 2_000_000  # a subset, not the font file
    # every face's file was read once (kept for the next PDFs), whatever the number of PDFs
    from weasyprint.text.ffi import ffi

    for font, _, _ in subsets:
        face, data = render._FACE_DATA[int(ffi.cast("uintptr_t", font.hb_face))]
        assert face == font.hb_face and len(data) > 2_000_000


def test_pdf_streams_deflated_at_level_6_inflate_to_the_same_bytes(tmp_path):
    """Every stream of a statement PDF is compressed at zlib level 6 (pydyf writes level
    9), and inflates to the same bytes; other PDFs written in the same process keep level 9;
    on a pydyf release this was not checked on, its own compression is kept."""
    import inspect
    import zlib

    import pydyf

    from flows import render

    render._weasy()
    if not pydyf.__version__.startswith(render.DEFLATE_CHECKED_ON):
        assert pydyf.zlib is zlib
        return
    # pydyf still compresses a stream through its module's zlib.compressobj
    assert "zlib.compressobj(level=9)" in inspect.getsource(pydyf.Stream.data.fget)
    raw = bytes(range(256)) * 2000 + b"\0" * 400_000

    def payload() -> bytes:
        data = pydyf.Stream([raw], compress=True).data
        return data[data.index(b"stream\n") + 7 : data.rindex(b"\nendstream")]

    with render._kaohe_deflate():
        ours = payload()
    assert zlib.decompress(ours) == raw
    assert ours == zlib.compress(raw, 6) != zlib.compress(raw, 9)
    # any other PDF written in the process (the example issues' generator) keeps level 9
    assert payload() == zlib.compress(raw, 9)
    stem, job = render.statement_jobs(make_context())[0]
    (pdf,) = [p for p in render.render_statement(tmp_path, stem, job) if p.suffix == ".pdf"]
    pdf_bytes = pdf.read_bytes()
    streams = re.findall(rb"/Filter /FlateDecode[^>]*>>\nstream\n(.*?)\nendstream", pdf_bytes, re.S)
    assert len(streams) >= 4 and max(len(s) for s in streams) > 20_000  # pages and fonts
    for s in streams:
        assert zlib.compress(zlib.decompress(s), 6) == s

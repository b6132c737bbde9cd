"""bulletin.docx: read back with python-docx (styles, fonts, tables, page set-up, PAGE
fields) and converted to PDF by a real word processor, LibreOffice headless, once per
session, whose pages are then checked as a reader sees them: within the type area, page
numbers on the outer side, CJK drawn in the faces fontconfig maps the GB/T 9704 names to.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tracemalloc
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from docx import Document
from docx.oxml.ns import qn
from test_render import make_context
from test_summary import FORMULA, SCRIPT

from flows import docx_bulletin
from flows.docx_bulletin import write_bulletin_docx
from flows.render import render_bulletin_and_exports

MM = 72 / 25.4  # points per mm
# GB/T 9704 type area on A4, in PDF points (origin top left, as pdftotext -bbox gives)
AREA = (28 * MM, 37 * MM, (28 + 156) * MM, (37 + 225) * MM)


#: the tests of the session's bulletin and its LibreOffice conversion run on one worker, so
#: that both are made once (make test runs --dist loadgroup)
shared = pytest.mark.xdist_group("docx")


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def version(tmp_path_factory) -> Path:
    """The bulletin of test_render's quarter (its 文号, hostile titles, a draft) written as
    a run writes it: bulletin.html, .pdf and .docx (no Prefect, a few seconds)."""
    out = tmp_path_factory.mktemp("docx")
    render_bulletin_and_exports(out, make_context())
    return out


@pytest.fixture(scope="session")
def lo_pdf(version, tmp_path_factory) -> Path:
    """bulletin.docx converted by LibreOffice (headless, its own profile), once."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice missing: run bash scripts/setup.sh (it installs it)"
    out = tmp_path_factory.mktemp("lo")
    profile = out / "profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(version / "bulletin.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = out / "bulletin.pdf"
    assert pdf.is_file()
    return pdf


def _pages(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words with their boxes (x0, y0, x1, y1, text), from pdftotext -bbox."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    root = ET.fromstring(xhtml)
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    pages = []
    for page in root.iterfind(".//h:page", ns):
        pages.append(
            [
                (
                    float(w.get("xMin")),
                    float(w.get("yMin")),
                    float(w.get("xMax")),
                    float(w.get("yMax")),
                    w.text or "",
                )
                for w in page.iterfind("h:word", ns)
            ]
        )
    return pages


class _Blocks(HTMLParser):
    """The text of each paragraph and heading of bulletin.html, in order (charts and the
    <head> left out), and the rows of each table."""

    def __init__(self):
        super().__init__()
        self.blocks: list[tuple[str, str]] = []
        self.tables: list[list[list[str]]] = []
        self.cur: list[str] | None = None
        self.tag = ""
        self.skip = 0
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("svg", "style", "title"):
            self.skip += 1
        elif tag in ("p", "h1", "h2", "h3") and not self.skip:
            self.cur, self.tag = [], tag
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("svg", "style", "title"):
            self.skip -= 1
        elif tag in ("p", "h1", "h2", "h3") and self.cur is not None:
            self.blocks.append((self.tag, "".join(self.cur).strip()))
            self.cur = None
        elif tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append(re.sub(r"\s+", "", "".join(self.cell)))
            self.cell = None

    def handle_data(self, data):
        if self.skip:
            return
        if self.cur is not None:
            self.cur.append(data)
        if self.cell is not None:
            self.cell.append(data)


def _html(version: Path) -> _Blocks:
    p = _Blocks()
    p.feed((version / "bulletin.html").read_text(encoding="utf-8"))
    return p


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ------------------------------------------------------------------ read back


@shared
def test_same_content_in_the_same_order_as_the_html(version):
    doc = Document(version / "bulletin.docx")
    html = _html(version)
    paras = [p for p in doc.paragraphs if p.text.strip()]
    # every paragraph and heading of the HTML bulletin, in its order
    texts = [_flat(p.text) for p in paras]
    k = 0
    for tag, block in html.blocks:
        if not _flat(block):
            continue
        while k < len(texts) and texts[k] != _flat(block):
            k += 1
        assert k < len(texts), f"<{tag}> {block[:40]} missing or out of order in the .docx"
        k += 1
    styles = [p.style.name for p in paras]
    assert styles[:3] == ["发文机关标志", "发文字号", "标题"]
    assert paras[2].text == next(b for t, b in html.blocks if t == "h1")
    assert [p.text for p in paras if p.style.name == "一级标题"] == [
        b for t, b in html.blocks if t == "h2" and re.match(r"[一二三四五六七八九十]+、", b)
    ]
    assert [p.text for p in paras if p.style.name == "二级标题"] == [
        b for t, b in html.blocks if t == "h3"
    ]
    assert [p.text for p in paras if p.style.name == "附件标题"] == [
        b for t, b in html.blocks if t == "h2" and not re.match(r"[一二三四五六七八九十]+、", b)
    ]
    # the draft says so under the title and in the header of every page
    assert "征求意见稿" in styles
    for header in (doc.sections[0].header, doc.sections[0].even_page_header):
        assert header.paragraphs[0].text == "征求意见稿"
    # the tables: the HTML's, row for row, cell for cell, and the year's quarters
    tables = [t for t in doc.tables if t.style.name == "附件表格"]
    assert len(tables) == len(html.tables) + 1
    html_tables = iter(html.tables)
    for t in tables:
        cells = [[_flat(c.text) for c in r.cells] for r in t.rows]
        if cells[0][0] == "类别":  # the chart of the quarters, as a table
            continue
        expected = next(html_tables)
        assert len(cells) == len(expected)
        k = min(20, len(expected) - 2)  # body rows (the heads differ: merged cells)
        assert cells[-k:] == expected[-k:]


@shared
def test_styles_carry_the_formatting_and_name_the_office_fonts(version):
    doc = Document(version / "bulletin.docx")
    fonts = {
        "标题": "方正小标宋简体",
        "发文机关标志": "方正小标宋简体",
        "附件标题": "方正小标宋简体",
        "正文": "仿宋_GB2312",
        "一级标题": "黑体",
        "二级标题": "楷体_GB2312",
        "页码": "宋体",
    }
    for name, font in fonts.items():
        rfonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert rfonts.get(qn("w:eastAsia")) == font and rfonts.get(qn("w:ascii")) == font
    assert doc.styles["附件表格"].type == 3  # WD_STYLE_TYPE.TABLE
    body = doc.styles["正文"]
    assert body.font.size.pt == 16 and body.paragraph_format.line_spacing.pt == pytest.approx(
        28.95, abs=0.05
    )
    assert doc.styles["发文机关标志"].font.color.rgb == docx_rgb("E00000")
    # no direct formatting on any run of the body: only styles
    for p in doc.paragraphs:
        for r in p.runs:
            rpr = r._r.rPr
            assert rpr is None or [c.tag for c in rpr] == [qn("w:rStyle")], p.text[:30]
    for t in doc.tables:
        for row in t.rows[:3]:
            for c in row.cells:
                for p in c.paragraphs:
                    assert p.style.name in ("表头", "表格文字", "表格文字居左", "表格数字")
                    assert all(r._r.rPr is None for r in p.runs)


def docx_rgb(hex_: str):
    from docx.shared import RGBColor

    return RGBColor.from_string(hex_)


@shared
def test_page_setup_is_gbt9704(version):
    doc = Document(version / "bulletin.docx")
    assert len(doc.sections) == 1
    s = doc.sections[0]
    sizes = [s.page_width, s.page_height, s.top_margin, s.bottom_margin]
    sizes += [s.left_margin, s.right_margin]
    assert [round(x.mm, 1) for x in sizes] == [210, 297, 37, 35, 28, 26]
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, side in ((s.footer, "right"), (s.even_page_footer, "left")):
        p = footer.paragraphs[0]
        xml = p._p.xml
        assert "<w:instrText" in xml and " PAGE " in xml and 'w:fldCharType="begin"' in xml
        assert p._p.pPr.find(qn("w:jc")).get(qn("w:val")) == side
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p.style.name == "页码"


@shared
def test_table_header_rows_repeat(version):
    doc = Document(version / "bulletin.docx")
    for t in doc.tables:
        first = t.rows[0]._tr
        assert first.trPr is not None and first.trPr.find(qn("w:tblHeader")) is not None
        body = t.rows[-1]._tr
        assert body.trPr.find(qn("w:tblHeader")) is None
        width = sum(int(g.get(qn("w:w"))) for g in t._tbl.tblGrid.iterfind(qn("w:gridCol")))
        assert width == round(156 * 1440 / 25.4)  # exactly the type area's width
    # the score tables' two heading rows (采用 over its levels) both repeat
    scores = next(t for t in doc.tables if "采用（篇次）" in t.rows[0].cells[3].text).rows
    assert scores[1]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert "采用（篇次）" in [c.text for c in scores[0].cells]


# ------------------------------------------------------------------ LibreOffice


@shared
def test_libreoffice_pages_stay_in_the_type_area_with_page_numbers(version, lo_pdf):
    pages = _pages(lo_pdf)
    weasy = subprocess.run(
        ["pdfinfo", str(version / "bulletin.pdf")], capture_output=True, text=True, check=True
    ).stdout
    n_weasy = int(re.search(r"Pages:\s+(\d+)", weasy)[1])
    assert 0.75 * n_weasy <= len(pages) <= 1.35 * n_weasy
    x0, y0, x1, y1 = AREA
    tol = 1.5
    for number, words in enumerate(pages, start=1):
        header = [w for w in words if w[3] <= y0 + tol and w[1] < y0 - tol]
        footer = [w for w in words if w[1] >= y1 - tol and w[3] > y1 + tol]
        inside = [w for w in words if w not in header and w not in footer]
        assert all(w[4] == "征求意见稿" for w in header), (number, header)
        for w in inside:
            assert x0 - tol <= w[0] and w[2] <= x1 + tol, (number, w)
            assert y0 - tol <= w[1] and w[3] <= y1 + tol, (number, w)
        # 「— N —」 7 mm under the type area, one character in on the outer side
        assert "".join(w[4] for w in footer) == f"—{number}—", (number, footer)
        left, right = min(w[0] for w in footer), max(w[2] for w in footer)
        top = min(w[1] for w in footer)
        assert y1 + 4 * MM <= top <= y1 + 10 * MM
        if number % 2:
            assert x1 - 14 - 2 <= right <= x1 - 14 + 4, (number, right)
        else:
            assert x0 + 14 - 4 <= left <= x0 + 14 + 2, (number, left)


@shared
def test_libreoffice_body_is_22_lines_of_28_characters(lo_pdf):
    page = _pages(lo_pdf)[1]  # page 2: body text only
    x0, y0, x1, y1 = AREA
    lines: dict[float, list] = {}
    for w in page:
        if y0 - 2 <= w[1] and w[3] <= y1 + 2:
            lines.setdefault(round(w[3], 0), []).append(w)
    tops = sorted(lines)
    pitches = [b - a for a, b in zip(tops, tops[1:], strict=False)]
    assert len(tops) >= 20 and all(abs(p - 28.95) < 1.05 for p in pitches), pitches
    assert (tops[-1] - tops[0]) / (len(tops) - 1) == pytest.approx(28.95, abs=0.1)
    # 28 characters a line: the advance of the body's CJK characters is 156 mm / 28
    pitches = [
        (w[2] - w[0]) / len(w[4])
        for w in page
        if len(w[4]) >= 12 and all(ord(c) >= 0x2E80 for c in w[4])
    ]
    assert len(pitches) >= 5
    # (a justified line whose digits do not fill it spreads its characters a little)
    median = sorted(pitches)[len(pitches) // 2]
    assert 156 * MM / 28 - 0.3 <= median <= 156 * MM / 28 + 0.05, pitches
    assert max(w[2] for w in page if w[3] <= y1) <= x1 + 0.5


@shared
def test_libreoffice_draws_every_character_in_the_mapped_faces(version, lo_pdf):
    fonts = subprocess.run(
        ["pdffonts", str(lo_pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    names = {line.split()[0].split("+")[-1] for line in fonts}
    faces = ("FandolFang", "NotoSerifCJK", "NotoSansCJK", "LXGWWenKai")
    assert names and all(n.startswith(faces) for n in names), names
    assert any(n.startswith("FandolFang") for n in names)  # 仿宋_GB2312 → FandolFang
    assert any(n.startswith("NotoSansCJK") for n in names)  # 黑体
    assert any(n.startswith("LXGWWenKai") for n in names)  # 楷体_GB2312
    # every character of the HTML bulletin is in the text the word processor laid out
    text = _flat(
        subprocess.run(
            ["pdftotext", str(lo_pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
    )
    title = next(b for t, b in _html(version).blocks if t == "h1")
    assert _flat(title) in text
    # page 1 as a picture: the red masthead and rule, black text below them
    from PIL import Image

    png = lo_pdf.with_name("page")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "40",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(lo_pdf),
            str(png),
        ],
        check=True,
    )
    img = Image.open(f"{png}.png").convert("RGB")
    w, h = img.size
    px = img.load()
    red = sum(
        1
        for y in range(int(h * 0.12), int(h * 0.3))
        for x in range(w)
        if px[x, y][0] > 180 and px[x, y][1] < 90 and px[x, y][2] < 90
    )
    dark = sum(
        1 for y in range(int(h * 0.4), int(h * 0.85)) for x in range(w) if sum(px[x, y]) < 450
    )
    assert red > 200 and dark > 2000, (red, dark)


# ------------------------------------------------------------------ hostile text, scale


def test_hostile_titles_and_control_characters_stay_text(tmp_path, monkeypatch):
    long_title = "超长标题" * 400
    ctx = make_context()
    nasty = "控制\x01字符\x0b与\x1f换页\x0c<b>粗</b>&amp;"
    titles = ctx.adoptions["title"].to_list()
    titles[0], titles[1] = long_title, nasty
    ctx.adoptions = ctx.adoptions.with_columns(pl.Series("title", titles))
    ctx.office = "建德市人民政府办公室<i>\x07</i>"
    monkeypatch.setattr(docx_bulletin, "ARTICLES_INLINE", 2)  # the 采用目录 apart
    paths = render_bulletin_and_exports(tmp_path, ctx)
    assert tmp_path / "bulletin-articles.docx" in paths
    doc = Document(tmp_path / "bulletin.docx")
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells
    )
    assert doc.paragraphs[0].text == "建德市人民政府办公室<i></i>"
    assert "另见文件 bulletin-articles.docx" in text
    articles = Document(tmp_path / "bulletin-articles.docx")
    cells = [c.text for r in articles.tables[0].rows for c in r.cells]
    assert long_title in cells and "控制字符与换页<b>粗</b>&amp;" in cells
    assert SCRIPT in "".join(cells) and flat_in(FORMULA, text + "".join(cells))
    head = articles.tables[0].rows[0]._tr.trPr
    assert head.find(qn("w:tblHeader")) is not None
    assert len(articles.tables[0].rows) == ctx_articles(ctx) + 1
    assert articles.paragraphs[0].text.startswith("附件")


def flat_in(needle: str, text: str) -> bool:
    return _flat(needle) in _flat(text)


def ctx_articles(ctx) -> int:
    from flows.render import bulletin_context

    return len(bulletin_context(ctx)["articles"])


def test_a_province_scale_article_list_is_written_in_bounded_memory(tmp_path):
    n = 8_000
    articles = [
        {
            "date": None,
            "publication": "浙江政务信息",
            "issue": str(i % 200 + 1),
            "title": f"第{i}篇信息的标题，长度与真实标题相仿的一句话",
            "units": "某某县发展和改革局",
        }
        for i in range(n)
    ]
    data = {
        "title": "关于2018年全省政务信息报送采用情况的通报",
        "draft": None,
        "tables": [],
        "attachments": ["2018年政务信息采用目录"],
        "articles": articles,
    }
    html = '<body class="bulletin"><h1 class="title">关于…的通报</h1><p>正文。</p></body>'
    tracemalloc.start()
    try:
        paths = write_bulletin_docx(tmp_path, html, data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [p.name for p in paths] == ["bulletin.docx", "bulletin-articles.docx"]
    # the rows as XML text would be ~20 MB; the stream holds 500 rows at a time
    assert peak < 12 * 1024 * 1024, peak
    assert os.path.getsize(paths[1]) > 50_000
    doc = Document(paths[1])
    assert len(doc.tables[0].rows) == n + 1
    assert doc.tables[0].rows[-1].cells[4].text == articles[-1]["title"]

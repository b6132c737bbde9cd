"""The bulletin (通报) as a Word document: `bulletin.docx`, made to be edited.

The content is the HTML bulletin's (report_templates/bulletin.html.j2), read back element
by element, so the .docx says the same in the same order as bulletin.html and
bulletin.pdf; the layout is GB/T 9704-2012's, as in the PDF (A4, type area 156 × 225 mm,
22 lines × 28 characters, red masthead and rule, page numbers 「— 1 —」 on the outer side
as PAGE fields). Every paragraph and table has a named style (标题, 正文, 一级标题 …), so a
sentence the office rewrites keeps the layout; fonts are named as office machines have
them (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体) with their East Asian slot set.

Memory stays bounded: python-docx makes only the skeleton (styles, page set-up, headers
and footers); the body is written as a stream of XML into the zip. The list of adopted
articles (采用目录) goes to its own file `bulletin-articles.docx` beyond ARTICLES_INLINE
rows, streamed row by row. The two charts are not drawn: the units' points are the
attachment tables', and the quarters of the year are given as a small table.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

#: rows of the 采用目录 beyond which it is written to its own file (bulletin-articles.docx)
ARTICLES_INLINE = 1500
ARTICLES_FILE = "bulletin-articles.docx"

# GB/T 9704-2012: A4, type area 156 × 225 mm, 37 mm from the top, 28 mm from the left.
PAGE_W_MM, PAGE_H_MM = 210, 297
TOP_MM, LEFT_MM, AREA_W_MM, AREA_H_MM = 37, 28, 156, 225
RIGHT_MM = PAGE_W_MM - LEFT_MM - AREA_W_MM  # 26
BOTTOM_MM = PAGE_H_MM - TOP_MM - AREA_H_MM  # 35
#: twentieths of a point (twips) per mm
TW_MM = 1440 / 25.4
AREA_W_TW = round(AREA_W_MM * TW_MM)  # 8844
#: one line of the 22-line grid: 225 mm / 22 = 28.98 pt, in twips
LINE_TW = int(AREA_H_MM * TW_MM / 22)  # 579
#: one character of the 28-character line: 156 mm / 28 = 15.79 pt (the body is 16 pt)
CHAR_PT = AREA_W_MM * 72 / 25.4 / 28

#: the condensing of body characters (twentieths of a point) that puts 28 on a line
CONDENSE_TW = -5

BIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
RED = "E00000"

# Characters XML 1.0 cannot hold (U+0000–U+001F but tab, newline and return; surrogates;
# U+FFFE/U+FFFF): dropped. Tabs and line breaks are white space in the HTML as well.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"[ \t\r\n\f]+")


def clean(text: str) -> str:
    """Text fit for the .docx: XML-illegal characters dropped, white space collapsed as
    HTML does."""
    return _SPACE.sub(" ", _XML_ILLEGAL.sub("", text))


def _t(text: str) -> str:
    return escape(_XML_ILLEGAL.sub("", text))


# --------------------------------------------------------------------------- styles

#: the paragraph styles (name, spec): font, size (pt), jc, spacing (exact line, pt; 0 single),
#: before/after (twips), indent (two characters), left_chars, keep_next, page_break, …
_P_STYLES: list[tuple[str, dict[str, Any]]] = [
    ("正文", {"condensed": True, "font": FANGSONG, "size": 16, "indent": True, "jc": "both"}),
    (
        "发文机关标志",
        {
            "font": BIAOSONG,
            "size": 30,
            "jc": "center",
            "color": RED,
            "spacing": 40,
            "before": 10 * TW_MM,
            "char_spacing": 2,
        },
    ),
    (
        "发文字号",
        {"condensed": True, "font": FANGSONG, "size": 16, "jc": "center", "before": LINE_TW},
    ),
    ("标题", {"font": BIAOSONG, "size": 22, "jc": "center", "spacing": 33, "after": LINE_TW}),
    ("征求意见稿", {"font": HEITI, "size": 16, "jc": "center"}),
    ("征求意见稿说明", {"condensed": True, "font": KAITI, "size": 16, "jc": "center"}),
    ("主送机关", {"condensed": True, "font": FANGSONG, "size": 16, "jc": "both"}),
    ("一级标题", {"condensed": True, "font": HEITI, "size": 16, "indent": True, "keep_next": True}),
    (
        "二级标题",
        {
            "condensed": True,
            "font": KAITI,
            "size": 16,
            "indent": True,
            "keep_next": True,
            "bold": True,
        },
    ),
    ("更正说明", {"font": FANGSONG, "size": 14, "jc": "both", "box": True, "spacing": 24}),
    (
        "附件说明",
        {
            "condensed": True,
            "font": FANGSONG,
            "size": 16,
            "left_chars": 2,
            "before": LINE_TW,
            "keep_next": True,
        },
    ),
    (
        "附件说明续",
        {"condensed": True, "font": FANGSONG, "size": 16, "left_chars": 5, "keep_next": True},
    ),
    # the signature (落款) without a seal: one blank line above the office's name
    (
        "发文机关署名",
        {
            "condensed": True,
            "font": FANGSONG,
            "size": 16,
            "jc": "right",
            "keep_next": True,
            "before": LINE_TW,
        },
    ),
    ("成文日期", {"condensed": True, "font": FANGSONG, "size": 16, "jc": "right"}),
    ("附件标记", {"font": HEITI, "size": 16, "page_break": True, "keep_next": True}),
    (
        "附件标题",
        {
            "font": BIAOSONG,
            "size": 18,
            "jc": "center",
            "spacing": 30,
            "after": 8 * 20,
            "keep_next": True,
        },
    ),
    ("表格文字", {"font": FANGSONG, "size": 10.5, "jc": "center", "spacing": 0}),
    ("表格文字居左", {"font": FANGSONG, "size": 10.5, "jc": "left", "spacing": 0}),
    ("表格数字", {"font": FANGSONG, "size": 10.5, "jc": "right", "spacing": 0}),
    ("表头", {"font": HEITI, "size": 10.5, "jc": "center", "spacing": 0}),
    ("表注", {"font": FANGSONG, "size": 10.5, "jc": "both", "spacing": 21, "before": 4 * 20}),
    ("页码", {"font": SONGTI, "size": 14, "spacing": 0}),
    ("页眉标记", {"font": HEITI, "size": 12, "jc": "right", "spacing": 0}),
]

#: the styles of the score tables' and the articles' cells by the HTML cell's classes
_CELL_STYLE = {"text": "表格文字居左", "num": "表格数字"}

_TABLE_STYLE = "附件表格"
_STRONG_STYLE = "要点"


def _fonts_xml(font: str) -> str:
    return (
        f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}" '
        'w:hint="eastAsia"/>'
    )


def _style_xml(style_id: str, name: str, spec: dict[str, Any]) -> str:
    """One paragraph style as WordprocessingML."""
    ppr = []
    if spec.get("keep_next"):
        ppr.append("<w:keepNext/>")
    if spec.get("page_break"):
        ppr.append("<w:pageBreakBefore/>")
    ppr.append("<w:widowControl/>")
    if spec.get("box"):
        b = '<w:{0} w:val="single" w:sz="6" w:space="4" w:color="000000"/>'
        ppr.append(
            "<w:pBdr>"
            + "".join(b.format(s) for s in ("top", "left", "bottom", "right"))
            + "</w:pBdr>"
        )
    # overflowPunct on, as Word has it by default; LibreOffice reads it inverted (on = no
    # hanging punctuation), so that its lines, too, end inside the type area
    ppr.append('<w:overflowPunct w:val="1"/>')
    spacing = spec.get("spacing", LINE_TW / 20)
    line = (
        ' w:line="240" w:lineRule="auto"'
        if spacing == 0
        else f' w:line="{round(spacing * 20)}" w:lineRule="exact"'
    )
    ppr.append(
        f'<w:spacing w:before="{round(spec.get("before", 0))}" w:after="{round(spec.get("after", 0))}"{line}/>'
    )
    char_tw = round(CHAR_PT * 20)
    if spec.get("indent"):
        ppr.append(f'<w:ind w:firstLineChars="200" w:firstLine="{2 * char_tw}"/>')
    elif spec.get("left_chars"):
        n = spec["left_chars"]
        ppr.append(f'<w:ind w:leftChars="{n * 100}" w:left="{n * char_tw}" w:firstLine="0"/>')
    else:
        ppr.append('<w:ind w:firstLine="0"/>')
    if spec.get("jc"):
        ppr.append(f'<w:jc w:val="{spec["jc"]}"/>')
    rpr = [_fonts_xml(spec["font"])]
    if spec.get("bold"):
        rpr.append("<w:b/><w:bCs/>")
    if spec.get("color"):
        rpr.append(f'<w:color w:val="{spec["color"]}"/>')
    if spec.get("char_spacing"):
        rpr.append(f'<w:spacing w:val="{spec["char_spacing"] * 20}"/>')
    elif spec.get("condensed"):
        # 28 characters of 16 pt on a 156 mm line: each condensed by 0.25 pt (15.75 pt)
        rpr.append(f'<w:spacing w:val="{CONDENSE_TW}"/>')
    half = round(spec["size"] * 2)
    rpr.append(f'<w:kern w:val="0"/><w:sz w:val="{half}"/><w:szCs w:val="{half}"/>')
    return (
        f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:qFormat/>'
        f"<w:pPr>{''.join(ppr)}</w:pPr><w:rPr>{''.join(rpr)}</w:rPr></w:style>"
    )


def _table_style_xml(style_id: str) -> str:
    b = '<w:{0} w:val="single" w:sz="6" w:space="0" w:color="000000"/>'
    borders = "".join(b.format(s) for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    return (
        f'<w:style w:type="table" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{_TABLE_STYLE}"/><w:basedOn w:val="TableNormal"/><w:qFormat/>'
        f'<w:tblPr><w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders>'
        '<w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="57" w:type="dxa"/>'
        '<w:bottom w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        "</w:tblPr><w:trPr><w:cantSplit/></w:trPr>"
        '<w:tcPr><w:vAlign w:val="center"/></w:tcPr></w:style>'
    )


def _char_style_xml(style_id: str) -> str:
    return (
        f'<w:style w:type="character" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{_STRONG_STYLE}"/><w:rPr><w:b/><w:bCs/></w:rPr></w:style>'
    )


def _style_ids() -> dict[str, str]:
    """ASCII style ids for the Chinese style names (Word shows the names)."""
    ids = {name: f"kaohe{i:02d}" for i, (name, _) in enumerate(_P_STYLES, start=1)}
    ids[_TABLE_STYLE] = "kaoheTable"
    ids[_STRONG_STYLE] = "kaoheStrong"
    return ids


SID = _style_ids()


def _skeleton(draft: bool, doc_title: str) -> bytes:
    """An empty .docx with kaohe's styles, GB/T 9704 page set-up, odd and even footers
    holding PAGE fields, and (for a draft) 征求意见稿 in the header of every page."""
    from docx import Document
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn
    from docx.shared import Mm, Pt

    doc = Document()
    doc.core_properties.title = clean(doc_title)[:255]
    doc.core_properties.author = "kaohe"
    doc.core_properties.language = "zh-CN"
    styles = doc.styles.element
    # Document defaults: 仿宋_GB2312 3号, Chinese.
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        styles.remove(defaults)
    styles.insert(
        0,
        parse_xml(
            f"<w:docDefaults {nsdecls('w')}><w:rPrDefault><w:rPr>{_fonts_xml(FANGSONG)}"
            '<w:kern w:val="2"/><w:sz w:val="32"/><w:szCs w:val="32"/>'
            '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
            '<w:pPrDefault><w:pPr><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults>'
        ),
    )
    for name, spec in _P_STYLES:
        styles.append(
            parse_xml(
                _style_xml(SID[name], name, spec).replace(
                    "<w:style ", f"<w:style {nsdecls('w')} ", 1
                )
            )
        )
    styles.append(
        parse_xml(
            _table_style_xml(SID[_TABLE_STYLE]).replace("<w:style ", f"<w:style {nsdecls('w')} ", 1)
        )
    )
    styles.append(
        parse_xml(
            _char_style_xml(SID[_STRONG_STYLE]).replace("<w:style ", f"<w:style {nsdecls('w')} ", 1)
        )
    )

    doc.settings.odd_and_even_pages_header_footer = True
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(PAGE_W_MM), Mm(PAGE_H_MM)
    sec.top_margin, sec.bottom_margin = Mm(TOP_MM), Mm(BOTTOM_MM)
    sec.left_margin, sec.right_margin = Mm(LEFT_MM), Mm(RIGHT_MM)
    sec.gutter = Mm(0)
    sec.header_distance = Mm(15)
    # The page number's line (14 pt) starts 7 mm under the type area.
    sec.footer_distance = Mm(BOTTOM_MM - 7) - Pt(14)
    grid = sec._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = parse_xml(f"<w:docGrid {nsdecls('w')}/>")
        sec._sectPr.append(grid)
    # No snapping grid ("linesAndChars" is read differently by LibreOffice, which then
    # sets 20 characters a line): the 22 lines come from the styles' exact line spacing
    # (28.95 pt), the 28 characters from their condensed spacing.
    for attr in ("w:type", "w:charSpace"):
        grid.attrib.pop(qn(attr), None)
    grid.set(qn("w:linePitch"), str(LINE_TW))

    # Odd pages: right, one character (4号, 14 pt) in; even pages: left, one in.
    for footer, side in ((sec.footer, "right"), (sec.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        p = _emptied(footer.paragraphs[0]._p)
        p.append(
            parse_xml(
                f'<w:pPr {nsdecls("w")}><w:pStyle w:val="{SID["页码"]}"/>'
                f'<w:ind w:{side}="280"/><w:jc w:val="{side}"/></w:pPr>'
            )
        )
        for xml in _page_field_runs():
            p.append(parse_xml(xml))
    for header in (sec.header, sec.even_page_header):
        header.is_linked_to_previous = False
        p = _emptied(header.paragraphs[0]._p)
        if draft:
            p.append(
                parse_xml(f'<w:pPr {nsdecls("w")}><w:pStyle w:val="{SID["页眉标记"]}"/></w:pPr>')
            )
            p.append(parse_xml(f"<w:r {nsdecls('w')}><w:t>征求意见稿</w:t></w:r>"))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _emptied(p: Any) -> Any:
    for child in list(p):
        p.remove(child)
    return p


def _page_field_runs() -> list[str]:
    """「— PAGE —」: the page number as a Word field (updated by every word processor)."""
    from docx.oxml.ns import nsdecls

    ns = nsdecls("w")
    return [
        f'<w:r {ns}><w:t xml:space="preserve">— </w:t></w:r>',
        f'<w:r {ns}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {ns}><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
        f'<w:r {ns}><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r {ns}><w:t>1</w:t></w:r>",
        f'<w:r {ns}><w:fldChar w:fldCharType="end"/></w:r>',
        f'<w:r {ns}><w:t xml:space="preserve"> —</w:t></w:r>',
    ]


# --------------------------------------------------------------------------- XML pieces


def para(style: str, runs: Iterable[tuple[str, bool]] | str, extra_ppr: str = "") -> str:
    """A paragraph of `style` (a name of _P_STYLES) holding `runs` ((text, strong) pairs)."""
    if isinstance(runs, str):
        runs = [(runs, False)]
    out = [f'<w:p><w:pPr><w:pStyle w:val="{SID[style]}"/>{extra_ppr}</w:pPr>']
    for text, strong in runs:
        if not text:
            continue
        rpr = f'<w:rPr><w:rStyle w:val="{SID[_STRONG_STYLE]}"/></w:rPr>' if strong else ""
        out.append(f'<w:r>{rpr}<w:t xml:space="preserve">{_t(text)}</w:t></w:r>')
    out.append("</w:p>")
    return "".join(out)


def _grid(widths_pct: list[float]) -> list[int]:
    total = sum(widths_pct) or 1.0
    tw = [int(AREA_W_TW * w / total) for w in widths_pct]
    tw[-1] += AREA_W_TW - sum(tw)
    return tw


def table_start(widths_pct: list[float]) -> tuple[str, list[int]]:
    """The opening of a table as wide as the type area, fixed layout, of these columns."""
    cols = _grid(widths_pct)
    return (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{SID[_TABLE_STYLE]}"/>'
        f'<w:tblW w:w="{AREA_W_TW}" w:type="dxa"/><w:jc w:val="center"/>'
        '<w:tblLayout w:type="fixed"/><w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" '
        'w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>'
        + "".join(f'<w:gridCol w:w="{w}"/>' for w in cols)
        + "</w:tblGrid>"
    ), cols


def table_row(cells: list[dict[str, Any]], cols: list[int], header: bool = False) -> str:
    """One row: each cell {"text", "style", "span", "vmerge"} ("restart"/"continue")."""
    out = ["<w:tr><w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if header else "") + "</w:trPr>"]
    col = 0
    for c in cells:
        span = c.get("span", 1)
        width = sum(cols[col : col + span])
        col += span
        tcpr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
        if span > 1:
            tcpr += f'<w:gridSpan w:val="{span}"/>'
        if c.get("vmerge") == "restart":
            tcpr += '<w:vMerge w:val="restart"/>'
        elif c.get("vmerge") == "continue":
            tcpr += "<w:vMerge/>"
        tcpr += '<w:vAlign w:val="center"/>'
        lines = c.get("lines") or [c.get("text", "")]
        body = "".join(
            para(c["style"], line) if c.get("vmerge") != "continue" else para(c["style"], "")
            for line in lines
        )
        out.append(f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{body}</w:tc>")
    out.append("</w:tr>")
    return "".join(out)


# --------------------------------------------------------------------------- the HTML


class _Table:
    def __init__(self, classes: set[str]):
        self.classes = classes
        self.widths: list[float] = []
        self.head: list[list[dict[str, Any]]] = []
        self.in_head = False
        self.row: list[dict[str, Any]] | None = None
        self.cell: dict[str, Any] | None = None
        self.cols: list[int] = []
        self.started = False


class _Bulletin(HTMLParser):
    """Reads bulletin.html (as the template writes it) and writes the body of the .docx,
    one block at a time, to `sink`."""

    def __init__(self, sink: IO[str], data: dict[str, Any], articles_apart: bool):
        super().__init__(convert_charrefs=True)
        self.sink = sink
        self.data = data
        self.articles_apart = articles_apart
        self.stack: list[tuple[str, set[str]]] = []
        self.block: dict[str, Any] | None = None  # the paragraph being read
        self.table: _Table | None = None
        self.skip = 0  # inside a chart (svg) or <style>/<title>
        self.section: set[str] | None = None
        self.attachment_no = 0
        self.signed = False  # the office's name of the signature is written

    # -- helpers
    def _classes(self, attrs: list[tuple[str, str | None]]) -> set[str]:
        return set((dict(attrs).get("class") or "").split())

    def _inside(self, cls: str) -> bool:
        return any(cls in c for _, c in self.stack)

    def _start_block(self, style: str, extra: str = "") -> None:
        self.block = {"style": style, "runs": [], "extra": extra}

    def _end_block(self) -> None:
        b, self.block = self.block, None
        if b is None:
            return
        runs = [(clean(t), s) for t, s in b["runs"]]
        # strip the paragraph's leading and trailing white space, as HTML does
        while runs and not runs[0][0].strip():
            runs.pop(0)
        while runs and not runs[-1][0].strip():
            runs.pop()
        if runs:
            runs[0] = (runs[0][0].lstrip(), runs[0][1])
            runs[-1] = (runs[-1][0].rstrip(), runs[-1][1])
        self.sink.write(para(b["style"], runs, b["extra"]))

    # -- parser events
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = self._classes(attrs)
        if tag in ("br", "col", "meta", "img"):
            self._void(tag, attrs, classes)
            return
        self.stack.append((tag, classes))
        if self.skip or tag in ("style", "title", "svg", "script"):
            self.skip += 1
            return
        if tag == "figure":
            self._figure()
            return
        if tag == "section" and "attachment" in classes:
            self.attachment_no += 1
            self.section = classes
            return
        if tag == "table":
            self.table = _Table(classes)
            return
        t = self.table
        if t is not None:
            if tag == "thead":
                t.in_head = True
            elif tag == "tr":
                t.row = []
            elif tag in ("td", "th"):
                a = dict(attrs)
                if tag == "th":
                    style = "表头"
                else:
                    style = next((_CELL_STYLE[c] for c in classes if c in _CELL_STYLE), "表格文字")
                t.cell = {
                    "parts": [""],
                    "style": style,
                    "span": int(a.get("colspan") or 1),
                    "rows": int(a.get("rowspan") or 1),
                }
            return
        if tag == "strong" and self.block is not None:
            self.block["runs"].append(("", True))
            self.block["strong"] = True
            return
        if tag in ("p", "h1", "h2", "h3"):
            self._open_paragraph(tag, classes, dict(attrs))

    def _void(self, tag: str, attrs: list[tuple[str, str | None]], classes: set[str]) -> None:
        if self.skip:
            return
        t = self.table
        if tag == "col" and t is not None:
            m = re.search(r"width:\s*([\d.]+)%", dict(attrs).get("style") or "")
            t.widths.append(float(m[1]) if m else 10.0)
        elif tag == "br" and t is not None and t.cell is not None:
            t.cell["parts"].append("")

    def _open_paragraph(self, tag: str, classes: set[str], attrs: dict[str, str | None]) -> None:
        if tag == "h1":
            self._start_block("标题")
        elif tag == "h2" and "table-title" in classes:
            self._start_block("附件标题")
        elif tag == "h2":
            self._start_block("一级标题")
        elif tag == "h3":
            self._start_block("二级标题")
        elif "issuer-mark" in classes:
            rule = "" if self.data.get("doc_number") else _rule_ppr()
            self._start_block("发文机关标志", rule)
        elif "doc-number" in classes:
            self._start_block("发文字号", _rule_ppr())
        elif "draft-mark" in classes:
            self._start_block("征求意见稿")
        elif "draft-note" in classes:
            self._start_block("征求意见稿说明")
        elif "recipients" in classes:
            self._start_block("主送机关")
        elif "label" in classes and self.section is not None:
            self._start_block("附件标记")
        elif "note" in classes or ("flush" in classes and self.section is not None):
            self._start_block("表注")
        elif self._inside("correction"):
            self._start_block("更正说明")
        elif self._inside("attachment-list"):
            self._start_block("附件说明" if "first" in classes else "附件说明续")
        elif self._inside("signature"):
            m = re.search(r"padding-right:\s*([\d.]+)em", attrs.get("style") or "")
            chars = float(m[1]) if m else 2.0
            style = "成文日期" if self.signed else "发文机关署名"
            self.signed = True
            self._start_block(
                style,
                f'<w:ind w:rightChars="{round(chars * 100)}" w:right="{round(chars * CHAR_PT * 20)}"/>',
            )
        else:
            self._start_block("正文")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "col", "meta", "img"):
            return
        while self.stack:
            name, classes = self.stack.pop()
            if name == tag:
                break
        if self.skip:
            self.skip -= 1
            return
        t = self.table
        if tag == "section":
            self.section = None
        elif tag in ("td", "th") and t is not None and t.cell is not None:
            t.row.append(t.cell)
            t.cell = None
        elif tag == "tr" and t is not None and t.row is not None:
            if t.in_head:
                t.head.append(t.row)
            else:
                self._table_body_row(t.row)
            t.row = None
        elif tag == "thead" and t is not None:
            t.in_head = False
        elif tag == "table" and t is not None:
            if not t.started:
                self._table_begin(t)
            self.sink.write("</w:tbl>")
            self.table = None
        elif tag == "strong" and self.block is not None:
            self.block["strong"] = False
            self.block["runs"].append(("", False))
        elif tag in ("p", "h1", "h2", "h3"):
            self._end_block()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        t = self.table
        if t is not None:
            if t.cell is not None:
                t.cell["parts"][-1] += data
            return
        if self.block is not None:
            self.block["runs"].append((data, bool(self.block.get("strong"))))

    # -- tables
    def _table_begin(self, t: _Table) -> None:
        t.started = True
        if "articles" in t.classes and self.articles_apart:
            return
        xml, t.cols = table_start(t.widths or [1.0] * max(1, len(t.head[0]) if t.head else 1))
        self.sink.write(xml)
        # header rows: rowspan as vertical merges, colspan as grid spans
        carry: dict[int, int] = {}  # column → rows still covered by a rowspan from above
        for row in t.head:
            cells: list[dict[str, Any]] = []
            col = 0
            queue = list(row)
            while queue or any(c >= col for c in carry):
                if carry.get(col, 0) > 0:
                    cells.append({"text": "", "style": "表头", "vmerge": "continue"})
                    carry[col] -= 1
                    col += 1
                    continue
                if not queue:
                    break
                c = queue.pop(0)
                cell = {
                    "lines": [clean(x).strip() for x in c["parts"]],
                    "style": c["style"],
                    "span": c["span"],
                }
                if c["rows"] > 1:
                    cell["vmerge"] = "restart"
                    for k in range(c["span"]):
                        carry[col + k] = c["rows"] - 1
                cells.append(cell)
                col += c["span"]
            self.sink.write(table_row(cells, t.cols, header=True))

    def _table_body_row(self, row: list[dict[str, Any]]) -> None:
        t = self.table
        assert t is not None
        if not t.started:
            self._table_begin(t)
        if "articles" in t.classes and self.articles_apart:
            return
        cells = [
            {
                "lines": [clean(x).strip() for x in c["parts"]],
                "style": c["style"],
                "span": c["span"],
            }
            for c in row
        ]
        self.sink.write(table_row(cells, t.cols))

    # -- charts
    def _figure(self) -> None:
        """A chart: the units' bars repeat their table (left out); the quarters of the
        year become a small table of the same figures."""
        self.skip += 1  # the figure's content (svg) is not read
        if self.section is not None:
            return
        ytd = self.data.get("ytd")
        if ytd is None or not ytd.totals:  # transforms.figures.YearToDate
            return
        from transforms.wording import fmt_points, group_label

        quarters = list(ytd.quarters)
        self.sink.write(
            para("表注", f"{self.data.get('period_title', '')}各季度各类别得分合计（分）")
        )
        xml, cols = table_start([18.0] + [82.0 / max(1, len(quarters))] * len(quarters))
        self.sink.write(xml)
        self.sink.write(
            table_row(
                [{"text": "类别", "style": "表头"}]
                + [{"text": str(q), "style": "表头"} for q in quarters],
                cols,
                header=True,
            )
        )
        for g, values in ytd.totals:
            self.sink.write(
                table_row(
                    [{"text": group_label(g), "style": "表格文字"}]
                    + [{"text": fmt_points(v), "style": "表格数字"} for v in values],
                    cols,
                )
            )
        self.sink.write("</w:tbl>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._void(tag, attrs, self._classes(attrs))


def _rule_ppr() -> str:
    """The red rule (红色分隔线) under the 文号: a bottom border 4 mm below it."""
    return (
        f'<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="11" w:color="{RED}"/></w:pBdr>'
        f'<w:spacing w:after="{2 * LINE_TW}"/>'
    )


# --------------------------------------------------------------------------- files


def _write_docx(target: Path, skeleton: bytes, body: Iterator[str]) -> None:
    """`skeleton` with the body of its document part replaced by the streamed `body`."""
    src = zipfile.ZipFile(io.BytesIO(skeleton))
    document = src.read("word/document.xml").decode("utf-8")
    open_at = document.index("<w:body>") + len("<w:body>")
    sect_at = document.rindex("<w:sectPr")
    head, tail = document[:open_at], document[sect_at:]
    tmp = target.with_name(target.name + ".part")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
            for info in src.infolist():
                if info.filename == "word/document.xml":
                    continue
                out.writestr(info, src.read(info.filename))
            with out.open("word/document.xml", "w", force_zip64=True) as raw:
                w = io.TextIOWrapper(raw, encoding="utf-8", write_through=False)
                w.write(head)
                for piece in body:
                    w.write(piece)
                w.write(tail)
                w.flush()
                w.detach()
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


class _Sink:
    """Collects written XML pieces so that the parser's output is streamed in chunks."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, s: str) -> None:
        self.parts.append(s)

    def take(self) -> list[str]:
        parts, self.parts = self.parts, []
        return parts


def _body_from_html(html: str, data: dict[str, Any], articles_apart: bool) -> Iterator[str]:
    sink = _Sink()
    parser = _Bulletin(sink, data, articles_apart)
    step = 1 << 16
    for i in range(0, len(html), step):
        parser.feed(html[i : i + step])
        yield from sink.take()
    parser.close()
    yield from sink.take()


def write_bulletin_docx(out_dir: Path, html: str, data: dict[str, Any]) -> list[Path]:
    """bulletin.docx from the bulletin's HTML (as bulletin.html.j2 renders it) and the
    template's data (flows.render.bulletin_context); with more than ARTICLES_INLINE
    adopted articles, the 采用目录 is bulletin-articles.docx. Returns the paths written."""
    out_dir = Path(out_dir)
    articles = data.get("articles") or []
    apart = len(articles) > ARTICLES_INLINE
    if apart:
        # the table's place in the bulletin says where it is
        n_tables = len(data.get("tables") or [])
        note = (
            f"本期采用信息共{len(articles)}篇次，目录篇幅较长，另见文件 {ARTICLES_FILE}"
            f"（附件{n_tables + 1}　{data['attachments'][n_tables]}）。"
        )
        html = _replace_articles_table(html, note)
    skeleton = _skeleton(bool(data.get("draft")), data.get("title") or "")
    target = out_dir / "bulletin.docx"
    _write_docx(target, skeleton, _body_from_html(html, data, apart))
    paths = [target]
    if apart:
        p = out_dir / ARTICLES_FILE
        _write_docx(
            p, _skeleton(bool(data.get("draft")), data["attachments"][-1]), _articles_body(data)
        )
        paths.append(p)
    return paths


def _replace_articles_table(html: str, note: str) -> str:
    start = html.find('<table class="articles">')
    end = html.find("</table>", start)
    if start < 0 or end < 0:
        return html
    return (
        html[:start] + f'<p class="flush note">{escape(note)}</p>' + html[end + len("</table>") :]
    )


_ARTICLE_WIDTHS = [6.0, 13.0, 18.0, 10.0, 36.0, 17.0]
_ARTICLE_HEAD = ["序号", "日期", "刊物", "期号", "标题", "单位"]


def _articles_body(data: dict[str, Any]) -> Iterator[str]:
    """The 采用目录 on its own: label, title and one table, row by row."""
    from flows.render import _isodate
    from transforms.publication_text import issue_number

    n = len(data.get("tables") or []) + 1
    yield para("附件标记", f"附件{n}")
    yield para("附件标题", data["attachments"][n - 1])
    xml, cols = table_start(_ARTICLE_WIDTHS)
    yield xml
    yield table_row([{"text": h, "style": "表头"} for h in _ARTICLE_HEAD], cols, header=True)
    batch: list[str] = []
    for i, a in enumerate(data.get("articles") or [], start=1):
        batch.append(
            table_row(
                [
                    {"text": str(i), "style": "表格文字"},
                    {"text": _isodate(a.get("date")), "style": "表格文字"},
                    {"text": clean(str(a.get("publication") or "")), "style": "表格文字居左"},
                    {"text": clean(issue_number(a.get("issue"))), "style": "表格文字"},
                    {"text": clean(str(a.get("title") or "")), "style": "表格文字居左"},
                    {"text": clean(str(a.get("units") or "")), "style": "表格文字居左"},
                ],
                cols,
            )
        )
        if len(batch) >= 500:
            yield "".join(batch)
            batch = []
    yield "".join(batch)
    yield "</w:tbl>"


__all__ = ["write_bulletin_docx", "ARTICLES_INLINE", "ARTICLES_FILE", "clean"]

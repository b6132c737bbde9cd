"""Render the outputs of a run (输出): the bulletin (通报) as HTML and PDF, one statement
(得分说明) per unit, and the exports scores.csv / scores.xlsx / ledger.csv / review.csv.

IO lives here; the figures come from `transforms.figures` and `transforms.verdicts`, the
statements' rows from `transforms.statement_rows`, the words from `transforms.wording`,
corrections from `transforms.changes`. Templates are in
`report_templates/`, always autoescaped; WeasyPrint may only read data: URLs and files
inside `report_templates/` (no network while rendering).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import polars as pl
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from flows.libload import import_weasyprint
from flows.lifetime import die_with_parent, end_without_teardown
from flows.memory import release_free_memory
from schemes.contract import Scheme, ScoreResult
from transforms import changes as ch
from transforms import charts
from transforms import figures as fg
from transforms import statement_rows as sr
from transforms import verdicts as vd
from transforms import wording as wd
from transforms.csvsafe import csv_value
from transforms.periods import Period
from transforms.publication_text import ISSUE_IN_TEXT, issue_label, issue_number
from transforms.review import QUESTION_TYPES, describe_open, open_questions, review_table
from transforms.schema import LEDGER, REVIEW, SCORES, conform

TEMPLATES = Path(__file__).resolve().parent.parent / "report_templates"

SCORES_CSV_COLUMNS = [
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


@dataclass
class ReportContext:
    """Everything the outputs of one run show. Frames follow `transforms.schema`."""

    scheme: Scheme
    office: str
    period: Period
    result: ScoreResult
    units: pl.DataFrame
    adoptions: pl.DataFrame  # ADOPTIONS + article_id, all of the workspace
    adoption_units: pl.DataFrame
    #: SUBMISSIONS + unit (empty when there are no mail logs); every reader takes the
    #: period's rows, so a run passes only those (flows.steps.report_submissions)
    submissions: pl.DataFrame
    review: pl.DataFrame
    issued: date
    version: int
    doc_number: str | None = None
    requirements: str = wd.DEFAULT_REQUIREMENTS
    #: {"previous": int, "units": [{"unit","before","after","rank_before","rank_after"}],
    #:  "inputs": {"added","removed","changed": [file]} or [str | dict, ...],
    #:  optional "ledger": {"added","removed": [LEDGER row dicts]}, optional "decisions"
    #:  (transforms.changes.diff_decisions), optional "rows" (diff_adoption_rows),
    #:  optional "reason": str (said when nothing else explains the correction)}
    changes: dict | None = None
    #: EVENTS + unit, all of the workspace: the leader instructions (领导批示) are counted
    #: and listed from them (None: no events)
    events: pl.DataFrame | None = None
    #: optional 主送 line overriding the one derived from the office name
    recipients: str | None = None
    #: optional adoption → submission links (transforms.linking.LINKS, flows.steps.Matched
    #: .links): the statements count the submissions that were adopted
    links: pl.DataFrame | None = None
    #: optional: the previous version's folder (same kaohe): a statement whose HTML is
    #: byte-equal to the one there shares its files (hard links) instead of a new PDF
    reuse: Path | None = None


# --------------------------------------------------------------------------- environment


def _yesno(v: Any) -> str:
    if v is None:
        return "—"
    return "是" if v else "否"


def _isodate(v: Any) -> str:
    return v.isoformat() if isinstance(v, date) else ("" if v is None else str(v))


def _nobreak_issues(text: Any) -> Markup:
    """Escaped text in which every issue number (第12期, 2018年第12期) is kept on one line."""
    if text is None:
        return Markup("")
    parts = []
    last = 0
    s = str(text)
    for m in ISSUE_IN_TEXT.finditer(s):
        parts.append(Markup.escape(s[last : m.start()]))
        parts.append(Markup('<span class="issue">{}</span>').format(m[0]))
        last = m.end()
    parts.append(Markup.escape(s[last:]))
    return Markup("").join(parts)


_ENV: Environment | None = None
_CSS: Any = None
_CSS_TEXT: Markup | None = None
_FONT_CONFIG: Any = None


def environment() -> Environment:
    """The Jinja environment (built once): autoescaping on for every template."""
    global _ENV
    if _ENV is None:
        env = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=select_autoescape(
                enabled_extensions=("html", "j2", "html.j2"), default_for_string=True
            ),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.globals["issue_label"] = issue_label
        env.filters.update(
            pts=wd.fmt_points,
            rate=wd.fmt_rate,
            yesno=_yesno,
            isodate=_isodate,
            group_label=wd.group_label,
            issue_number=issue_number,
            nobreak_issues=_nobreak_issues,
        )
        _ENV = env
    return _ENV


def _css_text() -> Markup:
    """style.css, inlined into the HTML outputs. Marked safe: autoescaping it would turn
    its quotes into &#34; inside <style>, where no entity is decoded, and every rule naming
    "LXGW WenKai" or "Noto Serif CJK SC" would be dropped (browsers then draw the default
    sans face). Our own file, and it cannot close the <style> element."""
    global _CSS_TEXT
    if _CSS_TEXT is None:
        text = (TEMPLATES / "style.css").read_text(encoding="utf-8")
        if "</" in text:
            raise ValueError("style.css must not contain </ (it is inlined in <style>)")
        _CSS_TEXT = Markup(text)
    return _CSS_TEXT


#: the HarfBuzz faces of the Pango fonts WeasyPrint embeds (kept referenced, so that no
#: other face ever has their address) → their font file's bytes, once read
_FACE_DATA: dict[int, tuple[Any, bytes | None]] = {}


#: the WeasyPrint release whose font subsetting `_one_pass_subsetting` replaces (checked
#: byte for byte by tests/test_render.py); with any other, WeasyPrint's own is kept
ONE_PASS_CHECKED_ON = "70."


def _one_pass_subsetting() -> None:
    """Makes WeasyPrint's font subsetting cheaper for the same PDFs (flows' own PDFs only:
    called by `_weasy`). WeasyPrint (70) subsets each font of a PDF twice with HarfBuzz:
    the glyphs used, glyph ids kept (a CJK face keeps all its ~60,000 slots up to the last
    glyph used), then that result again, every glyph up to the last one, to drop hinting.
    One pass with both flags gives the same bytes for a third of the CPU (a statement's
    Noto Serif CJK subset: ≈ 15 ms instead of ≈ 45 ms). And every PDF's fonts copied
    their whole font file first (26 MB for Noto Serif CJK, replaced by the subset right
    after): the copy is now made once per face. tests/test_render.py checks the bytes
    against WeasyPrint's own two passes."""
    import weasyprint

    if not weasyprint.__version__.startswith(ONE_PASS_CHECKED_ON):
        return  # another WeasyPrint's internals: its own two passes, slower but its own
    try:
        from weasyprint.pdf import fonts
        from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
        from weasyprint.text.fonts import get_hb_object_data, get_pango_font_hb_face
    except ImportError:
        return
    if harfbuzz_subset is None or "_kaohe_one_pass" in vars(fonts.Font):
        return
    two_passes = fonts.Font._harfbuzz_subset
    tables = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF")
    tables += (b"LTSH", b"PCLT", b"SVG ")  # the ones WeasyPrint drops
    drop = sorted(harfbuzz.hb_tag_from_string(t, 4) for t in tables)

    def one_pass(self: Any, to_unicode: dict[int, str], hinting: bool) -> None:
        if hinting:  # the second pass keeps hints then: nothing to merge
            return two_passes(self, to_unicode, hinting)
        hb_input = ffi.gc(
            harfbuzz_subset.hb_subset_input_create_or_fail(),
            harfbuzz_subset.hb_subset_input_destroy,
        )
        gids = sorted(to_unicode)
        glyphs = harfbuzz_subset.hb_subset_input_glyph_set(hb_input)
        harfbuzz.hb_set_add_sorted_array(
            glyphs, ffi.new(f"hb_codepoint_t[{len(gids)}]", gids), len(gids)
        )
        flags = (
            harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS
            | harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
            | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
            | harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
        )
        if self.missing:
            flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
        harfbuzz_subset.hb_subset_input_set_flags(hb_input, flags)
        dropped = harfbuzz_subset.hb_subset_input_set(
            hb_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG
        )
        harfbuzz.hb_set_add_sorted_array(
            dropped, ffi.new(f"hb_codepoint_t[{len(drop)}]", drop), len(drop)
        )
        face = harfbuzz_subset.hb_subset_or_fail(self.hb_face, hb_input)
        if face == ffi.NULL:
            return two_passes(self, to_unicode, hinting)  # it warns
        face = ffi.gc(face, harfbuzz.hb_face_destroy)
        if harfbuzz.hb_face_get_glyph_count(face) > gids[-1] + 1:
            # glyphs added by HarfBuzz's closure (components) after the last one used:
            # WeasyPrint's second pass drops them
            keep = tuple(range(gids[-1] + 1))  # all of them: the used ones are in it
            harfbuzz.hb_set_add_sorted_array(
                glyphs, ffi.new(f"hb_codepoint_t[{len(keep)}]", keep), len(keep)
            )
            harfbuzz_subset.hb_subset_input_set_flags(
                hb_input, flags & ~harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS
            )
            face = harfbuzz_subset.hb_subset_or_fail(face, hb_input)
            if face == ffi.NULL:
                return two_passes(self, to_unicode, hinting)
            face = ffi.gc(face, harfbuzz.hb_face_destroy)
        data = get_hb_object_data(face)
        if not data:
            return two_passes(self, to_unicode, hinting)
        self.file_content = data

    def pango_face(pango_font: Any) -> Any:
        face = get_pango_font_hb_face(pango_font)
        key = int(ffi.cast("uintptr_t", face))
        if key not in _FACE_DATA:
            _FACE_DATA[key] = (harfbuzz.hb_face_reference(face), None)
        return face

    def face_data(hb_object: Any, ot_color: Any = None, glyph: Any = None) -> Any:
        key = int(ffi.cast("uintptr_t", hb_object))
        if ot_color is not None or key not in _FACE_DATA:  # not a Pango font's face
            return get_hb_object_data(hb_object, ot_color, glyph)
        face, data = _FACE_DATA[key]
        if data is None:
            data = get_hb_object_data(hb_object)
            _FACE_DATA[key] = (face, data)
        return data

    fonts.Font._harfbuzz_subset = one_pass
    fonts.Font._kaohe_one_pass = True
    fonts.Font._kaohe_two_passes = two_passes  # for the test that compares them
    # The module's own names, called by Font.__init__ only: the face of a Pango font
    # (kept referenced in _FACE_DATA, so that no other face ever has its address) and
    # its file's bytes. Subsets are read with the original get_hb_object_data.
    fonts.get_pango_font_hb_face = pango_face
    fonts.get_hb_object_data = face_data


#: the pydyf release whose stream compression `_faster_deflate` changes (its one use of
#: zlib.compressobj is a stream's data, at level 9); with any other, pydyf's own
DEFLATE_CHECKED_ON = "0.13."
#: zlib level of the PDFs' streams: a statement's CJK font stream (≈ 800 KB, its glyph
#: slots kept up to the last glyph used) takes 40 % less CPU to compress than at pydyf's
#: level 9, and comes out 0.2 % larger; every stream inflates to the same bytes
DEFLATE_LEVEL = 6


class _DeflateCap(threading.local):
    """Whether this thread is writing one of kaohe's own PDFs (`_kaohe_deflate`)."""

    on = False


_DEFLATE_CAP = _DeflateCap()


def _faster_deflate() -> None:
    """pydyf compresses every PDF stream at zlib's level 9; kaohe's own PDFs at
    DEFLATE_LEVEL, while `_kaohe_deflate` is in force (any other PDF written in the same
    process, e.g. by scripts/make_example_issues.py, keeps pydyf's level). The PDFs inflate
    to the same streams, so their text and pages are the same. tests/test_render.py checks
    that pydyf's streams still go through the name replaced here."""
    import types
    import zlib

    import pydyf

    if not pydyf.__version__.startswith(DEFLATE_CHECKED_ON) or pydyf.zlib is not zlib:
        return  # another pydyf, or already replaced

    def compressobj(level: int = -1, *args: Any, **kwargs: Any) -> Any:
        if _DEFLATE_CAP.on:
            level = DEFLATE_LEVEL if level < 0 else min(level, DEFLATE_LEVEL)
        return zlib.compressobj(level, *args, **kwargs)

    capped = types.ModuleType("zlib")  # zlib's names, with compressobj above
    capped.__dict__.update(zlib.__dict__)
    capped.compressobj = compressobj
    pydyf.zlib = capped


@contextlib.contextmanager
def _kaohe_deflate() -> Iterator[None]:
    """Streams written meanwhile in this thread are compressed at DEFLATE_LEVEL."""
    _DEFLATE_CAP.on = True
    try:
        yield
    finally:
        _DEFLATE_CAP.on = False


def _weasy() -> tuple[Any, Any]:
    """The shared stylesheet and font configuration (built once, reused for every PDF)."""
    global _CSS, _FONT_CONFIG
    if _CSS is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        _one_pass_subsetting()
        _faster_deflate()
        _FONT_CONFIG = FontConfiguration()
        _CSS = CSS(
            string=str(_css_text()),
            base_url=TEMPLATES.as_uri() + "/",
            url_fetcher=_fetcher(),
            font_config=_FONT_CONFIG,
        )
    return _CSS, _FONT_CONFIG


def _html(html: str) -> Any:
    """A WeasyPrint HTML document of one of kaohe's pages (its images and stylesheets
    read only from report_templates/, `_fetcher`)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=TEMPLATES.as_uri() + "/", url_fetcher=_fetcher())


def _fetcher():
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        """Refuses every URL except data: and file: URLs inside report_templates/."""

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlparse(url).path)).resolve()
                if path.is_relative_to(TEMPLATES) and path.is_file():
                    return super().fetch(url, headers)
            raise ValueError(f"refused URL while rendering: {url[:80]}")

    return LocalOnlyFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def _pdf(html: str, target: Path) -> None:
    css, font_config = _weasy()
    with _kaohe_deflate():
        _html(html).write_pdf(target, stylesheets=[css], font_config=font_config)


# --------------------------------------------------------------------------- bulletin PDF

#: rows of a long attachment table laid out at a time (about 40–70 pages): the memory of
#: a bulletin's layout stays that of a few dozen pages, whatever the number of units
PART_ROWS = 1000

_SECTION = '<section class="attachment">'
_ROW = re.compile(r"<tr>.*?</tr>\n?", re.S)


@dataclass
class _Part:
    """One piece of the bulletin that starts on a new page: the body, or an attachment.
    An attachment with a table is cut into its head (up to <tbody>), rows and tail."""

    html: str
    head: str = ""
    rows: tuple[str, ...] = ()
    tail: str = ""


def bulletin_parts(html: str) -> tuple[str, str, list[_Part]]:
    """The bulletin's HTML as (document head up to <body…>, closing tags, parts). Each
    attachment begins with a forced page break, so the parts lay out exactly as the whole
    document does; joined, they are the same pages."""
    m = re.search(r"<body[^>]*>", html)
    end = html.rindex("</body>")
    if m is None:
        raise ValueError("bulletin without <body>")
    start, closing = html[: m.end()], html[end:]
    content = html[m.end() : end]
    pieces = content.split(_SECTION)
    parts = [_Part(pieces[0])]
    for piece in pieces[1:]:
        section = _SECTION + piece
        a, b = section.find("<tbody>\n"), section.rfind("</tbody>")
        if a < 0 or b < a:
            parts.append(_Part(section))
            continue
        head, body, tail = section[: a + len("<tbody>\n")], section[a + 8 : b], section[b:]
        rows = tuple(_ROW.findall(body))
        if "".join(rows) != body or head.count("<table") != 1:
            parts.append(_Part(section))  # not plain rows: laid out whole
            continue
        parts.append(_Part(section, head, rows, tail))
    return start, closing, parts


def _first_page_css(page: int, draft: str | None) -> str:
    """Page numbering of a part that starts on page `page` of the bulletin (odd pages are
    right pages), and the draft mark in the header of parts after the one that sets it."""
    side = "right" if page % 2 else "left"
    css = f"html {{ break-before: {side}; }}\n@page :first {{ counter-reset: page {page}; }}\n"
    if draft:
        text = draft.replace("\\", "\\\\").replace('"', '\\"')
        css += f'@page {{ @top-center {{ content: "{text}"; }} }}\n'
    return css


def _body_rows(page: Any) -> int:
    """The number of table body rows laid out on a page."""
    from weasyprint.formatting_structure import boxes

    return sum(
        len(group.children)
        for group in page._page_box.descendants()
        if isinstance(group, boxes.TableRowGroupBox) and not group.is_header and not group.is_footer
    )


def bulletin_pdf(html: str, target: Path, part_rows: int = PART_ROWS) -> int:
    """bulletin.pdf in one piece when its tables hold at most `part_rows` rows; else laid
    out part by part (the body, each attachment, long attachment tables `part_rows` rows at
    a time) and joined: the same pages, page numbers and text
    as the whole document laid out at once, in the memory of one part. A piece of a table
    keeps only its full pages: the next piece starts with the row that opened the last
    page. Returns the number of pages."""
    import tempfile

    import pypdfium2 as pdfium
    from weasyprint import CSS

    css, font_config = _weasy()
    start, closing, parts = bulletin_parts(html)
    if sum(len(p.rows) for p in parts) <= part_rows:
        # A county's bulletin fits in memory: one document, its fonts embedded once (each
        # part would embed its own subset and the mailed file would grow 2-3 times).
        doc = _html(html).render(stylesheets=[css], font_config=font_config)
        with _kaohe_deflate():
            doc.write_pdf(target)
        return len(doc.pages)
    draft_m = re.search(r'<p class="draft-mark">(.*?)</p>', parts[0].html, re.S)
    draft = draft_m[1] if draft_m else None
    pages = 0
    with tempfile.TemporaryDirectory(prefix="bulletin-", dir=target.parent) as tmp:
        files: list[str] = []

        def lay_out(body: str, first: int, whole: bool) -> tuple[Any, list[Any]]:
            extra = CSS(
                string=_first_page_css(first, draft if first > 1 else None),
                font_config=font_config,
            )
            doc = _html(start + body + closing).render(
                stylesheets=[css, extra], font_config=font_config
            )
            return doc, doc.pages if whole else doc.pages[:-1]

        def write(doc: Any, kept: list[Any]) -> None:
            nonlocal pages
            path = str(Path(tmp) / f"{len(files):05d}.pdf")
            with _kaohe_deflate():
                doc.copy(kept).write_pdf(path)
            files.append(path)
            pages += len(kept)

        for part in parts:
            if not part.rows or len(part.rows) <= part_rows:
                doc, kept = lay_out(part.html, pages + 1, True)
                write(doc, kept)
                continue
            cont = part.head[part.head.index("<table") :].replace(
                "<table ", '<table style="margin-top: 0" ', 1
            )
            i, size = 0, part_rows
            while i < len(part.rows):
                j = i + size
                last = j >= len(part.rows)
                head = part.head if i == 0 else _SECTION + cont
                tail = part.tail if last else "</tbody></table></section>"
                doc, kept = lay_out(head + "".join(part.rows[i:j]) + tail, pages + 1, last)
                n = 0 if last else sum(_body_rows(p) for p in kept)
                if not last and n == 0:  # the rows fit on one page: take more of them
                    size *= 2
                    continue
                write(doc, kept)
                del doc, kept
                i, size = (len(part.rows) if last else i + n), part_rows
        # The first part's file is the base: its document information (title, producer)
        # is the bulletin's.
        out = pdfium.PdfDocument(files[0])
        for f in files[1:]:
            src = pdfium.PdfDocument(f)
            out.import_pages(src)
            src.close()
        out.save(str(target))
        out.close()
    return pages


# --------------------------------------------------------------------------- bulletin


def draft_mark(ctx: ReportContext) -> dict[str, Any] | None:
    """What the draft mark (征求意见稿) of the bulletin and statements says, or None when
    no open question changes points (transforms.review)."""
    counts = open_questions(conform(ctx.review, REVIEW), ctx.period)
    if not counts:
        return None
    return {"total": sum(counts.values()), "by_type": describe_open(counts)}


def _correction(ctx: ReportContext, group_names: Sequence[str]) -> dict[str, Any] | None:
    """The 更正说明 of a rerun (transforms.changes.correction): one paragraph of reasons,
    the units whose points changed as an attachment (group then unit order)."""
    if not ctx.changes:
        return None
    sc = conform(ctx.result.scores, SCORES)
    groups = dict(sc.select("unit", "group").iter_rows())
    c = ch.correction(ctx.changes, groups, ch.titles_of(ctx.adoptions))
    order = {g: i for i, g in enumerate(group_names)}
    c.units.sort(key=lambda u: (order.get(u.get("group"), len(order)), str(u.get("unit"))))
    return {
        "previous": c.previous,
        "reasons": c.reasons,
        "units": c.units,
        "rank_only": c.rank_only,
    }


def score_table_widths(t: fg.ScoreTable) -> list[float]:
    """Column widths (percent) of an attachment table, in the template's column order, so
    that a long remark cannot squeeze the number columns."""
    widths = [5.5, 18.0, 6.5] + [5.5] * len(t.levels) + [8.0, 7.0]  # …, 采用率, 得分
    if t.show_ytd:
        widths.append(7.0)
    if t.show_target:
        widths.append(6.0)
    widths.append(6.0)  # 是否达标
    if t.show_assessment:
        widths.append(6.5)
    rest = max(100.0 - sum(widths), 0.0)
    if t.show_remark:
        widths.append(max(rest, 14.0))
    else:
        widths[1] += rest
    total = sum(widths)
    return [round(w * 100.0 / total, 2) for w in widths]


def _unit_charts(t: fg.ScoreTable, groups: Sequence[Any]) -> list[Any]:
    """Bars of points per unit of one group's table, with the group's target line."""
    target = next((g.target for g in groups if g.name == t.group), None)
    targets = {r["target"] for r in t.rows}
    if len(targets) == 1:
        target = targets.pop()
    return charts.unit_bars(
        [(r["unit"], float(r["points"] or 0.0)) for r in t.rows],
        f"图 {wd.group_label(t.group)}各单位得分",
        target,
    )


def _cn_width(text: str) -> float:
    """Width of a line in characters (em): full-width 1, ASCII ½."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


def signature_pads(office: str, issued: str) -> tuple[float, float]:
    """Right paddings (em) of the office line and the date line of a signature without a
    seal (GB/T 9704 7.3.5.1): the date starts two characters right of the office's first
    character; the longer of the two ends two characters in from the right."""
    w_office, w_date = _cn_width(office), _cn_width(issued) + 2
    end = max(w_office, w_date)
    return 2 + end - w_office, 2 + end - w_date


def bulletin_context(ctx: ReportContext) -> dict[str, Any]:
    """Everything the bulletin template shows (no rendering)."""
    r, s = ctx.result, ctx.scheme
    period = ctx.period
    group_names = fg.group_order(s.groups, r.scores)
    unscored = tuple(s.unscored_groups)
    # Groups listed but never scored (萧山: 不列入考核) get no table, chart or praise.
    scored = r.scores.filter(~pl.col("group").is_in(list(unscored))) if unscored else r.scores
    scored_groups = [g for g in group_names if g not in unscored]
    tables = fg.score_tables(
        scheme_groups=s.groups,
        publications=s.publications,
        period=period,
        scores=scored,
        adoptions=ctx.adoptions,
        adoption_units=ctx.adoption_units,
        submissions=ctx.submissions,
        quarters=r.quarters,
        links=ctx.links,
    )
    below_quota = vd.below_quota(r, group_names)
    done, not_done, unknown = vd.commissions_split(r.commissions)
    changes = _correction(ctx, group_names)
    ytd = None
    if period.kind != "month":
        ytd = fg.year_to_date(r.quarters, scored, scored_groups, period.year)
    ytd_chart = None
    if ytd is not None and ytd.totals:
        ytd_chart = charts.quarter_bars(
            ytd.quarters,
            [(wd.group_label(g), vs) for g, vs in ytd.totals],
            f"图 {period.year}年各季度各类别得分合计",
        )
    top_level, top_articles, top_total = fg.top_adoptions(
        ctx.adoptions, ctx.adoption_units, s.publications, period
    )
    attachments = [f"{period.title}{wd.group_label(t.group)}政务信息得分情况" for t in tables]
    attachments.append(f"{period.title}政务信息采用目录")
    if changes and changes["units"]:
        attachments.append(f"第{ctx.version}版更正前后得分对照")
    return {
        "title": wd.bulletin_title(period, ctx.office),
        "doc_number": ctx.doc_number,
        "recipients": ctx.recipients or wd.recipients(ctx.office, group_names),
        "area": wd.area_word(ctx.office),
        "office": ctx.office,
        "issued_cn": wd.cn_date(ctx.issued),
        "signature_pads": signature_pads(ctx.office, wd.cn_date(ctx.issued)),
        "period_title": period.title,
        "scheme_title": s.title,
        "scheme_doc_number": s.doc_number,
        "version": ctx.version,
        "draft": draft_mark(ctx),
        "changes": changes,
        "ov": fg.overview(
            scheme_groups=s.groups,
            publications=s.publications,
            period=period,
            units=ctx.units,
            scores=r.scores,
            adoptions=ctx.adoptions,
            submissions=ctx.submissions,
            events=ctx.events,
            adoption_units=ctx.adoption_units,
        ),
        "praise": vd.praise(s.groups, scored),
        "period_word": wd.period_word(period),
        "zero_submission": vd.zero_submission_units(r.scores, ctx.submissions, period, group_names),
        "zero_adoption": vd.zero_adoption_units(
            r.scores, ctx.adoptions, ctx.adoption_units, period, group_names
        ),
        "targets": vd.target_section(scored, scored_groups, [q["unit"] for q in below_quota]),
        "below_quota": below_quota,
        "notices": vd.notice_list(r.notices),
        "commissions_done": done,
        "commissions_not_done": not_done,
        "commissions_unknown": unknown,
        "notes": list(r.notes or []),
        "requirements": [p.strip() for p in (ctx.requirements or "").splitlines() if p.strip()],
        "tables": tables,
        "table_widths": [score_table_widths(t) for t in tables],
        "assessment_label": s.assessment_label,
        "remark_chars": wd.REMARK_CHARS,
        "unit_charts": [_unit_charts(t, s.groups) for t in tables],
        "ytd": ytd,
        "ytd_chart": ytd_chart,
        "top_level": top_level,
        "top_articles": top_articles,
        "top_total": top_total,
        "instructions": fg.instruction_digest(fg.instruction_list(ctx.events, period)),
        "attachments": attachments,
        "articles": fg.adopted_articles(ctx.adoptions, ctx.adoption_units, period),
    }


# --------------------------------------------------------------------------- exports


def statement_filename(unit: str) -> str:
    """The unit name made fit for a file name: /, \\ and control characters replaced,
    no leading dot. Not unique (a/b and a_b give a_b) nor bounded: the file stem of a
    statement is `statement_stems`'s."""
    name = re.sub(r"[/\\\x00-\x1f\x7f]", "_", unit).strip() or "_"
    return "_" + name if name.startswith(".") else name


#: the most bytes (UTF-8) of a unit's name kept in a statement's file name: with the hash
#: suffix and ".html" a name stays far below the 255 bytes file systems allow
STEM_BYTES = 120


def _unit_hash(unit: str, length: int) -> str:
    return hashlib.sha256(unit.encode("utf-8")).hexdigest()[:length]


def _stem(unit: str, length: int) -> str:
    """The readable stem of `unit`, with `~` and `length` hex digits of its hash when
    `length` is not 0, its readable part cut to STEM_BYTES bytes."""
    name = statement_filename(unit)
    if not length:
        return name
    cut = name.encode("utf-8")[:STEM_BYTES].decode("utf-8", errors="ignore").rstrip()
    return f"{cut}~{_unit_hash(unit, length)}"


def statement_stems(units: Sequence[str]) -> dict[str, str]:
    """The file stem of each unit's statement (statements/<stem>.pdf), unique by
    construction and of bounded length (STEM_BYTES bytes and a short suffix).

    A name stays as people read it (新安江街道, or 市_区联络办 for 市/区联络办). A name longer
    than STEM_BYTES is cut and gets `~` and a hash of the whole name. Where stems would
    meet (a/b and a_b, .x and _.x, or A局 and a局, one file on macOS and Windows), the
    names that had to be changed get the hash and the one written as it is keeps its
    name; names that meet as they are all get it. The mapping is written into
    manifest.json (`statements`), where `kaohe send` reads it: nothing derives it again."""
    units = list(dict.fromkeys(units))
    length = {u: 8 if len(statement_filename(u).encode("utf-8")) > STEM_BYTES else 0 for u in units}
    for _ in range(16):
        stems = {u: _stem(u, length[u]) for u in units}
        seen: dict[str, list[str]] = {}
        for u, st in stems.items():
            seen.setdefault(st.casefold(), []).append(u)
        clashes = [us for us in seen.values() if len(us) > 1]
        if not clashes:
            return stems
        for us in clashes:
            changed = [u for u in us if stems[u] != u]
            for u in changed if len(us) - len(changed) <= 1 else us:
                length[u] = min(64, length[u] + 8)
    raise ValueError(f"no unique file names for {len(units)} units")  # sha256 collision


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for row in rows:
            w.writerow([csv_value(v) for v in row])


def _ordered_scores(ctx: ReportContext) -> pl.DataFrame:
    sc = conform(ctx.result.scores, SCORES)
    return fg.ordered_scores(sc, fg.group_order(ctx.scheme.groups, sc))


def write_exports(out_dir: Path, ctx: ReportContext) -> list[Path]:
    """scores.csv, ledger.csv, review.csv (UTF-8 with BOM) and scores.xlsx."""
    scores = _ordered_scores(ctx)
    ledger = conform(ctx.result.ledger, LEDGER)
    paths = []
    p = out_dir / "scores.csv"
    _write_csv(p, SCORES_CSV_COLUMNS, scores.select(SCORES_CSV_COLUMNS).rows())
    paths.append(p)
    p = out_dir / "ledger.csv"
    _write_csv(p, list(LEDGER), ledger.rows())
    paths.append(p)
    p = out_dir / "review.csv"
    _write_csv(p, *review_table(conform(ctx.review, REVIEW)))
    paths.append(p)
    p = out_dir / "scores.xlsx"
    _write_xlsx(p, ctx, scores, ledger)
    paths.append(p)
    return paths


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")

_SCORE_SHEET_COLUMNS = [
    ("rank", "排名", 6),
    ("unit", "单位", 28),
    ("submitted", "报送", 8),
    ("adopted", "采用", 8),
    ("points", "得分", 9),
    ("ytd", "本年累计", 10),  # only where the bulletin's tables have it (fg.ytd_points)
    ("target", "目标", 8),
    ("target_met", "是否达标", 10),
    ("assessment", "排名得分", 10),
    ("remark", "备注", 30),
]

_LEDGER_SHEET_COLUMNS = [
    ("unit", "单位", 24),
    ("period", "考核期", 9),
    ("date", "日期", 12),
    ("publication", "刊物", 20),
    ("issue", "期号", 8),
    ("title", "标题", 40),
    ("rule_id", "规则编号", 18),
    ("rule", "规则名称", 20),
    ("clause", "条款", 12),
    ("points", "分值", 8),
    ("note", "说明", 40),
    ("shared", "联合供稿", 9),
    ("source", "来源", 10),
    ("ref", "记录编号", 18),
    ("article_id", "文章编号", 18),
]


#: the ledger's `source` (transforms.schema.LEDGER) as the ledger sheet shows it
_SOURCE_CN = {
    "adoption": "信息录用",
    "submission": "信息报送",
    "event": "其他事项",
    "quota": "报送任务",
    "adjust": "冲减调整",
}


def _xlsx_value(v: Any) -> Any:
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v == int(v):
        return int(v)
    return v


def _fill_sheet(ws, columns, rows: list[dict[str, Any]]) -> None:
    """A sheet of a write-only workbook (cells written as they come, none kept: the
    ledger of 5,000 units is 400,000 cells): the frozen header and the widths first."""
    ws.freeze_panes = "A2"
    for j, (_, _, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.append([title for _, title, _ in columns])
    for r in rows:
        line: list[Any] = []
        for key, _, _ in columns:
            v = _xlsx_value(r.get(key))
            if isinstance(v, str):
                v = WriteOnlyCell(ws, value=v)
                # Text stays text even when it looks like a formula (= + - @ …).
                v.data_type = "s"
            elif isinstance(v, date):
                v = WriteOnlyCell(ws, value=v)
                v.number_format = "yyyy-mm-dd"
            line.append(v)
        ws.append(line)


def _write_xlsx(path: Path, ctx: ReportContext, scores: pl.DataFrame, ledger: pl.DataFrame):
    """One sheet of scores per group (「A类得分」, 「乡镇（街道）得分」), with the year to
    date where the bulletin shows it, and the ledger (「计分明细」), all headed in Chinese."""
    wb = Workbook(write_only=True)
    used: set[str] = set()
    ytd = fg.ytd_points(ctx.result.quarters, ctx.period)
    columns = [c for c in _SCORE_SHEET_COLUMNS if c[0] != "ytd" or ytd is not None]
    for g in fg.group_order(ctx.scheme.groups, scores):
        part = scores.filter(pl.col("group") == g)
        if not part.height:
            continue
        name = _SHEET_BAD.sub("_", f"{wd.group_label(g)}得分")[:31]
        base, k = name, 2
        while name in used or name == "计分明细":
            name = f"{base[:28]}_{k}"
            k += 1
        used.add(name)
        rows = part.to_dicts()
        if ytd is not None:
            for r in rows:
                r["ytd"] = round(ytd.get(r["unit"], 0.0), 4)
        _fill_sheet(wb.create_sheet(name), columns, rows)
    rows = ledger.to_dicts()
    for r in rows:
        r["source"] = _SOURCE_CN.get(r["source"], r["source"])
    _fill_sheet(wb.create_sheet("计分明细"), _LEDGER_SHEET_COLUMNS, rows)
    wb.save(path)


# --------------------------------------------------------------------------- office note

#: rows of each kind listed one by one in the office's note, the rest counted
_NOTE_ROWS = 50
_NUM = "一二三"


def office_note(ctx: ReportContext) -> str | None:
    """The office's own note (office_note.txt, never sent): what the public bulletin leaves
    out because a name is unresolved, and the open questions of review.csv. None when
    there is nothing to say."""
    lo = fg.left_out(ctx.adoptions, ctx.adoption_units, ctx.submissions, ctx.period)
    review = conform(ctx.review, REVIEW)
    if not (lo["adoptions"] or lo["partial"] or lo["submissions"] or review.height):
        return None
    lines = [
        f"{ctx.office} {ctx.period.title}政务信息通报（第{ctx.version}版）内部说明",
        "本说明只供本办核对，不随通报印发、不发送各单位。",
        "",
    ]

    def listed(rows: list[dict[str, Any]], text: Callable[[dict[str, Any]], str]) -> None:
        lines.extend("  " + text(r) for r in rows[:_NOTE_ROWS])
        if len(rows) > _NOTE_ROWS:
            lines.append(f"  另有 {len(rows) - _NOTE_ROWS} 条，见 review.csv")

    def where(r: dict[str, Any]) -> str:
        label = issue_label(r["publication"], r["issue"])
        return f"{r['source_file']} 第{r['source_row']}行：{label} {_isodate(r['date'])}《{r['title']}》"

    n = 0
    if lo["adoptions"] or lo["partial"] or lo["submissions"]:
        lines.append(
            "以下内容因单位名称未能识别，未写入公开的通报和各单位得分说明，"
            "通报中的报送、采用数字也不含这些内容："
        )
    if lo["adoptions"]:
        n += 1
        lines.append(
            f"{_NUM[n - 1]}、未识别单位的录用信息 {len(lo['adoptions'])} 条"
            "（未计分，未列入通报的采用目录和工作亮点）："
        )
        listed(lo["adoptions"], lambda r: f"{where(r)}，署名「{r['units_raw'] or ''}」")
    if lo["partial"]:
        n += 1
        lines.append(
            f"{_NUM[n - 1]}、部分署名单位未能识别的联合供稿 {len(lo['partial'])} 条"
            "（只列入、只计已识别的单位）："
        )
        listed(
            lo["partial"],
            lambda r: f"{where(r)}，署名「{r['units_raw'] or ''}」，已识别：{r['resolved']}",
        )
    if lo["submissions"]:
        n += 1
        total = sum(r["count"] for r in lo["submissions"])
        lines.append(f"{_NUM[n - 1]}、发件单位未能识别的报送 {total} 条（未计入报送数和采用率）：")
        listed(lo["submissions"], lambda r: f"{r['source_file']}：{r['count']} 条")
    if n:
        lines.append("")
    if review.height:
        kinds = "、".join(
            f"{QUESTION_TYPES[t].label if t in QUESTION_TYPES else t} {c} 项"
            for t, c in review.group_by("type", maintain_order=True).len().iter_rows()
        )
        lines.append(
            f"待核实事项共 {review.height} 项（{kinds}），见本文件夹的 review.csv："
            "把要答复的行复制到工作区的 decisions.csv，填写“答复”列，再运行 kaohe run，"
            "将生成新版本。"
        )
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- entry point


def render_bulletin_and_exports(out_dir: Path, ctx: ReportContext) -> list[Path]:
    """bulletin.html, bulletin.pdf, bulletin.docx (and bulletin-articles.docx for a long
    采用目录, flows.docx_bulletin), then the exports (`write_exports`), in that order."""
    html, data, paths = _bulletin_html(Path(out_dir), ctx)
    p = Path(out_dir) / "bulletin.pdf"
    bulletin_pdf(html, p)
    paths.append(p)
    return paths + _bulletin_rest(Path(out_dir), ctx, html, data)


def _bulletin_html(out_dir: Path, ctx: ReportContext) -> tuple[str, dict[str, Any], list[Path]]:
    """Writes bulletin.html; the HTML bulletin.pdf is laid out from (its stylesheet not
    inlined), the template's variables and [bulletin.html]."""
    env = environment()
    data = bulletin_context(ctx)
    tpl = env.get_template("bulletin.html.j2")
    p = out_dir / "bulletin.html"
    p.write_text(tpl.render(data, inline_css=_css_text()), encoding="utf-8")
    return tpl.render(data, inline_css=None), data, [p]


def _bulletin_rest(
    out_dir: Path, ctx: ReportContext, html: str, data: dict[str, Any]
) -> list[Path]:
    """bulletin.docx (and bulletin-articles.docx), the exports and office_note.txt."""
    from flows.docx_bulletin import write_bulletin_docx

    paths = list(write_bulletin_docx(out_dir, html, data))
    paths.extend(write_exports(out_dir, ctx))
    note = office_note(ctx)
    if note is not None:
        p = out_dir / "office_note.txt"
        p.write_text(note, encoding="utf-8")
        paths.append(p)
    return paths


def render_outputs(
    out_dir: Path,
    ctx: ReportContext,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Path]:
    """Writes into out_dir (made if missing; empty): bulletin.html, bulletin.pdf,
    statements/<unit>.pdf (and .html), scores.csv, scores.xlsx, ledger.csv, review.csv.
    Calls progress(done, total, unit) while rendering statements. Returns paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    html, data, paths = _bulletin_html(out_dir, ctx)
    pdf = out_dir / "bulletin.pdf"
    rest: list[Path] = []

    def docx_and_exports() -> None:
        rest.extend(_bulletin_rest(out_dir, ctx, html, data))
        release_free_memory()  # while the workers still lay out and render

    # With many units the workers lay out bulletin.pdf (the longest job, handed over first)
    # and render the statements while this process writes the .docx and the exports; with
    # few, everything runs here, one after the other.
    statements = write_statements(
        out_dir / "statements",
        ctx,
        progress,
        meanwhile=docx_and_exports,
        first=(_bulletin_pdf_released, (html, pdf)),
    )
    return [*paths, pdf, *statements, *rest]


def _bulletin_pdf_released(html: str, target: Path) -> int:
    """`bulletin_pdf`, then the heap its layout freed given back to the system: the worker
    that lays the bulletin out renders statements afterwards, which need a fraction of it."""
    pages = bulletin_pdf(html, target)
    release_free_memory()
    return pages


#: from this many units on, statements are rendered by a pool of worker processes (one per
#: core, at most two) while this process renders the bulletin: below it, starting a worker
#: (~1.5 s: Python, WeasyPrint, the fonts) costs more than the statements (~0.1 s each)
POOL_MIN_UNITS = 12
#: statements handed to a worker at a time, at most
_CHUNK = 20


def _pool_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def _chunk_size(n_jobs: int, workers: int) -> int:
    """Chunks small enough that every worker has work until the end (about four chunks
    per worker), large enough that handing one over costs little."""
    return max(1, min(_CHUNK, -(-n_jobs // (4 * max(1, workers)))))


def _worker_init(parent: int) -> None:
    """Initializer of a statement worker: dies with the run (`die_with_parent`), then
    pays WeasyPrint's per-process costs (import, fonts, the parsed stylesheet) once, before
    its first statement; every statement it renders reuses them (`_weasy`). Its end
    does not tear its interpreter down (`end_without_teardown`): the run waits for it."""
    die_with_parent(parent)
    end_without_teardown()
    import_weasyprint()  # without a compiler run per library name (flows.libload)
    _weasy()


def statement_jobs(ctx: ReportContext) -> list[tuple[str, dict[str, Any]]]:
    """(file stem, template variables) of every statement, in group then rank order. Plain
    data, so that a worker process can render them."""
    sc = conform(ctx.result.scores, SCORES)
    base = {
        "period_title": ctx.period.title,
        "scheme_title": ctx.scheme.title,
        "scheme_doc_number": ctx.scheme.doc_number,
        "office": ctx.office,
        "issued_cn": wd.cn_date(ctx.issued),
        "notes": list(ctx.result.notes or []),
        "has_submissions": fg.period_submissions(ctx.submissions, ctx.period).height > 0,
        "show_assessment": sc["assessment"].null_count() < sc.height,
        "assessment_label": ctx.scheme.assessment_label,
        "version": ctx.version,
        "draft": draft_mark(ctx),
    }
    groups = fg.group_order(ctx.scheme.groups, sc)
    items = sr.statements(ctx.result.scores, ctx.result.ledger, groups)
    ytd = fg.ytd_points(ctx.result.quarters, ctx.period)
    rates = fg.unit_rates(ctx.submissions, ctx.adoptions, ctx.adoption_units, ctx.period, ctx.links)
    stems = statement_stems([s.unit for s in items])
    changes = ch.unit_changes(ctx.changes)
    jobs = []
    for s in items:
        data = dict(base)
        data["s"] = s
        data["ytd"] = None if ytd is None else ytd.get(s.unit, 0.0)
        data["change"] = changes.get(s.unit)
        data["quotas"] = sr.unit_quotas(ctx.result.quotas, s.unit)
        data["notices"] = sr.unit_notices(ctx.result.notices, s.unit)
        data["rate"] = rates.get(s.unit) if base["has_submissions"] else None
        data["links"] = ctx.links is not None
        if ctx.reuse is not None:
            data["reuse_dir"] = str(Path(ctx.reuse) / "statements")
        jobs.append((stems[s.unit], data))
    return jobs


def _share(reuse: Path, st_dir: Path, stem: str, html: str) -> bool:
    """Hard-link <stem>.html and <stem>.pdf from the previous version's statements when
    its HTML is byte-equal to `html` (its PDF was rendered from it). Versions stay
    immutable: a linked file is never written again (every writer creates new files)."""
    old_html, old_pdf = reuse / f"{stem}.html", reuse / f"{stem}.pdf"
    new_html, new_pdf = st_dir / f"{stem}.html", st_dir / f"{stem}.pdf"
    try:
        if old_html.read_bytes() != html.encode("utf-8") or not old_pdf.is_file():
            return False
        os.link(old_pdf, new_pdf)
        os.link(old_html, new_html)
    except OSError:  # no previous file, another file system, links not allowed
        new_pdf.unlink(missing_ok=True)
        new_html.unlink(missing_ok=True)
        return False
    return True


def shared_statements(st_dir: Path) -> int:
    """Statements (PDFs) of a version folder that share their file with another version."""
    return sum(1 for p in Path(st_dir).glob("*.pdf") if p.stat().st_nlink > 1)


def render_statement(st_dir: Path, stem: str, data: dict[str, Any]) -> list[Path]:
    """Writes <stem>.html and <stem>.pdf of one statement (or links them from the
    previous version, `ReportContext.reuse`, when the statement is unchanged)."""
    tpl = environment().get_template("statement.html.j2")
    html_path = st_dir / f"{stem}.html"
    pdf_path = st_dir / f"{stem}.pdf"
    html = tpl.render(data, inline_css=_css_text())
    reuse = data.get("reuse_dir")
    if reuse and _share(Path(reuse), st_dir, stem, html):
        return [html_path, pdf_path]
    html_path.write_text(html, encoding="utf-8")
    _pdf(tpl.render(data, inline_css=None), pdf_path)
    return [html_path, pdf_path]


def render_statement_batch(st_dir: str, jobs: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Renders a batch of `statement_jobs` into st_dir; returns the paths written (as str).
    The one code path of every worker: the local process pool and the Dask task runner
    (flows.pipeline)."""
    out: list[str] = []
    for stem, data in jobs:
        out += [str(p) for p in render_statement(Path(st_dir), stem, data)]
    return out


def statement_batches(
    jobs: list[tuple[str, dict[str, Any]]], size: int
) -> list[list[tuple[str, dict[str, Any]]]]:
    """`jobs` cut into consecutive batches of at most `size`, in order."""
    size = max(1, size)
    return [jobs[i : i + size] for i in range(0, len(jobs), size)]


def write_statements(
    st_dir: Path,
    ctx: ReportContext,
    progress: Callable[[int, int, str], None] | None = None,
    workers: int | None = None,
    meanwhile: Callable[[], None] | None = None,
    first: tuple[Callable[..., Any], tuple[Any, ...]] | None = None,
) -> list[Path]:
    """One statement per unit of the scores: <unit>.html and <unit>.pdf.

    From POOL_MIN_UNITS units on (or when `workers` > 1 is given) the statements are
    rendered by a pool of worker processes (spawned, so nothing of the caller's threads is
    inherited), chunk by chunk; below that they are rendered in this process.
    `first`, (function, arguments), is another job: handed to the workers before the
    statements (pool), else run here first. `meanwhile`, when given, is called once: while
    the workers render (pool), else after `first`, before the statements."""
    st_dir.mkdir(parents=True, exist_ok=True)
    jobs = statement_jobs(ctx)
    if workers is None:
        workers = _pool_workers() if len(jobs) >= POOL_MIN_UNITS else 1
    if workers <= 1 or len(jobs) < 2:
        if first is not None:
            first[0](*first[1])
        if meanwhile is not None:
            meanwhile()
        paths: list[Path] = []
        for i, (stem, data) in enumerate(jobs, start=1):
            paths += render_statement(st_dir, stem, data)
            if progress is not None:
                progress(i, len(jobs), data["s"].unit)
        return paths
    return _write_statements_pool(st_dir, jobs, workers, progress, meanwhile, first)


#: (pool, pid of the process that started it, workers) started by `prestart_workers`
_PRESTARTED: tuple[ProcessPoolExecutor, int, int] | None = None


def _new_pool(workers: int) -> ProcessPoolExecutor:
    # Spawned, so nothing of the caller's threads is inherited; the workers die with the
    # run, even when it is killed (flows.lifetime).
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )


def prestart_workers(n_units: int) -> bool:
    """Start the statement workers now, so that they load WeasyPrint and the fonts while
    the run does other things (`kaohe run`: while the Prefect server boots); the next
    `write_statements` of this process uses them. Only when it would use a pool (from
    POOL_MIN_UNITS units, two cores). True when started."""
    global _PRESTARTED
    workers = _pool_workers()
    if n_units < POOL_MIN_UNITS or workers <= 1 or _PRESTARTED is not None:
        return False
    pool = _new_pool(workers)
    for _ in range(workers):  # a worker process is spawned per task while none is idle
        pool.submit(int)
    _PRESTARTED = (pool, os.getpid(), workers)
    return True


def _pool(workers: int) -> ProcessPoolExecutor:
    """The prestarted pool when it fits (this process's, as many workers), else a new one."""
    global _PRESTARTED
    ready, _PRESTARTED = _PRESTARTED, None
    if ready is not None:
        pool, pid, n = ready
        if pid == os.getpid() and n == workers:
            return pool
        pool.shutdown(wait=False, cancel_futures=True)
    return _new_pool(workers)


def _write_statements_pool(
    st_dir: Path,
    jobs: list[tuple[str, dict[str, Any]]],
    workers: int,
    progress: Callable[[int, int, str], None] | None,
    meanwhile: Callable[[], None] | None = None,
    first: tuple[Callable[..., Any], tuple[Any, ...]] | None = None,
) -> list[Path]:
    chunks = statement_batches(jobs, _chunk_size(len(jobs), workers))
    results: dict[int, list[str]] = {}
    done = 0
    with _pool(workers) as pool:
        # a worker takes jobs in the order they were handed over: the longest one first
        ahead = pool.submit(first[0], *first[1]) if first is not None else None
        futures = {
            pool.submit(render_statement_batch, str(st_dir), c): k for k, c in enumerate(chunks)
        }
        if meanwhile is not None:
            meanwhile()
        for fut in as_completed(futures):
            k = futures[fut]
            results[k] = fut.result()
            for _, data in chunks[k]:
                done += 1
                if progress is not None:
                    progress(done, len(jobs), data["s"].unit)
        if ahead is not None:
            ahead.result()
    return [Path(p) for k in range(len(chunks)) for p in results[k]]


__all__ = [
    "ReportContext",
    "render_outputs",
    "render_bulletin_and_exports",
    "render_statement_batch",
    "statement_batches",
    "bulletin_context",
    "write_exports",
    "write_statements",
    "statement_jobs",
    "render_statement",
    "statement_filename",
    "statement_stems",
    "shared_statements",
    "POOL_MIN_UNITS",
]

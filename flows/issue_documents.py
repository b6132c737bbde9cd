"""Publication issues as documents (刊物原件): .docx, text-layer .pdf, .html and .txt files in
`adoptions/` read into adoption rows.

The IO half: open the file and extract its paragraphs with what their layout showed (bold,
size, centred, red). The parsing of those lines into masthead and articles is pure and lives
in `transforms.issue_text`. An issue becomes the same ADOPTIONS rows a spreadsheet would give
(`source_file` the document, `source_row` the article's number in the issue); an article
whose source attribution names no unit is returned in a REVIEW frame (type `article_source`,
key = `readers.adoption_key`) instead, never dropped; the user answers it in decisions.csv
with the unit (or 忽略), or by typing the article into a spreadsheet. A file that cannot be read as an issue at all (old .doc, a broken
file, a scanned PDF without text, no periodical of the scheme or no date in its masthead) is
an InputError naming the file.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from pathlib import Path

import polars as pl

from flows import cache as caching
from flows import readers
from flows.workspace import DOCUMENT_SUFFIXES, not_data
from transforms import issue_text
from transforms.errors import InputError, Problems
from transforms.issue_text import Line
from transforms.publications import PublicationIndex, Resolution, publication_key, question
from transforms.review import about
from transforms.schema import ADOPTIONS, REVIEW, empty

__all__ = [
    "DOCUMENT_SUFFIXES",
    "document_lines",
    "read_issue",
    "read_issues",
    "unresolved_sources",
]

REVIEW_TYPE = "article_source"
IGNORE = "忽略"  # the answer that leaves an article out (as for unit names)


# --------------------------------------------------------------------------- extraction


def _decode_text(raw: bytes, file: str) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError("无法识别文件编码（支持 UTF-8 和 GBK/GB18030）", file=file)


def _is_red(rgb: tuple[float, float, float] | None) -> bool:
    """A colour (0–1 per channel) that reads as red (#c00000, #ff0000, #e60012 …)."""
    if rgb is None:
        return False
    r, g, b = rgb
    return r >= 0.6 and g <= 0.35 and b <= 0.35


def _docx_lines(path: Path, file: str) -> list[Line]:
    import docx  # python-docx; imported here: only .docx issues need it
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # zipfile, KeyError, lxml errors for broken packages
        raise InputError(
            "不是有效的 docx 文件；请用 Word 或 WPS 重新保存后重试", file=file
        ) from exc

    # python-docx looks a paragraph's style up among all the document's styles on every
    # `p.style` (0.4 s for an issue of 13 articles): once per style id is enough.
    styles: dict[str | None, object] = {}

    def style_of(p: Paragraph):
        sid = p._p.style
        if sid not in styles:
            styles[sid] = p.style
        return styles[sid]

    def style_bold(p: Paragraph) -> bool:
        style = style_of(p)
        while style is not None:
            if style.font is not None and style.font.bold is not None:
                return bool(style.font.bold)
            style = style.base_style
        name = (style_of(p).name if style_of(p) is not None else "") or ""
        return name.startswith(("Heading", "Title"))

    def style_size(p: Paragraph) -> float | None:
        style = style_of(p)
        while style is not None:
            if style.font is not None and style.font.size is not None:
                return style.font.size.pt
            style = style.base_style
        return None

    def lines_of(p: Paragraph) -> list[Line]:
        runs = [r for r in p.runs if r.text.strip()]
        if not p.text.strip():
            return []
        default_bold = style_bold(p)
        bold = bool(runs) and all((r.bold if r.bold is not None else default_bold) for r in runs)
        sizes = [r.font.size.pt for r in runs if r.font.size is not None]
        size = max(sizes) if sizes else style_size(p)
        red = False
        for r in runs:
            color = r.font.color
            if color is not None and color.type is not None and color.rgb is not None:
                rgb = color.rgb
                red = red or _is_red((rgb[0] / 255, rgb[1] / 255, rgb[2] / 255))
        centered = p.alignment == WD_ALIGN_PARAGRAPH.CENTER
        return [
            Line(part, bold=bold, size=size, centered=centered, red=red)
            for part in p.text.split("\n")
            if part.strip()
        ]

    out: list[Line] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out += lines_of(Paragraph(child, document))
        elif tag == "tbl":  # mastheads are often laid out in a table
            for row in Table(child, document).rows:
                for cell in row.cells:
                    for p in cell.paragraphs:
                        out += lines_of(p)
    return out


_BLOCK_TAGS = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "tr",
    "td",
    "th",
    "br",
    "section",
    "article",
    "header",
    "footer",
    "hr",
    "table",
    "ul",
    "ol",
    "blockquote",
    "center",
}
_BOLD_TAGS = {"b", "strong", "h1", "h2", "h3", "h4", "h5", "h6"}
_SKIP_TAGS = {"script", "style", "head", "title", "noscript"}
_HEADING_SIZES = {"h1": 24.0, "h2": 20.0, "h3": 18.0, "h4": 16.0, "h5": 14.0, "h6": 12.0}
_VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area", "base"}


def _css_color(style: str) -> tuple[float, float, float] | None:
    m = re.search(r"(?:^|;)\s*color\s*:\s*([^;]+)", style, re.IGNORECASE)
    if not m:
        return None
    value = m[1].strip().lower()
    if value == "red":
        return (1.0, 0.0, 0.0)
    if h := re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})", value):
        hx = h[1] if len(h[1]) == 6 else "".join(c * 2 for c in h[1])
        return tuple(int(hx[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]
    if r := re.fullmatch(r"rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)", value):
        return tuple(int(r[i]) / 255 for i in (1, 2, 3))  # type: ignore[return-value]
    return None


class _HtmlLines(HTMLParser):
    """Block-level text of an HTML page, with bold/red/centred/heading size per block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self.stack: list[tuple[str, bool, bool, bool, float | None]] = []
        self.parts: list[tuple[str, bool, bool]] = []
        self.block_centered = False
        self.block_size: float | None = None
        self.skip = 0

    def _state(self) -> tuple[bool, bool, bool, float | None]:
        bold = any(s[1] for s in self.stack)
        red = any(s[2] for s in self.stack)
        centered = any(s[3] for s in self.stack)
        size = next((s[4] for s in reversed(self.stack) if s[4]), None)
        return bold, red, centered, size

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(t for t, _, _ in self.parts)).strip()
        if text:
            visible = [(t, b, r) for t, b, r in self.parts if t.strip()]
            self.lines.append(
                Line(
                    text,
                    bold=all(b for _, b, _ in visible),
                    size=self.block_size,
                    centered=self.block_centered,
                    red=any(r for _, _, r in visible),
                )
            )
        self.parts = []
        self.block_centered = False
        self.block_size = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag in _SKIP_TAGS:
            self.skip += 1
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "hr":  # a rule under the masthead or above the imprint
            self.lines.append(Line("─" * 10))
        style = a.get("style", "")
        bold = tag in _BOLD_TAGS or bool(re.search(r"font-weight\s*:\s*(bold|[6-9]00)", style))
        red = _is_red(_css_color(style)) or _is_red(_css_color(f"color:{a.get('color', '')}"))
        centered = (
            tag == "center"
            or a.get("align", "").lower() == "center"
            or bool(re.search(r"text-align\s*:\s*center", style))
        )
        size = _HEADING_SIZES.get(tag)
        if tag not in _VOID_TAGS:
            self.stack.append((tag, bold, red, centered, size))
        if tag in _BLOCK_TAGS:
            _, _, c, s = self._state()
            self.block_centered, self.block_size = c, s

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        if tag in _BLOCK_TAGS:
            self._flush()
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        if tag in _BLOCK_TAGS:
            _, _, c, s = self._state()
            self.block_centered, self.block_size = c, s

    def handle_data(self, data):
        if self.skip:
            return
        bold, red, centered, size = self._state()
        if not self.parts:
            self.block_centered = self.block_centered or centered
            self.block_size = self.block_size or size
        self.parts.append((data, bold, red))

    def close(self):
        super().close()
        self._flush()


def _html_lines(path: Path, file: str) -> list[Line]:
    raw = path.read_bytes()
    m = re.search(rb"charset\s*=\s*[\"']?([A-Za-z0-9_-]+)", raw[:2048])
    text = None
    if m:
        try:
            text = raw.decode(m[1].decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        text = _decode_text(raw, file)
    parser = _HtmlLines()
    parser.feed(text)
    parser.close()
    return parser.lines


def _txt_lines(path: Path, file: str) -> list[Line]:
    text = _decode_text(path.read_bytes(), file)
    return [Line(ln) for ln in text.splitlines() if ln.strip()]


def _encrypted(exc: BaseException) -> bool:
    """Whether pdfminer's error (as pdfplumber wraps it) says the PDF is encrypted with a
    password it does not have or in a way it cannot decrypt."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    seen: list[object] = [exc]
    for _ in range(50):  # a chain of causes is short; never loop on a strange one
        if not seen:
            break
        err = seen.pop()
        if isinstance(err, PDFPasswordIncorrect | PDFEncryptionError):
            return True
        if isinstance(err, BaseException):
            seen += [a for a in err.args if isinstance(a, BaseException)]
            seen += [e for e in (err.__cause__, err.__context__) if e is not None]
    return False


def _pdf_lines(path: Path, file: str) -> list[Line]:
    """Visual lines of a text-layer PDF joined back into paragraphs: a line that reaches
    the right margin continues on the next one when that one is not indented and looks the
    same (size, weight)."""
    import pdfplumber  # imported here: only .pdf issues need it

    try:
        pdf = pdfplumber.open(str(path))
    except Exception as exc:  # pdfminer raises several types for broken files
        if _encrypted(exc):
            raise InputError(
                "PDF 文件已加密（设有打开密码或使用了不支持的加密方式），无法读取；"
                "请在 PDF 阅读器中去掉密码后另存，或提供 Word、网页版本",
                file=file,
            ) from exc
        raise InputError("不是有效的 PDF 文件；请重新导出后重试", file=file) from exc
    visual: list[dict] = []
    try:
        for page in pdf.pages:
            for ln in page.extract_text_lines(return_chars=True, strip=True):
                chars = [c for c in ln["chars"] if c["text"].strip()]
                if not chars:
                    continue
                colors = [c.get("non_stroking_color") for c in chars]
                red = sum(1 for c in colors if _is_red(_pdf_rgb(c))) > len(chars) / 2
                visual.append(
                    {
                        "text": ln["text"],
                        "x0": ln["x0"],
                        "x1": ln["x1"],
                        "size": round(statistics.median(c["size"] for c in chars), 1),
                        "bold": all("bold" in c["fontname"].lower() for c in chars),
                        "red": red,
                    }
                )
    except Exception as exc:
        raise InputError("PDF 文件无法读取；请重新导出后重试", file=file) from exc
    finally:
        pdf.close()
    if not visual:
        raise InputError(
            "PDF 没有文字层（可能是扫描件）；请提供 Word、网页或带文字的 PDF 版本", file=file
        )
    left = min(v["x0"] for v in visual)
    right = max(v["x1"] for v in visual)
    middle = (left + right) / 2

    def centered(v: dict) -> bool:
        return v["x0"] > left + 2 * v["size"] and abs((v["x0"] + v["x1"]) / 2 - middle) < v["size"]

    out: list[Line] = []
    prev: dict | None = None
    for v in visual:
        joins = (
            prev is not None
            and prev["x1"] >= right - 1.5 * prev["size"]
            and not centered(prev)
            and prev["x0"] <= left + 2.5 * prev["size"]  # not a right-aligned line
            and v["x0"] <= left + 0.5 * v["size"]
            and abs(v["size"] - prev["size"]) < 0.3
            and v["bold"] == prev["bold"]
        )
        if joins and out:
            last = out[-1]
            out[-1] = Line(last.text + v["text"], last.bold, last.size, last.centered, last.red)
        else:
            out.append(Line(v["text"], v["bold"], v["size"], centered(v), v["red"]))
        prev = v
    return out


def _pdf_rgb(color: object) -> tuple[float, float, float] | None:
    if isinstance(color, list | tuple):
        if len(color) == 3:
            return tuple(float(c) for c in color)  # type: ignore[return-value]
        if len(color) == 4:  # CMYK
            c, m, y, k = (float(x) for x in color)
            return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


def document_lines(path: Path, file: str | None = None, cache: Path | None = None) -> list[Line]:
    """The paragraphs of an issue document, in reading order, with their layout.

    `cache`: a folder of the workspace (`issue_cache`) where the lines extracted from a
    document are kept by the sha256 of its bytes, so that the next run reads the same
    document without opening it again (`_cached_lines`); the size bounds are checked
    every time."""
    path = Path(path)
    file = file or path.name
    suffix = path.suffix.lower()
    if suffix == ".doc":
        raise InputError("不支持旧版 .doc 文件；请用 Word 或 WPS 另存为 .docx", file=file)
    if suffix == ".docx":
        readers.check_zip(path, file)  # [limits] max_file_mb, on disk and unpacked
    else:
        readers.check_size(path, file)
    if cache is None:
        return _extract_lines(path, file, suffix)
    digest = caching.file_digest(path)
    lines = _cached_lines(cache, digest)
    if lines is None:
        lines = _extract_lines(path, file, suffix)
        _cache_lines(cache, digest, lines)
    return lines


def _extract_lines(path: Path, file: str, suffix: str) -> list[Line]:
    if suffix == ".docx":
        return _docx_lines(path, file)
    if suffix == ".pdf":
        return _pdf_lines(path, file)
    if suffix in (".html", ".htm"):
        return _html_lines(path, file)
    return _txt_lines(path, file)


# ------------------------------------------------------------- the cache of extracted lines

#: the folder of the workspace's cache (`CACHE_DIR`) that holds the lines of issue documents
ISSUE_CACHE = "issues"
#: the layout of a cache entry (a change of it invalidates every entry)
_CACHE_FORMAT = 1
#: the libraries that open documents (their versions are part of an entry's key)
_LIBRARIES = ("pdfplumber", "pdfminer.six", "python-docx")


def issue_cache(root: Path) -> Path:
    """Where the workspace at `root` keeps the lines of its issue documents: inside the
    workspace (a hidden folder, never an input), so never shared with another workspace."""
    return caching.folder(root, ISSUE_CACHE)


def _extractor() -> str:
    """What extracted lines depend on besides the document: kaohe's version, the code of
    this module and the versions of the libraries that open documents."""
    return caching.reader_key(_CACHE_FORMAT, __file__, _LIBRARIES)


def _valid_row(row: object) -> bool:
    if not isinstance(row, list) or len(row) != 5:
        return False
    text, bold, size, centered, red = row
    return (
        isinstance(text, str)
        and all(type(b) is bool for b in (bold, centered, red))
        and (size is None or (type(size) in (int, float)))
    )


def _valid_lines(rows: list) -> bool:
    return all(_valid_row(r) for r in rows)


def _cached_lines(folder: Path, digest: str) -> list[Line] | None:
    """The lines kept for the document of sha256 `digest`, or None when there is no entry
    or it does not hold exactly what this kaohe would extract (`caching.load`); such an entry
    is then rewritten."""
    rows = caching.load(folder, digest, _extractor(), "lines", _valid_lines)
    if rows is None:
        return None
    return [Line(t, b, s, c, r) for t, b, s, c, r in rows]


def _cache_lines(folder: Path, digest: str, lines: list[Line]) -> None:
    """Keep `lines` for the document of sha256 `digest` (`caching.store`)."""
    rows = [[ln.text, ln.bold, ln.size, ln.centered, ln.red] for ln in lines]
    caching.store(folder, digest, _extractor(), "lines", rows)


# --------------------------------------------------------------------------- issues → rows


def _periodical(candidates: list[str], index: PublicationIndex) -> Resolution | None:
    """The scheme's periodical named by the masthead: a line or up to three consecutive
    lines (the name large, its sub-title 「动  态」 spaced out below it) that spell a name,
    an alias or a short form of it (any dots, spaces, marks), else a line holding a name;
    a resolution that fits several periodicals (「专报」) when nothing better is printed;
    None when no periodical of the scheme is named."""
    n = len(candidates)
    windows = [" ".join(candidates[i : i + w]) for w in (3, 2, 1) for i in range(n - w + 1)]
    ambiguous = None
    for text in windows:
        found = index.resolve(text)
        if found.name is not None:
            return found
        if found.ambiguous and ambiguous is None:
            ambiguous = found
    for text in candidates:
        if hit := index.contained(text):
            return Resolution(text, publication_key(text), hit, (hit,))
    return ambiguous


def read_issue(
    path: Path,
    workspace: Path,
    publication_names: Mapping[str, str],
    answers: Mapping[str, str] | None = None,
    cache: Path | None = None,
) -> tuple[list[dict], list[dict]]:
    """One issue document → (adoption records, review records). `cache`: see
    `document_lines`.

    `answers` maps the review key of an article whose source could not be read to the
    user's answer (decisions.csv, type `article_source`): the unit(s) as the user writes
    them, which become the adoption's `units_raw`, or 忽略 to leave the article out."""
    answers = answers or {}
    path = Path(path)
    file = readers._rel(path, workspace)
    lines = document_lines(path, file, cache)
    masthead, articles = issue_text.parse_issue(lines)
    index = PublicationIndex.from_names(publication_names)
    found = _periodical(masthead["periodical_candidates"], index)
    if found is None:
        printed = masthead["periodical"] or "（无）"
        raise InputError(
            f"报头中找不到本考核办法的刊物（识别到「{printed}」）；"
            f"可用的刊物：{index.known_list()}",
            file=file,
        )
    if found.name is None:  # a short name several periodicals share: ask, hold the issue
        what = f"报头（本期{len(articles)}篇文章暂不计分）"
        when = masthead["date"].isoformat() if masthead["date"] else None
        return [], [question(found, file, None, what, issue=masthead["issue"], when=when)]
    publication = found.name
    when = masthead["date"]
    if when is None:
        raise InputError("报头和版记中找不到出刊日期（如 2018年5月3日）", file=file)
    if not articles:
        raise InputError("未能识别出任何文章（标题与正文）；请检查文件是否为刊物正文", file=file)
    issue = masthead["issue"]
    adoptions, review = [], []
    for a in articles:
        key = readers.adoption_key(publication, issue, when, a["title"])
        answer = answers.get(key)
        if not a["units"] and answer == IGNORE:
            continue
        if not a["units"] and answer:
            a = {**a, "units": [answer]}
        if not a["units"]:
            body = re.sub(r"\s+", " ", a["text"]).strip()[:80]
            review.append(
                {
                    "type": REVIEW_TYPE,
                    "key": key,
                    "file": file,
                    "row": a["number"],
                    **about(publication, issue, when, a["title"]),
                    "text": f"{a['title']}：{body}" if body else a["title"],
                    "candidates": a["source"],
                    "reason": (
                        f"《{publication}》{issue or ''}（{when.isoformat()}）第{a['number']}篇"
                        "未能识别供稿单位：请核对原刊，在答复列填写供稿单位（不计分填“忽略”）"
                        "后存为 decisions.csv，或在 adoptions/ 的录用表中补录该篇"
                    ),
                    "answer": None,
                }
            )
            continue
        units_raw = "、".join(a["units"])
        adoptions.append(
            {
                "adoption_id": readers.adoption_id(
                    publication, issue, when.isoformat(), a["title"], units_raw
                ),
                "publication": publication,
                "issue": issue,
                "date": when,
                "title": a["title"],
                "units_raw": units_raw,
                "kind": a["kind"],
                "source_file": file,
                "source_row": a["number"],
            }
        )
    return adoptions, review


def read_issues(
    paths: Iterable[Path],
    workspace: Path,
    publication_names: Mapping[str, str],
    decisions: pl.DataFrame | None = None,
    problems: Problems | None = None,
    cache: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Issue documents (sorted; files that are not data, such as ~$ lock files and hidden
    files, skipped) → (ADOPTIONS, REVIEW).

    `cache`: keep the lines extracted from each document in the workspace
    (`issue_cache`), and read them from there while the document is unchanged; the
    entries of documents no longer among `paths` are removed.

    The adoptions are not deduplicated here: pass them to `readers.read_adoptions(...,
    documents=...)`, which merges them with the spreadsheets (a spreadsheet row wins).
    `decisions` (DECISIONS; read from the workspace's decisions.csv when None) answer the
    review rows of earlier runs: an `article_source` answer names the article's unit.

    A document that cannot be read is left out and its InputError added to `problems`;
    without `problems`, all of them are raised together after the last document."""
    own = problems is None
    problems = Problems() if problems is None else problems
    if decisions is None:
        decisions = readers.read_decisions(Path(workspace) / "decisions.csv", workspace)
    answers = {
        r["key"].strip(): r["answer"].strip()
        for r in decisions.iter_rows(named=True)
        if r["type"] == REVIEW_TYPE and r["answer"] and r["answer"].strip()
    }
    adoptions, review = [], []
    folder = issue_cache(workspace) if cache else None
    documents = [
        path
        for path in sorted(Path(p) for p in paths)
        if path.suffix.lower() in DOCUMENT_SUFFIXES and not not_data(path.name)
    ]
    for path in documents:
        read = problems.attempt(read_issue, path, workspace, publication_names, answers, folder)
        if read is None:
            continue
        adoptions += read[0]
        review += read[1]
    if folder is not None:
        caching.prune(folder, documents)
    if own:
        problems.raise_if_any()
    adoption_frame = pl.DataFrame(adoptions, schema=ADOPTIONS) if adoptions else empty(ADOPTIONS)
    review_frame = pl.DataFrame(review, schema=REVIEW) if review else empty(REVIEW)
    return adoption_frame, review_frame


def unresolved_sources(review: pl.DataFrame, adoptions: pl.DataFrame) -> pl.DataFrame:
    """Review rows of articles whose source could not be read, less those the adoptions
    already hold (the same article typed into a spreadsheet, or read from another copy of
    the issue): those need no answer. One row per article."""
    if review.is_empty():
        return review
    have = {
        readers.adoption_key(r["publication"], r["issue"], r["date"], r["title"])
        for r in adoptions.iter_rows(named=True)
    }
    return review.filter(~pl.col("key").is_in(list(have))).unique(
        subset="key", keep="first", maintain_order=True
    )

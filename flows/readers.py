"""Input readers (数据读取): the workspace's CSV/XLSX files into the frames of `transforms.schema`.

This is the IO edge: files are opened here and nowhere in `transforms/` or `schemes/`.
Every reader returns a frame matching its contract, with `source_file` (path relative to
the workspace, posix) and `source_row` (the row number the user sees) on every input row.
Problems with the user's data are `transforms.errors.InputError`s with a Chinese message
naming the file and, where there is one, the row. A reader does not stop at the first: a
bad row is left out and the next row read, a file that cannot be read is left out and the
next file read; every problem goes to `problems` (a `transforms.errors.Problems`), and
without one the reader raises them all together when it is done.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from flows import cache as caching
from flows.settings import LimitsSettings
from flows.workspace import not_data
from transforms import review, roster_changes
from transforms.addresses import normalise_address
from transforms.bulk import PY_SPACE
from transforms.dates import DATE_PARTS, PartialDate, parse_partial_date
from transforms.errors import InputError, Problems
from transforms.publications import PublicationIndex, normalize_publication, question
from transforms.schema import (
    ADOPTIONS,
    DECISIONS,
    EVENTS,
    SUBMISSIONS,
    UNIT_CHANGES,
    UNITS,
    conform,
    empty,
)

__all__ = [
    "ADOPTION_HEADERS",
    "DECISION_HEADERS",
    "EVENT_HEADERS",
    "SUBMISSION_HEADERS",
    "TABLE_SUFFIXES",
    "UNIT_HEADERS",
    "adoption_key",
    "normalize_header",
    "normalize_publication",
    "normalize_title",
    "parse_date",
    "parse_datetime",
    "read_adoptions",
    "read_decisions",
    "read_events",
    "read_submissions",
    "read_table",
    "read_units",
]

#: File suffixes read as tables; other files in an input folder are ignored.
TABLE_SUFFIXES = frozenset({".csv", ".xlsx", ".xlsm"})

#: How many non-empty rows at the top of a file are searched for the header row.
HEADER_SEARCH_ROWS = 10

# Accepted header names per canonical column. Chinese and English names are the same
# column; matching is done on `normalize_header` of both sides.
ADOPTION_HEADERS: dict[str, tuple[str, ...]] = {
    "publication": (
        "publication",
        "periodical",
        "刊物",
        "刊物名称",
        "刊物名",
        "刊名",
        "采用刊物",
        "录用刊物",
    ),
    "issue": ("issue", "期号", "期数", "期次", "刊期"),
    "date": ("date", "日期", "录用日期", "采用日期", "刊发日期", "出刊日期", "印发日期"),
    "title": ("title", "标题", "信息标题", "题目", "文章标题"),
    "units": ("units", "unit", "单位", "供稿单位", "来源单位", "报送单位", "信息来源"),
    "kind": ("kind", "类别", "类型", "信息类别", "信息类型"),
}
SUBMISSION_HEADERS: dict[str, tuple[str, ...]] = {
    "time": ("time", "datetime", "时间", "发送时间", "报送时间", "收件时间", "日期时间", "日期"),
    "sender": ("sender", "from", "发件人", "发信人", "发件人邮箱", "发件邮箱"),
    "subject": ("subject", "主题", "邮件主题", "标题", "邮件标题"),
    "unit": ("unit", "单位", "报送单位", "来源单位", "发件单位"),
    "kind": ("kind", "类别", "类型", "信息类别"),
}
EVENT_HEADERS: dict[str, tuple[str, ...]] = {
    "date": ("date", "日期"),
    "type": ("type", "类型", "事项", "事项类型"),
    "unit": ("unit", "units", "单位"),
    "title": ("title", "标题", "信息标题"),
    "level": ("level", "级别"),
    "value": ("value", "分值", "数值"),
    "status": ("status", "状态"),
    "note": ("note", "备注", "说明"),
}
UNIT_HEADERS: dict[str, tuple[str, ...]] = {
    "unit": ("unit", "单位", "单位名称"),
    "group": ("group", "类别", "分组", "组别", "考核类别"),
    "aliases": ("aliases", "alias", "别名", "简称"),
    "emails": ("emails", "email", "邮箱", "电子邮箱"),
    "from": ("from", "起始日期", "设立日期", "成立日期"),
    "until": ("until", "截止日期", "撤销日期"),
    "successor": ("successor", "继任单位", "承继单位"),
}
DECISION_HEADERS: dict[str, tuple[str, ...]] = {
    "type": ("type", "问题类型", "类型"),
    "key": ("key", "识别码", "键"),
    "answer": ("answer", "答复"),
}

# Chinese names of canonical columns, for messages.
_COLUMN_CN = {
    "publication": "刊物",
    "issue": "期号",
    "date": "日期",
    "title": "标题",
    "units": "单位",
    "kind": "类别",
    "time": "时间",
    "sender": "发件人",
    "subject": "主题",
    "unit": "单位",
    "type": "类型",
    "level": "级别",
    "value": "分值",
    "status": "状态",
    "note": "备注",
    "group": "类别",
    "aliases": "别名",
    "emails": "邮箱",
    "from": "起始日期",
    "until": "截止日期",
    "successor": "继任单位",
    "key": "键",
    "answer": "答复",
}


# --------------------------------------------------------------------------- normalising


_HEADER_NOTE = re.compile(r"\((必填|选填|可选|可空|非必填)\)$")
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)


def normalize_header(name: str) -> str:
    """Header text for matching: NFKC (full/half width), lower case, no whitespace, no
    required-marks (`*`, `（必填）`)."""
    s = unicodedata.normalize("NFKC", str(name)).translate(_INVISIBLE).lower()
    s = re.sub(r"\s+", "", s).strip("*")
    return _HEADER_NOTE.sub("", s)


class _DropPunctuation(dict):
    """str.translate table deleting punctuation, separators and control characters
    (Unicode categories P*, Z*, C*), filled per character on first sight: a C-speed loop
    instead of one Python call per character."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.category(chr(code))[0] in "PZC" else code
        self[code] = value
        return value


_DROP_PZC = _DropPunctuation()


def normalize_title(title: str) -> str:
    """A title for hashing: NFKC, without whitespace, punctuation or control characters."""
    return unicodedata.normalize("NFKC", str(title)).translate(_DROP_PZC)


def _sha16(*parts: object) -> str:
    text = "|".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _rel(path: Path, workspace: Path) -> str:
    """The path as the user knows it: relative to the workspace, posix."""
    path = Path(path)
    try:
        return path.resolve().relative_to(Path(workspace).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# --------------------------------------------------------------------------- dates


_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT_DATE_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_TIME_RE = re.compile(
    r"(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*(?:[:分]\s*(\d{1,2})(?:\.(\d{1,6}))?\s*秒?|分)?"
)
_OFFSET_RE = re.compile(r"(?:Z|UTC|GMT|([+-])(\d{2}):?(\d{2}))$", re.IGNORECASE)
# Excel day serials (1954–2119), for date cells that lost their date format.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_SERIAL_RE = re.compile(r"\d{5}(?:\.0+)?")


def parse_date(text: str) -> date | None:
    """Parse 2018-05-03, 2018/5/3, 2018.5.3, 2018年5月3日, 20180503, an ISO date-time
    (`2018-05-03 00:00:00`, as xlsx date cells are read) or an Excel day serial.
    Returns None for text that is not a possible date."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    try:
        if m := _DATE_RE.fullmatch(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _COMPACT_DATE_RE.fullmatch(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if _EXCEL_SERIAL_RE.fullmatch(s) and 20000 <= float(s) <= 80000:
            return _EXCEL_EPOCH + timedelta(days=int(float(s)))
        if m := _DATE_RE.match(s):
            # a date followed by a time of day (xlsx datetime cells)
            rest = s[m.end() :].lstrip("T ").strip()
            if _TIME_RE.fullmatch(rest):
                return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return None


def parse_datetime(text: str, tz: str = "Asia/Shanghai") -> datetime | None:
    """Parse a time as mail logs write it and return it aware, in zone `tz` (C7).

    Accepts `2018-05-03 09:12`, with seconds, ISO with an offset (`+08:00`, `Z`: the offset
    is respected, then converted), `2018/5/3 9:12`, `2018年5月3日 9时12分`, and a bare date
    (midnight). Naive times are in `tz`. Returns None for text that is not a possible time.
    """
    zone = ZoneInfo(tz)
    s = unicodedata.normalize("NFKC", str(text)).strip()
    m = _DATE_RE.match(s) or _COMPACT_DATE_RE.match(s)
    if not m:
        return None
    rest = s[m.end() :]
    offset: timezone | None = None
    if om := _OFFSET_RE.search(rest):
        if om[1]:
            delta = timedelta(hours=int(om[2]), minutes=int(om[3]))
            offset = timezone(delta if om[1] == "+" else -delta)
        else:
            offset = UTC
        rest = rest[: om.start()]
    rest = rest.lstrip("T").strip()
    try:
        d = date(int(m[1]), int(m[2]), int(m[3]))
        if rest == "":
            t = time(0, 0)
        elif tm := _TIME_RE.fullmatch(rest):
            micro = int((tm[4] or "0").ljust(6, "0"))
            t = time(int(tm[1]), int(tm[2]), int(tm[3] or 0), micro)
        else:
            return None
    except ValueError:
        return None
    naive = datetime.combine(d, t)
    if offset is None:
        return naive.replace(tzinfo=zone)
    return naive.replace(tzinfo=offset).astimezone(zone)


# --------------------------------------------------------------------------- tables


def _cell_text(value: object) -> str | None:
    """One cell as stripped text; '' is None. xlsx dates become ISO text, integral
    numbers lose their `.0`."""
    if value is None:
        return None
    if type(value) is str:  # nearly every cell: the common case first
        return value.translate(_INVISIBLE).strip() or None
    if isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    elif isinstance(value, date | time):
        text = value.isoformat()
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    else:
        text = str(value)
    text = text.translate(_INVISIBLE).strip()
    return text or None


# --------------------------------------------------------------------------- bounds

#: The bounds of the run being checked ([limits] of kaohe.toml; `bounded` sets them).
_LIMITS: ContextVar[LimitsSettings | None] = ContextVar("kaohe_limits", default=None)
_MB = 1 << 20


@contextmanager
def bounded(bounds: LimitsSettings | None) -> Iterator[LimitsSettings]:
    """Read inputs under `bounds` (the workspace's [limits]) inside the block."""
    token = _LIMITS.set(bounds or LimitsSettings())
    try:
        yield limits()
    finally:
        _LIMITS.reset(token)


def limits() -> LimitsSettings:
    """The bounds inputs are read under (the defaults outside `bounded`)."""
    return _LIMITS.get() or LimitsSettings()


def past_bound(what: str, found: str, bound: str, key: str, file: str) -> InputError:
    """The error of a file past one of the [limits]: what it holds, the bound, the key."""
    return InputError(
        f"{what}{found}，超过上限{bound}（kaohe.toml [limits] {key}），未读取；"
        f"请检查是否放错了文件或重复粘贴了数据，确属正常数据时在 kaohe.toml 的 [limits] 中"
        f"调高 {key} 后重新运行",
        file=file,
    )


def _mb(n: int) -> str:
    return f"{n / _MB:,.0f} MB" if n >= _MB else f"{n / _MB:.2f} MB"


def check_size(path: Path, file: str) -> None:
    """A file larger than [limits] max_file_mb is an InputError, before it is read."""
    bound = limits().max_file_mb
    size = path.stat().st_size
    if size > bound * _MB:
        raise past_bound("文件大小为 ", _mb(size), f" {bound} MB", "max_file_mb", file)


def check_zip(path: Path, file: str) -> None:
    """An .xlsx or .docx (a zip package) past [limits] max_file_mb on disk or unpacked is an
    InputError, before anything is unpacked: the sizes its zip declares are summed (reading
    a member stops at its declared size, so a lying entry fails its check instead of
    growing). A file that is no zip is left to its reader's own error."""
    check_size(path, file)
    bound = limits().max_file_mb
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    if unpacked > bound * _MB:
        raise past_bound("解压后大小为 ", _mb(unpacked), f" {bound} MB", "max_file_mb", file)


def check_rows(rows: int, file: str) -> None:
    bound = limits().max_rows
    if rows > bound:
        raise past_bound("表格有 ", f"{rows:,} 行以上", f" {bound:,} 行", "max_rows", file)


def check_columns(columns: int, file: str) -> None:
    bound = limits().max_columns
    if columns > bound:
        raise past_bound("表格有 ", f"{columns:,} 列", f" {bound:,} 列", "max_columns", file)


def _decode(raw: bytes, file: str) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for enc in encodings:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(
        "无法识别文件编码（支持 UTF-8 和 GBK/GB18030）；请用 Excel 或 WPS 另存为 CSV UTF-8 后重试",
        file=file,
    )


def _check_quotes(record: list[str], delimiter: str, file: str, start: int, end: int) -> None:
    """A stray quote opens a cell that swallows the lines after it: a cell holding a line
    break followed by a line with two or more delimiters is such a cell (a real multi-line
    cell, e.g. a note typed with Alt+Enter, holds text, not whole rows)."""
    for cell in record:
        if "\n" not in cell and "\r" not in cell:
            continue
        for line in _LINE_BREAK.split(cell)[1:]:
            if line.count(delimiter) >= 2:
                raise InputError(
                    f'引号不配对：本行的引号（"）一直延续到第{end}行，其间各行被读成了一个单元格；'
                    "请删除多余的引号，或把含逗号的内容用一对英文引号括起来",
                    file=file,
                    row=start,
                )


#: Line ends as csv.reader sees them in a file opened with newline="".
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _rs_class(chars: str) -> str:
    return "".join(f"\\x{{{ord(c):X}}}" for c in dict.fromkeys(chars))


_INVISIBLE_RS = "[" + _rs_class("\ufeff\u200b\u200c\u200d\u2060") + "]"


def _plain_csv(path: Path, file: str) -> tuple[pl.DataFrame, str] | str | None:
    """A CSV without quotes, split in polars: (frame of its non-empty lines — `line`, the
    line number, and `text` — and the delimiter); the same rows and line numbers as
    `_csv_rows`. The decoded text when the file needs `_csv_rows` (quotes, a NUL, a lone
    CR line break); None for xlsx."""
    if path.suffix.lower() in (".xls", ".xlsx", ".xlsm"):
        return None
    text = _csv_text(path, file)
    if "\x00" in text or '"' in text or text.count("\r") != text.count("\r\n"):
        return text
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = "\t" if "\t" in first and "," not in first else ","
    lines = pl.DataFrame({"text": [text]}).select(pl.col("text").str.split("\n").explode())
    if lines.height and lines["text"][-1] == "":
        lines = lines.slice(0, lines.height - 1)
    blank = "^[" + _rs_class(delimiter + "\ufeff\u200b\u200c\u200d\u2060" + PY_SPACE) + "]*$"
    lines = (
        lines.with_row_index("line", offset=1)
        .with_columns(pl.col("text").str.strip_suffix("\r"), pl.col("line").cast(pl.Int64))
        .filter(~pl.col("text").str.contains(blank))
    )
    return lines, delimiter


def _csv_text(path: Path, file: str) -> str:
    """The decoded text of a CSV within [limits] max_file_mb and max_rows."""
    check_size(path, file)
    text = _decode(path.read_bytes(), file)
    check_rows(text.count("\n") + text.count("\r") - text.count("\r\n"), file)
    return text


def _plain_cells(line: str, delimiter: str) -> list[str | None]:
    return [c.translate(_INVISIBLE).strip() or None for c in line.split(delimiter)]


def _plain_cell(lines: pl.DataFrame, i: int, delimiter: str) -> pl.Series:
    """Cell `i` of every line, as `_plain_cells` gives it (None beyond the line's end)."""
    cell = pl.col("text").str.split(delimiter).list.get(i, null_on_oob=True)
    cell = cell.str.replace_all(_INVISIBLE_RS, "").str.strip_chars(PY_SPACE)
    return lines.select(pl.when(cell != "").then(cell).alias("cell")).to_series()


def _csv_rows(path: Path, file: str, text: str | None = None) -> list[tuple[int, list[str | None]]]:
    """(line number, cells) of every record; the line is where the record starts."""
    if text is None:
        text = _csv_text(path, file)
    if "\x00" in text:
        raise InputError("不是有效的 CSV 文本文件；请另存为 CSV 或 xlsx 后重试", file=file)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = "\t" if "\t" in first and "," not in first else ","
    if '"' not in text:
        # Without quotes every line is one record and every delimiter splits a cell: the
        # same rows and line numbers as csv.reader, without its per-record cost.
        lines = _LINE_BREAK.split(text)
        if lines and lines[-1] == "":
            lines.pop()
        return [
            (n, [c.translate(_INVISIBLE).strip() or None for c in line.split(delimiter)])
            for n, line in enumerate(lines, start=1)
        ]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str | None]]] = []
    start = 1
    try:
        for record in reader:
            check_columns(len(record), file)
            _check_quotes(record, delimiter, file, start, reader.line_num)
            rows.append((start, [_cell_text(c) for c in record]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"CSV 格式错误（{exc}）", file=file, row=start) from exc
    return rows


def _xlsx_rows(
    path: Path, file: str, cache: Path | None = None
) -> list[tuple[int, list[str | None]]]:
    """(sheet row number, cells) of every row of the first sheet.

    `cache`: a folder of the workspace (`table_cache`) where the rows are kept by the
    sha256 of the file's bytes, so that the next run reads an unchanged file without
    opening it (nor importing openpyxl); the bounds of [limits] are checked every time:
    the size on the file, the rows and columns on the rows kept."""
    check_zip(path, file)
    if cache is None:
        return _read_xlsx(path, file)[1]
    digest = caching.file_digest(path)
    entry = caching.load(cache, digest, _table_reader(), "rows", _valid_sheet)
    if entry is not None:
        declared, rows = entry[0], [(n, cells) for n, cells in entry[1:]]
        check_rows(declared, file)
        bound, bound_columns = limits().max_rows, limits().max_columns
        for n, cells in rows:
            _check_row(n, cells, bound, bound_columns, file)
        return rows
    declared, rows = _read_xlsx(path, file)
    caching.store(cache, digest, _table_reader(), "rows", [declared, *rows])
    return rows


def _check_row(n: int, cells: list[str | None], bound: int, bound_columns: int, file: str) -> None:
    """The [limits] bounds on the sheet's row `n`: past max_rows, or more columns in use
    (up to the last value) than max_columns."""
    if n > bound:  # a dimension that understated the sheet
        check_rows(n, file)
    if len(cells) > bound_columns:
        check_columns(max((i + 1 for i, c in enumerate(cells) if c), default=0), file)


def _read_xlsx(path: Path, file: str) -> tuple[int, list[tuple[int, list[str | None]]]]:
    """The first sheet opened with openpyxl: (its declared number of rows, its rows)."""
    import openpyxl  # imported here: only xlsx inputs need it

    invalid = "不是有效的 xlsx 文件；请用 Excel 或 WPS 重新保存后重试"
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, KeyError, openpyxl's own types for broken packages
        raise InputError(invalid, file=file) from exc
    try:
        if not wb.worksheets:
            return 0, []
        ws = wb.worksheets[0]
        # The sheet's declared <dimension>, before reading a row. Only its rows: a sheet
        # formatted across whole rows declares every column (…XFD) without using them.
        declared = ws.max_row or 0
        check_rows(declared, file)
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # some writers store wrong dimensions; read everything
        rows: list[tuple[int, list[str | None]]] = []
        bound, bound_columns = limits().max_rows, limits().max_columns
        try:
            for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [_cell_text(v) for v in values]
                _check_row(n, cells, bound, bound_columns, file)
                rows.append((n, cells))
        except (zipfile.BadZipFile, zlib.error, EOFError, SyntaxError) as exc:
            # a damaged or lying package (ElementTree's ParseError is a SyntaxError)
            raise InputError(invalid, file=file) from exc
        return declared, rows
    finally:
        wb.close()


# ------------------------------------------------------------- the cache of spreadsheet rows

#: the folder of the workspace's cache (`CACHE_DIR`) that holds the rows of spreadsheets
TABLE_CACHE = "tables"
#: the layout of a cache entry (a change of it invalidates every entry)
_CACHE_FORMAT = 1


def table_cache(root: Path) -> Path:
    """Where the workspace at `root` keeps the rows of its .xlsx/.xlsm files."""
    return caching.folder(root, TABLE_CACHE)


def _table_reader() -> str:
    """What the rows of a sheet depend on besides the file: kaohe's version, the code of
    this module and openpyxl's version (read without importing openpyxl)."""
    return caching.reader_key(_CACHE_FORMAT, __file__, ("openpyxl",))


def _valid_sheet(entry: list) -> bool:
    """An entry's payload: the declared number of rows, then [row number, cells] rows."""
    if not entry or type(entry[0]) is not int:
        return False
    for row in entry[1:]:
        if not (isinstance(row, list) and len(row) == 2 and type(row[0]) is int):
            return False
        cells = row[1]
        if not isinstance(cells, list) or not all(c is None or type(c) is str for c in cells):
            return False
    return True


def prune_table_cache(workspace: Path, paths: Iterable[Path]) -> None:
    """Remove the cached rows of spreadsheets that are not among `paths` (every table file
    of the workspace's inputs) any more: edited or removed."""
    sheets = [p for p in _table_paths(paths) if p.suffix.lower() in (".xlsx", ".xlsm")]
    caching.prune(table_cache(workspace), sheets)


def _raw_rows(
    path: Path, file: str, cache: Path | None = None
) -> list[tuple[int, list[str | None]]]:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise InputError("不支持旧版 .xls 文件；请用 Excel 或 WPS 另存为 .xlsx 或 .csv", file=file)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path, file, cache)
    return _csv_rows(path, file)


def _header_lookup(headers: Mapping[str, Iterable[str]]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for canonical, names in headers.items():
        for name in (canonical, *names):
            lookup.setdefault(normalize_header(name), canonical)
    return lookup


def _map_header(cells: Sequence[str | None], lookup: Mapping[str, str]) -> dict[int, str]:
    """Position -> canonical column for the recognised cells of a header row (first wins)."""
    found: dict[int, str] = {}
    for i, cell in enumerate(cells):
        if cell is None:
            continue
        canonical = lookup.get(normalize_header(cell))
        if canonical is not None and canonical not in found.values():
            found[i] = canonical
    return found


def _column_names(cells: Sequence[str | None]) -> dict[int, str]:
    """Position -> name for a header row read without a column vocabulary."""
    names: dict[int, str] = {}
    for i, cell in enumerate(cells):
        name = cell or f"column_{i + 1}"
        base, k = name, 2
        while name in names.values():
            name, k = f"{base}_{k}", k + 1
        names[i] = name
    return names


def _describe(columns: Iterable[str]) -> str:
    return "、".join(f"「{_COLUMN_CN.get(c, c)}」({c})" for c in columns)


def read_table(
    path: Path,
    workspace: Path,
    headers: Mapping[str, Iterable[str]] | None = None,
    required: Iterable[str] = (),
    cache: Path | None = None,
) -> tuple[pl.DataFrame, list[int]]:
    """Read a CSV or XLSX file into an all-String frame and the row number of every row.

    CSV is UTF-8 (with or without BOM) or GBK/GB18030; XLSX is the first sheet. Cells are
    stripped and '' is null; fully empty rows are skipped, the numbering stays the file's
    (CSV line where the record starts, xlsx sheet row).

    Without `headers` the first non-empty row is the header and columns keep its names.
    With `headers` (canonical column -> accepted names) the header row is the first of the
    first ten non-empty rows holding every `required` column (rows above it, e.g. a merged
    title 「2018年第二季度信息录用情况」, are skipped); columns are renamed to canonical
    names and unrecognised columns dropped. A file with no recognisable header is an
    InputError; a file that is empty or holds only the header gives an empty frame.

    `cache`: the folder (`table_cache`) where the rows of .xlsx/.xlsm files are kept
    between runs (see `_xlsx_rows`).
    """
    df, row_numbers, _ = _read_table(path, workspace, headers, required, cache)
    return df, row_numbers


def _read_table(
    path: Path,
    workspace: Path,
    headers: Mapping[str, Iterable[str]] | None,
    required: Iterable[str] = (),
    cache: Path | None = None,
) -> tuple[pl.DataFrame, list[int], set[str]]:
    """`read_table`, plus the set of columns the file's header actually holds."""
    path = Path(path)
    file = _rel(path, workspace)
    plain = _plain_csv(path, file)
    if isinstance(plain, tuple):
        lines, delimiter = plain
        # Header search on the first rows in Python; the body split in polars.
        rows = [
            (n, _plain_cells(line, delimiter))
            for n, line in lines.head(HEADER_SEARCH_ROWS).iter_rows()
        ]
    else:
        if isinstance(plain, str):
            raw = _csv_rows(path, file, plain)
        else:
            raw = _raw_rows(path, file, cache)
        rows = [(n, cells) for n, cells in raw if any(c is not None for c in cells)]
        lines = None
    required = list(required)
    if not rows:
        columns = list(headers) if headers is not None else []
        return pl.DataFrame(schema=dict.fromkeys(columns, pl.String)), [], set()

    if headers is None:
        header_at = 0
        names = _column_names(rows[0][1])
    else:
        lookup = _header_lookup(headers)
        candidates = [_map_header(cells, lookup) for _, cells in rows[:HEADER_SEARCH_ROWS]]
        header_at = next(
            (i for i, m in enumerate(candidates) if set(required) <= set(m.values()) and m),
            None,
        )
        if header_at is None:
            best = max(range(len(candidates)), key=lambda i: len(candidates[i]))
            if not candidates[best]:
                raise InputError(
                    f"找不到表头：前{HEADER_SEARCH_ROWS}行中没有可识别的列名；"
                    f"第一行应是列名，必需的列为 {_describe(required)}",
                    file=file,
                )
            header_at = best
        names = candidates[header_at]
        missing = [c for c in required if c not in names.values()]
        if missing:
            raise InputError(f"缺少必需的列{_describe(missing)}", file=file)

    present = set(names.values())
    if lines is not None:
        body_lines = lines.slice(header_at + 1)
        n_body, row_numbers = body_lines.height, body_lines["line"].to_list()
        data = {name: _plain_cell(body_lines, i, delimiter) for i, name in names.items()}
    else:
        body = rows[header_at + 1 :]
        n_body, row_numbers = len(body), [n for n, _ in body]
        data = {
            name: [cells[i] if i < len(cells) else None for _, cells in body]
            for i, name in names.items()
        }
    if headers is not None:
        for canonical in headers:
            data.setdefault(canonical, [None] * n_body)
    df = pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))
    return df, row_numbers, present


def _table_paths(paths: Iterable[Path]) -> list[Path]:
    """Table files among `paths`, sorted; files that are not data (lock and temporary
    files, hidden files: `flows.workspace.not_data`) skipped. `.xls` is kept so that
    reading it gives a clear error."""
    keep = [
        Path(p)
        for p in paths
        if Path(p).suffix.lower() in TABLE_SUFFIXES | {".xls"} and not not_data(Path(p).name)
    ]
    return sorted(keep)


def _collector(problems: Problems | None) -> tuple[Problems, bool]:
    """The collection to add to, and whether the reader owns it (then it raises at its end)."""
    return (Problems(), True) if problems is None else (problems, False)


def _done(problems: Problems, own: bool) -> None:
    if own:
        problems.raise_if_any()


def _rows(df: pl.DataFrame) -> Iterable[dict[str, str | None]]:
    return df.iter_rows(named=True)


# --------------------------------------------------------------------------- readers


def _split(text: str | None, pattern: str) -> list[str]:
    if text is None:
        return []
    return [p.strip() for p in re.split(pattern, text) if p.strip()]


def read_units(
    path: Path,
    workspace: Path,
    groups: Iterable[str] | None = None,
    problems: Problems | None = None,
) -> pl.DataFrame:
    """Read the roster `units.csv` (名单) into UNITS, plus UNIT_CHANGES (`from`, `until`,
    `successor`: 机构改革, checked by transforms.roster_changes.check_roster) when a row
    fills any of them. Aliases and emails are separated by
    `;` or `；` (emails also by commas or spaces). A missing file gives an empty frame; a
    unit named twice, (when `groups` is given) a group outside them, or an email that is no
    plain address (transforms.addresses: full-width characters are made ASCII, anything
    else odd is refused) is an InputError (added to `problems`, see the module's
    docstring)."""
    path = Path(path)
    if not path.exists():
        return empty(UNITS)
    problems, own = _collector(problems)
    file = _rel(path, workspace)
    try:
        df, row_numbers = read_table(path, workspace, UNIT_HEADERS, required=("unit",))
    except InputError as err:
        problems.add_error(err)
        _done(problems, own)
        return empty(UNITS)
    records = []
    seen: dict[str, int] = {}
    undated: set[str] = set()  # units whose from or until could not be read
    for n, row in zip(row_numbers, _rows(df), strict=True):
        unit = row["unit"]
        if unit is None:
            problems.add("单位名称为空", file=file, row=n)
            continue
        if unit in seen:
            problems.add(f"单位「{unit}」重复（第{seen[unit]}行已列出）", file=file, row=n)
            continue
        seen[unit] = n
        if groups is not None and row["group"] not in groups:
            problems.add(
                f"单位「{unit}」的类别「{row['group'] or ''}」不是本考核办法的分组，"
                f"可用的有：{'、'.join(groups)}",
                file=file,
                row=n,
            )
            continue
        emails, bad = [], []
        for text in _split(row["emails"], r"[;；,，\s]+"):
            address, why = normalise_address(text)
            if address is None:
                bad.append(f"「{text}」{why}")
            else:
                emails.append(address)
        if bad:
            problems.add(
                f"单位「{unit}」的邮箱（emails 列）有误：{'；'.join(bad)}。每格只填写地址本身，"
                "多个地址用分号隔开，如 xxk@example.gov.cn;xxk2@example.gov.cn",
                file=file,
                row=n,
            )
        lifetime: dict[str, date | None] = {}
        for column in ("from", "until"):
            text = row[column]
            lifetime[column] = parse_date(text) if text is not None else None
            if text is not None and lifetime[column] is None:
                problems.add(
                    f"单位「{unit}」的{_COLUMN_CN[column]}（{column} 列）「{text}」无法识别或不存在；"
                    "请写作 2019-03-01",
                    file=file,
                    row=n,
                )
                undated.add(unit)
        records.append(
            {
                "unit": unit,
                "group": row["group"],
                "aliases": _split(row["aliases"], r"[;；]"),
                "emails": emails,
                **lifetime,
                "successor": row["successor"],
            }
        )
    # 机构改革: dates in order, successors on the roster, existing the day after, no cycle
    dated = [r for r in records if r["unit"] not in undated]
    for unit, message in roster_changes.check_roster(dated, known=seen):
        problems.add(message, file=file, row=seen[unit])
    _done(problems, own)
    if not records:
        return empty(UNITS)
    changes = any(r[c] is not None for r in records for c in UNIT_CHANGES)
    roster = {**UNITS, **UNIT_CHANGES} if changes else UNITS  # as before for most rosters
    return conform(pl.DataFrame(records, schema={**UNITS, **UNIT_CHANGES}), roster)


def _issue_key(issue: str | None) -> str:
    """The issue number as printed in any form (第12期, 12, 2018年第12期) → "12", so that one
    issue typed two ways is still one issue."""
    if not issue:
        return ""
    text = unicodedata.normalize("NFKC", issue)
    m = re.search(r"第\s*(\d+)\s*期", text) or re.fullmatch(r"\s*(\d+)\s*", text)
    return str(int(m[1])) if m else text.strip()


def _required_text(row: Mapping[str, str | None], column: str, file: str, n: int) -> str:
    value = row[column]
    if value is None:
        raise InputError(f"「{_COLUMN_CN[column]}」({column})为空", file=file, row=n)
    return value


def _required_date(
    row: Mapping[str, str | None], column: str, file: str, n: int, partial: bool = False
) -> date | PartialDate:
    """The date of a row's `column`, or the InputError naming the row: the one place where
    the readers of adoptions and events turn a typed date into a date. With `partial`, a
    date typed without its year (4月17日, 4.17) is kept as a PartialDate for
    `transforms.dates` to settle (the year its file or issue makes evident, or a question)."""
    text = _required_text(row, column, file, n)
    d = parse_date(text)
    if d is None and partial:
        d = parse_partial_date(text)
    if d is None:
        raise InputError(
            f"{_COLUMN_CN[column]}「{text}」无法识别或不存在；请写作 2018-05-03", file=file, row=n
        )
    return d


def _date_fields(d: date | PartialDate, text: str) -> tuple[date | None, dict, str]:
    """(date or None, the DATE_PARTS fields, the date's text for ids and merge keys)."""
    if isinstance(d, PartialDate):
        parts = {"date_text": text, "date_month": d.month, "date_day": d.day}
        return None, parts, f"--{d.month:02d}-{d.day:02d}"
    return d, {"date_text": text, "date_month": None, "date_day": None}, d.isoformat()


def adoption_id(publication: str, issue: str | None, iso_date: str, title: str, units: str) -> str:
    """The id of one adoption row: its periodical, issue, date (ISO, or the text of a
    date without a year), title and printed units. The spreadsheet reader, the issue
    documents' reader and a date settled later all give one row one id."""
    return _sha16(publication, _issue_key(issue), iso_date, normalize_title(title), units)


def adoption_key(publication: str, issue: str | None, when: object, title: str) -> str:
    """What makes one adoption however its units are written: the periodical, the issue
    number (`_issue_key`), the date and the normalised title."""
    iso = when.isoformat() if hasattr(when, "isoformat") else str(when)
    return "|".join((publication, _issue_key(issue), iso, normalize_title(title)))


def _merge_adoptions(records: list[dict], documents: pl.DataFrame | None) -> list[dict]:
    """One record per `adoption_key`. Spreadsheet rows come first and win over rows read
    from issue documents: when a spreadsheet holds the article, the document's rows for it
    are dropped and the spreadsheet's `units_raw` is kept. Several spreadsheet rows of one
    article (the same issue typed twice, or one row per unit of a joint article) give the
    first row, with the distinct `units_raw` of all of them joined by 、 (a joint article
    names all its units). Several document rows (one issue given as .docx and .pdf) likewise.
    """
    merged: dict[str, dict] = {}
    from_table: dict[str, bool] = {}
    doc_rows = list(documents.iter_rows(named=True)) if documents is not None else []
    for is_table, rows in ((True, records), (False, doc_rows)):
        for rec in rows:
            when = rec["date"]
            if when is None and rec.get("date_month") is not None:  # year-less (DATE_PARTS)
                when = f"--{rec['date_month']:02d}-{rec['date_day']:02d}"
            key = adoption_key(rec["publication"], rec["issue"], when, rec["title"])
            first = merged.get(key)
            if first is None:
                merged[key] = dict(rec)
                from_table[key] = is_table
            elif from_table[key] == is_table:
                printed = _units_of(first["units_raw"])
                extra = [u for u in _units_of(rec["units_raw"]) if u not in printed]
                if extra:
                    first["units_raw"] = "、".join([*printed, *extra])
    return list(merged.values())


def _units_of(text: str | None) -> list[str]:
    """The names of a units field split at the separators 、 ； ; , ， (for merging)."""
    return _split(text, r"[、；;,，]")


def read_adoptions(
    paths: Iterable[Path],
    workspace: Path,
    publication_names: Mapping[str, str],
    documents: pl.DataFrame | None = None,
    questions: list[dict] | None = None,
    problems: Problems | None = None,
    cache: bool = False,
) -> pl.DataFrame:
    """Read adoption lists (录用/采用情况) into ADOPTIONS.

    `publication_names` is the scheme's `transforms.publications.PublicationIndex` (with the
    user's answers), or a plain {spelling: canonical name} mapping. Files are read in
    sorted order. `documents` are adoptions read from issue documents
    (`flows.issue_documents.read_issues`), merged after the spreadsheets.

    A periodical written so that it fits several periodicals (萧山's 「专报」) is a question:
    the row is held back and its review row (type `publication`) appended to `questions`;
    without `questions` it is an error. A name that fits none is an error.

    One adoption per (publication, issue number, date, normalised title) — the
    `adoption_key`, which does not depend on how the units are written: the same issue
    imported twice, typed twice, or given both as a document and as spreadsheet rows counts
    once. The first spreadsheet row is kept (its `adoption_id`, file and row); its
    `units_raw` gains the units other spreadsheet rows of the same article name; document
    rows only add articles no spreadsheet holds (see `_merge_adoptions`). A bad row (an
    unknown periodical, a missing cell, an impossible date) is left out and each of its
    problems added to `problems`.

    `cache`: keep the rows of .xlsx/.xlsm files in the workspace (`table_cache`) and read
    them from there while the file is unchanged (`prune_table_cache` removes the rest).
    """
    problems, own = _collector(problems)
    folder = table_cache(workspace) if cache else None
    index = PublicationIndex.from_names(publication_names)

    def periodical(row: Mapping[str, str | None], file: str, n: int) -> str | None:
        """The row's periodical; None when it fits several and became a question."""
        written = _required_text(row, "publication", file, n)
        found = index.resolve(written)
        if found.name is not None:
            return found.name
        if found.ambiguous and questions is not None:
            title, issue = row["title"], row["issue"]
            asked = question(
                found, file, n, title or "", issue=issue, when=row["date"], title=title
            )
            questions.append(asked)
            return None
        if found.ambiguous:
            raise InputError(
                f"刊物「{written}」可指多个刊物（{'、'.join(found.candidates)}）：请写全称",
                file=file,
                row=n,
            )
        raise InputError(
            f"刊物「{written}」不在本考核办法的刊物之列；可用的刊物：{index.known_list()}",
            file=file,
            row=n,
        )

    records = []
    for path in _table_paths(paths):
        file = _rel(path, workspace)
        table = problems.attempt(
            read_table,
            path,
            workspace,
            ADOPTION_HEADERS,
            required=("publication", "date", "title", "units"),
            cache=folder,
        )
        if table is None:
            continue
        df, row_numbers = table
        attempt = problems.attempt
        for n, row in zip(row_numbers, _rows(df), strict=True):
            publication = attempt(periodical, row, file, n)  # None: a question, or bad
            d = attempt(_required_date, row, "date", file, n, partial=True)
            title = attempt(_required_text, row, "title", file, n)
            units_raw = attempt(_required_text, row, "units", file, n)
            if publication is None or d is None or title is None or units_raw is None:
                continue
            d, parts, iso = _date_fields(d, row["date"])
            issue = row["issue"]
            records.append(
                {
                    "adoption_id": adoption_id(publication, issue, iso, title, units_raw),
                    "publication": publication,
                    "issue": issue,
                    "date": d,
                    "title": title,
                    "units_raw": units_raw,
                    "kind": row["kind"],
                    "source_file": file,
                    "source_row": n,
                    **parts,
                }
            )
    _done(problems, own)
    records = _merge_adoptions(records, documents)
    if not records:
        return empty({**ADOPTIONS, **DATE_PARTS})
    return pl.DataFrame(records, schema={**ADOPTIONS, **DATE_PARTS})


def read_submissions(
    paths: Iterable[Path],
    workspace: Path,
    tz: str = "Asia/Shanghai",
    problems: Problems | None = None,
    cache: bool = False,
) -> pl.DataFrame:
    """Read CSV/XLSX mail logs (报送记录) into SUBMISSIONS; other files (.eml, .mbox) are
    ignored here. Naive times are in the office zone `tz`; a written offset is respected
    (C7). Each row needs a time and a sender or a unit; a row without them is left out and
    its problem added to `problems`. Duplicates are kept once. `cache`: as for
    `read_adoptions`."""
    problems, own = _collector(problems)
    folder = table_cache(workspace) if cache else None
    records = []
    for path in _table_paths(paths):
        file = _rel(path, workspace)
        table = problems.attempt(
            _read_table, path, workspace, SUBMISSION_HEADERS, ("time",), folder
        )
        if table is None:
            continue
        df, row_numbers, present = table
        if present and not present & {"sender", "unit"}:
            problems.add(f"缺少必需的列{_describe(['sender'])}或{_describe(['unit'])}", file=file)
            continue
        if df.height:
            records.append(_submission_frame(df, row_numbers, file, tz, problems))
    _done(problems, own)
    schema = {**SUBMISSIONS, "time": pl.Datetime("us", tz)}
    if not records:
        return pl.DataFrame(schema=schema)
    df = pl.concat(records)
    return df.unique(subset="submission_id", keep="first", maintain_order=True)


def _submission_row(row: Mapping[str, str | None], file: str, n: int, tz: str) -> datetime:
    """One mail-log row checked: its time, or the InputError naming the row."""
    text = _required_text(row, "time", file, n)
    t = parse_datetime(text, tz)
    if t is None:
        raise InputError(
            f"时间「{text}」无法识别或不存在；请写作 2018-05-03 09:12", file=file, row=n
        )
    if row["sender"] is None and row["unit"] is None:
        raise InputError("发件人和单位都为空：至少填写其中一项", file=file, row=n)
    return t


#: Times as mail logs export them (2018-05-03 09:12[:33]): parsed by polars in one pass;
#: any other spelling goes through `parse_datetime` row by row.
_PLAIN_TIME = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?$"


def _submission_frame(
    df: pl.DataFrame, row_numbers: list[int], file: str, tz: str, problems: Problems
) -> pl.DataFrame:
    """SUBMISSIONS rows of one mail-log table (all-String `df`, canonical columns).

    The same result as checking and converting row by row with `_submission_row` (a bad
    row is left out and its error added to `problems`, in file order), but vectorised: a
    province's year is a million rows."""
    zone = pl.Datetime("us", tz)
    col = pl.col("time")
    fast = df.select(
        pl.when(col.str.contains(_PLAIN_TIME))
        .then(
            pl.coalesce(
                col.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False),
                col.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M", strict=False),
            )
        )
        .dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
        .alias("t")
    )["t"]
    times = fast.to_frame().select(pl.col("t").dt.strftime("%Y-%m-%dT%H:%M:%S%:z"))["t"]
    slow = (fast.is_null() | (df["sender"].is_null() & df["unit"].is_null())).arg_true()
    bad: list[int] = []
    if slow.len():
        rows = df[slow].iter_rows(named=True)
        idx, parsed = [], []
        for i, row in zip(slow.to_list(), rows, strict=True):
            t = problems.attempt(_submission_row, row, file, row_numbers[i], tz)
            if t is None:
                bad.append(i)
                continue
            idx.append(i)
            parsed.append(t)
        if idx:
            fast = fast.scatter(idx, pl.Series(parsed, dtype=zone))
            times = times.scatter(idx, [t.isoformat() for t in parsed])
    # submission_id = _sha16(time, sender, subject, unit), the text joined in polars.
    joined = pl.DataFrame({"t": times, "s": df["sender"], "j": df["subject"], "u": df["unit"]})
    joined = joined.select(
        pl.concat_str([pl.col(c).fill_null("") for c in "tsju"], separator="|")
    ).to_series()
    sha1 = hashlib.sha1
    ids = [sha1(text.encode("utf-8")).hexdigest()[:16] for text in joined.to_list()]
    frame = pl.DataFrame(
        {
            "submission_id": ids,
            "time": fast,
            "sender": df["sender"],
            "subject": df["subject"],
            "unit_raw": df["unit"],
            "kind": df["kind"],
            "source_file": [file] * df.height,
            "source_row": row_numbers,
            "attachments": [None] * df.height,
        },
        schema={**SUBMISSIONS, "time": zone},
    )
    if bad:  # rows whose problems were added: left out
        keep = pl.Series(range(df.height)).is_in(bad).not_()
        frame = frame.filter(keep)
    return frame


def _number(text: str) -> float | None:
    s = unicodedata.normalize("NFKC", text).strip().replace("−", "-")
    try:
        value = float(s)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _event_word(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def read_events(
    paths: Iterable[Path],
    workspace: Path,
    event_types: Iterable[str],
    problems: Problems | None = None,
    cache: bool = False,
) -> pl.DataFrame:
    """Read the office's records (事项: 领导批示, 约稿, penalties …) into EVENTS.

    `type` must be a word of `event_types` (the scheme's vocabulary; compared after NFKC
    and without spaces, written back as the scheme spells it); `value` must be a number
    where given. A bad row is left out and each of its problems added to `problems`.
    Identical rows are kept once. `cache`: as for `read_adoptions`."""
    problems, own = _collector(problems)
    folder = table_cache(workspace) if cache else None
    vocabulary = {_event_word(t): t for t in event_types}
    allowed = "、".join(sorted(set(vocabulary.values())))

    def event_type(row: Mapping[str, str | None], file: str, n: int) -> str:
        written = _required_text(row, "type", file, n)
        kind = vocabulary.get(_event_word(written))
        if kind is None:
            raise InputError(
                f"类型「{written}」不是本考核办法的事项类型；可用的类型：{allowed}",
                file=file,
                row=n,
            )
        return kind

    def event_value(row: Mapping[str, str | None], file: str, n: int) -> float | None:
        if row["value"] is None:
            return None
        value = _number(row["value"])
        if value is None:
            raise InputError(f"分值「{row['value']}」不是数字", file=file, row=n)
        return value

    records = []
    for path in _table_paths(paths):
        file = _rel(path, workspace)
        table = problems.attempt(
            read_table,
            path,
            workspace,
            EVENT_HEADERS,
            required=("date", "type", "unit"),
            cache=folder,
        )
        if table is None:
            continue
        df, row_numbers = table
        for n, row in zip(row_numbers, _rows(df), strict=True):
            before = len(problems)
            d = problems.attempt(_required_date, row, "date", file, n, partial=True)
            kind = problems.attempt(event_type, row, file, n)
            unit = problems.attempt(_required_text, row, "unit", file, n)
            value = problems.attempt(event_value, row, file, n)
            if len(problems) > before:
                continue
            d, parts, _ = _date_fields(d, row["date"])
            fields = {
                "date": d,
                "type": kind,
                "unit_raw": unit,
                "title": row["title"],
                "level": row["level"],
                "value": value,
                "status": row["status"],
                "note": row["note"],
            }
            records.append(
                {
                    "event_id": event_id(fields, parts),
                    **fields,
                    "source_file": file,
                    "source_row": n,
                    **parts,
                }
            )
    _done(problems, own)
    if not records:
        return empty({**EVENTS, **DATE_PARTS})
    df = pl.DataFrame(records, schema={**EVENTS, **DATE_PARTS})
    return df.unique(subset="event_id", keep="first", maintain_order=True)


_EVENT_FIELDS = ("date", "type", "unit_raw", "title", "level", "value", "status", "note")


def event_id(fields: Mapping[str, object], parts: Mapping[str, object] | None = None) -> str:
    """An event's id: the hash of its fields (a year-less date as --MM-DD)."""
    values = [fields[k] for k in _EVENT_FIELDS]
    if values[0] is None and parts is not None:
        values[0] = f"--{parts['date_month']:02d}-{parts['date_day']:02d}"
    return _sha16(*values)


def restamp_adoptions(adoptions: pl.DataFrame) -> pl.DataFrame:
    """ADOPTIONS after `transforms.dates` settled their dates: rows whose date changed
    (`date_changed`: a year inferred or a date answered) get the id a file typed with that
    date would give, and are merged again by `adoption_key` (a spreadsheet row and the
    issue document, or two rows, of one article now count once). Drops `date_changed`."""
    changed = adoptions.get_column("date_changed", default=None)
    adoptions = adoptions.drop("date_changed", strict=False)
    if changed is None or not changed.any():
        return adoptions
    records = adoptions.to_dicts()
    for rec, moved in zip(records, changed.to_list(), strict=True):
        if moved:
            rec["adoption_id"] = adoption_id(
                rec["publication"],
                rec["issue"],
                rec["date"].isoformat(),
                rec["title"],
                rec["units_raw"],
            )
    tables = [r for r in records if Path(r["source_file"]).suffix.lower() in TABLE_SUFFIXES]
    documents = [r for r in records if Path(r["source_file"]).suffix.lower() not in TABLE_SUFFIXES]
    docs = pl.DataFrame(documents, schema=adoptions.schema) if documents else None
    merged = _merge_adoptions(tables, docs)
    return pl.DataFrame(merged, schema=adoptions.schema)


def restamp_events(events: pl.DataFrame) -> pl.DataFrame:
    """EVENTS after `transforms.dates` settled their dates: rows whose date changed get
    the id of the date now known; identical events count once. Drops `date_changed`."""
    changed = events.get_column("date_changed", default=None)
    events = events.drop("date_changed", strict=False)
    if changed is None or not changed.any():
        return events
    records = events.to_dicts()
    for rec, moved in zip(records, changed.to_list(), strict=True):
        if moved:
            rec["event_id"] = event_id(rec)
    df = pl.DataFrame(records, schema=events.schema)
    return df.unique(subset="event_id", keep="first", maintain_order=True)


def _same_answer(a: str, b: str) -> bool:
    """Two answers that say the same: equal text, or the same date written two ways."""
    if a == b:
        return True
    da, db = parse_date(a), parse_date(b)
    return da is not None and da == db


def read_decisions(path: Path, workspace: Path, problems: Problems | None = None) -> pl.DataFrame:
    """Read the user's answers to the review list (`decisions.csv`) into DECISIONS.

    The file may be review.csv with the answer column filled in, or rows of review.csv
    copied under a `type,key,answer` header: its first three columns are those, other
    columns are ignored, and rows without an answer are skipped. Headers in Chinese
    (问题类型, 识别码, 答复) or English; the type as its Chinese label (未识别单位) or its id
    (unit), kept as the id. A type the registry does not know, or an answer that does not
    fit its question (是/否 expected, a name given), is a problem naming the row. A missing
    file gives an empty frame. A bad row is left out and its problems added to `problems`."""
    path = Path(path)
    if not path.exists():
        return empty(DECISIONS)
    problems, own = _collector(problems)
    file = _rel(path, workspace)
    table = problems.attempt(
        read_table, path, workspace, DECISION_HEADERS, required=("type", "key", "answer")
    )
    df, row_numbers = table if table is not None else (empty(DECISIONS), [])
    records = []
    answered: dict[tuple[str, str], tuple[int, str]] = {}  # (type, key) -> (row, answer)
    for n, row in zip(row_numbers, _rows(df), strict=True):
        if row["answer"] is None:
            continue
        kind = problems.attempt(_required_text, row, "type", file, n)
        key = problems.attempt(_required_text, row, "key", file, n)
        if kind is None or key is None:
            continue
        question = review.decision_type(kind)
        if question is None:
            problems.add(
                f"问题类型「{kind}」无法识别：请照 review.csv 填写，可用的类型："
                f"{review.type_labels()}",
                file=file,
                row=n,
            )
            continue
        answer = row["answer"].strip()
        if problem := review.check_answer(question.id, answer):
            problems.add(problem, file=file, row=n)
            continue
        same = answered.get((question.id, key))
        if same is not None and _same_answer(same[1], answer):
            continue  # the same answer twice: one decision
        if same is not None:
            # Two answers for one question: the last must not win in silence (points move).
            problems.add(
                f"与第{same[0]}行答复了同一问题（{question.label}「{key}」），"
                f"答复却不同：「{same[1]}」与「{answer}」；请只保留正确的一行",
                file=file,
                row=n,
            )
            continue
        answered[(question.id, key)] = (n, answer)
        records.append({"type": question.id, "key": key, "answer": answer})
    _done(problems, own)
    if not records:
        return empty(DECISIONS)
    return pl.DataFrame(records, schema=DECISIONS)

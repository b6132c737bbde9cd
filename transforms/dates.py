"""Doubtful and year-less dates of adoptions and events (日期核实).

An adoption counts in the period of its issue date (C3), so a date typed with the wrong
year moves its points into another period. Nothing here moves a point in silence:

- a **year-less date** (`4月17日`, `4.17`, `4/17`; the reader keeps it as `date_text`,
  `date_month`, `date_day` with a null `date`) takes the year its issue or its file makes
  evident — the masthead date of the same issue (other rows or an issue document of the
  same periodical and number), else the years of the other dated rows of its file, else
  a year in the file's name — and only when exactly one year fits; otherwise it is a
  question;
- a **lone year** (a year that no other row of its file has, more than a quarter from the
  nearest other row of the file: `2017.6.19` in a sheet of 2018 rows) is a question; a
  late adoption filed in the next quarter's sheet with its true date is days, not a year,
  from its neighbours, and is not one;
- an **issue-order outlier** (a date more than a quarter outside what the periodical's own
  numbering implies: 第12期 dated after 第13期 and 第14期 by months) is a question.

A question is a REVIEW row of type `date`; until decisions.csv answers it (the correct date
`YYYY-MM-DD`, or 确认 for the typed date) the row is held back: it scores nowhere. Pure
functions over polars frames: the reader (`flows.readers`) and the wiring
(`flows.steps.ingest`) do the IO.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import polars as pl

from transforms import schema
from transforms.errors import InputError
from transforms.publication_text import issue_label

__all__ = [
    "CONFIRM",
    "DATE_PARTS",
    "QUARTER_DAYS",
    "DateCheck",
    "PartialDate",
    "check_adoption_dates",
    "check_event_dates",
    "issue_number",
    "parse_partial_date",
]

#: How far (days) a date may stray from what its neighbours imply before it is asked about.
QUARTER_DAYS = 92
#: The answer that keeps the typed date.
CONFIRM = "确认"
#: Extra columns the readers add to ADOPTIONS and EVENTS: the date as typed, and for a
#: year-less date (null `date`) its month and day.
DATE_PARTS = {"date_text": pl.String, "date_month": pl.Int64, "date_day": pl.Int64}


class PartialDate(NamedTuple):
    """A date typed without its year (4月17日): month, day and the text as typed."""

    month: int
    day: int
    text: str


_PARTIAL_RE = re.compile(r"(\d{1,2})\s*(?:月\s*(\d{1,2})\s*[日号]?|[-/.]\s*(\d{1,2}))")


def parse_partial_date(text: str) -> PartialDate | None:
    """`4月17日`, `4月17号`, `4.17`, `4/17`, `04-17` → PartialDate(4, 17, text); None for
    anything else, and for a day no year has (2月30日). 2月29日 is kept: its year decides."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    m = _PARTIAL_RE.fullmatch(s)
    if not m:
        return None
    month, day = int(m[1]), int(m[2] or m[3])
    try:
        date(2000, month, day)  # a leap year: every month-day some year has
    except ValueError:
        return None
    return PartialDate(month, day, str(text).strip())


_ISSUE_RE = re.compile(r"第\s*(\d+)\s*期")


def issue_number(issue: str | None) -> int | None:
    """第12期, 12, 2018年第12期 → 12; None when the issue holds no number."""
    if not issue:
        return None
    text = unicodedata.normalize("NFKC", str(issue))
    m = _ISSUE_RE.search(text) or re.fullmatch(r"\s*(\d+)\s*", text)
    return int(m[1]) if m else None


_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _name_year(file: str | None) -> int | None:
    """The one year a file's name holds (2018年二季度录用登记.xlsx → 2018), else None."""
    if not file:
        return None
    name = file.rsplit("/", 1)[-1]
    years = {int(y) for y in _YEAR_IN_NAME.findall(unicodedata.normalize("NFKC", name))}
    return years.pop() if len(years) == 1 else None


def _with_year(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # 2月29日 in a common year
        return None


def _distance(d: date, lo: date, hi: date) -> int:
    """Days from `d` to the interval [lo, hi] (0 inside)."""
    if d < lo:
        return (lo - d).days
    if d > hi:
        return (d - hi).days
    return 0


def _year_from_span(month: int, day: int, dates: list[date]) -> int | None:
    """The year `dates` (a file's dated rows) make evident for month-day. All in one year:
    that year, unless only the year before or after puts it within a quarter of them
    (12月28日 in a sheet of January to March). Over several years: the one year that puts
    it inside their span, else within a quarter of it; None when none or several do."""
    lo, hi = min(dates), max(dates)
    years = range(lo.year - 1, hi.year + 2)
    candidates = [(y, d) for y in years if (d := _with_year(y, month, day)) is not None]
    if lo.year == hi.year:
        own = _with_year(lo.year, month, day)
        if own is not None and _distance(own, lo, hi) <= QUARTER_DAYS:
            return lo.year
        near = [y for y, d in candidates if y != lo.year and _distance(d, lo, hi) <= QUARTER_DAYS]
        return near[0] if len(near) == 1 else lo.year
    inside = [y for y, d in candidates if lo <= d <= hi]
    if inside:
        return inside[0] if len(inside) == 1 else None
    near = [y for y, d in candidates if _distance(d, lo, hi) <= QUARTER_DAYS]
    return near[0] if len(near) == 1 else None


def _year_near(month: int, day: int, ref: date) -> int | None:
    """The year putting month-day nearest `ref` (a masthead date), if within a quarter."""
    best = None
    for y in (ref.year - 1, ref.year, ref.year + 1):
        d = _with_year(y, month, day)
        if d is not None and abs((d - ref).days) <= QUARTER_DAYS:
            if best is None or abs((d - ref).days) < abs((best - ref).days):
                best = d
    return best.year if best else None


# --------------------------------------------------------------------------- result


@dataclass
class DateCheck:
    """`frame`: the rows whose date is settled (typed, inferred or answered), without the
    DATE_PARTS columns, with `date_changed` (True where the date is not the typed one:
    the reader's ids and merge keys must be made again for those rows). `review`: one
    REVIEW row of type `date` per open question; its rows are not in `frame`."""

    frame: pl.DataFrame
    review: pl.DataFrame


@dataclass
class _Question:
    index: int
    suggestion: str
    reason: str


def _date_decisions(decisions: pl.DataFrame | None) -> dict[str, tuple[str, int]]:
    """key → (answer, decisions.csv row) of the `date` answers."""
    out: dict[str, tuple[str, int]] = {}
    if decisions is None or decisions.height == 0 or "type" not in decisions.columns:
        return out
    has_row = "source_row" in decisions.columns
    for i, row in enumerate(decisions.iter_rows(named=True)):
        answer = (row.get("answer") or "").strip()
        if (row.get("type") or "").strip() == "date" and answer:
            out[(row.get("key") or "").strip()] = (
                answer,
                row["source_row"] if has_row else i + 2,
            )
    return out


_ANSWER_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _answered_date(answer: str, typed: date | None, row: int) -> date:
    """The date an answer gives: 确认 → the typed date; else the date written."""
    text = unicodedata.normalize("NFKC", answer).strip()
    if text == CONFIRM:
        if typed is None:
            raise InputError(
                f"答复「{answer}」：此日期没有年份，无法确认；请填写完整日期，如 2018-04-17",
                file="decisions.csv",
                row=row,
            )
        return typed
    m = _ANSWER_RE.fullmatch(text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        pass
    raise InputError(
        f"答复「{answer}」不是日期；请填写正确日期（如 2018-06-19），或填写「{CONFIRM}」表示原日期无误",
        file="decisions.csv",
        row=row,
    )


# --------------------------------------------------------------------------- checks


def _infer_years(
    df: pl.DataFrame, typed: pl.DataFrame, doubtful: set[int]
) -> dict[int, date | str]:
    """`_i` → inferred date, or → the reason it cannot be inferred, for the year-less rows
    of `df`. `typed`: the rows with a typed full date; those in `doubtful` (lone years) do
    not widen their file's span."""
    yearless = df.filter(pl.col("date").is_null() & pl.col("date_month").is_not_null())
    if yearless.is_empty():
        return {}
    files = yearless["source_file"].unique().to_list()
    spans = (
        typed.filter(pl.col("source_file").is_in(files) & ~pl.col("_i").is_in(list(doubtful)))
        .group_by("source_file")
        .agg(pl.col("date"))
    )
    by_file: dict[str, list[date]] = dict(spans.iter_rows())
    masthead: dict[tuple, set[date]] = defaultdict(set)
    numbered = yearless.filter(pl.col("_number").is_not_null())
    if numbered.height:
        known = df.filter(pl.col("date").is_not_null()).join(
            numbered.select("publication", "_number").unique(), on=["publication", "_number"]
        )
        for pub, number, d in known.select("publication", "_number", "date").iter_rows():
            masthead[pub, number].add(d)
    out: dict[int, date | str] = {}
    for r in yearless.iter_rows(named=True):
        month, day = r["date_month"], r["date_day"]
        year = None
        refs = masthead.get((r.get("publication"), r["_number"]), ())
        if refs:
            years = {_year_near(month, day, ref) for ref in refs}
            if len(years) == 1:
                year = years.pop()
        dated = by_file.get(r["source_file"])
        if year is None and dated:
            year = _year_from_span(month, day, dated)
        if year is None and not dated:
            year = _name_year(r["source_file"])
        if year is None:
            out[r["_i"]] = "日期没有年份，本文件和同期刊物都不能确定是哪一年"
        elif (d := _with_year(year, month, day)) is not None:
            out[r["_i"]] = d
        else:  # 2月29日 in a common year: as impossible as 2018-02-29
            raise InputError(
                f"日期「{r['date_text']}」应是{year}年，而{year}年没有这一天；请写作 2018-05-03",
                file=r["source_file"],
                row=r["source_row"],
            )
    return out


def _lone_years(typed: pl.DataFrame) -> dict[int, _Question]:
    """Rows whose year no other typed row of their file has, more than a quarter from the
    nearest other row (at least two others): `_i` → question."""
    t = typed.select("_i", "source_file", "date", year=pl.col("date").dt.year())
    files = (
        t.group_by("source_file")
        .agg(n=pl.len(), years=pl.col("year").n_unique())
        .filter((pl.col("n") >= 3) & (pl.col("years") >= 2))
    )
    lone = (
        t.join(files.select("source_file"), on="source_file")
        .group_by("source_file", "year")
        .agg(pl.col("_i"), n=pl.len())
        .filter(pl.col("n") == 1)
    )
    out: dict[int, _Question] = {}
    if lone.is_empty():
        return out
    per_file = dict(
        t.filter(pl.col("source_file").is_in(lone["source_file"].to_list()))
        .group_by("source_file")
        .agg(pl.struct("_i", "date"))
        .iter_rows()
    )
    for file, _year, idx, _n in lone.iter_rows():
        i = idx[0]
        d = next(x["date"] for x in per_file[file] if x["_i"] == i)
        others = [x["date"] for x in per_file[file] if x["_i"] != i]
        nearest = min(abs((o - d).days) for o in others)
        if nearest <= QUARTER_DAYS:
            continue  # a late row filed with the next quarter's sheet
        common = Counter(o.year for o in others).most_common(1)[0][0]
        fixed = _with_year(common, d.month, d.day)
        others_years = "、".join(f"{y}年" for y in sorted({o.year for o in others}))
        out[i] = _Question(
            i,
            fixed.isoformat() if fixed else "",
            f"本文件其他各行都是{others_years}，只有此行是{d.year}年",
        )
    return out


def _issue_outliers(df: pl.DataFrame) -> dict[int, _Question]:
    """Rows dated more than a quarter outside what their periodical's numbering implies,
    within the periodical's year (numbering restarts each year): the earliest of the three
    nearest lower-numbered issues and the latest of the three nearest higher-numbered ones
    bound the date (one wrong neighbour does not make its neighbours doubtful); more rows
    of the same issue agreeing on another date pin it. Each distinct (periodical, issue,
    date) is judged once."""
    dated = df.filter(pl.col("date").is_not_null() & pl.col("_number").is_not_null())
    counts = dated.group_by("publication", "_number", "date").agg(
        n=pl.len(), typed=pl.col("date_text").is_not_null().any()
    )
    series: dict[tuple, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for pub, number, d, n, _ in counts.iter_rows():
        series[pub, d.year][number][d] += n
    numbers = {key: sorted(issues) for key, issues in series.items()}
    doubts = []
    for pub, number, d, _, typed in counts.iter_rows():
        if typed:
            key = (pub, d.year)
            found = _issue_doubt(series[key], numbers[key], number, d)
            if found is not None:
                doubts.append((pub, number, d, *found))
    if not doubts:
        return {}
    flagged = pl.DataFrame(
        doubts,
        schema={
            "publication": pl.String,
            "_number": pl.Int64,
            "date": pl.Date,
            "suggestion": pl.String,
            "reason": pl.String,
        },
        orient="row",
    )
    rows = dated.filter(pl.col("date_text").is_not_null()).join(
        flagged, on=["publication", "_number", "date"]
    )
    return {
        i: _Question(i, s, r) for i, s, r in rows.select("_i", "suggestion", "reason").iter_rows()
    }


def _issue_doubt(issues: dict[int, Counter], numbers: list[int], n: int, d: date):
    """(suggestion, reason) when date `d` of issue `n` is out of the series' order."""
    others = +Counter({k: v for k, v in issues[n].items() if k != d})
    pin = None
    if others:
        ref, count = others.most_common(1)[0]
        if count > issues[n][d]:
            pin = ref
    at = bisect.bisect_left(numbers, n)
    lower = numbers[max(0, at - 3) : at]
    upper = [k for k in numbers[at : at + 4] if k != n][:3]
    lo = min(min(issues[k]) for k in lower) if lower else date.min
    hi = max(max(issues[k]) for k in upper) if upper else date.max
    far_pin = pin is not None and abs((d - pin).days) > QUARTER_DAYS
    far_order = bool(lower or upper) and _distance(d, lo, hi) > QUARTER_DAYS
    if not (far_pin or far_order):
        return None
    if far_pin:
        lo = hi = pin
        why = f"同一期（第{n}期）的其他文章日期为 {pin.isoformat()}"
    else:
        parts = [
            f"第{k}期为 {issues[k].most_common(1)[0][0].isoformat()}"
            for k in (lower[-1:] + upper[:1])
        ]
        why = "按期号顺序，" + "、".join(parts)
    suggestion = ""
    for y in (d.year - 1, d.year + 1):
        fixed = _with_year(y, d.month, d.day)
        if fixed and _distance(fixed, lo, hi) <= QUARTER_DAYS:
            suggestion = fixed.isoformat()
    if not suggestion:
        if lo == hi:
            suggestion = lo.isoformat()
        elif lo != date.min and hi != date.max:
            suggestion = f"{lo.isoformat()} 至 {hi.isoformat()} 之间"
        else:
            suggestion = f"{(lo if lo != date.min else hi).isoformat()} 前后"
    return suggestion, f"{why}，与此行相差一个季度以上"


_ASK = "请在 decisions.csv 中填写正确日期（如 {example}），或填写「确认」表示原日期无误"
_ASK_YEARLESS = "请在 decisions.csv 中填写完整日期（如 {example}），或在原文件中补上年份"


def _settle(
    df: pl.DataFrame,
    decisions: pl.DataFrame | None,
    key_of,
    text_of,
    about_of,
    issue_order: bool = False,
) -> DateCheck:
    """The checks over polars (a province's year is 100,000 rows): only the year-less and
    the doubtful rows are looked at one by one."""
    base = [c for c in df.columns if c not in DATE_PARTS]
    for c, t in DATE_PARTS.items():
        if c not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=t).alias(c))
    df = df.with_row_index("_i").with_columns(pl.col("_i").cast(pl.Int64))
    number = pl.lit(None, dtype=pl.Int64)
    if issue_order:
        written = [i for i in df["issue"].unique().to_list() if i is not None]
        mapping = {i: issue_number(i) for i in written}
        number = pl.col("issue").replace_strict(mapping, default=None, return_dtype=pl.Int64)
    df = df.with_columns(number.alias("_number"))
    typed = df.filter(pl.col("date").is_not_null() & pl.col("date_text").is_not_null())
    questions = _lone_years(typed)
    inferred = _infer_years(df, typed, set(questions))
    for i, value in inferred.items():
        if isinstance(value, str):
            questions[i] = _Question(i, "", value)
    settled: list[date | None] = df["date"].to_list()
    changed = [False] * df.height
    for i, value in inferred.items():
        if isinstance(value, date):
            settled[i], changed[i] = value, True
    if issue_order:  # typed and inferred dates alike
        filled = df.with_columns(pl.Series("date", settled, dtype=pl.Date))
        for i, q in _issue_outliers(filled).items():
            questions.setdefault(i, q)
    answers = _date_decisions(decisions)
    keep = [True] * df.height
    years = Counter(d.year for d in settled if d is not None)
    usual = str(years.most_common(1)[0][0]) if years else "YYYY"
    asked = df.filter(pl.col("_i").is_in(list(questions))).sort("_i")
    review = []
    for r in asked.iter_rows(named=True):
        i = r["_i"]
        q = questions[i]
        key = key_of(r)
        if key in answers:
            answer, at = answers[key]
            d = _answered_date(answer, r["date"], at)
            changed[i] = changed[i] or d != r["date"]
            settled[i] = d
            continue
        keep[i] = False
        typed_text = r["date_text"] or (r["date"].isoformat() if r["date"] else "")
        example = q.suggestion if re.fullmatch(r"\d{4}-\d{2}-\d{2}", q.suggestion) else ""
        if not example:
            year = str(r["date"].year) if r["date"] else usual
            month, day = (r["date"].month, r["date"].day) if r["date"] else (0, 0)
            example = f"{year}-{r['date_month'] or month:02d}-{r['date_day'] or day:02d}"
        ask = (_ASK_YEARLESS if r["date"] is None else _ASK).format(example=example)
        hint = f"；参考日期：{q.suggestion}" if q.suggestion else ""
        # what the question is about (the review list's columns unit, title, date,
        # publication where REVIEW has them): the date as read and the one suggested,
        # so that the question counts against the periods of both
        shown = r["date"].isoformat() if r["date"] else typed_text
        if q.suggestion:
            shown = f"{shown}（或 {q.suggestion}）"
        review.append(
            {
                "type": "date",
                "key": key,
                "file": r["source_file"],
                "row": r["source_row"],
                "text": f"{text_of(r)}，日期写作「{typed_text}」",
                "candidates": q.suggestion,
                "reason": f"{q.reason}{hint}。{ask}",
                "answer": "",
                "date": shown,
                **about_of(r),
            }
        )
    # Answers to questions no longer asked (the file was corrected) are simply unused.
    frame = df.select(base).with_columns(
        pl.Series("date", settled, dtype=pl.Date),
        pl.Series("date_changed", changed, dtype=pl.Boolean),
    )
    if not all(keep):
        frame = frame.filter(pl.Series(keep, dtype=pl.Boolean))
    out = pl.DataFrame(review, schema=schema.REVIEW) if review else schema.empty(schema.REVIEW)
    return DateCheck(frame=frame, review=out)


def _key_date(r: dict) -> str:
    """The date in a question's key: ISO for a full date (however it was typed), 4月17日
    for a year-less one."""
    if r["date"] is not None:
        return r["date"].isoformat()
    return f"{r['date_month']}月{r['date_day']}日"


def _adoption_key(r: dict) -> str:
    typed = _key_date(r)
    number = r.get("_number")
    issue = f"第{number}期" if number is not None else (r.get("issue") or "")
    return "|".join((r["publication"] or "", issue, typed, (r["title"] or "").strip()))


def _adoption_text(r: dict) -> str:
    issue = issue_label(r["publication"], r["issue"])
    return f"{issue}《{r['title']}》（单位：{r['units_raw'] or ''}）"


def _adoption_about(r: dict) -> dict:
    return {
        "unit": r["units_raw"],
        "title": r["title"],
        "publication": issue_label(r["publication"], r["issue"]),
    }


def check_adoption_dates(adoptions: pl.DataFrame, decisions: pl.DataFrame | None) -> DateCheck:
    """Settle the dates of ADOPTIONS (+ DATE_PARTS) rows: year-less dates take the evident
    year (the issue's masthead, the file's rows, the file's name); lone years and
    issue-order outliers are questions; `date` decisions answer them (key:
    「刊物|第N期|日期|标题」). Rows with an open question are held back."""
    return _settle(
        adoptions,
        decisions,
        key_of=_adoption_key,
        text_of=_adoption_text,
        about_of=_adoption_about,
        issue_order=True,
    )


def _event_key(r: dict) -> str:
    typed = _key_date(r)
    parts = ("事项", r["type"] or "", r["unit_raw"] or "", typed, (r["title"] or "").strip())
    return "|".join(parts)


def _event_about(r: dict) -> dict:
    return {"unit": r["unit_raw"], "title": r["title"], "publication": None}


def _event_text(r: dict) -> str:
    title = f"《{r['title']}》" if r.get("title") else ""
    return f"事项「{r['type']}」{title}（单位：{r['unit_raw'] or ''}）"


def check_event_dates(events: pl.DataFrame, decisions: pl.DataFrame | None) -> DateCheck:
    """`check_adoption_dates` for EVENTS (+ DATE_PARTS) rows: year-less dates and lone
    years (an event has no issue number; key: 「事项|类型|单位|日期|标题」)."""
    return _settle(events, decisions, key_of=_event_key, text_of=_event_text, about_of=_event_about)

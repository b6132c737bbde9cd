"""Linking adoptions to the submissions they came from (采用—报送关联).

An adoption is linked to the submission of one of its units, sent on or before the issue
date and at most `window_days` (120, as C1) before it, whose title is the most similar
(editors shorten and retitle: titles are compared after `transforms.grouping` normalises
them and drops stock phrases). A submission's titles are its subject without the unit
label and each attachment's name (`transforms.submissions.submission_titles`).

The work is blocked by unit and, within a unit, by a date window over the unit's
submissions sorted by date, so it stays near linear in the number of adoptions.

Links feed C1 grouping (adoptions from one submission are one article,
`transforms.grouping.group_articles(links=…)`), the adoption rate per unit (采用率,
`transforms.summary.adoption_rate`) and the review list (`no_submission_review`).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import date, datetime, timedelta

import polars as pl
from rapidfuzz import fuzz, process

from transforms import schema
from transforms.grouping import (
    _LEADING_SELF,
    _STOCK,
    DEFAULT_WINDOW_DAYS,
    NUMBER_PENALTY,
    PARTIAL_MIN_LEN,
    _prepare,
    _strip_leading,
    normalize_title,
)
from transforms.submissions import SAFE_TEXT, submission_titles

#: Titles at least this similar (0–100) link an adoption to a submission.
LINK_ACCEPT = 70.0

LINKS = {"adoption_id": pl.String, "submission_id": pl.String, "score": pl.Float64}


def _local_date(t) -> date | None:
    if t is None:
        return None
    return t.date() if isinstance(t, datetime) else t


#: date.toordinal() of 1970-01-01 (polars counts days from it).
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _day_numbers(submissions: pl.DataFrame) -> list[int | None]:
    """`date.toordinal()` of each submission's local date (its `time` in the office zone,
    as `_local_date` reads it), computed in polars."""
    t = submissions["time"]
    if isinstance(t.dtype, pl.Datetime):
        t = t.dt.date()
    elif t.dtype != pl.Date:
        return [None if x is None else _local_date(x).toordinal() for x in t.to_list()]
    return (t.cast(pl.Int32) + _EPOCH_ORDINAL).to_list()


#: Python's str.strip() whitespace (str.isspace), for polars' strip_chars.
_PY_SPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
_HAN = r"\x{4E00}-\x{9FFF}"
_NO_NUMBERS: frozenset[str] = frozenset()


def _subject_step(s: pl.Expr) -> pl.Expr:
    """One round of `subject_title`'s loop (a round that changes nothing changes nothing
    when repeated, so the loop's early exit needs no test)."""
    s = s.str.replace(r"^\s*[【\[〔(（]([^】\]〕)）]{1,30})[】\]〕)）]\s*", "")
    s = s.str.replace(
        r"(?i)^\s*(?:(?:回复|答复|转发|报送|上报|呈报|呈送|re|fw|fwd|转)\s*[:：]?\s*)+", ""
    )
    s = s.str.replace_all(
        r"[【\[〔(（](?:约稿|答复约稿|信息|动态|专报|调研|简讯|应急信息)[】\]〕)）]", ""
    )
    label = s.str.extract(r"^([^:：]{1,12}[:：]\s*)", 1).str.len_chars()
    s = (
        pl.when(label.is_not_null() & (s.str.len_chars() - label >= 4))
        .then(s.str.slice(label))
        .otherwise(s)
    )
    return s.str.strip_chars(_PY_SPACE)


_TRAILING_SOURCE_RS = r"[(\[【〔]([^()\[\]【】〔〕]{1,20})[)\]】〕]\s*$"
_SOURCE_HINT_RS = (
    r"(局|办|委|会|镇|乡|街道|公司|中心|区|院|所|站|队|部|供稿|提供|报送|整理|来稿|撰稿)$"
)


def _has_source(s: pl.Expr) -> pl.Expr:
    inner = s.str.extract(_TRAILING_SOURCE_RS, 1).str.strip_chars(_PY_SPACE)
    return inner.str.contains(_SOURCE_HINT_RS).fill_null(False)


def _source_step(s: pl.Expr) -> pl.Expr:
    """One round of `normalize_title`'s loop over trailing sources."""
    cut = s.str.replace(_TRAILING_SOURCE_RS, "").str.strip_chars_end(_PY_SPACE)
    return pl.when(_has_source(s)).then(cut).otherwise(s)


def _prepared_subjects(subjects: pl.Series, places: tuple[str, ...]) -> list:
    """`_prepare(normalize_title(subject_title(s), places))` of each subject, or None where
    only the Python functions may answer (text outside `SAFE_TEXT`, or a title still
    ending in a source after three rounds). The regex steps run in polars; the leading
    words of `_strip_leading` in Python, for the titles starting with one."""
    s, t = pl.col("s"), pl.col("t")
    generic = ["", "信息", "报送信息", "稿件", "材料", "约稿", "信息报送", "政务信息"]
    # Each round is materialised: an expression repeating its input would grow
    # exponentially with the rounds.
    frame = pl.DataFrame({"s": subjects}).select(
        safe=s.str.contains(SAFE_TEXT).fill_null(False),
        t=s.str.normalize("NFKC").str.strip_chars(_PY_SPACE),
    )
    for _ in range(3):
        frame = frame.with_columns(t=_subject_step(t))
    frame = frame.with_columns(
        t=pl.when(t.is_in(generic)).then(pl.lit("")).otherwise(t)
        .str.normalize("NFKC").str.strip_chars(_PY_SPACE)
    )  # fmt: skip
    for _ in range(3):
        frame = frame.with_columns(t=_source_step(t))
    frame = frame.with_columns(
        safe=pl.col("safe") & ~_has_source(t),
        t=t.str.replace(r"^[^:：]{1,8}[:：]", "").str.replace_all(r"[^\p{L}\p{N}]", ""),
    )
    # `_strip_leading`'s first round in polars when it only drops 关于 and a leading place
    # (「晋阜县」); a title starting with a self word or a given place before that place,
    # or with any leading word after it, takes the Python function from the start.
    live = [p for p in places if p]

    def starts(c: str) -> list[pl.Expr]:
        return [pl.col(c).str.starts_with(w) for w in (*_LEADING_SELF, *live)]

    place = f"^[{_HAN}]{{2}}[市区县][{_HAN}]{{4}}"
    about = pl.col("t").str.starts_with("关于")
    frame = frame.with_columns(t1=pl.when(about).then(pl.col("t").str.slice(2)).otherwise("t"))
    frame = frame.with_columns(
        t2=pl.when(pl.col("t1").str.contains(place)).then(pl.col("t1").str.slice(3)).otherwise("t1")
    )
    again = [pl.col("t2").str.starts_with("关于"), pl.col("t2").str.contains(place)]
    lead = frame.select(pl.any_horizontal(*starts("t1"), *starts("t2"), *again)).to_series()
    lead = lead.arg_true()
    t2 = frame["t2"]
    if lead.len():
        done = [_strip_leading(x, places) for x in frame["t"].gather(lead).to_list()]
        t2 = t2.scatter(lead, done)
    frame = frame.with_columns(t=t2)
    stock = pl.col("t").str.replace_all("|".join(_STOCK), "")
    frame = frame.with_columns(
        core=pl.when(stock.str.len_chars() >= 2).then(stock).otherwise(pl.col("t"))
    ).with_columns(
        nums=pl.col("core").str.extract_all(r"[0-9]+|[〇零一二三四五六七八九十百千万两]+")
    )
    out: list = []
    for safe, core, nums in zip(
        *(frame[c].to_list() for c in ("safe", "core", "nums")), strict=True
    ):
        if not safe:
            out.append(None)
        else:
            out.append((core, frozenset(nums) if nums else _NO_NUMBERS))
    return out


def _best(
    core: str,
    nums: frozenset,
    cands: list[tuple[str, frozenset]],
    cutoff: float,
    cores: list[str] | None = None,
):
    """(index, score) of the candidate title most similar to `core`, or None below
    `cutoff`. Same measure as transforms.grouping.title_similarity, run inside rapidfuzz.
    `cores`: the candidates' cores, when the caller has them already."""
    if not core or not cands:
        return None
    if cores is None:
        cores = [c for c, _ in cands]
    best: dict[int, float] = {}
    for _c, sc, j in process.extract(core, cores, scorer=fuzz.ratio, score_cutoff=cutoff * 0.9):
        best[j] = sc
    if len(core) >= PARTIAL_MIN_LEN:
        for _c, sc, j in process.extract(
            core, cores, scorer=fuzz.partial_ratio, score_cutoff=cutoff * 0.9
        ):
            if len(cores[j]) >= PARTIAL_MIN_LEN and sc > best.get(j, -1.0):
                best[j] = sc
    top = None
    for j, sc in best.items():
        nb = cands[j][1]
        if nums and nb and nums != nb:
            sc *= NUMBER_PENALTY
        if sc >= cutoff and (top is None or sc > top[1]):
            top = (j, float(sc))
    return top


def link_adoptions_to_submissions(
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    submissions: pl.DataFrame,
    accept: float = LINK_ACCEPT,
    window_days: int = DEFAULT_WINDOW_DAYS,
    places: tuple[str, ...] = (),
) -> pl.DataFrame:
    """Frame (adoption_id, submission_id, score): for each adoption, the submission it came
    from, if any reaches `accept`.

    Candidates: submissions whose resolved `unit` is one of the adoption's units, sent on
    a local date in [issue date − window_days, issue date]. The most similar title wins
    (ties: the later submission, the one nearest the issue). Several adoptions may link to
    one submission (the same article in several periodicals)."""
    if adoptions.height == 0 or submissions.height == 0 or "unit" not in submissions.columns:
        return pl.DataFrame(schema=LINKS)
    n = submissions.height

    def col(name: str) -> list:
        return submissions[name].to_list() if name in submissions.columns else [None] * n

    units_of: dict[str, list[str]] = defaultdict(list)
    if adoption_units.height:
        for aid, unit in adoption_units.select("adoption_id", "unit").unique().iter_rows():
            if unit is not None:
                units_of[aid].append(unit)

    # Per unit, the days of its adoptions: a submission matters only when one of them
    # falls in [its day, its day + window_days] (its titles are prepared only then).
    adoption_days: dict[str, list[int]] = defaultdict(list)
    for aid, d in adoptions.select("adoption_id", "date").iter_rows():
        if d is not None:
            for unit in units_of.get(aid, ()):
                adoption_days[unit].append(d.toordinal())
    for v in adoption_days.values():
        v.sort()

    # Per unit: submissions sorted by date, one entry per title they carry. Only the
    # submissions with an adoption of their unit in [their day, their day + window_days]
    # (found in polars); subjects without attachments prepared in polars
    # (`_prepared_subjects`), any other in Python.
    day_numbers = _day_numbers(submissions)
    frame = pl.DataFrame(
        {
            "sid": col("submission_id"),
            "unit": col("unit"),
            "day": day_numbers,
            "subject": col("subject"),
            "att": col("attachments"),
        },
        schema={"sid": pl.String, "unit": pl.String, "day": pl.Int64,
                "subject": pl.String, "att": pl.String},
    ).with_row_index("i")  # fmt: skip
    seen = (
        pl.DataFrame(
            [(u, d) for u, ds in adoption_days.items() for d in ds],
            schema={"unit": pl.String, "next": pl.Int64},
            orient="row",
        )
        .unique()
        .sort("next")
    )
    frame = (
        frame.filter(
            pl.col("unit").is_not_null() & pl.col("day").is_not_null() & pl.col("sid").is_not_null()
        )
        .sort("day")
        .join_asof(
            seen,
            left_on="day",
            right_on="next",
            by="unit",
            strategy="forward",
            check_sortedness=False,  # both sorted above
        )
        .filter(pl.col("next") <= pl.col("day") + window_days)
        .sort("i")
    )
    plain = frame["att"].is_null()
    fast = _prepared_subjects(frame.filter(plain)["subject"], places)
    fast_of = dict(zip(frame.filter(plain)["i"].to_list(), fast, strict=True))
    per_unit: dict[str, list[tuple[int, str, tuple[str, frozenset]]]] = defaultdict(list)
    for i, sid, unit, day, subj, att in frame.select(
        "i", "sid", "unit", "day", "subject", "att"
    ).iter_rows():
        prepared = fast_of.get(i)
        if prepared is not None:
            if prepared[0]:
                per_unit[unit].append((day, sid, prepared))
            continue
        for title in submission_titles(subj, att):
            prepared = _prepare(normalize_title(title, places))
            if prepared[0]:
                per_unit[unit].append((day, sid, prepared))
    for v in per_unit.values():
        v.sort(key=lambda x: (x[0], x[1]))
    days = {u: [x[0] for x in v] for u, v in per_unit.items()}
    cores = {u: [x[2][0] for x in v] for u, v in per_unit.items()}
    titles = {u: [x[2] for x in v] for u, v in per_unit.items()}

    out = []
    ad = schema.conform(adoptions, schema.ADOPTIONS)
    for aid, title, d in ad.select("adoption_id", "title", "date").iter_rows():
        if d is None or aid not in units_of:
            continue
        core, nums = _prepare(normalize_title(title, places))
        hi = d.toordinal()
        lo = (d - timedelta(days=window_days)).toordinal()
        best = None  # (score, day, submission_id)
        for unit in sorted(units_of[aid]):
            entries = per_unit.get(unit)
            if not entries:
                continue
            i, j = bisect.bisect_left(days[unit], lo), bisect.bisect_right(days[unit], hi)
            window = entries[i:j]
            hit = _best(core, nums, titles[unit][i:j], accept, cores[unit][i:j])
            if hit is None:
                continue
            k, sc = hit
            cand = (sc, window[k][0], window[k][1])
            if best is None or cand[:2] > best[:2]:
                best = cand
        if best is not None:
            out.append({"adoption_id": aid, "submission_id": best[2], "score": best[0]})
    return pl.DataFrame(out, schema=LINKS) if out else pl.DataFrame(schema=LINKS)


def no_submission_review(
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    submissions: pl.DataFrame,
    links: pl.DataFrame,
    decisions: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Review rows (type `no_submission`, key the adoption_id) for adoptions linked to no
    submission although one of their units has submissions in the issue's month (so the
    logs should show where it came from). An adoption answered in decisions.csv is not
    asked again."""
    if adoptions.height == 0 or "unit" not in submissions.columns or submissions.height == 0:
        return schema.empty(schema.REVIEW)
    logged = set()
    for unit, t in submissions.select("unit", "time").iter_rows():
        d = _local_date(t)
        if unit is not None and d is not None:
            logged.add((unit, d.year, d.month))
    linked = set(links["adoption_id"].to_list()) if links.height else set()
    answered = set()
    if decisions is not None and decisions.height:
        answered = set(
            decisions.filter(pl.col("type") == "no_submission")["key"].cast(pl.String).to_list()
        )
    units_of: dict[str, list[str]] = defaultdict(list)
    for aid, unit in adoption_units.select("adoption_id", "unit").iter_rows():
        if unit is not None and unit not in units_of[aid]:
            units_of[aid].append(unit)
    rows = []
    ad = schema.conform(adoptions, schema.ADOPTIONS)
    for r in ad.iter_rows(named=True):
        aid, d = r["adoption_id"], r["date"]
        if aid in linked or aid in answered or d is None:
            continue
        with_logs = [u for u in units_of.get(aid, []) if (u, d.year, d.month) in logged]
        if not with_logs:
            continue
        issue = r["issue"] or d.isoformat()
        rows.append(
            {
                "type": "no_submission",
                "key": aid,
                "file": r["source_file"],
                "row": r["source_row"],
                "text": f"《{r['publication']}》{issue}「{r['title']}」（{'、'.join(with_logs)}）",
                "candidates": "",
                "reason": (
                    "报送记录中找不到与该采用信息对应的报送邮件（同一单位、刊发前120天内、标题相近）："
                    "请核实是否漏记报送；核实后可在 decisions.csv 中填写答复"
                ),
                "answer": "",
            }
        )
    return pl.DataFrame(rows, schema=schema.REVIEW) if rows else schema.empty(schema.REVIEW)

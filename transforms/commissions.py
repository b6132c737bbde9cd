"""Commissions (约稿): which were answered on time, late or not at all.

A `约稿` event opens a commission: its `date` is the due date, its `unit` the commissioned
unit (a field naming several units, 「发改局、教育局」, is one commission per unit:
`expand_commission_units`). A submission of the same unit answers it when it is marked as
an answer (kind 约稿, or 约稿 in the subject) or its title is similar to the event's title.
Sent at or before the due time — the end of the due day in the office's zone, i.e. a local
date on or before the due date (submission times are already in the office zone, C7) — it
is 按时; later, 逾期; none, 未报 when the mail logs cover the due month (C5), else 未知.
A status the office records by hand (按时, 逾期, 未报 and their synonyms) wins.

Pure functions over rows and polars frames.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import LCSseq

from transforms import schema
from transforms.errors import InputError
from transforms.grouping import (
    _prepare,
    _similarity,
    normalize_title,
    prepare_titles,
    similarity_bound,
)
from transforms.submissions import subject_titles, submission_titles

ON_TIME, LATE, MISSING, UNKNOWN = "按时", "逾期", "未报", "未知"
STATUS_WORDS = {
    "按时": ON_TIME,
    "已报": ON_TIME,
    "完成": ON_TIME,
    "已完成": ON_TIME,
    "按时完成": ON_TIME,
    "逾期": LATE,
    "迟报": LATE,
    "超时": LATE,
    "未按要求": LATE,
    "未报": MISSING,
    "未完成": MISSING,
    "未交": MISSING,
}

#: Separators of several units in one commission's unit field.
UNIT_SEPARATORS = r"[、；;]"
#: An answer is looked for at most this many days before the due date.
WINDOW_DAYS = 120
#: Title similarity (transforms.grouping.title_similarity) that makes a submission the answer.
SAME_TITLE = 80.0

#: COMMISSIONS plus what the derivation found.
COMMISSION_TABLE = {
    **schema.COMMISSIONS,
    "event_id": pl.String,
    "derived": pl.Boolean,
    "submission_id": pl.String,
    "sent": pl.Datetime("us", "Asia/Shanghai"),
    "source_file": pl.String,
    "source_row": pl.Int64,
}


def expand_commission_units(events: pl.DataFrame, event_type: str = "约稿") -> pl.DataFrame:
    """One row per commissioned unit: a `event_type` row whose `unit_raw` names several
    units (separated by 、；;) becomes one row per unit, `event_id` suffixed `#1`, `#2` … in
    the order written. Other rows are unchanged."""
    if events.height == 0 or "unit_raw" not in events.columns:
        return events
    rows = []
    for r in events.iter_rows(named=True):
        names = [r["unit_raw"]]
        if r["type"] == event_type and r["unit_raw"]:
            names = [p.strip() for p in re.split(UNIT_SEPARATORS, r["unit_raw"]) if p.strip()]
        if len(names) <= 1:
            rows.append(r)
            continue
        for k, name in enumerate(names, start=1):
            rows.append({**r, "unit_raw": name, "event_id": f"{r.get('event_id') or ''}#{k}"})
    return pl.DataFrame(rows, schema=events.schema)


def _local_date(t) -> date | None:
    if t is None:
        return None
    return t.date() if isinstance(t, datetime) else t


def _rows(x: Iterable[dict] | pl.DataFrame | None) -> list[dict]:
    if x is None:
        return []
    if isinstance(x, pl.DataFrame):
        return list(x.iter_rows(named=True))
    return [dict(r) for r in x]


def commission_rows(
    events: Iterable[dict] | pl.DataFrame,
    submissions: Iterable[dict] | pl.DataFrame | None,
    *,
    event_type: str = "约稿",
    marker: str = "约稿",
    same: float = SAME_TITLE,
    window_days: int = WINDOW_DAYS,
    places: tuple[str, ...] = (),
    log_months: Iterable[tuple[int, int]] | None = None,
) -> list[dict]:
    """Each `event_type` event (with a resolved `unit`) as a dict with `status`, `derived`
    (True when it came from the mail logs), `submission_id` and `sent` (the answer found).

    Per unit, commissions in due-date order take answers from the unit's submissions, each
    submission answering at most one commission: first the submission whose title is most
    similar to the commission's title (>= `same`, sent at most `window_days` before the
    due date or any time after it; ties: the earlier); else the earliest marked submission
    (kind or subject containing `marker`) sent after the unit's previous commission's due
    date, within the window, that is not the title match of another of the unit's
    commissions. Without an answer a commission is 未报 when its due month holds mail logs
    (C5): `log_months`, the (year, month) of each such month, by default the months of the
    submissions' local dates; else 未知.
    A recorded status that is not a known word is an InputError naming the row.
    """
    evs = [e for e in _rows(events) if e.get("type") == event_type]
    evs.sort(key=lambda e: (e["date"], e.get("source_file") or "", e.get("source_row") or 0))
    out: list[dict] = []
    derived: list[dict] = []
    for e in evs:
        given = (e.get("status") or "").strip()
        r = dict(e)
        r.update(submission_id=None, sent=None)
        if given:
            if given not in STATUS_WORDS:
                raise InputError(
                    f"约稿状态「{given}」无法识别，请填写：按时、逾期或未报（或留空，按报送记录判断）",
                    file=e.get("source_file"),
                    row=e.get("source_row"),
                )
            r["status"], r["derived"] = STATUS_WORDS[given], False
        else:
            r["status"], r["derived"] = None, True
            derived.append(r)
        out.append(r)
    if not derived:
        return out
    # Only commissions without a recorded status look for their answer in the mail logs.
    for c in derived:
        c["_title"] = _prepare(normalize_title(c.get("title"), places)) if c.get("title") else None
    by_unit, months = _answers(
        submissions,
        derived,
        marker=marker,
        same=same,
        window_days=window_days,
        places=places,
        months=log_months is None,
    )
    if log_months is not None:
        months = set(log_months)
    _assign(derived, by_unit, months, same=same, window_days=window_days)
    for c in derived:
        c.pop("_title", None)
    return out


def _score(c: dict, s: dict) -> float:
    """Title similarity of a commission and a candidate answer (0 without a title)."""
    t = c.get("_title")
    if not t or not t[0]:
        return 0.0
    return max((_similarity(t, st) for st in s["_titles"]), default=0.0)


def _assign(
    derived: list[dict],
    by_unit: dict[str, list[dict]],
    log_months: set[tuple[int, int]],
    *,
    same: float,
    window_days: int,
) -> None:
    """Status, submission_id and sent of each derived commission (in due-date order), from
    the candidate answers of its unit (`_candidate` dicts in time order)."""
    used: set[int] = set()
    last_due: dict[str, date] = {}
    mine: dict[str, list[dict]] = defaultdict(list)
    for c in derived:
        mine[c.get("unit")].append(c)
    for c in derived:
        unit, due = c.get("unit"), c["date"]
        after = last_due.get(unit)
        last_due[unit] = due
        earliest = due - timedelta(days=window_days)
        cands = [s for s in by_unit.get(unit, []) if id(s) not in used and s["date"] >= earliest]
        pick = None
        scored = [(_score(c, s), s) for s in cands]
        best = max((sc for sc, _ in scored), default=0.0)
        if best >= same:
            pick = next(s for sc, s in scored if sc == best)
        else:
            others = [o for o in mine[unit] if o is not c and o["status"] is None]
            for s in cands:
                if not s["_marked"] or (after is not None and s["date"] <= after):
                    continue
                if any(_score(o, s) >= same for o in others):
                    continue  # the answer to another of the unit's commissions
                pick = s
                break
        if pick is not None:
            used.add(id(pick))
            c["status"] = ON_TIME if pick["date"] <= due else LATE
            c["submission_id"] = pick.get("submission_id")
            c["sent"] = pick.get("time")
        elif (due.year, due.month) in log_months:
            c["status"] = MISSING
        else:
            c["status"] = UNKNOWN


def _candidate(s: dict, d: date, marker: str, places: tuple[str, ...]) -> dict:
    """A submission as `_assign` reads it: its columns, its local `date`, `_marked` and its
    prepared `_titles`."""
    text = (s.get("kind") or "") + (s.get("subject") or "")
    titles = submission_titles(s.get("subject"), s.get("attachments"))
    return {
        **s,
        "date": d,
        "_marked": marker in text,
        "_titles": [_prepare(normalize_title(t, places)) for t in titles],
    }


def _answers(
    submissions: Iterable[dict] | pl.DataFrame | None,
    derived: list[dict],
    *,
    marker: str,
    same: float,
    window_days: int,
    places: tuple[str, ...],
    months: bool,
) -> tuple[dict[str, list[dict]], set[tuple[int, int]]]:
    """Per unit of a derived commission, the submissions that may answer one (`_candidate`
    dicts sorted by date, time, submission id; the order of the logs on ties), and (with
    `months`) the (year, month) of every submission's local date.

    Only a unit's submissions dated from its earliest due date minus `window_days` are
    candidates (a later one may answer late). Of a frame (a province logs a million
    submissions), only those that can be picked become dicts: marked ones, and ones with
    a title that may be `same` or more similar to a commission title of their unit
    (`_similar`); any other is never picked and changes no pick."""
    since: dict[str, date] = {}
    for c in derived:
        unit = c.get("unit")
        if unit:
            earliest = c["date"] - timedelta(days=window_days)
            if unit not in since or earliest < since[unit]:
                since[unit] = earliest
    found = None
    if isinstance(submissions, pl.DataFrame):
        found = _frame_answers(submissions, derived, since, marker, same, places, months)
    if found is None:
        found = _row_answers(submissions, since, marker, places)
    by_unit, log_months = found
    for v in by_unit.values():
        v.sort(key=lambda s: (s["date"], str(s.get("time") or ""), s.get("submission_id") or ""))
    return by_unit, log_months


def _row_answers(
    submissions: Iterable[dict] | pl.DataFrame | None,
    since: dict[str, date],
    marker: str,
    places: tuple[str, ...],
) -> tuple[dict[str, list[dict]], set[tuple[int, int]]]:
    """`_answers` row by row, without the title screen."""
    if submissions is None:
        subs: Iterable[dict] = []
    elif isinstance(submissions, pl.DataFrame):
        subs = submissions.iter_rows(named=True)
    else:
        subs = submissions  # read, never changed: no copy of each row
    log_months: set[tuple[int, int]] = set()
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for s in subs:
        d = s.get("date") or _local_date(s.get("time"))
        if d is None:
            continue
        log_months.add((d.year, d.month))
        unit = s.get("unit")
        if not unit or unit not in since or d < since[unit]:
            continue
        by_unit[unit].append(_candidate(s, d, marker, places))
    return by_unit, log_months


#: How far below `same` a raw rapidfuzz score keeps a submission for the exact comparison.
_PRUNE_MARGIN = 1.0
_TEXT_TYPES = (pl.String, pl.Null)


def _frame_day(df: pl.DataFrame) -> pl.Expr | None:
    """`date`, else the date of `time` in its own zone, as polars: the local date the rows
    give (None when a column's type could make the rows read otherwise)."""
    parts = []
    for name in ("date", "time"):
        if name not in df.columns:
            continue
        dtype = df.schema[name]
        if dtype in (pl.Date, pl.Null):
            parts.append(pl.col(name).cast(pl.Date))
        elif name == "time" and isinstance(dtype, pl.Datetime):
            parts.append(pl.col(name).dt.date())
        else:
            return None
    if not parts:
        return pl.lit(None, pl.Date)
    return pl.coalesce(parts) if len(parts) > 1 else parts[0]


def _frame_answers(
    df: pl.DataFrame,
    derived: list[dict],
    since: dict[str, date],
    marker: str,
    same: float,
    places: tuple[str, ...],
    months: bool,
) -> tuple[dict[str, list[dict]], set[tuple[int, int]]] | None:
    """`_answers` of a frame in polars (None when its column types need the rows)."""
    day = _frame_day(df)
    cols = ("unit", "kind", "subject", "attachments")
    if day is None or any(c in df.columns and df.schema[c] not in _TEXT_TYPES for c in cols):
        return None
    if any(type(d) is not date for d in since.values()):
        return None
    log_months: set[tuple[int, int]] = set()
    if months:
        ym = df.select(day.alias("d")).drop_nulls().unique()
        ym = ym.select(pl.col("d").dt.year().alias("y"), pl.col("d").dt.month().alias("m"))
        log_months = set(ym.unique().iter_rows())

    def col(name: str) -> pl.Expr:
        return pl.col(name).cast(pl.String) if name in df.columns else pl.lit(None, pl.String)

    starts = pl.DataFrame(
        {"unit": list(since), "since": list(since.values())},
        schema={"unit": pl.String, "since": pl.Date},
    )
    kind, subject = pl.col("kind").fill_null(""), pl.col("subject").fill_null("")
    pool = (
        df.lazy()
        .with_row_index("i")
        .select(
            "i",
            unit=col("unit"),
            d=day,
            kind=col("kind"),
            subject=col("subject"),
            att=col("attachments"),
        )
        .filter(pl.col("unit").is_in(list(since)))
        .join(starts.lazy(), on="unit", how="inner")
        .filter(pl.col("d") >= pl.col("since"))
        .select(
            "i",
            "unit",
            "subject",
            "att",
            marked=pl.concat_str(kind, subject).str.contains(marker, literal=True),
        )
        .collect()
    )
    if same > _PRUNE_MARGIN:
        keep = set(pool.filter("marked")["i"].to_list())
        keep |= _similar(pool.filter(~pl.col("marked")), derived, same, places)
    else:  # every submission scores at least `same`
        keep = set(pool["i"].to_list())
    by_unit: dict[str, list[dict]] = defaultdict(list)
    rows = df.select(pl.all().gather(sorted(keep))) if keep else df.clear()
    for s in rows.iter_rows(named=True):
        d = s.get("date") or _local_date(s.get("time"))
        by_unit[s["unit"]].append(_candidate(s, d, marker, places))
    return by_unit, log_months


def _similar(
    pool: pl.DataFrame, derived: list[dict], same: float, places: tuple[str, ...]
) -> set[int]:
    """The rows (`i`) of `pool` (columns i, unit, subject, att) with a title that may be
    `same` or more similar to a commission title of its unit. Subjects without attachments
    are prepared in polars, the rest in Python.

    Titles whose `similarity_bound` stays under `same - _PRUNE_MARGIN` for every
    commission title of their unit never reach `same`."""
    titles: dict[str, list[str]] = defaultdict(list)
    for c in derived:
        t = c.get("_title")
        if c.get("unit") and t and t[0]:
            titles[c["unit"]].append(t[0])
    pool = pool.filter(pl.col("unit").is_in(list(titles)))
    if not titles or pool.height == 0:
        return set()
    plain = pool.filter(pl.col("att").is_null())
    cores, _ = prepare_titles(subject_titles(plain["subject"]), places)
    fast = pl.DataFrame(
        {"i": plain["i"], "unit": plain["unit"], "core": pl.Series(cores, dtype=pl.String)}
    )
    slow = [
        (i, unit, _prepare(normalize_title(t, places))[0])
        for i, unit, subject, att in pool.join(fast, on="i", how="anti")
        .select("i", "unit", "subject", "att")
        .iter_rows()
        for t in submission_titles(subject, att)
    ]
    cores = pl.concat([fast, pl.DataFrame(slow, schema=fast.schema, orient="row")]).filter(
        pl.col("core") != ""
    )
    cut = same - _PRUNE_MARGIN
    keep: set[int] = set()
    for unit, rows, texts in cores.group_by("unit").agg("i", "core").iter_rows():
        queries = titles[unit]
        common = process.cdist(queries, texts, scorer=LCSseq.similarity, dtype=np.int32)
        la = np.array([len(q) for q in queries], dtype=np.int64)[:, None]
        lb = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))[None, :]
        bound = similarity_bound(common, la, lb)
        keep.update(np.asarray(rows)[(bound >= cut).any(axis=0)].tolist())
    return keep


def commission_table(
    events: pl.DataFrame,
    submissions: pl.DataFrame,
    *,
    event_type: str = "约稿",
    marker: str = "约稿",
    places: tuple[str, ...] = (),
) -> pl.DataFrame:
    """The COMMISSIONS frame (plus event_id, derived, submission_id, sent, source_file,
    source_row) of every commission; `points` is null (the scheme fills it)."""
    rows = commission_rows(events, submissions, event_type=event_type, marker=marker, places=places)
    tz = "Asia/Shanghai"
    if "time" in submissions.columns and isinstance(submissions.schema["time"], pl.Datetime):
        tz = submissions.schema["time"].time_zone or tz
    table = {**COMMISSION_TABLE, "sent": pl.Datetime("us", tz)}
    if not rows:
        return pl.DataFrame(schema=table)
    recs = [{k: r.get(k) for k in table} for r in rows]
    return pl.DataFrame(recs, schema=table, strict=False)

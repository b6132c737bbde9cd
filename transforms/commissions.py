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

import polars as pl

from transforms import schema
from transforms.errors import InputError
from transforms.grouping import _prepare, _similarity, normalize_title
from transforms.submissions import submission_titles

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
    submissions: Iterable[dict] | pl.DataFrame,
    *,
    event_type: str = "约稿",
    marker: str = "约稿",
    same: float = SAME_TITLE,
    window_days: int = WINDOW_DAYS,
    places: tuple[str, ...] = (),
) -> list[dict]:
    """Each `event_type` event (with a resolved `unit`) as a dict with `status`, `derived`
    (True when it came from the mail logs), `submission_id` and `sent` (the answer found).

    Per unit, commissions in due-date order take answers from the unit's submissions, each
    submission answering at most one commission: first the submission whose title is most
    similar to the commission's title (>= `same`, sent at most `window_days` before the
    due date; ties: the earlier); else the earliest marked submission (kind or subject
    containing `marker`) sent after the unit's previous commission's due date, within the
    window, that is not the title match of another of the unit's commissions.
    A recorded status that is not a known word is an InputError naming the row.
    """
    evs = [e for e in _rows(events) if e.get("type") == event_type]
    # Only the units of commissions without a recorded status look for their answer in the
    # mail logs: only their submissions need titles (a province has a million others).
    asking = {e.get("unit") for e in evs if not (e.get("status") or "").strip()}
    # Read, never changed: no copy of each row.
    if submissions is None:
        subs: Iterable[dict] = []
    elif isinstance(submissions, pl.DataFrame):
        subs = submissions.iter_rows(named=True)
    else:
        subs = submissions

    log_months: set[tuple[int, int]] = set()
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for s in subs:
        d = s.get("date") or _local_date(s.get("time"))
        if d is None:
            continue
        log_months.add((d.year, d.month))
        if not s.get("unit") or s["unit"] not in asking:
            continue
        text = (s.get("kind") or "") + (s.get("subject") or "")
        titles = submission_titles(s.get("subject"), s.get("attachments"))
        by_unit[s["unit"]].append(
            {
                **s,
                "date": d,
                "_marked": marker in text,
                "_titles": [_prepare(normalize_title(t, places)) for t in titles],
            }
        )
    for v in by_unit.values():
        v.sort(key=lambda s: (s["date"], str(s.get("time") or ""), s.get("submission_id") or ""))

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

    def score(c: dict, s: dict) -> float:
        t = c.get("_title")
        if not t or not t[0]:
            return 0.0
        return max((_similarity(t, st) for st in s["_titles"]), default=0.0)

    for c in derived:
        c["_title"] = _prepare(normalize_title(c.get("title"), places)) if c.get("title") else None

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
        scored = [(score(c, s), s) for s in cands]
        best = max((sc for sc, _ in scored), default=0.0)
        if best >= same:
            pick = next(s for sc, s in scored if sc == best)
        else:
            others = [o for o in mine[unit] if o is not c and o["status"] is None]
            for s in cands:
                if not s["_marked"] or (after is not None and s["date"] <= after):
                    continue
                if any(score(o, s) >= same for o in others):
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
    for c in derived:
        c.pop("_title", None)
    return out


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

"""Tiny hand-made ScoringInputs for scheme tests (no readers, no matching)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl

from schemes.contract import ScoringInputs
from transforms.schema import ADOPTION_UNITS, ADOPTIONS, EVENTS, SUBMISSIONS, UNITS, conform

TZ = ZoneInfo("Asia/Shanghai")


def d(text: str) -> date:
    return date.fromisoformat(text)


def adoption(pub, day, title, units, kind=None, issue=None, article=None) -> dict:
    """One adopted article; `units` a name or a list (joint article)."""
    return dict(
        publication=pub,
        date=d(day),
        title=title,
        units=[units] if isinstance(units, str) else list(units),
        kind=kind,
        issue=issue,
        article_id=article or title,
    )


def event(day, type_, unit, title=None, level=None, value=None, status=None, article=None):
    return dict(
        date=d(day),
        type=type_,
        unit=unit,
        title=title,
        level=level,
        value=value,
        status=status,
        article_id=article,
    )


def mail(when: str, unit: str | None, subject: str = "信息", kind: str | None = None) -> dict:
    """A submission at `when` (`2018-04-03` or `2018-04-03 18:00`), local time."""
    t = datetime.fromisoformat(when if " " in when else when + " 09:00").replace(tzinfo=TZ)
    return dict(time=t, unit=unit, subject=subject, kind=kind)


def make_inputs(units: pl.DataFrame, adoptions=(), events=(), submissions=()) -> ScoringInputs:
    a_rows, au_rows = [], []
    for i, a in enumerate(adoptions):
        aid = f"a{i}"
        a_rows.append(
            dict(
                adoption_id=aid,
                publication=a["publication"],
                issue=a["issue"],
                date=a["date"],
                title=a["title"],
                units_raw="、".join(a["units"]),
                kind=a["kind"],
                source_file="adoptions/test.csv",
                source_row=i + 2,
                article_id=a["article_id"],
            )
        )
        for pos, u in enumerate(a["units"]):
            au_rows.append(
                dict(
                    adoption_id=aid,
                    unit=u,
                    position=pos,
                    n_units=len(a["units"]),
                    method="exact",
                    score=100.0,
                )
            )
    adoptions_df = _frame(a_rows, ADOPTIONS, {"article_id": pl.String})
    au_df = _frame(au_rows, ADOPTION_UNITS)

    e_rows = []
    for i, e in enumerate(events):
        e_rows.append(
            dict(
                e,
                event_id=f"e{i}",
                unit_raw=e["unit"],
                note=None,
                source_file="events/test.csv",
                source_row=i + 2,
            )
        )
    events_df = _frame(e_rows, EVENTS, {"unit": pl.String, "article_id": pl.String})

    s_rows = []
    for i, s in enumerate(submissions):
        s_rows.append(
            dict(
                s,
                submission_id=f"s{i}",
                sender=None,
                unit_raw=s["unit"],
                source_file="submissions/test.csv",
                source_row=i + 2,
            )
        )
    subs_df = _frame(s_rows, SUBMISSIONS, {"unit": pl.String})
    return ScoringInputs(conform(units, UNITS), adoptions_df, au_df, events_df, subs_df)


def _frame(rows: list[dict], schema: dict, extra: dict | None = None) -> pl.DataFrame:
    full = {**schema, **(extra or {})}
    if not rows:
        return pl.DataFrame(schema=full)
    cols = {k: [r.get(k) for r in rows] for k in full}
    return pl.DataFrame(cols, schema=full)


def roster(*pairs: tuple[str, str]) -> pl.DataFrame:
    """A small roster from (unit, group) pairs."""
    return pl.DataFrame(
        {
            "unit": [u for u, _ in pairs],
            "group": [g for _, g in pairs],
            "aliases": [[] for _ in pairs],
            "emails": [[] for _ in pairs],
        },
        schema=UNITS,
    )

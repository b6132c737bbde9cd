"""Submissions (报送): months without any submission."""

from __future__ import annotations

from schemes import engine as E
from schemes.kinds.base import Context, Kind, Stage, register


def _items(ctx: Context, rule, period, stage: Stage) -> None:
    rows, notes = E.silent_month_rows(ctx.prep, period, rule, rule.points)
    stage.rows += rows
    stage.notes += notes


def _quotas(ctx: Context, rule, period) -> list[dict]:
    return E.silent_month_table(ctx.prep, period, rule, rule.points)


register(
    Kind(
        "silent_month",
        "A unit without any submission in a month (holding mail logs, C5): `points`.",
        fields=("points",),
        items=_items,
        quotas=_quotas,
    )
)

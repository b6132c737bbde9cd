"""Submission quotas (报送任务): submissions counted per window against a threshold per group."""

from __future__ import annotations

from schemes import engine as E
from schemes.kinds.base import Context, Kind, Stage, register


def quota(ctx: Context, rule) -> E.Quota:
    """The engine's Quota of a `quota` rule."""
    key = ("quota", rule.id)
    if key not in ctx.cache:
        if rule.by_group:
            thresholds = {g.group: g.count for g in rule.by_group}
        elif rule.count is not None:
            thresholds = {g.name: rule.count for g in ctx.reg.groups}
        else:
            thresholds = {}
        ctx.cache[key] = E.Quota(
            rule,
            thresholds,
            window=rule.window or "quarter",
            met_points=rule.met_points or 0.0,
            missed_points=rule.missed_points or 0.0,
            per_missing=rule.per_missing or 0.0,
            words=rule.words,
        )
    return ctx.cache[key]


def _items(ctx: Context, rule, period, stage: Stage) -> None:
    """The windows of `period`: a row per unit and window missed (or met with points); C5:
    a window without any mail logs is not judged (noted)."""
    rows, notes = E.quota_rows(ctx.prep, period, quota(ctx, rule))
    if rule.label:  # what is counted, in the note: 报送动态信息 3 条
        for r in rows:
            r["note"] = r["note"].replace("报送 ", f"报送{rule.label} ", 1)
    stage.rows += rows
    stage.notes += notes


def _quotas(ctx: Context, rule, period) -> list[dict]:
    return E.quota_table(ctx.prep, period, quota(ctx, rule))


register(
    Kind(
        "quota",
        "Submissions (those whose kind or subject holds one of `words`; all when empty) "
        "counted per `window` (month, bimonth, quarter, year) against each group's threshold "
        "(`by_group`, or `count` for every group): `met_points` when reached, else `missed_points` plus `per_missing` per "
        "submission short. C5: a window without any mail logs is not judged. `label` names "
        "what is counted in the ledger note.",
        fields=(
            "window",
            "by_group",
            "count",
            "met_points",
            "missed_points",
            "per_missing",
            "words",
            "label",
        ),
        items=_items,
        quotas=_quotas,
    )
)

"""Events (事项): fixed or per-value points, and escalating penalties."""

from __future__ import annotations

from schemes import engine as E
from schemes.kinds.base import Context, Kind, Stage, register


def _source(ctx: Context, rule) -> list[dict]:
    """The events a rule reads: the commissions of the rule's statuses, or the events."""
    if rule.commissions:
        return [c for c in ctx.commissions if c["status"] in rule.commissions]
    return ctx.prep.events


def _event(ctx: Context, rule, period, stage: Stage) -> None:
    types = rule.events or ((ctx.reg.commissions.event,) if rule.commissions else ())
    spec = E.EventRule(
        types,
        rule,
        points=rule.points or 0.0,
        per_value=rule.per_value,
        default_value=rule.default_value,
        cap=rule.cap,
        label=rule.label,
    )
    stage.rows += E.event_rows(_source(ctx, rule), period, spec)


register(
    Kind(
        "event",
        "Each event of `events` (or each commission of the statuses `commissions`) earns "
        "`points`, or `per_value` × its value (`default_value` when empty) up to `cap`.",
        fields=("events", "commissions", "points", "per_value", "default_value", "cap", "label"),
        items=_event,
    )
)


def _escalating(ctx: Context, rule, period, stage: Stage) -> None:
    types = rule.events or ((ctx.reg.commissions.event,) if rule.commissions else ())
    pen = E.EscalatingPenalty(types, rule, rule.amounts, rule.cumulative)
    stage.rows += E.escalating_rows(_source(ctx, rule), period, pen)


register(
    Kind(
        "escalating",
        "The n-th event of `events` in a unit's year costs `amounts[n-1]` (the last repeats; "
        "`cumulative`: the amounts are totals after n events).",
        fields=("events", "commissions", "amounts", "cumulative"),
        items=_escalating,
    )
)

"""Events (事项): fixed or per-value points, and escalating penalties."""

from __future__ import annotations

from dataclasses import replace

from schemes import engine as E
from schemes.kinds.base import Context, Kind, Stage, register, title_of


def _source(ctx: Context, rule) -> list[dict]:
    """The events a rule reads: the commissions of the rule's statuses, or the events."""
    if rule.commissions:
        return [c for c in ctx.commissions if c["status"] in rule.commissions]
    return ctx.prep.events


def _event(ctx: Context, rule, period, stage: Stage) -> None:
    types = rule.events or ((ctx.reg.commissions.event,) if rule.commissions else ())
    source = _source(ctx, rule)
    if rule.deduction:  # C6: the value is the deduction's size, whatever its sign
        source = [_negated(e) if e["type"] in types else e for e in source]
    labels = [(s.status, s.label) for s in rule.status_labels] or [(None, rule.label)]
    for status, label in labels:
        spec = E.EventRule(
            types,
            rule,
            points=rule.points or 0.0,
            per_value=rule.per_value,
            default_value=rule.default_value,
            cap=rule.cap,
            label=label,
        )
        mine = source if status is None else [e for e in source if e["status"] == status]
        if "{status}" not in label:
            stage.rows += E.event_rows(mine, period, spec)
            continue
        for e in mine:  # the label names each commission's status
            named = label.replace("{status}", e.get("status") or "")
            stage.rows += E.event_rows([e], period, replace(spec, label=named))


def _negated(e: dict) -> dict:
    return e if e.get("value") is None else {**e, "value": -abs(e["value"])}


def _commission_remark(ctx: Context, rule, c: dict, period) -> str | None:
    """The unit's remark on a commission of the rule's statuses (`remark`: the words after
    it)."""
    if rule.remark is None or c["status"] not in rule.commissions:
        return None
    return f"约稿{title_of(c)}{c['status']}" + (f"，{rule.remark}" if rule.remark else "")


register(
    Kind(
        "event",
        "Each event of `events` (or each commission of the statuses `commissions`) earns "
        "`points`, or `per_value` × its value (`default_value` when empty) up to `cap` "
        "(`deduction`: the value is a deduction's size, whatever its sign, C6); the note "
        "says `label` (`{status}` in it: the commission's status), or per commission "
        "status its `status_labels`; `remark`: the unit's remark on such a commission.",
        fields=(
            "events",
            "commissions",
            "points",
            "per_value",
            "default_value",
            "cap",
            "label",
            "status_labels",
            "deduction",
            "remark",
        ),
        items=_event,
        commission_remark=_commission_remark,
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

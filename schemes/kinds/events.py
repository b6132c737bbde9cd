"""Events (事项): fixed or per-value points, and escalating penalties."""

from __future__ import annotations

from schemes import engine as E
from schemes.kinds.base import Context, Kind, Stage, register, title_of
from transforms.periods import month_of, quarter_of


def _source(ctx: Context, rule) -> list[dict]:
    """The events a rule reads: the commissions of the rule's statuses (those the rules
    score), or the events."""
    if rule.commissions:
        return [c for c in ctx.scored if c["status"] in rule.commissions]
    return ctx.prep.events


def _nth(ctx: Context, rule, c: dict) -> int:
    """Which occurrence in its unit's year commission `c` is among the rule's commissions."""
    year = c["date"].year
    n = 0
    for x in _source(ctx, rule):
        if x["unit"] == c["unit"] and x["date"].year == year:
            n += 1
        if x is c:
            return n
    return n


def _commission_remark(ctx: Context, rule, c: dict, stage: Stage) -> None:
    """The unit's remark on a commission of the rule's statuses (`remark`: the words after
    it), and the public naming at its `notice_at`-th occurrence (`notice`)."""
    if rule.remark is None or c["status"] not in rule.commissions:
        return
    text = f"约稿{title_of(c)}{c['status']}" + (f"，{rule.remark}" if rule.remark else "")
    stage.remark(c["unit"], "commission", rule.id, text)
    if rule.notice_at and _nth(ctx, rule, c) == rule.notice_at:
        stage.remark(c["unit"], "notice", rule.id, f"{rule.notice}，予以通报")


def _notices(ctx: Context, rule, period) -> list[dict] | None:
    """ScoreResult.notices: the `notice_at`-th commission of the rule in a unit's year,
    when it falls in `period`; labelled with its quarter (its month for a month)."""
    if not (rule.notice_at and rule.commissions):
        return None
    of = month_of if period.kind == "month" else quarter_of
    counts: dict[tuple, int] = {}
    out = []
    for c in _source(ctx, rule):
        key = (c["unit"], c["date"].year)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] == rule.notice_at and period.contains(c["date"]):
            out.append(
                dict(unit=c["unit"], period=of(c["date"]).label,
                     rule_id=f"{ctx.reg.id}/{rule.id}", clause=rule.clause,
                     reason=f"{rule.notice}（第{_CN[rule.notice_at]}次：约稿{title_of(c)}{c['status']}）")
            )  # fmt: skip
    return out


_CN = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九"}


def _event(ctx: Context, rule, period, stage: Stage) -> None:
    types = rule.events or ((ctx.reg.commissions.event,) if rule.commissions else ())

    def spec(label: str) -> E.EventRule:
        return E.EventRule(
            types,
            rule,
            points=rule.points or 0.0,
            per_value=rule.per_value,
            default_value=rule.default_value,
            cap=rule.cap,
            label=label,
        )

    source = _source(ctx, rule)
    if rule.deduction:  # C6: the value is the deduction's size, whatever its sign
        source = [_negated(e) if e["type"] in types else e for e in source]
    labels = [(s.status, s.label) for s in rule.status_labels] or [(None, rule.label)]
    for status, label in labels:
        mine = source if status is None else [e for e in source if e["status"] == status]
        if "{status}" not in label:
            stage.rows += E.event_rows(mine, period, spec(label))
            continue
        for c in mine:  # a commission's status in the note: 逾期，…
            stage.rows += E.event_rows([c], period, spec(label.format(status=c["status"])))


def _negated(e: dict) -> dict:
    return e if e.get("value") is None else {**e, "value": -abs(e["value"])}


register(
    Kind(
        "event",
        "Each event of `events` (or each commission of the statuses `commissions`) earns "
        "`points`, or `per_value` × its value (`default_value` when empty) up to `cap` "
        "(`deduction`: the value is a deduction's size, whatever its sign, C6); per "
        "commission status the note's words may be its `status_labels`.",
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
            "notice_at",
            "notice",
        ),
        items=_event,
        commission_remark=_commission_remark,
        notices=_notices,
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
        fields=("events", "commissions", "amounts", "cumulative", "remark", "notice_at", "notice"),
        items=_escalating,
        commission_remark=_commission_remark,
        notices=_notices,
    )
)

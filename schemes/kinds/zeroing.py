"""Results that do not count (不得分) and targets failed by an event."""

from __future__ import annotations

from schemes import engine as E
from schemes.kinds.base import Context, Kind, Stage, register, title_of

_MISSED = (E.LATE, E.MISSING)


def _late(rule) -> tuple[str, ...]:
    return rule.commissions or _MISSED


def _commission_remark(ctx: Context, rule, c: dict, stage: Stage) -> None:
    if c["status"] in _late(rule):
        stage.remark(
            c["unit"], "commission", rule.id, f"约稿{title_of(c)}{c['status']}，当季信息考核不得分"
        )


def _commission_zero(ctx: Context, rule, stage: Stage) -> None:
    q = stage.period
    late: dict[str, str] = {}
    for c in ctx.commissions:
        if q.contains(c["date"]) and c["status"] in _late(rule):
            late.setdefault(c["unit"], f"约稿「{c.get('title') or ''}」{c['status']}")
    stage.rows += E.zero_rows(stage.rows, late, q, rule)


register(
    Kind(
        "commission_zero",
        "A commission of the statuses `commissions` (default 逾期, 未报) makes its quarter "
        "not score (当季信息考核不得分): an adjustment row removes the quarter's positive "
        "points and keeps its deductions.",
        fields=("commissions",),
        commission_remark=_commission_remark,
        close_quarter=_commission_zero,
    )
)


def _year_remark(ctx: Context, rule, e: dict, stage: Stage) -> None:
    if e["type"] in rule.events:
        stage.remark(e["unit"], "event", rule.id, f"{e['type']}{title_of(e)}：年度信息考核不得分")


def _year_zero(ctx: Context, rule, stage: Stage) -> None:
    year = stage.period
    for etype in rule.events:
        reasons: dict[str, str] = {}
        for e in ctx.prep.events_of(etype):
            if year.contains(e["date"]) and e["unit"] not in stage.zeroed:
                reasons.setdefault(e["unit"], f"{etype}「{e.get('title') or ''}」")
        stage.rows += E.zero_rows(stage.rows, reasons, year, rule)
        stage.zeroed |= set(reasons)


register(
    Kind(
        "year_zero",
        "An event of `events` makes the unit's year not score (年度信息考核不得分): an "
        "adjustment row removes the year's positive points, and its rank points do not count.",
        fields=("events",),
        event_remark=_year_remark,
        close_year=_year_zero,
    )
)


def _failed_remark(ctx: Context, rule, e: dict, stage: Stage) -> None:
    if e["type"] in rule.events:
        stage.remark(
            e["unit"], "event", rule.id, f"{e['type']}{title_of(e)}：视作当季信息任务未完成"
        )


def _target_failed(ctx: Context, rule, stage: Stage) -> None:
    q = stage.period
    stage.failed |= {e["unit"] for e in ctx.prep.events_of(*rule.events) if q.contains(e["date"])}


register(
    Kind(
        "target_failed",
        "An event of `events` makes the quarter's target not met, whatever the points "
        "(视作当季信息任务未完成).",
        fields=("events",),
        event_remark=_failed_remark,
        close_quarter=_target_failed,
    )
)

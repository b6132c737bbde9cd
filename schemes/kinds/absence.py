"""What the year must hold: a unit without any event of a type in the year (全年未取得领导批示)."""

from __future__ import annotations

from schemes import engine as E
from schemes.kinds.base import Context, Kind, Stage, register
from schemes.kinds.instruction import instruction_table


def _close_year(ctx: Context, rule, stage: Stage) -> None:
    """An adjustment row dated the year's last day, and a remark, for each unit without any
    event of `events` in the year; an event of an instruction table must have a level the
    table knows (an unknown one is an error, not an event)."""
    year = stage.period
    tables = {t.event for t in ctx.reg.instructions}
    had = set()
    for e in ctx.prep.events_of(*rule.events):
        if year.contains(e["date"]):
            if e["type"] in tables:
                instruction_table(ctx, e["type"]).read(e)
            had.add(e["unit"])
    pts = rule.points or 0.0
    note = f"{year.title}{rule.name}：{E.fmt(pts)} 分"
    for unit in ctx.prep.units:
        if unit not in had:
            stage.rows.append(E.row(unit, year.end, rule, pts, note, E.ADJUST, None))
            what = f"扣{E.fmt(-pts)}分" if pts < 0 else f"计{E.fmt(pts)}分"
            stage.remark(unit, "year_without_event", rule.id, f"全年{rule.name}，{what}")


register(
    Kind(
        "year_without_event",
        "The year: a unit without any event of `events` in the year gets `points` (未取得区级"
        "及以上领导批示的 −30), an adjustment row on the year's last day and a remark.",
        fields=("events", "points"),
        close_year=_close_year,
    )
)

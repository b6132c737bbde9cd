"""A base score each quarter, with deductions that stop at it (基础得分为6分，扣完为止)."""

from __future__ import annotations

from schemes import engine as E
from schemes.kinds.base import Context, Kind, Stage, register


def _close(ctx: Context, rule, stage: Stage) -> None:
    """Each unit gets `points` for the quarter; with `floor`, the quarter's deductions take
    at most the base (扣完为止): an adjustment row gives back what they take beyond it.
    Additions are not limited."""
    q = stage.period
    base = rule.points or 0.0
    taken: dict[str, float] = {u: 0.0 for u in ctx.prep.units}
    for r in stage.rows:
        if r["points"] < 0 and r["source"] != E.ADJUST and r["unit"] in taken:
            taken[r["unit"]] += r["points"]
    for unit in ctx.prep.units:
        note = f"{q.title}基础分：{E.fmt(base)} 分"
        stage.rows.append(E.row(unit, q.end, rule, base, note, E.ADJUST, None))
        if rule.floor and taken[unit] < -base:
            back = -base - taken[unit]
            note = (
                f"{q.title}扣分 {E.fmt(taken[unit])} 分超过基础分 {E.fmt(base)} 分，"
                f"扣完为止：冲回 {E.fmt(back)} 分"
            )
            stage.rows.append(E.row(unit, q.end, rule, back, note, E.ADJUST, None))


register(
    Kind(
        "base_score",
        "Each quarter every unit starts from `points` (基础得分); with `floor` the quarter's "
        "deductions take at most that base (扣完为止), additions are not limited. A pass mark "
        "(低于6分视为不达标) is the groups' `target` with `[scoring] target_period = "
        '"quarter"`. It closes the quarter after the rules before it in `scoring.order`: put '
        "it after every rule whose deductions it stops.",
        fields=("points", "floor"),
        close_quarter=_close,
    )
)

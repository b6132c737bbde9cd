"""Adoption rates (录用率): adopted articles per submission in a quarter, against a threshold."""

from __future__ import annotations

from schemes import engine as E
from schemes.kinds.base import Context, Kind, Stage, register


def _close(ctx: Context, rule, stage: Stage) -> None:
    """A unit whose quarter's adoption rate (distinct articles adopted ÷ submissions) is
    below `share` gets `points`. C5: a quarter with a month without mail logs is not judged
    (noted); a unit without any submission has a rate of 0."""
    q = stage.period
    missing = [m for m in q.months() if not ctx.prep.has_logs(m)]
    if missing:
        months = "、".join(m.title for m in missing)
        stage.notes.append(f"{months}没有报送记录（邮件日志），{q.title}未执行“{rule.name}”规则。")
        return
    sent = E.submitted_counts(ctx.prep, q)
    adopted = E.adopted_counts(ctx.prep, q)
    for unit in ctx.prep.units:
        n, a = sent.get(unit, 0), adopted.get(unit, 0)
        rate = a / n if n else 0.0
        if rate < rule.share:
            note = (
                f"{q.title}录用率 {a}/{n} = {rate:.0%}，低于 {rule.share:.0%}："
                f"{E.fmt(rule.points)} 分"
            )
            stage.rows.append(E.row(unit, q.end, rule, rule.points, note, "quota", None))


register(
    Kind(
        "adoption_rate",
        "Each quarter, a unit whose adoption rate (distinct articles adopted ÷ submissions, "
        "C5: judged only when every month holds mail logs) is below `share` gets `points`.",
        fields=("share", "points"),
        close_quarter=_close,
    )
)

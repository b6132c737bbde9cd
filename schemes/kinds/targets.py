"""Yearly count targets (目标任务: 全年上报信息不少于120条) and the deduction per missing item."""

from __future__ import annotations

import polars as pl

from schemes import engine as E
from schemes.kinds.base import Context, Kind, Stage, register


def count_targets(ctx: Context, rule) -> tuple[E.CountTarget, ...]:
    key = ("targets", rule.id)
    if key not in ctx.cache:
        ctx.cache[key] = tuple(
            E.CountTarget(
                t.name,
                t.source,
                {g.group: g.count for g in t.by_group},
                kinds=t.kinds,
                unit_word=t.unit_word,
            )
            for t in rule.targets
        )
    return ctx.cache[key]


def _shortfalls(ctx: Context) -> dict[str, object]:
    """target name -> the `target_shortfall` rule charging it."""
    return {r.target: r for r in ctx.reg.rules_of("target_shortfall")}


def progress(ctx: Context, rule, period) -> dict[str, list[E.Progress]]:
    """Per unit, the year-to-date count against each target (judged in the year: C5 scales
    a submission target to the months holding mail logs)."""
    key = ("progress", rule.id, period)
    if key not in ctx.cache:
        ctx.cache[key] = E.target_progress(
            ctx.prep,
            period,
            count_targets(ctx, rule),
            default_kinds=ctx.reg.default_kinds,
            judge=period.kind == "year",
        )
    return ctx.cache[key]


def _met(progs: list[E.Progress]) -> bool | None:
    """All targets met → True; any missed → False; else (a target not judged) None."""
    flags = [p.met for p in progs if p.full is not None]
    if any(f is False for f in flags):
        return False
    if any(f is None for f in flags):
        return None
    return True


def _progress_remark(progs: list[E.Progress]) -> str:
    """A month or a quarter: what is still missing for the year, or that all is done."""
    missing = [
        f"{p.target.name}{p.full - p.got:g}{p.target.unit_word}"
        for p in progs
        if p.full is not None and p.got < p.full
    ]
    return "全年目标尚差：" + "，".join(missing) if missing else "已完成全年目标任务"


def _year_remark(ctx: Context, progs: list[E.Progress]) -> str:
    """The year: the targets missed (count/need, and the deduction) or not judged, or that
    all were met."""
    charged = _shortfalls(ctx)
    parts = []
    for p in progs:
        if p.met is False:
            text = p.text().replace(" ", "")
            if (r := charged.get(p.target.name)) is not None:
                text += f"（扣{E.fmt(-r.points * p.short)}分）"
            parts.append(text)
        elif p.met is None and p.full is not None:
            parts.append(f"{p.target.name}未考核（无报送记录）")
    if not parts:
        return "完成全年目标任务"
    return "未完成全年目标任务：" + "，".join(parts)


def _close(ctx: Context, rule, stage: Stage) -> None:
    """Each unit's remark on its targets comes first; a month or a quarter notes how many
    units are done (`progress_note`)."""
    period = stage.period
    prog = progress(ctx, rule, period)
    if period.kind == "year":
        first = [(u, _year_remark(ctx, p)) for u, p in prog.items()]
    else:
        first = [(u, _progress_remark(p)) for u, p in prog.items()]
        done = [u for u, p in prog.items() if _met(p)]
        units = ctx.prep.units
        by_group = {g.name: sum(1 for u in done if units[u] == g.name) for g in ctx.reg.groups}
        counts = "、".join(f"{g}{n}个" for g, n in by_group.items())
        if rule.progress_note:
            stage.notes.append(rule.progress_note.format(period=period.title, counts=counts))
    head = [stage.make_remark(u, "progress", rule.id, text) for u, text in first]
    stage.remarks[:0] = head


def _judge(ctx: Context, rule, stage: Stage, df):
    """The year: a unit met its targets when it met all of them (None when one could not
    be judged, C5)."""
    if stage.period.kind != "year":
        return df
    prog = progress(ctx, rule, stage.period)
    met = [_met(prog[u]) for u in df["unit"]]
    return df.with_columns(target_met=pl.Series(met, dtype=pl.Boolean))


def _quotas(ctx: Context, rule, period) -> list[dict]:
    """ScoreResult.quotas: per unit, its count against each yearly target of its group, in
    the window of the year. In the year a charged target's row carries the deduction (0 when
    met) against the need scaled to the months holding mail logs (C5); the other targets
    carry no points. A month or a quarter shows the year-to-date progress against the full
    targets, without points. A submission target without any month of mail logs has no row."""
    judge = period.kind == "year"
    upto = "" if judge else f"（截至{period.title}末）"
    charged = _shortfalls(ctx)
    rows = []
    for unit, progs in progress(ctx, rule, period).items():
        for p in progs:
            if p.full is None:
                continue
            if p.target.source == "submission" and (p.need is None or p.months == 0):
                continue
            charge = charged.get(p.target.name)
            pts = None
            if judge and charge is not None:
                pts = float(charge.points * p.short) + 0.0
            rows.append(
                dict(unit=unit, period=period.year_period.label,
                     rule=f"{rule.name}·{p.target.name}{upto}",
                     clause=(charge or rule).clause, required=float(p.need), count=p.got,
                     points=pts)
            )  # fmt: skip
    return rows


register(
    Kind(
        "count_targets",
        "Yearly targets on counts of submissions or adoptions per group (`targets`): each "
        "unit's year-to-date progress (remarks, `progress_note`, ScoreResult.quotas); the "
        "year's `target_met` is whether all were met (C5: a submission target is scaled to "
        "the months holding mail logs).",
        fields=("targets", "progress_note"),
        close_month=_close,
        close_quarter=_close,
        close_year=_close,
        judge=_judge,
        quotas=_quotas,
    )
)


def _shortfall(ctx: Context, rule, stage: Stage) -> None:
    """The year: `points` per item missing below the target named `target`."""
    period = stage.period
    owner = next(
        r
        for r in ctx.reg.rules_of("count_targets")
        if any(t.name == rule.target for t in r.targets)
    )
    target = next(t for t in count_targets(ctx, owner) if t.name == rule.target)
    rows, notes = E.shortfall_rows(progress(ctx, owner, period), target, period, rule, rule.points)
    stage.rows += rows
    stage.notes += notes


register(
    Kind(
        "target_shortfall",
        "The year: `points` (negative) per item missing below the count target named "
        "`target` (未完成全年目标任务的每少一条减2分).",
        fields=("target", "points"),
        close_year=_shortfall,
    )
)

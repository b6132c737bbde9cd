"""Public namings (通报批评) and deductions outside the points (绩效扣分, in the scores'
`assessment`, never subtracted from the points)."""

from __future__ import annotations

import polars as pl

from schemes import engine as E
from schemes.kinds.base import Context, Kind, Stage, register, title_of
from transforms.periods import month_of, quarter_of


def notice_rule(ctx: Context):
    """The regulation's `notice` rule (what a naming is called and costs), or None."""
    rules = ctx.reg.rules_of("notice")
    return rules[0] if rules else None


def naming(ctx: Context) -> tuple[str, str]:
    """(the naming's word, what one costs in words): 通报批评, 年终绩效考核扣0.1分; the cost is
    empty when the regulation charges none."""
    rule = notice_rule(ctx)
    if rule is None:
        return "通报批评", ""
    if rule.assessment is None:
        return rule.name, ""
    return rule.name, f"{ctx.reg.assessment_in}扣{E.fmt(rule.assessment)}分"


def record_notice(ctx: Context, stage: Stage, unit: str, d, rule, reason: str) -> None:
    """A public naming of `unit` on day `d` by `rule` in the stage's period (the result's
    notices, counted by the `notice` rule)."""
    ctx.cache.setdefault("notices", []).append(
        dict(stage=stage.period.label, unit=unit, date=d, rule_id=f"{ctx.reg.id}/{rule.id}",
             clause=rule.clause, reason=reason)
    )  # fmt: skip


def notices_of(ctx: Context, period) -> list[dict]:
    """The namings of `period`: of its own stage, or, for a year summed from its quarters,
    of the quarters."""
    if period.kind == "year" and ctx.reg.scoring.year == "quarters":
        labels = {q.label for q, _, _ in ctx.quarters}
    else:
        labels = {period.label}
    return [n for n in ctx.cache.get("notices", []) if n["stage"] in labels]


def _items(ctx: Context, rule, period, stage: Stage) -> None:
    """Each event of `events` is a naming: a 0-point ledger row saying what it costs."""
    _, cost = naming(ctx)
    for e in ctx.prep.events_of(*rule.events):
        if not period.contains(e["date"]):
            continue
        note = f"{e['type']}{title_of(e)}" + (f"：{cost}，不计入信息得分" if cost else "")
        stage.rows.append(E.row(e["unit"], e["date"], rule, 0, note, "event", e.get("event_id")))
        what = e.get("title") or e.get("note")
        when = f"{e['date']:%Y年%-m月%-d日}"
        reason = f"因“{what}”被{e['type']}（{when}）" if what else f"{when}被{e['type']}"
        record_notice(ctx, stage, e["unit"], e["date"], rule, reason)


def _remarks(ctx: Context, rule, stage: Stage) -> None:
    """The unit's remark on each naming event of the period (after those on commissions)."""
    _, cost = naming(ctx)
    for e in ctx.prep.events_of(*rule.events):
        if stage.period.contains(e["date"]):
            text = f"{e['type']}{title_of(e)}" + (f"（{cost}）" if cost else "")
            stage.remark(e["unit"], "notice", rule.id, text)


def _assessment(df: pl.DataFrame) -> list[float]:
    if "assessment" not in df.columns:
        return [0.0] * df.height
    return df["assessment"].fill_null(0.0).to_list()


def _assess(ctx: Context, rule, stage: Stage, df: pl.DataFrame) -> pl.DataFrame:
    """A quarter's or the year's assessment: `assessment` per naming of the period (by any
    rule); the year says how many in a remark."""
    period = stage.period
    if period.kind == "month":
        return df
    per = rule.assessment or 0.0
    n: dict[str, int] = {}
    for x in notices_of(ctx, period):
        n[x["unit"]] = n.get(x["unit"], 0) + 1
    out = []
    for unit, base in zip(df["unit"].to_list(), _assessment(df), strict=True):
        k = n.get(unit, 0)
        if period.kind == "year" and k:
            text = f"全年{rule.name}{k}次，{ctx.reg.assessment_in}扣{E.fmt(round(per * k, 2))}分"
            stage.remark(unit, "assessment", rule.id, text)
        out.append(round(base + per * k, 2))
    return df.with_columns(assessment=pl.Series(out, dtype=pl.Float64))


def _assessment_note(ctx: Context, stage: Stage) -> None:
    """The year's note on what the assessment charges (绩效扣分（通报批评每次0.1分、全年零采用0.2分，
    第九条（四））在年终绩效考核中扣除，不计入信息得分。)."""
    reg = ctx.reg
    rules = [r for r in reg.rules if r.kind in ("notice", "no_adoption") and r.assessment]
    if not rules:
        return
    parts = "、".join(
        f"{r.name}{'每次' if r.kind == 'notice' else ''}{E.fmt(r.assessment)}分" for r in rules
    )
    clauses = "、".join(dict.fromkeys(r.clause for r in rules))
    note = (
        f"{reg.assessment_label}（{parts}，{clauses}）在{reg.assessment_in}中扣除，不计入信息得分。"
    )
    if note not in stage.notes:
        stage.notes.append(note)


def _close_year(ctx: Context, rule, stage: Stage) -> None:
    if ctx.reg.scoring.year != "quarters":
        _remarks(ctx, rule, stage)
    _assessment_note(ctx, stage)


def _notices(ctx: Context, rule, period) -> list[dict]:
    """ScoreResult.notices: every naming of `period` (by any rule), labelled with the
    quarter it falls in (its month for a month), by period then unit."""
    of = month_of if period.kind == "month" else quarter_of
    rows = [
        dict(unit=x["unit"], period=of(x["date"]).label, rule_id=x["rule_id"],
             clause=x["clause"], reason=x["reason"])
        for x in notices_of(ctx, period)
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (r["period"], r["unit"]))


register(
    Kind(
        "notice",
        "Public namings (通报批评): each event of `events` is one (a 0-point ledger row); "
        "other rules add theirs (`consecutive_misses`). Every naming of a quarter or the "
        "year adds `assessment` to the assessment (a deduction outside the points, "
        "`assessment_in`); the result lists them (ScoreResult.notices, by period then "
        "unit). The rule's `name` is the naming's word in other rules' notes.",
        fields=("events", "assessment"),
        items=_items,
        close_month=_remarks,
        close_quarter=_remarks,
        close_year=_close_year,
        assess=_assess,
        notices=_notices,
    )
)


def _no_adoption_assess(ctx: Context, rule, stage: Stage, df: pl.DataFrame) -> pl.DataFrame:
    """The year: a unit without any adoption adds `assessment` (`label` names it)."""
    year = stage.period
    if year.kind != "year":
        return df
    adopted = E.adopted_counts(ctx.prep, year)
    per = rule.assessment or 0.0
    out = []
    for unit, base in zip(df["unit"].to_list(), _assessment(df), strict=True):
        if adopted.get(unit):
            out.append(base)
            continue
        text = f"{rule.label or rule.name}，{ctx.reg.assessment_in}扣{E.fmt(per)}分"
        stage.remark(unit, "assessment", rule.id, text)
        out.append(round(base + per, 2))
    return df.with_columns(assessment=pl.Series(out, dtype=pl.Float64))


def _no_adoption_close_year(ctx: Context, rule, stage: Stage) -> None:
    _assessment_note(ctx, stage)


register(
    Kind(
        "no_adoption",
        "The year: a unit without any adoption (零采用) adds `assessment` to the assessment "
        "(a deduction outside the points); `label` names it in the remark. The year's note "
        "lists what the `notice` and `no_adoption` rules charge.",
        fields=("assessment", "label"),
        close_year=_no_adoption_close_year,
        assess=_no_adoption_assess,
    )
)
